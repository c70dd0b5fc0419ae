// Regression specification of Lemma 3.3 on the claim's quick config: every quantity asserted
// here is computed by the claim (or by the helpers it is built from) on each run; nothing here
// stores a verdict or a measured number.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"
#include "tests/support/claim_lookup.hpp"

#include "core/data.hpp"
#include "core/mixing.hpp"
#include "theorems/lemma_3_3.hpp"

namespace mixup {
namespace {

using testing::find_audit;
using testing::find_check;

nlohmann::json default_config_file() {
  return testing::default_config_file("lemma-3.3");
}

RunContext quick_context() {
  return testing::quick_context("lemma-3.3", lemma_3_3_schema());
}

class Lemma3p3 : public testing::RunOncePerSuite<quick_context, check_lemma_3_3> {};

TEST(Lemma3p3Config, DefaultFileEqualsTheSchemaDefaults) {
  EXPECT_EQ(lemma_3_3_schema().resolve(default_config_file(), "configs/lemma-3.3.json"),
            lemma_3_3_schema().defaults());
}

TEST_F(Lemma3p3, QIsReportedInfiniteExactlyWhereAOrBIsAtMostOne) {
  const Check& q = find_check(*report_, "q = E_D~");
  bool below = false;  // the grid must straddle a = 1 for this test to mean anything
  bool above = false;
  for (const auto& row : q.measured["q"]) {
    const double a = row["law"]["a"].get<double>();
    const double b = row["law"]["b"].get<double>();
    const bool divergent = a <= 1.0 || b <= 1.0;
    EXPECT_EQ(row["q"] == "inf", divergent) << row.dump();
    below = below || (a <= 1.0 && b > 1.0);
    above = above || (a > 1.0 && b > 1.0);
  }
  EXPECT_TRUE(below && above) << "the quick grid must have a <= 1 and a > 1 with b > 1";
  EXPECT_NE(q.summary.find("q = inf"), std::string::npos) << q.summary;
}

TEST_F(Lemma3p3, QDivergesOnBothSidesOfOneOnlyAtOrBelowOne) {
  // The analytic decision (core) next to the pole, on both sides of a = 1.
  EXPECT_TRUE(std::isinf(dtilde_q(1.0, 2.0)));
  EXPECT_TRUE(std::isinf(dtilde_q(1.0 - 1e-12, 2.0)));
  EXPECT_TRUE(std::isfinite(dtilde_q(1.0 + 1e-12, 2.0)));
  EXPECT_GT(dtilde_q(1.0 + 1e-12, 2.0), 1e11);  // ~ b(b+1)/((a-1)(a+b)): the pole, not a cap
}

TEST_F(Lemma3p3, FiniteQMatchesAnIndependentQuadrature) {
  const Check& q = find_check(*report_, "q = E_D~");
  EXPECT_GT(q.instances, 0);
  EXPECT_EQ(q.violations, 0) << q.worst.dump(2);
}

TEST_F(Lemma3p3, RescaledLossComputedTwoWaysAgrees) {
  const Check& identity = find_check(*report_, "rescaled loss at s = 1");
  EXPECT_GT(identity.instances, 0);
  EXPECT_EQ(identity.violations, 0) << identity.worst.dump(2);
}

TEST_F(Lemma3p3, RescaledRemainderHasTheTailLimitedOrder) {
  const Check& order = find_check(*report_, "rescaled logistic loss");
  ASSERT_GT(order.instances, 0);
  for (const auto& run : order.measured["runs"]) {
    const double a = run["law"]["a"].get<double>();
    const double b = run["law"]["b"].get<double>();
    const double predicted = std::min(3.0, std::min(a, b) + 1.0);
    EXPECT_DOUBLE_EQ(run["predicted_order"].get<double>(), predicted);
    ASSERT_FALSE(run["fit"]["slope"].is_null()) << run.dump();
    const double slope = run["fit"]["slope"].get<double>();
    if (predicted < 3.0) {
      EXPECT_NEAR(slope, predicted, order.tolerance) << run["law"].dump();
    } else {
      EXPECT_GE(slope, 3.0 - order.tolerance) << run["law"].dump();
    }
  }
  EXPECT_EQ(order.violations, 0) << order.worst.dump(2);
}

TEST_F(Lemma3p3, RescaledPoissonLossIsInfiniteWhenSomeThetaXIsPositive) {
  const Check& poisson = find_check(*report_, "rescaled Poisson loss");
  ASSERT_FALSE(poisson.measured["values"].empty());
  for (const auto& row : poisson.measured["values"]) {
    EXPECT_EQ(row["L_rescaled"] == "inf", row["positive_theta_x"].get<long>() > 0) << row.dump();
    EXPECT_TRUE(row["L_mix"].is_number()) << "L_mix itself is finite: " << row.dump();
  }
}

TEST_F(Lemma3p3, SecondOrderExpansionAgreesWithLemma3p1OnCenteredData) {
  const Check& total = find_check(*report_, "second-order expansion at theta");
  const Check& r1 = find_check(*report_, "R1 on centered data");
  EXPECT_GT(total.instances, 0);
  EXPECT_EQ(total.violations, 0) << total.worst.dump(2);
  EXPECT_EQ(r1.violations, 0) << r1.worst.dump(2);
}

TEST_F(Lemma3p3, DroppingCenteringBreaksTheExpansionAndTheOrder) {
  const Audit& expansion = find_audit(*report_, "centered data: the CLAIMS.md expansion");
  EXPECT_GT(expansion.violations, 0) << "off-center, R1 has an extra term";
  const Audit& order = find_audit(*report_, "centered data: order");
  ASSERT_TRUE(order.measured.contains("slope"));
  EXPECT_LT(order.measured["slope"].get<double>(), 1.5) << "a first-order term survives";
}

TEST_F(Lemma3p3, MinimizersAreComparedWhereverQIsFinite) {
  const Check& eq7 = find_check(*report_, "minimizers: L_mix vs L_std + Eq. (7)");
  ASSERT_FALSE(eq7.measured["rows"].empty());
  for (const auto& row : eq7.measured["rows"]) {
    EXPECT_TRUE(row["mixup"]["converged"].get<bool>()) << row["mixup"].dump();
    if (row["q"] == "inf") {
      EXPECT_TRUE(row["eq7"].is_string()) << "no finite regularizer: " << row.dump();
    } else {
      ASSERT_TRUE(row["mixup_vs_eq7"]["cosine"].is_number()) << row.dump();
      EXPECT_LE(std::abs(row["mixup_vs_eq7"]["cosine"].get<double>()), 1.0 + 1e-12);
    }
  }
}

TEST_F(Lemma3p3, VerdictFollowsFromTheChecks) {
  long violations = 0;
  for (const auto& check : report_->checks) {
    if (check.decides_verdict()) violations += check.violations;
  }
  EXPECT_EQ(report_->verdict() == Verdict::kFails, violations > 0);
}

// The gradient of Eq. (7) against central differences (h = cbrt(eps) max(1, |theta_j|)).
TEST(Lemma3p3Regularizer, GradientMatchesCentralDifferences) {
  const Dataset data = make_two_moons(30, 0.1, 7);
  const Eigen::MatrixXd X = centered(data.X);
  const Eigen::Vector2d theta(0.8, -1.3);
  const double q = 2.5;
  for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson}) {
    const Eigen::VectorXd analytic = lemma_3_3::eq7_regularizer_gradient(theta, loss, X, q);
    for (int j = 0; j < 2; ++j) {
      const double h = std::cbrt(2.2e-16) * std::max(1.0, std::abs(theta(j)));
      Eigen::VectorXd up = theta;
      Eigen::VectorXd down = theta;
      up(j) += h;
      down(j) -= h;
      const double numeric = (lemma_3_3::eq7_regularizer(up, loss, X, q) -
                              lemma_3_3::eq7_regularizer(down, loss, X, q)) /
                             (2.0 * h);
      EXPECT_NEAR(analytic(j), numeric, 1e-8 + 1e-6 * std::abs(numeric))
          << to_string(loss) << " coordinate " << j;
    }
  }
}

}  // namespace
}  // namespace mixup
