// Regression specification of Theorem 3.2 on its quick config (20 datasets per batch): every
// quantity is computed by the claim on each run; nothing here stores a verdict or a frequency.
#include <cmath>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"

#include "theorems/theorem_3_2.hpp"

namespace mixup {
namespace {

RunContext quick_context() {
  return testing::quick_context("theorem-3.2", theorem_3_2_schema());
}

TEST(Theorem3p2Constant, ReducesToTheHandValueAtPOneAndEqualKappas) {
  // p = 1, kappa_1 = kappa_2 = kappa = 1/4: first term 1/4 / (1/2) = 1/2, second
  // sqrt(1 / (1 + 1)) = 0.707..., so R = tau / 2.
  EXPECT_DOUBLE_EQ(theorem_3_2_R(0.4, 1.0, 0.25, 0.25, 0.25), 0.2);
  // R grows with p_tau (more aligned samples, larger certified radius).
  EXPECT_LT(theorem_3_2_R(0.4, 0.3, 0.1, 0.05, 0.5), theorem_3_2_R(0.4, 0.6, 0.1, 0.05, 0.5));
}

TEST(Theorem3p2, EveryNHasItsEstimatesAndACheckedOrVacuousPromise) {
  const RunContext context = quick_context();
  const ClaimReport report = check_theorem_3_2(context);
  const Check& bound = report.checks.at(0);
  const auto ns = context.config["ns"].get<std::vector<long>>();
  long promising = 0;
  for (long n : ns) {
    const auto& m = bound.measured.at("n=" + std::to_string(n));
    // No estimation minimizer in Theta: Theta* is empty and that n promises nothing.
    if (m.at("estimation_minimizers_in_Theta").get<long>() == 0) continue;
    const double p_tau = m.at("p_tau").get<double>();
    EXPECT_GT(p_tau, 0.0) << n;
    EXPECT_LE(p_tau, 1.0) << n;
    EXPECT_GT(m.at("R").get<double>(), 0.0) << n;
    EXPECT_LE(m.at("R").get<double>(), context.config["tau"].get<double>()) << n;
    EXPECT_GE(m.at("frequency").get<double>(), 0.0) << n;
    EXPECT_LE(m.at("frequency").get<double>(), 1.0) << n;
    if (m.at("promised").get<double>() > 0.0) ++promising;
  }
  EXPECT_EQ(bound.instances, promising);
  EXPECT_EQ(bound.violations, 0) << bound.worst.dump(2);
}

}  // namespace
}  // namespace mixup
