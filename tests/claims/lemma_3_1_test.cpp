// Regression specification of Lemma 3.1 on the claim's quick config: both sides are computed
// by the claim on every run; nothing here stores a verdict.
#include <cmath>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"
#include "tests/support/claim_lookup.hpp"

#include "theorems/lemma_3_1.hpp"

namespace mixup {
namespace {

using testing::find_check;

RunContext quick_context() {
  return testing::quick_context("lemma-3.1", lemma_3_1_schema());
}

class Lemma3p1 : public testing::RunOncePerSuite<quick_context, check_lemma_3_1> {};

TEST_F(Lemma3p1, ExactMixupLossEqualsDTildeForm) {
  const Check& identity = find_check(*report_, "Eq. (1) = Eq. (9)");
  EXPECT_GT(identity.instances, 0);
  EXPECT_EQ(identity.violations, 0) << identity.worst.dump(2);
  EXPECT_LE(identity.measured["max_relative_difference"].get<double>(), identity.tolerance);
}

TEST_F(Lemma3p1, SquaredErrorFormsDifferByAThetaFreeConstant) {
  const Check& closed_form = find_check(*report_, "squared error: Eq. (1) - Eq. (9)");
  const Check& independence = find_check(*report_, "squared error: the difference");
  EXPECT_GT(closed_form.instances, 0);
  EXPECT_EQ(closed_form.violations, 0) << closed_form.worst.dump(2);
  EXPECT_EQ(independence.violations, 0) << independence.worst.dump(2);
}

TEST_F(Lemma3p1, SmoothModelsShowAThirdOrderRemainder) {
  const Check& order = find_check(*report_, "L_mix - L~_mix = O(s^3)");
  for (const char* model : {"linear", "smooth2"}) {
    const auto& fit = order.measured[model]["smooth_side"];
    ASSERT_FALSE(fit["slope"].is_null()) << model << ": " << order.measured[model].dump(2);
    EXPECT_GE(fit["slope"].get<double>(), 3.0 - order.tolerance) << model;
  }
}

TEST_F(Lemma3p1, VerdictFollowsFromTheChecks) {
  const Verdict verdict = report_->verdict();
  long violations = 0;
  for (const auto& check : report_->checks) {
    if (check.decides_verdict()) violations += check.violations;
  }
  EXPECT_EQ(verdict == Verdict::kFails, violations > 0);
}

}  // namespace
}  // namespace mixup
