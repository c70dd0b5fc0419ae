// Regression specification of Theorem 3.5 on the claim's quick config: the Rademacher estimates
// and the bound are computed by the claim on each run; nothing here stores a verdict.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"
#include "tests/support/claim_lookup.hpp"

#include "core/errors.hpp"
#include "theorems/theorem_3_5.hpp"

namespace mixup {
namespace {

using testing::find_audit;
using testing::find_check;

nlohmann::json default_config_file() {
  return testing::default_config_file("theorem-3.5");
}

RunContext quick_context() {
  return testing::quick_context("theorem-3.5", theorem_3_5_schema());
}

class Theorem3p5 : public testing::RunOncePerSuite<quick_context, check_theorem_3_5> {};

TEST(Theorem3p5Config, DefaultFileEqualsTheSchemaDefaults) {
  EXPECT_EQ(theorem_3_5_schema().resolve(default_config_file(), "configs/theorem-3.5.json"),
            theorem_3_5_schema().defaults());
}

TEST(Theorem3p5Config, IntrinsicRankAboveDimensionIsRefused) {
  RunContext context = quick_context();
  context.config["intrinsic_ranks"] = {11};
  EXPECT_THROW(check_theorem_3_5(context), InputError);
}

TEST(Theorem3p5Bounds, JensenProofAndStatedFormsAreOrdered) {
  for (const double rank : {1.0, 7.0, 32.0}) {
    for (const double w : {0.0, 0.5, 40.0}) {
      const auto b = theorem_3_5::complexity_bounds(2.0, rank, w, 100);
      EXPECT_LE(b.jensen, b.proof * (1 + 1e-15));
      EXPECT_LE(b.proof, std::sqrt(2.0) * b.jensen * (1 + 1e-15));
      EXPECT_DOUBLE_EQ(b.stated, 2.0 * b.jensen);
    }
  }
}

TEST_F(Theorem3p5, ExpectedComplexityStaysBelowTheStatedBound) {
  const Check& stated = find_check(*report_, "E_S Rad(W_gamma^NN, S)");
  ASSERT_GT(stated.instances, 0);
  EXPECT_EQ(stated.violations, 0) << stated.worst.dump(2);
  EXPECT_GE(stated.min_margin, 0.0);
}

TEST_F(Theorem3p5, EverySettingIsEitherCheckedOrReportedAsOutsideTheHypotheses) {
  const Check& stated = find_check(*report_, "E_S Rad(W_gamma^NN, S)");
  const Audit& outside = find_audit(*report_, "mu_sigma (and the sample's h_i)");
  const Check& hypotheses = find_check(*report_, "population Sigma_sigma");
  const long settings = static_cast<long>(hypotheses.measured["settings"].size());
  const long sizes = 2;  // quick: the first two n_values
  EXPECT_EQ(stated.instances + outside.instances, settings * sizes);
  for (const auto& row : hypotheses.measured["settings"]) {
    EXPECT_LE(row["rank"].get<double>(), row["hidden"].get<double>()) << row.dump();
  }
}

TEST_F(Theorem3p5, AConstantHiddenUnitMakesTheComplexityInfinite) {
  const Audit& constant = find_audit(*report_, "mu_sigma in range(Sigma_sigma): a constant");
  ASSERT_GT(constant.instances, 0);
  EXPECT_EQ(constant.violations, constant.instances);
  EXPECT_EQ(constant.witness["rad"], "inf") << constant.witness.dump();
  EXPECT_FALSE(constant.witness["mu_in_range"].get<bool>());
}

TEST_F(Theorem3p5, RademacherEstimatesRespectTheSharperJensenFormPerSample) {
  const Check& per_sample = find_check(*report_, "per sample");
  ASSERT_FALSE(per_sample.measured["rows"].empty());
  for (const auto& row : per_sample.measured["rows"]) {
    // Rad(S) <= J(S) exactly; the Monte Carlo estimate minus 3 standard errors must respect it.
    EXPECT_LE(row["max_rad_minus_3se_over_jensen"].get<double>(), 1.0) << row.dump();
  }
}

TEST_F(Theorem3p5, VerdictFollowsFromTheChecks) {
  long violations = 0;
  for (const auto& check : report_->checks) {
    if (check.decides_verdict()) violations += check.violations;
  }
  EXPECT_EQ(report_->verdict() == Verdict::kFails, violations > 0);
}

}  // namespace
}  // namespace mixup
