// Regression specification of Theorem B.1 on its quick config (10 datasets per batch): every
// quantity is computed by the claim on each run; nothing here stores a verdict or a frequency.
#include <cmath>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"

#include "theorems/theorem_3_2.hpp"
#include "theorems/theorem_b_1.hpp"

namespace mixup {
namespace {

RunContext quick_context() {
  return testing::quick_context("theorem-b.1", theorem_b_1_schema());
}

TEST(TheoremB1Constant, ReducesToTheorem3p2WhenBothGradientThresholdsAreOne) {
  // CLAIMS.md: the reconstruction reduces to Theorem 3.2's R when tau'' = tau' = 1.
  for (double p : {0.1, 0.5, 0.9}) {
    EXPECT_NEAR(theorem_b_1_R(0.3, 1.0, 1.0, p, 0.05, 0.02, 0.4),
                theorem_3_2_R(0.3, p, 0.05, 0.02, 0.4), 1e-15)
        << p;
  }
}

TEST(TheoremB1, EveryNHasItsEstimatesAndACheckedOrVacuousPromise) {
  const RunContext context = quick_context();
  const ClaimReport report = check_theorem_b_1(context);
  const Check& bound = report.checks.at(0);
  long promising = 0;
  for (long n : context.config["ns"].get<std::vector<long>>()) {
    const auto& m = bound.measured.at("n=" + std::to_string(n));
    // No estimation minimizer in Theta: Theta* is empty and that n promises nothing.
    if (m.at("estimation_minimizers_in_Theta").get<long>() == 0) continue;
    EXPECT_GE(m.at("p").get<double>(), 0.0) << n;
    EXPECT_LE(m.at("p").get<double>(), 1.0) << n;
    EXPECT_GE(m.at("R").get<double>(), 0.0) << n;
    EXPECT_LE(m.at("R").get<double>(), context.config["tau"].get<double>()) << n;
    EXPECT_LE(m.at("kappa_2").get<double>(), 0.5) << n;  // members have zero training error
    if (m.at("promised").get<double>() > 0.0) ++promising;
  }
  EXPECT_EQ(bound.instances, promising);
  EXPECT_EQ(bound.violations, 0) << bound.worst.dump(2);
}

}  // namespace
}  // namespace mixup
