// Regression specification of Figure 3 on its quick config (20 epochs): the figure's data are
// computed on every run; nothing here stores an R value or a verdict.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"

#include "core/errors.hpp"
#include "experiments/figures/fig3.hpp"

namespace mixup::figures {
namespace {

// Full runs have 400 epochs; the quick one 20, so its time extrapolates by the epoch ratio.
constexpr double kFullEpochs = 400.0;

RunContext quick_context() {
  return mixup::testing::quick_context("fig3", fig3_schema(), nlohmann::json::object(),
                                       mixup::testing::OutDir::kTemporary);
}

long count_lines(const std::string& path) {
  std::ifstream in(path);
  long lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

class Fig3 : public mixup::testing::RunOncePerSuite<quick_context, run_fig3> {};

TEST_F(Fig3, EveryRunHasCosinesInTheUnitInterval) {
  const auto& values = report_->checks.at(0).measured;
  for (const auto& model : {"linear", "relu_deep", "relu2_biased"}) {
    for (const auto& objective : {"erm", "mixup"}) {
      const auto& run = values.at(model).at(objective);
      for (const auto& key : {"initial_R", "final_R"}) {
        ASSERT_TRUE(run.at(key).is_number()) << model << " " << objective << " " << key;
        EXPECT_GE(run.at(key).get<double>(), 0.0) << model << " " << objective << " " << key;
        EXPECT_LE(run.at(key).get<double>(), 1.0) << model << " " << objective << " " << key;
      }
    }
  }
}

TEST_F(Fig3, BothObjectivesStartFromTheSameInitialization) {
  const auto& values = report_->checks.at(0).measured;
  for (const auto& model : {"linear", "relu_deep", "relu2_biased"}) {
    EXPECT_EQ(values.at(model).at("erm").at("initial_R").get<double>(),
              values.at(model).at("mixup").at("initial_R").get<double>())
        << model;
  }
}

TEST_F(Fig3, ExtrapolatedFullRunFitsTheTwoSecondBudget) {
  const auto& timing = report_->checks.at(1).measured;
  for (const auto& objective : {"erm", "mixup"}) {
    const auto& run = timing.at("relu_deep").at(objective);
    const double per_epoch = run.at("seconds").get<double>() / run.at("epochs").get<double>();
    EXPECT_LT(per_epoch * kFullEpochs, run.at("budget_seconds").get<double>()) << objective;
  }
}

TEST_F(Fig3, WritesOneCurveRowPerEpochAndOneHistogramRowPerSample) {
  const auto n = context_->config["n"].get<long>();
  EXPECT_EQ(count_lines(context_->out_dir + "/fig3_R.csv"), 1 + 20 + 1);
  EXPECT_EQ(count_lines(context_->out_dir + "/fig3_R_i.csv"), 1 + n);
  EXPECT_TRUE(std::filesystem::exists(context_->out_dir + "/fig3.png"));
}

TEST(Fig3Input, RejectsABatchLargerThanTheSample) {
  RunContext context = quick_context();
  context.config["batch_size"] = context.config["n"].get<long>() + 1;
  EXPECT_THROW(run_fig3(context), InputError);
  std::filesystem::remove_all(context.out_dir);
}

}  // namespace
}  // namespace mixup::figures
