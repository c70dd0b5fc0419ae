// Regression specification of Lemma 3.4 on the claim's quick config: both sides of every
// relation are computed by the claim on each run; nothing here stores a verdict.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"
#include "tests/support/claim_lookup.hpp"

#include "core/data.hpp"
#include "core/mixing.hpp"
#include "theorems/lemma_3_4.hpp"

namespace mixup {
namespace {

using testing::find_check;

nlohmann::json default_config_file() {
  return testing::default_config_file("lemma-3.4");
}

RunContext quick_context() {
  return testing::quick_context("lemma-3.4", lemma_3_4_schema());
}

class Lemma3p4 : public testing::RunOncePerSuite<quick_context, check_lemma_3_4> {};

void expect_identity_holds(const ClaimReport& report, const std::string& prefix) {
  const Check& check = find_check(report, prefix);
  EXPECT_GT(check.instances, 0) << prefix;
  EXPECT_EQ(check.violations, 0) << prefix << ": " << check.worst.dump(2);
}

TEST(Lemma3p4Config, DefaultFileEqualsTheSchemaDefaults) {
  EXPECT_EQ(lemma_3_4_schema().resolve(default_config_file(), "configs/lemma-3.4.json"),
            lemma_3_4_schema().defaults());
}

TEST_F(Lemma3p4, SquaredLossIsTwiceTheGaussianGlmFormPlusMeanSquareLabel) {
  expect_identity_holds(*report_, "factor 2");
}

TEST_F(Lemma3p4, MixingLabelsAddsMinusTwoM2VarianceOfY) {
  expect_identity_holds(*report_, "label mixing");
}

TEST_F(Lemma3p4, HiddenLayerMixupIsStandardLossMinusTwoM2ResidualVariance) {
  expect_identity_holds(*report_, "hidden-layer mixup, Eq. (1)");
}

TEST_F(Lemma3p4, Lemma3p1IsExactAtTheHiddenLayer) {
  expect_identity_holds(*report_, "Lemma 3.1 at the hidden layer");
}

TEST_F(Lemma3p4, RescaledLossIsStandardLossPlusEq8) {
  expect_identity_holds(*report_, "what the proof computes");
}

TEST_F(Lemma3p4, ThetaSigmaThetaEntersMixupWithMinusTwoM2AndTheRescaledLossWithQ) {
  const Check& coefficient = find_check(*report_, "theta1^T Sigma^ theta1 coefficient");
  EXPECT_EQ(coefficient.violations, 0) << coefficient.worst.dump(2);
  const Check& measured = find_check(*report_, "Eq. (8) as a description of L_mix");
  ASSERT_FALSE(measured.measured["coefficients"].empty());
  for (const auto& row : measured.measured["coefficients"]) {
    // Opposite signs: Eq. (8) does not describe L_mix's dependence on theta1^T Sigma theta1.
    EXPECT_LT(row["L_mix_coefficient"].get<double>(), 0.0) << row.dump();
    if (row.contains("L_resc_coefficient")) {
      EXPECT_GT(row["L_resc_coefficient"].get<double>(), 0.0) << row.dump();
    }
  }
}

TEST_F(Lemma3p4, LeastSquaresHeadMinimizesHiddenLayerMixup) {
  const Check& optimality = find_check(*report_, "the least-squares head minimizes L_mix");
  EXPECT_GT(optimality.instances, 0);
  EXPECT_EQ(optimality.violations, 0) << optimality.worst.dump(2);
}

TEST_F(Lemma3p4, Eq8MinimizerIsTheLeastSquaresHeadShrunkByOnePlusQ) {
  const Check& minimizer = find_check(*report_, "minimizer of L_std + Eq. (8)");
  ASSERT_FALSE(minimizer.measured["rows"].empty());
  for (const auto& row : minimizer.measured["rows"]) {
    // A generic linear solve on one side, the closed form 1/(1+q) on the other; the normal
    // equations' conditioning (features of 20 points) limits the agreement to ~1e-8.
    EXPECT_NEAR(row["cosine_theta1"].get<double>(), 1.0, 1e-8) << row.dump();
    EXPECT_NEAR(row["norm_ratio"].get<double>(), row["one_over_one_plus_q"].get<double>(), 1e-8)
        << row.dump();
  }
}

// Both sides of a = 1: the rescaled loss is +inf at a = 1 and finite (= L_std + q theta^T
// Sigma theta) just above it.
TEST(Lemma3p4Rescaled, InfiniteAtAEqualOneAndFiniteJustAbove) {
  const Dataset data = make_two_moons(24, 0.1, 3);
  const ReluTwoLayer net = random_relu_two_layer(2, 8, 5, false);
  EXPECT_TRUE(std::isinf(lemma_3_4::rescaled_squared_loss(net, data, {1.0, 3.0})));
  EXPECT_TRUE(std::isinf(lemma_3_4::rescaled_squared_loss(net, data, {0.5, 3.0})));
  const MixingLaw law{1.01, 3.0};
  const double value = lemma_3_4::rescaled_squared_loss(net, data, law);
  ASSERT_TRUE(std::isfinite(value));
  const Eigen::VectorXd f = net.f(data.X);
  const double l_std = (data.y - f).squaredNorm() / static_cast<double>(data.n());
  const Eigen::MatrixXd sigma = lemma_3_4::hidden_covariance(net.hidden(data.X));
  const double eq8 = dtilde_q(law.a, law.b) * net.theta1().dot(sigma * net.theta1());
  // Sums of n^2 = 576 terms of the loss's size against a closed form: 1e-12 relative.
  EXPECT_NEAR(value, l_std + eq8, 1e-12 * value);
}

TEST_F(Lemma3p4, VerdictFollowsFromTheChecks) {
  long violations = 0;
  for (const auto& check : report_->checks) {
    if (check.decides_verdict()) violations += check.violations;
  }
  EXPECT_EQ(report_->verdict() == Verdict::kFails, violations > 0);
}

}  // namespace
}  // namespace mixup
