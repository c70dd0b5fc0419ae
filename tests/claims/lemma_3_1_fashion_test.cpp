// Regression specification of lemma-3.1-fashion on its quick config (30 Fashion-MNIST training
// images, one training epoch): every number is computed on the run; nothing here stores one.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"
#include "tests/support/claim_lookup.hpp"

#include "core/errors.hpp"
#include "experiments/figures/lemma_3_1_fashion.hpp"

namespace mixup::figures {
namespace {

using mixup::testing::find_check;

nlohmann::json default_config() {
  return mixup::testing::default_config_file("lemma-3.1-fashion");
}

// `config` replaces the default config's keys: a whole config, or only the keys that change.
RunContext quick_context(const nlohmann::json& config) {
  return mixup::testing::quick_context("lemma-3.1-fashion", lemma_3_1_fashion_schema(), config,
                                       mixup::testing::OutDir::kTemporary);
}

RunContext quick_context() {
  return quick_context(nlohmann::json::object());
}

class Lemma31Fashion
    : public mixup::testing::RunOncePerSuite<quick_context, run_lemma_3_1_fashion> {};

TEST_F(Lemma31Fashion, Eq1EqualsEq9ForEveryModelThetaAndLaw) {
  const Check& identity = find_check(*report_, "Eq. (1) = Eq. (9)");
  // softmax and MLP, each at init and trained, times the 3 x 2 laws of the config.
  EXPECT_EQ(identity.instances, 2 * 2 * 6);
  EXPECT_EQ(identity.violations, 0) << identity.worst.dump();
  EXPECT_LE(identity.measured.at("max_relative_difference").get<double>(), 1e-12);
}

TEST_F(Lemma31Fashion, QuadraticApproximationIsCloseAtInitAndMeasuredWhenTrained) {
  const Check& approx = find_check(*report_, "quadratic approximation at s = 1");
  for (const auto& [run, entries] : approx.measured.items()) {
    for (const auto& entry : entries) {
      const double error = entry.at("relative_error").get<double>();
      EXPECT_TRUE(std::isfinite(error)) << run;
      EXPECT_EQ(entry.at("R3").get<double>(), 0.0) << run;
      // The mixup regularization is the difference L_mix - L_std; the approximation carries it
      // as R1 + R2 (Lemma 3.1).
      EXPECT_GT(entry.at("L_mix").get<double>(), 0.0) << run;
    }
  }
  // Near initialization the logits are small and the expansion is accurate.
  for (const auto& entry : approx.measured.at("softmax/init")) {
    EXPECT_LT(entry.at("relative_error").get<double>(), 0.01);
  }
}

TEST_F(Lemma31Fashion, SoftmaxRegressionRemainderIsThirdOrder) {
  const Check& order = find_check(*report_, "remainder L_mix(s) - L~_mix(s) is third order");
  const auto& softmax = order.measured.at("softmax");
  EXPECT_EQ(softmax.at("s_star"), "inf");
  ASSERT_TRUE(softmax.at("smooth_side").at("slope").is_number());
  EXPECT_NEAR(softmax.at("smooth_side").at("slope").get<double>(), 3.0, 0.25);
  // The MLP's switch scale is finite: a ReLU unit switches on some segment.
  const auto& mlp = order.measured.at("mlp");
  ASSERT_TRUE(mlp.at("s_star").is_number());
  EXPECT_GT(mlp.at("s_star").get<double>(), 0.0);
  EXPECT_LT(mlp.at("s_star").get<double>(), 1.0);
}

TEST_F(Lemma31Fashion, WritesTheRemainderCurvesAsCsvAndPng) {
  const std::string csv = context_->out_dir + "/lemma-3.1-fashion.csv";
  ASSERT_TRUE(std::filesystem::exists(csv));
  EXPECT_TRUE(std::filesystem::exists(context_->out_dir + "/lemma-3.1-fashion.png"));
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header,
            "s,softmax_remainder,softmax_floor,softmax_s_star,mlp_remainder,mlp_floor,mlp_s_star");
  long rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  // s = 2^(-k / points_per_octave) for k = 0 .. halvings * points_per_octave.
  const auto& c = context_->config;
  EXPECT_EQ(rows, c["order_halvings"].get<long>() * c["order_points_per_octave"].get<long>() + 1);
}

TEST(Lemma31FashionConfig, RefusesAnUnknownModelAndMissingData) {
  nlohmann::json config = default_config();
  config["models"] = {"softmax", "cnn"};
  EXPECT_THROW(quick_context(config), InputError);
  config = default_config();
  config["data_dir"] = "/nonexistent/fashion-mnist";
  const RunContext context = quick_context(config);
  try {
    run_lemma_3_1_fashion(context);
    FAIL() << "a missing data folder was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("setup.sh --fashion-mnist"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(context.out_dir);
}

}  // namespace
}  // namespace mixup::figures
