// Lemma 3.4 (appendix A.3.1, Eq. 8): Manifold Mixup on the hidden layer of the two-layer ReLU
// net f(x) = theta1^T h(x) + theta0, h = sigma(W x), W fixed, squared loss (1/n) sum (y - f)^2.
// The paper: "the regularization term obtained by the second-order approximation of L_mix is
// q theta1^T Sigma^_sigma theta1", q = E_D~[(1-lam)^2/lam^2], Sigma^_sigma the sample covariance
// of the h_i = sigma(W x_i) (1/n, sample mean).
//
// Derivation (what this file checks, all exact because the loss is quadratic in f and f is
// affine in the mixed hidden vector).  Write f_i = theta1^T h_i + theta0, e_i = y_i - f_i,
// g_i = theta1^T h_i, m2 = E_D~[(1-lam)^2] = E_Beta[lam (1-lam)] = ab/((a+b)(a+b+1)),
// m1 = E_D~[1-lam] = 2 m2, Var^ the variance over the sample with 1/n.
//  * Factor 2.  (y - f)^2 = 2 (f^2/2 - y f) + y^2: the squared loss is twice the GLM form with
//    A(u) = u^2/2 (A'' = 1), plus a label-only term.  core's LossKind::kGaussian is the GLM form.
//  * Eq. (1), labels mixed with the same lam: the mixed residual is lam e_i + (1-lam) e_j, so
//      L_mix = (1/n^2) sum_ij E (lam e_i + (1-lam) e_j)^2 = L_std - 2 m2 Var^(e)      (exact).
//    theta1^T Sigma^_sigma theta1 = Var^(g) enters with coefficient -2 m2 (mixing shrinks the
//    residual variance), and since L_mix = (1 - 2 m2) mean(e^2) + 2 m2 mean(e)^2 with theta0
//    free, L_mix is minimized exactly by the least-squares fit: hidden-layer mixup adds no
//    regularization to the head for a fixed W.
//  * Eq. (9) (labels y_i, lam ~ D~): Lemma 3.1 at the hidden layer is exact for a quadratic loss,
//      L_mix^(9) = L_std + 2 (R1 + R2) = L_std - 2 m2 Var^(g) + 4 m2 Cov^(y, g),
//    and Eq. (1) - Eq. (9) = -2 m2 Var^(y), independent of theta (the label-mixing constant).
//  * What the proof computes: the loss on the rescaled, centered covariates
//    (h_i - hbar) + u (h_j - hbar), u = (1-lam)/lam, with labels y_i:
//      L_resc = (1/n^2) sum_ij E_D~ (e_i - u v_j)^2 = L_std + q Var^(g) = L_std + q theta1^T
//      Sigma^_sigma theta1   (v_j = theta1^T (h_j - hbar), mean(v) = 0; exact, no remainder),
//    which is Eq. (8) with its constant q for the loss (1/n) sum (y - f)^2 (twice the GLM form's
//    (q/2) theta1^T Sigma^_sigma theta1; only theta1 is regularized).  +inf when q = +inf.
//  So Eq. (8) is exact for the rescaled loss, while the mixup loss itself carries -2 m2 (Eq. 1)
//  in front of theta1^T Sigma^_sigma theta1: the rescaling (each mixed hidden vector divided by
//  its own lam) is not an invariance of the loss.  Both relations are computed from first
//  principles below; the second is reported as a measurement, the identities decide.
#include "theorems/lemma_3_4.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "core/losses.hpp"
#include "core/mixing.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "theorems/claim_models.hpp"
#include "theorems/mixing_laws.hpp"

