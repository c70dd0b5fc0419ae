// Regression specification of Theorem 3.4 on the claim's quick config: both sides of every
// inequality are computed by the claim on every run; nothing here stores a verdict.
#include <cmath>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"
#include "tests/support/claim_lookup.hpp"

#include "core/errors.hpp"
#include "theorems/theorem_3_4.hpp"

namespace mixup {
namespace {

using testing::find_check;

nlohmann::json default_config_file() {
  return testing::default_config_file("theorem-3.4");
}

RunContext quick_context() {
  return testing::quick_context("theorem-3.4", theorem_3_4_schema());
}

class Theorem3p4 : public testing::RunOncePerSuite<quick_context, check_theorem_3_4> {};

TEST(Theorem3p4Config, DefaultFileEqualsTheSchemaDefaults) {
  const ConfigSchema schema = theorem_3_4_schema();
  EXPECT_EQ(schema.resolve(default_config_file(), "configs/theorem-3.4.json"), schema.defaults());
}

TEST(Theorem3p4Config, RefusesARankAboveTheDimension) {
  RunContext context = quick_context();
  context.config["d"] = 4;
  context.config["ranks"] = {1, 8};
  EXPECT_THROW(check_theorem_3_4(context), InputError);
}

TEST_F(Theorem3p4, RetentivenessConstantIsPositiveAndAtMostOneHalf) {
  const Check& rho = find_check(*report_, "rho-retentiveness");
  ASSERT_GT(rho.instances, 0);
  for (const auto& entry : rho.measured["per_rank"]) {
    const double value = entry["rho"].get<double>();
    EXPECT_GT(value, 0.0);
    EXPECT_LE(value, 0.5);
  }
}

TEST_F(Theorem3p4, ExpectedComplexityPlusThreeStandardErrorsStaysBelowTheBound) {
  const Check& expected = find_check(*report_, "Theorem 3.4 (expected form)");
  ASSERT_GT(expected.instances, 0);
  EXPECT_EQ(expected.violations, 0) << expected.worst.dump(2);
  EXPECT_GE(expected.min_margin, 0.0);
}

TEST_F(Theorem3p4, PerSampleFormHoldsOnEverySample) {
  const Check& per_sample = find_check(*report_, "per-sample form");
  ASSERT_GT(per_sample.instances, 0);
  EXPECT_EQ(per_sample.violations, 0) << per_sample.worst.dump(2);
}

TEST_F(Theorem3p4, LowerEstimateNeverExceedsTheUpperEstimate) {
  const Check& lower_upper = find_check(*report_, "lower (ascent over W_gamma) <= upper");
  ASSERT_GT(lower_upper.instances, 0);
  EXPECT_EQ(lower_upper.violations, 0) << lower_upper.worst.dump(2);
}

TEST_F(Theorem3p4, EveryPointFoundInWGammaLiesInTheRelaxationEllipsoid) {
  const Check& containment = find_check(*report_, "appendix A.3.2 relaxation");
  ASSERT_GT(containment.instances, 0);
  EXPECT_EQ(containment.violations, 0) << containment.worst.dump(2);
}

TEST_F(Theorem3p4, AscentReachesTheExactClassOfGaussianInputs) {
  const Check& ascent = find_check(*report_, "ascent over W_gamma vs the exact class");
  ASSERT_GT(ascent.instances, 0);
  EXPECT_GE(ascent.min_margin, -ascent.tolerance) << ascent.worst.dump(2);
}

TEST_F(Theorem3p4, RidgeComplexityStaysBelowItsRigorousBound) {
  const Check& ridge = find_check(*report_, "Remark 3.2, rigorous form");
  ASSERT_GT(ridge.instances, 0);
  EXPECT_EQ(ridge.violations, 0) << ridge.worst.dump(2);
}

TEST_F(Theorem3p4, MonteCarloAgreesWithTheGaussianClosedForm) {
  const Check& closed_form = find_check(*report_, "Monte Carlo E_S E_sigma");
  ASSERT_GT(closed_form.instances, 0);
  EXPECT_GE(closed_form.min_margin, 0.0) << closed_form.worst.dump(2);
}

TEST_F(Theorem3p4, SeriesHasOneRowPerGammaRankAndN) {
  const Check& scaling = find_check(*report_, "scaling with rank");
  const auto& series = scaling.measured["series"];
  const std::size_t rows = series["gamma"].size();
  ASSERT_GT(rows, 0u);
  for (const auto& column : scaling.measured["csv_columns"]) {
    EXPECT_EQ(series[column.get<std::string>()].size(), rows) << column;
  }
  for (std::size_t k = 0; k < rows; ++k) {
    EXPECT_LE(series["lower_mean"][k].get<double>(), series["upper_mean"][k].get<double>());
  }
}

TEST_F(Theorem3p4, VerdictFollowsFromTheChecks) {
  long violations = 0;
  for (const auto& check : report_->checks) {
    if (check.decides_verdict()) violations += check.violations;
  }
  EXPECT_EQ(report_->verdict() == Verdict::kFails, violations > 0);
}

}  // namespace
}  // namespace mixup
