// Regression specification of Theorem 3.1 on the claim's quick config (seed 1): both sides of the
// chain are computed by the claim on every run; nothing here stores a verdict or a margin.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"
#include "tests/support/claim_lookup.hpp"

#include "core/adversarial.hpp"
#include "core/mixing.hpp"
#include "theorems/robustness_chain.hpp"
#include "theorems/theorem_3_1.hpp"

namespace mixup {
namespace {

using testing::find_audit;
using testing::find_check;

nlohmann::json default_config() {
  return testing::default_config_file("theorem-3.1");
}

RunContext quick_context(const nlohmann::json& overrides) {
  return testing::quick_context("theorem-3.1", theorem_3_1_schema(), overrides);
}

RunContext quick_context() {
  return quick_context(nlohmann::json::object());
}

class Theorem3p1 : public testing::RunOncePerSuite<quick_context, check_theorem_3_1> {};

TEST(Theorem3p1Config, DefaultConfigFileEqualsTheSchemaDefaults) {
  EXPECT_EQ(theorem_3_1_schema().resolve(default_config(), "configs/theorem-3.1.json"),
            theorem_3_1_schema().defaults());
}

TEST_F(Theorem3p1, ChainHoldsWhereThetaHasMembers) {
  // Quick config, seed 1: gaussian (n = 40, d = 10, centred) and gaussian-symmetric both have
  // members of Theta \ {0} (certified by the claim's own Theta check, asserted below).
  for (const char* name : {"gaussian", "gaussian-symmetric"}) {
    const std::string dataset = name;
    for (const std::string& prefix : {dataset + ": L~_mix >=", dataset + ": (1/n) sum_i"}) {
      const Check& check = find_check(*report_, prefix);
      EXPECT_EQ(check.kind, "inequality");
      EXPECT_GT(check.instances, 0) << check.name;
      EXPECT_EQ(check.violations, 0) << check.name << "\n" << check.worst.dump(2);
      EXPECT_GE(check.min_margin, -check.tolerance) << check.name;
      EXPECT_FALSE(check.summary.empty()) << check.name;
    }
  }
}

TEST_F(Theorem3p1, EverySourceOfInstancesContributes) {
  const Check& check = find_check(*report_, "gaussian-symmetric: L~_mix >=");
  for (const char* source : {"trajectories", "random", "search", "cone-boundary"}) {
    EXPECT_GT(check.measured["sources"][source]["instances"].get<long>(), 0) << source;
  }
}

TEST_F(Theorem3p1, TwoMoonsIsVacuousWithACertificate) {
  const Check& theta = find_check(*report_, "hypothesis: Theta");
  EXPECT_TRUE(theta.measured["two-moons"]["certified_empty"].get<bool>());
  EXPECT_FALSE(theta.measured["two-moons"]["nonempty"].get<bool>());
  // d = 2: the empty cone shows as no angular gap of pi between the signed inputs.
  EXPECT_LT(theta.measured["two-moons"]["largest_angular_gap"].get<double>(), 3.14159);
  const Check& chain = find_check(*report_, "two-moons: L~_mix >=");
  EXPECT_EQ(chain.instances, 0);
  EXPECT_EQ(chain.measured["verdict_on_dataset"], "vacuous");
  EXPECT_NE(chain.summary.find("vacuous"), std::string::npos) << chain.summary;
}

TEST(Theorem3p1Vacuous, VacuousWhenThetaIsEmpty) {
  const ClaimReport report =
      check_theorem_3_1(quick_context({{"datasets", {"constructed-empty-theta"}}}));
  EXPECT_EQ(report.verdict(), Verdict::kVacuous);
  EXPECT_EQ(report.deciding_instances(), 0);
  const Check& theta = find_check(report, "hypothesis: Theta");
  EXPECT_TRUE(theta.measured["constructed-empty-theta"]["certified_empty"].get<bool>());
  // Every theta != 0 is outside Theta there, so the outside audit still runs.
  EXPECT_GT(find_audit(report, "theta in Theta").instances, 0);
}

TEST(Theorem3p1Cone, CertificatesOnConstructedAndSeparableData) {
  const Dataset empty = robustness::make_constructed_empty_theta(12);
  const robustness::LinearThetaCone none = robustness::analyze_linear_theta(empty);
  EXPECT_TRUE(none.certified_empty);
  EXPECT_FALSE(none.nonempty);
  EXPECT_LT(none.largest_angular_gap, 3.14159);
  const Dataset separable = robustness::make_chain_dataset("gaussian-symmetric", 40, 5, 3);
  const robustness::LinearThetaCone some = robustness::analyze_linear_theta(separable);
  EXPECT_TRUE(some.nonempty);
  EXPECT_TRUE(some.strict);
  EXPECT_FALSE(some.certified_empty);
  EXPECT_TRUE(robustness::strictly_in_theta(separable, some.member));
}

TEST(Theorem3p1Cone, NonnegativeLeastSquaresSolvesASmallProblem) {
  // min_{w >= 0} |A w - v| with v = (1, -1): the unconstrained solution (1, -1) is infeasible,
  // the constrained one is w = (1, 0) with residual (0, -1) orthogonal to the active column.
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(2, 2);
  Eigen::VectorXd v(2);
  v << 1.0, -1.0;
  const Eigen::VectorXd w = robustness::nonnegative_least_squares(A, v);
  EXPECT_DOUBLE_EQ(w(0), 1.0);
  EXPECT_DOUBLE_EQ(w(1), 0.0);
}

TEST(Theorem3p1Chain, RightHandSideAgreesWithCoreEquationFive) {
  // The claim's l~_adv, sample by sample, against core/adversarial's independent Eq. (5), and
  // its eps_mix against core's eps_mix.
  const Dataset data = robustness::make_chain_dataset("gaussian-symmetric", 30, 4, 5);
  const robustness::LinearThetaCone cone = robustness::analyze_linear_theta(data);
  ASSERT_TRUE(cone.nonempty);
  const LinearModel model(2.0 * cone.member);
  const MixingLaw law{2.0, 0.5};
  const robustness::ChainEvaluation e = robustness::evaluate_chain(model, data, law);
  const double sqrt_d = std::sqrt(static_cast<double>(data.d()));
  Eigen::VectorXd eta_i(data.n());
  const double cx = c_x(data.X);
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    const double cosine =
        std::abs(model.theta().dot(data.X.row(i))) / (model.theta().norm() * data.X.row(i).norm());
    eta_i(i) = cosine * cx * dtilde_m1(law.a, law.b) * sqrt_d;
  }
  const double core_eps_i =
      approx_adversarial_loss_terms(model, LossKind::kLogistic, data, eta_i).mean();
  const double core_eps_mix =
      approx_adversarial_loss(model, LossKind::kLogistic, data, e.eps_mix * sqrt_d);
  // Sums of n = 30 terms of a few roundings each: 1e-13 relative is ample.
  EXPECT_NEAR(e.adv_at_eps_i, core_eps_i, 1e-13 * std::abs(core_eps_i));
  EXPECT_NEAR(e.adv_at_eps_mix, core_eps_mix, 1e-13 * std::abs(core_eps_mix));
  EXPECT_NEAR(e.eps_mix, eps_mix(model, data, law), 1e-14 * e.eps_mix);
}

TEST_F(Theorem3p1, PairByPairApproximationMatchesCore) {
  const Check& consistency = find_check(*report_, "L~_mix pair by pair");
  EXPECT_GT(consistency.instances, 0);
  EXPECT_EQ(consistency.violations, 0) << consistency.worst.dump(2);
}

TEST_F(Theorem3p1, UncentredAuditFindsTheConstructedCounterexample) {
  // Equal norms, imbalanced labels, mean != 0: the proof's E_r[r_x] = 0 is needed there.
  const Audit& audit = find_audit(*report_, "centred data");
  EXPECT_GT(audit.measured["constructed-uncentered"]["violations"].get<long>(), 0)
      << audit.measured.dump(2);
  EXPECT_LT(audit.min_margin, -robustness::kChainTolerance);
}

TEST_F(Theorem3p1, OutsideThetaTheChainFails) {
  const Audit& audit = find_audit(*report_, "theta in Theta");
  EXPECT_GT(audit.instances, 0);
  EXPECT_GT(audit.violations, 0);
  EXPECT_FALSE(audit.witness.is_null());
}

TEST_F(Theorem3p1, ExactAnalogueIsAudited) {
  const Audit& audit = find_audit(*report_, "second-order approximations");
  EXPECT_GT(audit.instances, 0);
  EXPECT_FALSE(audit.measured["least_margin_instance"].is_null());
}

TEST_F(Theorem3p1, VerdictFollowsFromTheChecks) {
  EXPECT_EQ(report_->verdict() == Verdict::kFails, report_->deciding_violations() > 0);
  EXPECT_GT(report_->deciding_instances(), 0);
}

}  // namespace
}  // namespace mixup