namespace mixup {
namespace lemma_3_4 {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

MatrixXd hidden_covariance(const MatrixXd& H) {
  const MatrixXd centred = H.rowwise() - H.colwise().mean();
  return centred.transpose() * centred / static_cast<double>(H.rows());
}

namespace {

double mean_square(const VectorXd& v) {
  return v.squaredNorm() / static_cast<double>(v.size());
}

// (1/n^2) sum_ij E_{Beta(a,b)} (lam y_i + (1-lam) y_j)^2 by a 2-node Gauss-Jacobi rule (exact for
// the quadratic in lam), summed over pairs in a fixed order.
double mixed_label_square(const VectorXd& y, MixingLaw law) {
  const QuadratureRule rule = gauss_jacobi_beta(2, law.a, law.b);
  const Index n = y.size();
  const double total = ordered_sum(n, [&](Index i) {
    double row = 0.0;
    for (Index j = 0; j < n; ++j) {
      for (Index k = 0; k < rule.nodes.size(); ++k) {
        const double mixed = rule.nodes(k) * y(i) + rule.one_minus_nodes(k) * y(j);
        row += rule.weights(k) * mixed * mixed;
      }
    }
    return row;
  });
  return total / static_cast<double>(n * n);
}

}  // namespace

SquaredMixupLosses squared_manifold_mixup_losses(const ReluTwoLayer& net, const Dataset& data,
                                                 MixingLaw law) {
  SquaredMixupLosses losses;
  losses.standard = mean_square(data.y - net.f(data.X));
  losses.eq1 = 2.0 * exact_manifold_mixup_loss(net, LossKind::kGaussian, data, law) +
               mixed_label_square(data.y, law);
  losses.eq9 = 2.0 * exact_manifold_mixup_loss_dtilde(net, LossKind::kGaussian, data, law) +
               mean_square(data.y);
  return losses;
}

double rescaled_squared_loss(const ReluTwoLayer& net, const Dataset& data, MixingLaw law) {
  require_beta_parameters(law.a, law.b, "rescaled_squared_loss: mixing law Beta(a, b)");
  const MatrixXd H = net.hidden(data.X);
  const VectorXd e = data.y - net.f(data.X);
  const VectorXd v = (H.rowwise() - H.colwise().mean()) * net.theta1();
  const Index n = data.n();
  if (v.isZero(0.0)) return mean_square(e);
  const double s = law.a + law.b;
  const struct {
    double p, q, weight;
  } components[] = {{law.a + 1.0, law.b, law.a / s}, {law.b + 1.0, law.a, law.b / s}};
  double total = 0.0;
  for (const auto& comp : components) {
    if (!(comp.p > 2.0)) return std::numeric_limits<double>::infinity();  // E[u^2] = +inf
    const double factor = beta_moment(comp.p, comp.q, -2.0, 0.0);         // B(p-2, q) / B(p, q)
    const QuadratureRule rule = gauss_jacobi_beta(2, comp.p - 2.0, comp.q);
    const double pairs = ordered_sum(n, [&](Index i) {
      double row = 0.0;
      for (Index j = 0; j < n; ++j) {
        for (Index k = 0; k < rule.nodes.size(); ++k) {
          const double r = rule.nodes(k) * e(i) - rule.one_minus_nodes(k) * v(j);
          row += rule.weights(k) * r * r;
        }
      }
      return row;
    });
    total += comp.weight * factor * pairs;
  }
  return total / static_cast<double>(n * n);
}

}  // namespace lemma_3_4

namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using lemma_3_4::hidden_covariance;
using lemma_3_4::rescaled_squared_loss;
using lemma_3_4::squared_manifold_mixup_losses;

double mean_square(const VectorXd& v) {
  return v.squaredNorm() / static_cast<double>(v.size());
}

// The exact engine integrates the Gaussian GLM integrand (a polynomial in lam) with Gauss rules
// that are exact for it, so both sides of every identity here are sums of n^2 <= 4e4 rounded
// terms of the loss's size: ~log2(n^2) eps ~ 4e-15 relative.  1e-12 relative to the loss scale
// (the largest |term| of the identity) leaves a 250x margin.
constexpr double kIdentityTolerance = 1e-12;
// The theta1-quadratic coefficient is a second difference of exact values at t = 0, 1, 2,
// divided by theta1^T Sigma theta1: cancellation amplifies the loss-level rounding by
// |L| / (theta1^T Sigma theta1), which stays below ~1e2 for the random heads used; 1e-10
// relative to max(q, 2 m2) covers it.
constexpr double kCoefficientTolerance = 1e-10;
// Local optimality of the least-squares head for L_mix: perturbations of relative size
// kPerturbation raise L_mix by ~(1 - 2 m2) kPerturbation^2 |...|^2, far above rounding; a
// margin >= -1e-13 (relative) is the acceptance bound.
constexpr double kPerturbation = 0.05;
constexpr double kOptimalityTolerance = 1e-13;

nlohmann::json number_or_inf(double x) {
  if (std::isnan(x)) return nullptr;
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

double variance(const VectorXd& v) {
  return (v.array() - v.mean()).square().mean();
}

double covariance(const VectorXd& u, const VectorXd& v) {
  return ((u.array() - u.mean()) * (v.array() - v.mean())).mean();
}

ReluTwoLayer with_head(const ReluTwoLayer& net, const VectorXd& theta1, double theta0) {
  return ReluTwoLayer(net.W(), net.b(), theta1, theta0);
}

// The least-squares head: argmin over (theta1, theta0) of (1/n) sum (y_i - theta1^T h_i -
// theta0)^2, by a complete orthogonal decomposition of [H 1] (minimum-norm when dead units make
// the design rank deficient).
ReluTwoLayer least_squares_head(const ReluTwoLayer& net, const Dataset& data) {
  const MatrixXd H = net.hidden(data.X);
  MatrixXd design(H.rows(), H.cols() + 1);
  design << H, VectorXd::Ones(H.rows());
  const VectorXd solution = design.completeOrthogonalDecomposition().solve(data.y);
  return with_head(net, solution.head(H.cols()), solution(H.cols()));
}

// argmin of (1/n) sum (y - f)^2 + q theta1^T Sigma^ theta1 over (theta1, theta0), by the normal
// equations of the stacked problem (a generic solve, not the closed form OLS / (1 + q)).
ReluTwoLayer eq8_regularized_head(const ReluTwoLayer& net, const Dataset& data, double q) {
  const MatrixXd H = net.hidden(data.X);
  const double dn = static_cast<double>(H.rows());
  MatrixXd design(H.rows(), H.cols() + 1);
  design << H, VectorXd::Ones(H.rows());
  MatrixXd normal = design.transpose() * design / dn;
  normal.topLeftCorner(H.cols(), H.cols()) += q * hidden_covariance(H);
  const VectorXd rhs = design.transpose() * data.y / dn;
  const VectorXd solution = normal.completeOrthogonalDecomposition().solve(rhs);
  return with_head(net, solution.head(H.cols()), solution(H.cols()));
}

struct Setup {
  Dataset data;
  ReluTwoLayer net;                 // the random first layer W (no bias, as sigma(W x))
  std::vector<ReluTwoLayer> heads;  // the same W with the heads checked
  std::vector<std::string> head_names;
};

Setup make_setup(const nlohmann::json& config, bool quick) {
  DatasetSpec spec;
  spec.name = config["dataset"].get<std::string>();
  spec.n = quick ? std::min<Index>(20, config["n"].get<Index>()) : config["n"].get<Index>();
  spec.d = config["gaussian_d"].get<Index>();
  const std::uint64_t seed = config["seed"].get<std::uint64_t>();
  spec.seed = seed;
  Setup setup{make_dataset(spec),
              random_relu_two_layer(spec.name == "two-moons" ? 2 : spec.d,
                                    config["hidden"].get<Index>(), seed, false),
              {},
              {}};
  const int count = config["heads"].get<int>();
  const double scale = config["head_scale"].get<double>();
  const Index m = setup.net.theta1().size();
  for (int k = 0; k < count; ++k) {
    Engine engine = make_stream(seed, "lemma-3.4/head", static_cast<std::uint64_t>(k));
    const VectorXd theta1 = scale * standard_normal_vector(engine, m) / std::sqrt(double(m));
    const double theta0 = scale * standard_normal(engine);
    setup.heads.push_back(with_head(setup.net, theta1, theta0));
    setup.head_names.push_back("random " + std::to_string(k));
  }
  setup.heads.push_back(least_squares_head(setup.net, setup.data));
  setup.head_names.push_back("least squares");
  return setup;
}

struct Checks {
  Check factor_two;
  Check label_constant;
  Check exact_relation;
  Check lemma_3_1_exact;
  Check rescaled;
  Check coefficient;
  Check optimality;
  Check eq8_vs_mixup;   // measurement
  Check eq8_minimizer;  // measurement
};

Check make_check(std::string name, std::string kind, double tolerance) {
  Check check;
  check.name = std::move(name);
  check.kind = std::move(kind);
  check.tolerance = tolerance;
  return check;
}

Checks make_checks() {
  return {
      make_check("factor 2: (1/n) sum (y - f)^2 = 2 L_std^GLM(A = u^2/2) + mean(y^2)", "identity",
                 kIdentityTolerance),
      make_check("label mixing: Eq. (1) - Eq. (9) = -2 m2 Var^(y), the same for every theta",
                 "identity", kIdentityTolerance),
      make_check("hidden-layer mixup, Eq. (1): L_mix = L_std - 2 m2 Var^(y - f) (exact)",
                 "identity", kIdentityTolerance),
      make_check("Lemma 3.1 at the hidden layer is exact: Eq. (9) = L_std + 2 (R1 + R2)",
                 "identity", kIdentityTolerance),
      make_check("what the proof computes: L_resc = L_std + q theta1^T Sigma^_sigma theta1 (Eq. 8)",
                 "identity", kIdentityTolerance),
      make_check("theta1^T Sigma^ theta1 coefficient (2nd difference): L_mix -2 m2, L_resc q",
                 "identity", kCoefficientTolerance),
      make_check("the least-squares head minimizes L_mix (no regularization for fixed W)",
                 "inequality", kOptimalityTolerance),
      make_check("Eq. (8) as a description of L_mix: coefficient of theta1^T Sigma^ theta1",
                 "measurement", 0.0),
      make_check("minimizer of L_std + Eq. (8) vs of L_mix (least squares)", "measurement", 0.0),
  };
}

// ---- Parallel work ------------------------------------------------------------------------------
// The claim's work is many small engine calls (well under a second in all): it runs on one
// thread of a single OpenMP team (run_in_one_team, core/parallel.hpp), so that every parallel
// region inside the engines is nested and runs serially instead of waking the team hundreds of
// times.

double relative(double difference, double scale) {
  return std::abs(difference) / std::max(scale, 1e-300);
}

// The identities at one head and law.
void check_head(const Dataset& data, const ReluTwoLayer& head, const std::string& name,
                MixingLaw law, Checks& checks) {
  const double m2 = dtilde_m2(law.a, law.b);
  const double q = dtilde_q(law.a, law.b);
  const VectorXd f = head.f(data.X);
  const VectorXd e = data.y - f;
  const double quadratic = variance(f);  // theta1^T Sigma^_sigma theta1 = Var^(g)
  const auto losses = squared_manifold_mixup_losses(head, data, law);
  nlohmann::json witness = {{"head", name},
                            {"law", law_json(law)},
                            {"L_std", losses.standard},
                            {"L_mix_eq1", losses.eq1},
                            {"L_mix_eq9", losses.eq9},
                            {"m2", m2},
                            {"q", number_or_inf(q)},
                            {"theta1_Sigma_theta1", quadratic}};
  const double scale = std::max({losses.standard, std::abs(losses.eq1), std::abs(losses.eq9)});

  const double glm_standard = standard_loss(head, LossKind::kGaussian, data.X, data.y);
  const double y2 = mean_square(data.y);
  checks.factor_two.record(
      -relative(losses.standard - (2.0 * glm_standard + y2), scale),
      {{"head", name}, {"squared", losses.standard}, {"glm", glm_standard}, {"mean_y2", y2}});

  const double label_constant = -2.0 * m2 * variance(data.y);
  checks.label_constant.record(-relative((losses.eq1 - losses.eq9) - label_constant, scale),
                               witness);
  checks.exact_relation.record(
      -relative(losses.eq1 - (losses.standard - 2.0 * m2 * variance(e)), scale), witness);

  // Lemma 3.1 (core's R1, R2) on the hidden features: a linear model with bias theta0.
  const Dataset hidden{head.hidden(data.X), data.y};
  const QuadraticApproximation approx = approximate_mixup_loss(
      LinearModel(head.theta1(), true, head.theta0()), LossKind::kGaussian, hidden, law);
  const double lemma_3_1 = losses.standard + 2.0 * (approx.R1 + approx.R2 + approx.R3);
  checks.lemma_3_1_exact.record(-relative(losses.eq9 - lemma_3_1, scale), witness);
  // ... and its closed form: -2 m2 Var^(g) + 4 m2 Cov^(y, g).
  const double closed = losses.standard - 2.0 * m2 * quadratic + 4.0 * m2 * covariance(data.y, f);
  checks.lemma_3_1_exact.record(-relative(losses.eq9 - closed, scale), witness);

  const double resc = rescaled_squared_loss(head, data, law);
  witness["L_resc"] = number_or_inf(resc);
  if (std::isfinite(q)) {
    checks.rescaled.record(-relative(resc - (losses.standard + q * quadratic), resc), witness);
  } else {
    checks.rescaled.measured["infinite"].push_back(
        {{"head", name}, {"law", law_json(law)}, {"L_resc", number_or_inf(resc)}});
  }
  checks.eq8_vs_mixup.measured["rows"].push_back(
      {{"head", name},
       {"law", law_json(law)},
       {"L_mix_eq1_minus_L_std", losses.eq1 - losses.standard},
       {"eq8", number_or_inf(q * quadratic)},
       {"gap_L_mix_minus_L_std_minus_eq8",
        number_or_inf(losses.eq1 - losses.standard - q * quadratic)}});
}

// The coefficient of theta1^T Sigma^ theta1 in L_mix - L_std and in L_resc - L_std, measured by
// the second difference along theta1 -> t theta1 (theta0 fixed) at t = 0, 1, 2.
void check_coefficient(const Dataset& data, const ReluTwoLayer& head, const std::string& name,
                       MixingLaw law, Checks& checks) {
  const double m2 = dtilde_m2(law.a, law.b);
  const double q = dtilde_q(law.a, law.b);
  const double quadratic = variance(head.f(data.X));
  if (quadratic == 0.0) return;
  double mix[3];
  double resc[3];
  for (int t = 0; t < 3; ++t) {
    const ReluTwoLayer scaled = with_head(head, t * head.theta1(), head.theta0());
    const auto losses = squared_manifold_mixup_losses(scaled, data, law);
    mix[t] = losses.eq1 - losses.standard;
    resc[t] = rescaled_squared_loss(scaled, data, law) - losses.standard;
  }
  const double mix_coefficient = (mix[2] - 2.0 * mix[1] + mix[0]) / (2.0 * quadratic);
  const double bound = std::isfinite(q) ? std::max(q, 2.0 * m2) : 2.0 * m2;
  nlohmann::json witness = {{"head", name},
                            {"law", law_json(law)},
                            {"L_mix_coefficient", mix_coefficient},
                            {"minus_2_m2", -2.0 * m2},
                            {"q", number_or_inf(q)}};
  checks.coefficient.record(-relative(mix_coefficient + 2.0 * m2, bound), witness);
  if (std::isfinite(q)) {
    const double resc_coefficient = (resc[2] - 2.0 * resc[1] + resc[0]) / (2.0 * quadratic);
    witness["L_resc_coefficient"] = resc_coefficient;
    checks.coefficient.record(-relative(resc_coefficient - q, bound), witness);
  }
  checks.eq8_vs_mixup.measured["coefficients"].push_back(witness);
}

// L_mix(least squares + delta) >= L_mix(least squares) for random delta, and the Eq. (8)
// minimizer against it.
void check_minimizers(const Setup& setup, MixingLaw law, std::uint64_t seed, Checks& checks) {
  const ReluTwoLayer& ls = setup.heads.back();
  const double at_ls = squared_manifold_mixup_losses(ls, setup.data, law).eq1;
  const Index m = ls.theta1().size();
  const double size = kPerturbation * std::max(1.0, ls.theta1().norm());
  for (int k = 0; k < 4; ++k) {
    Engine engine = make_stream(seed, "lemma-3.4/perturbation", static_cast<std::uint64_t>(k));
    const VectorXd d1 = size * standard_normal_vector(engine, m) / std::sqrt(double(m));
    const double d0 = size * standard_normal(engine);
    const ReluTwoLayer moved = with_head(ls, ls.theta1() + d1, ls.theta0() + d0);
    const double at_moved = squared_manifold_mixup_losses(moved, setup.data, law).eq1;
    checks.optimality.record(
        (at_moved - at_ls) / std::abs(at_ls),
        {{"law", law_json(law)}, {"L_mix_ls", at_ls}, {"L_mix_moved", at_moved}});
  }
  const double q = dtilde_q(law.a, law.b);
  if (!std::isfinite(q)) return;
  const ReluTwoLayer reg = eq8_regularized_head(setup.net, setup.data, q);
  const VectorXd f_ls = ls.f(setup.data.X);
  const VectorXd f_reg = reg.f(setup.data.X);
  const double cosine = reg.theta1().dot(ls.theta1()) / (reg.theta1().norm() * ls.theta1().norm());
  checks.eq8_minimizer.measured["rows"].push_back(nlohmann::json{
      {"law", law_json(law)},
      {"q", q},
      {"cosine_theta1", cosine},
      {"norm_ratio", reg.theta1().norm() / ls.theta1().norm()},
      {"one_over_one_plus_q", 1.0 / (1.0 + q)},
      {"L_mix_at_eq8_minimizer", squared_manifold_mixup_losses(reg, setup.data, law).eq1},
      {"L_mix_at_least_squares", at_ls},
      {"rms_prediction_gap", std::sqrt(mean_square(f_ls - f_reg))}});
}

}  // namespace

ConfigSchema lemma_3_4_schema() {
  using T = ParamType;
  return ConfigSchema({
      param("seed", T::kInteger, 1, "seed of data, first layer and heads").at_least(0),
      param("dataset", T::kString, "two-moons", "data set").one_of(kDatasetNames),
      param("gaussian_d", T::kInteger, 5, "dimension of the gaussian data set").at_least(1),
      param("n", T::kInteger, 100, "samples").at_least(2),
      param("hidden", T::kInteger, 16, "hidden units of sigma(W x) (W random, no bias)")
          .at_least(1),
      param("heads", T::kInteger, 3, "random heads (theta1, theta0) besides least squares")
          .at_least(1),
      param("head_scale", T::kNumber, 1.0, "theta1 ~ scale N(0, I/m), theta0 ~ scale N(0, 1)")
          .above(0.0),
      param("alphas", T::kNumberList, {0.5, 1.0, 2.0, 5.0}, "Beta(a, b): values of a").above(0.0),
      param("betas", T::kNumberList, {0.5, 2.0, 5.0}, "Beta(a, b): values of b").above(0.0),
  });
}

ClaimReport check_lemma_3_4(const RunContext& context) {
  ClaimReport report;
  report.claim = "lemma-3.4";
  report.paper_ref = "Lemma 3.4 (appendix A.3.1, Eq. 8)";
  report.statement =
      "Mixup on the hidden layer of f = theta1^T sigma(W x) + theta0 with the squared loss: the "
      "second-order regularizer is q theta1^T Sigma^_sigma theta1 (Eq. 8); checked as what the "
      "proof computes (rescaled centered covariates), with the exact relation to L_mix";
  const nlohmann::json& config = context.config;
  const Setup setup = make_setup(config, context.quick);
  Checks checks = make_checks();
  const std::uint64_t seed = config["seed"].get<std::uint64_t>();
  run_in_one_team([&] {
    for (const MixingLaw law : law_grid(config)) {
      for (std::size_t k = 0; k < setup.heads.size(); ++k) {
        check_head(setup.data, setup.heads[k], setup.head_names[k], law, checks);
        check_coefficient(setup.data, setup.heads[k], setup.head_names[k], law, checks);
      }
      check_minimizers(setup, law, seed, checks);
    }
  });
  // Summaries.
  double least_gap = std::numeric_limits<double>::infinity();
  double most_gap = -std::numeric_limits<double>::infinity();
  for (const auto& row : checks.eq8_vs_mixup.measured["rows"]) {
    if (!row["gap_L_mix_minus_L_std_minus_eq8"].is_number()) continue;
    least_gap = std::min(least_gap, row["gap_L_mix_minus_L_std_minus_eq8"].get<double>());
    most_gap = std::max(most_gap, row["gap_L_mix_minus_L_std_minus_eq8"].get<double>());
  }
  std::ostringstream summary;
  summary << std::setprecision(3)
          << "L_mix carries -2 m2 theta1^T Sigma theta1 (measured), Eq. (8) +q: "
             "L_mix - L_std - Eq.(8) ranges over ["
          << least_gap << ", " << most_gap << "] across heads (not a theta-free constant)";
  checks.eq8_vs_mixup.summary = summary.str();
  std::ostringstream minimizer;
  minimizer << std::setprecision(3);
  for (const auto& row : checks.eq8_minimizer.measured["rows"]) {
    minimizer << "(" << row["law"]["a"].get<double>() << "," << row["law"]["b"].get<double>()
              << ") |theta1_reg|/|theta1_ls| " << row["norm_ratio"].get<double>() << " (1/(1+q) "
              << row["one_over_one_plus_q"].get<double>() << ") ";
  }
  checks.eq8_minimizer.summary = minimizer.str();
  if (checks.rescaled.measured.contains("infinite")) {
    checks.rescaled.note = std::to_string(checks.rescaled.measured["infinite"].size()) +
                           " (head, law) with q = inf: L_resc = +inf, Eq. (8) gives no finite "
                           "regularizer";
  }
  for (Check* check : {&checks.factor_two, &checks.label_constant, &checks.exact_relation,
                       &checks.lemma_3_1_exact, &checks.rescaled, &checks.coefficient,
                       &checks.optimality, &checks.eq8_vs_mixup, &checks.eq8_minimizer}) {
    report.checks.push_back(*check);
  }
  report.notes.push_back(
      "Constants confirmed: the squared loss (1/n) sum (y - f)^2 is twice the GLM form with "
      "A(u) = u^2/2 plus mean(y^2); label mixing adds -2 m2 Var^(y) (theta-free); Eq. (8)'s q "
      "theta1^T Sigma^_sigma theta1 (Sigma^ with 1/n and the sample mean, theta1 only) is exact "
      "for the rescaled loss, with m2 = E_D~[(1-lam)^2] = ab/((a+b)(a+b+1)).");
  report.notes.push_back(
      "Not a description of L_mix: hidden-layer mixup with mixed labels is exactly L_std - 2 m2 "
      "Var^(y - f), minimized by the least-squares head (no regularization for fixed W); the "
      "minimizer of L_std + Eq. (8) is the least-squares theta1 scaled by 1/(1+q).");
  return report;
}

}  // namespace mixup
