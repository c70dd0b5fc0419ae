// Regression specification of Corollary 3.1 on the claim's quick config: the gap and the bound
// are computed by the claim on every run; nothing here stores a verdict.
#include <cmath>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"
#include "tests/support/claim_lookup.hpp"

#include "core/errors.hpp"
#include "theorems/corollary_3_1.hpp"

namespace mixup {
namespace {

using testing::find_check;

nlohmann::json default_config_file() {
  return testing::default_config_file("corollary-3.1");
}

RunContext quick_context() {
  return testing::quick_context("corollary-3.1", corollary_3_1_schema());
}

class Corollary3p1 : public testing::RunOncePerSuite<quick_context, check_corollary_3_1> {};

TEST(Corollary3p1Config, DefaultFileEqualsTheSchemaDefaults) {
  const ConfigSchema schema = corollary_3_1_schema();
  EXPECT_EQ(schema.resolve(default_config_file(), "configs/corollary-3.1.json"), schema.defaults());
}

TEST(Corollary3p1Config, RefusesARankAboveTheDimension) {
  RunContext context = quick_context();
  context.config["d"] = 4;
  context.config["ranks"] = {8};
  EXPECT_THROW(check_corollary_3_1(context), InputError);
}

TEST_F(Corollary3p1, EveryTrainedModelInThetaHasItsGapBelowTheBound) {
  const Check& bound = find_check(*report_, "Corollary 3.1:");
  ASSERT_GT(bound.instances, 0) << "no trained model inside Theta: raise theta_max";
  EXPECT_EQ(bound.violations, 0) << bound.worst.dump(2);
  EXPECT_GE(bound.min_margin, 0.0);
}

TEST_F(Corollary3p1, EachObjectiveTrainedOneModelPerRankAndN) {
  const Check& models = find_check(*report_, "trained models");
  const auto& series = models.measured["series"];
  const std::size_t rows = series["gap"].size();
  EXPECT_EQ(rows, quick_context().config["objectives"].size());
  for (const auto& column : models.measured["csv_columns"]) {
    EXPECT_EQ(series[column.get<std::string>()].size(), rows) << column;
  }
  for (std::size_t k = 0; k < rows; ++k) {
    // Both terms of the bound are positive and add up to it.
    const double complexity = series["complexity_term"][k].get<double>();
    const double confidence = series["confidence_term"][k].get<double>();
    EXPECT_GT(complexity, 0.0);
    EXPECT_GT(confidence, 0.0);
    EXPECT_NEAR(complexity + confidence, series["bound"][k].get<double>(),
                1e-12 * series["bound"][k].get<double>());
    EXPECT_GT(series["gamma"][k].get<double>(), 0.0);
    EXPECT_LE(series["theta_norm"][k].get<double>(),
              quick_context().config["theta_max"].get<double>());
  }
}

TEST_F(Corollary3p1, ConstantsFollowFromTheBoundedSets) {
  const Check& models = find_check(*report_, "trained models");
  for (const auto& dist : models.measured["distributions"]) {
    const double logit_bound = dist["U_logit_bound"].get<double>();
    // B = log(1 + e^U), L = L_A = sigmoid(U); rho in (0, 1/2].
    EXPECT_NEAR(dist["B"].get<double>(), std::log1p(std::exp(logit_bound)), 1e-12 * logit_bound);
    EXPECT_NEAR(dist["L"].get<double>(), 1.0 / (1.0 + std::exp(-logit_bound)), 1e-15);
    EXPECT_GT(dist["rho"].get<double>(), 0.0);
    EXPECT_LE(dist["rho"].get<double>(), 0.5);
    EXPECT_LE(dist["c_R"].get<double>(), 1.0);
  }
}

TEST_F(Corollary3p1, VerdictFollowsFromTheChecks) {
  long violations = 0;
  for (const auto& check : report_->checks) {
    if (check.decides_verdict()) violations += check.violations;
  }
  EXPECT_EQ(report_->verdict() == Verdict::kFails, violations > 0);
}

}  // namespace
}  // namespace mixup
