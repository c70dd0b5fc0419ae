// Regression specification of Theorem 3.3 on the claim's quick config (seed 1): the identities
// and both sides of the chain are computed by the claim on every run; nothing here stores a
// verdict or a margin.
#include <string>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"
#include "tests/support/claim_lookup.hpp"

#include "core/models.hpp"
#include "theorems/robustness_chain.hpp"
#include "theorems/theorem_3_3.hpp"

namespace mixup {
namespace {

using testing::find_audit;
using testing::find_check;

nlohmann::json default_config() {
  return testing::default_config_file("theorem-3.3");
}

RunContext quick_context() {
  return testing::quick_context("theorem-3.3", theorem_3_3_schema());
}

class Theorem3p3 : public testing::RunOncePerSuite<quick_context, check_theorem_3_3> {};

// The identity probes' tolerance, as the claim records it.
double identity_tolerance(const ClaimReport& report) {
  return find_check(report, "f(x_i) = grad f(x_i)^T x_i").tolerance;
}

TEST(Theorem3p3Config, DefaultConfigFileEqualsTheSchemaDefaults) {
  EXPECT_EQ(theorem_3_3_schema().resolve(default_config(), "configs/theorem-3.3.json"),
            theorem_3_3_schema().defaults());
}

TEST_F(Theorem3p3, BiasFreeNetsArePositivelyHomogeneous) {
  const Check& check = find_check(*report_, "f(x_i) = grad f(x_i)^T x_i");
  EXPECT_EQ(check.kind, "identity");
  EXPECT_GT(check.instances, 0);
  EXPECT_EQ(check.violations, 0) << check.worst.dump(2);
}

TEST_F(Theorem3p3, BiasFreeNetsHaveZeroHessianOffKinks) {
  const Check& check = find_check(*report_, "hess f(x_i) = 0");
  EXPECT_GT(check.instances, 0);
  EXPECT_GT(check.measured["directions_probed"].get<long>(), 0);
  EXPECT_EQ(check.violations, 0) << check.worst.dump(2);
}

TEST_F(Theorem3p3, BiasesBreakHomogeneityButNotTheZeroHessian) {
  const Audit& homogeneity = find_audit(*report_, "no biases: f(x_i) = grad f(x_i)^T x_i");
  EXPECT_GT(homogeneity.instances, 0);
  EXPECT_EQ(homogeneity.violations, homogeneity.instances) << homogeneity.measured.dump(2);
  const Audit& curvature = find_audit(*report_, "no biases: hess f(x_i) = 0");
  EXPECT_GT(curvature.instances, 0);
  EXPECT_EQ(curvature.violations, 0) << curvature.witness.dump(2);
}

TEST_F(Theorem3p3, CurvatureProbeDetectsASmoothNet) {
  // The probe's own planted fault: a softplus net has a non-zero Hessian, and its second
  // differences must show it (no kinks, so every direction is probed).
  const SmoothTwoLayer smooth = random_smooth_two_layer(SmoothActivation::kSoftplus, 3, 8, 11);
  Eigen::VectorXd x(3);
  x << 0.3, -0.7, 1.1;
  const IdentityProbe probe = probe_identities(smooth, x, 1e-3, 2, 1, 0);
  EXPECT_EQ(probe.directions_skipped, 0);
  EXPECT_GT(probe.curvature_defect, 100.0 * identity_tolerance(*report_));
  EXPECT_GT(probe.homogeneity_defect, 100.0 * identity_tolerance(*report_));
}

TEST_F(Theorem3p3, ChainHoldsWhereNetsAreInTheta) {
  for (const char* name : {"gaussian", "gaussian-symmetric"}) {
    const std::string dataset = name;
    for (const std::string& prefix : {dataset + ": L~_mix >=", dataset + ": (1/n) sum_i"}) {
      const Check& check = find_check(*report_, prefix);
      EXPECT_EQ(check.kind, "inequality");
      EXPECT_GT(check.instances, 0) << check.name;
      EXPECT_EQ(check.violations, 0) << check.name << "\n" << check.worst.dump(2);
      EXPECT_FALSE(check.summary.empty());
    }
    const Check& first = find_check(*report_, dataset + ": L~_mix >=");
    EXPECT_GT(first.measured["sources"]["trajectories"]["instances"].get<long>(), 0) << dataset;
    EXPECT_GT(first.measured["sources"]["random-cone"]["instances"].get<long>(), 0) << dataset;
    EXPECT_GT(first.measured["sources"]["search"]["instances"].get<long>(), 0) << dataset;
  }
}

TEST_F(Theorem3p3, PairByPairApproximationMatchesCore) {
  const Check& consistency = find_check(*report_, "L~_mix pair by pair");
  EXPECT_GT(consistency.instances, 0);
  EXPECT_EQ(consistency.violations, 0) << consistency.worst.dump(2);
}

TEST_F(Theorem3p3, UncentredAuditFindsTheConstructedCounterexample) {
  const Audit& audit = find_audit(*report_, "centred data");
  EXPECT_GT(audit.measured["constructed-uncentered"]["violations"].get<long>(), 0)
      << audit.measured.dump(2);
}

TEST_F(Theorem3p3, OutsideThetaTheChainFails) {
  const Audit& audit = find_audit(*report_, "theta in Theta");
  EXPECT_GT(audit.instances, 0);
  EXPECT_GT(audit.violations, 0);
}

TEST_F(Theorem3p3, ExactAnalogueIsAuditedWithBothBounds) {
  const Audit& audit = find_audit(*report_, "second-order approximations");
  EXPECT_GT(audit.instances, 0);
  EXPECT_TRUE(audit.measured.contains("confirmed_by_upper_bound"));
}

TEST_F(Theorem3p3, VerdictFollowsFromTheChecks) {
  EXPECT_EQ(report_->verdict() == Verdict::kFails, report_->deciding_violations() > 0);
  EXPECT_GT(report_->deciding_instances(), 0);
}

}  // namespace
}  // namespace mixup
