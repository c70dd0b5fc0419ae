// Theorem 3.2, logistic regression (appendix A.2.3).  The data, the minimizer, delta_n, the
// frequency and the verdict are shared with Theorem B.1 and described in
// theorems/probability_bound.hpp; specific to this claim:
//  * "Minimizer": projected gradient descent from theta = 0.
//  * Theta* (non-random, as the proof needs) is estimated from the ESTIMATION batch: the cone of
//    directions within the largest angle phi between an estimation minimizer in Theta and their
//    mean direction u, within the ball.  An evaluation minimizer is outside Theta* when it is
//    off the cone (or has a training error).
//  * p_tau = P(|cos(x, theta)| >= tau for all theta in Theta*), by Monte Carlo over fresh x:
//    with psi = angle(x, u), the cone's cosines with x are cos of [psi - phi, psi + phi], so
//    all are >= tau in absolute value iff psi + phi <= acos(tau) or psi - phi >= pi - acos(tau).
//  * The inequality: L~_mix(theta_hat) >= (1/n) sum_i l~_adv(eps_mix sqrt(d)) with Eq. (5),
//    eps_mix = R c_x m1, R of theorem_3_2_R; P_n = 1 - delta_n - 2 exp(-n p_tau^2 / 2).
#include "theorems/theorem_3_2.hpp"

#include <algorithm>
#include <cmath>

#include "core/models.hpp"
#include "core/random.hpp"
#include "theorems/probability_bound.hpp"

namespace mixup {
namespace {

using probability_bound::Batch;
using Estimation = probability_bound::MinimizedBatch<LinearModel>;

double angle(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return std::acos(std::clamp(a.dot(b) / (a.norm() * b.norm()), -1.0, 1.0));
}

struct ThetaStar {
  long in_theta = 0;          // estimation minimizers in Theta that define it
  Eigen::VectorXd direction;  // u
  double half_angle = 0.0;    // phi
  probability_bound::Kappas kappas;
};

// The cone of the estimation minimizers that lie in Theta (zero training error).
ThetaStar estimate_theta_star(const Estimation& estimation) {
  ThetaStar star;
  star.direction = Eigen::VectorXd::Zero(estimation.minimizers.front().theta().size());
  const std::vector<std::size_t> in_theta = probability_bound::in_theta(estimation);
  star.in_theta = static_cast<long>(in_theta.size());
  if (in_theta.empty()) return star;
  for (std::size_t k : in_theta) star.direction += estimation.minimizers[k].theta().normalized();
  star.direction.normalize();
  for (std::size_t k : in_theta) {
    const LinearModel& theta = estimation.minimizers[k];
    star.half_angle = std::max(star.half_angle, angle(theta.theta(), star.direction));
    star.kappas.include(theta.f(estimation.data[k].X), estimation.data[k].y);
  }
  return star;
}

double estimate_p_tau(const ThetaStar& star, double tau, long samples, std::uint64_t seed) {
  Engine engine = make_stream(seed, "theorem-3.2/p-tau");
  const double edge = std::acos(tau);
  long hits = 0;
  for (long s = 0; s < samples; ++s) {
    const Eigen::VectorXd x = standard_normal_vector(engine, star.direction.size());
    const double psi = angle(x, star.direction);
    if (psi + star.half_angle <= edge || psi - star.half_angle >= M_PI - edge) ++hits;
  }
  return static_cast<double>(hits) / static_cast<double>(samples);
}

}  // namespace

double theorem_3_2_R(double tau, double p, double kappa, double kappa_1, double kappa_2) {
  const double r1 = p * kappa_1 / (2.0 * kappa_2 - p * (kappa_2 - kappa_1));
  const double r2 = std::sqrt(4.0 * kappa * p / (2.0 - p + 4.0 * kappa * p));
  return tau * std::min(r1, r2);
}

ConfigSchema theorem_3_2_schema() {
  using T = ParamType;
  return ConfigSchema({
      param("seed", T::kInteger, 32, "seed of theta*, data and Monte Carlo").at_least(0),
      param("d", T::kInteger, 5, "input dimension").at_least(2),
      param("ns", T::kIntegerList, {25, 50, 100}, "sample sizes n").at_least(2),
      param("datasets", T::kInteger, 200, "datasets per n, each batch (estimation, evaluation)")
          .at_least(2),
      param("tau", T::kNumber, 0.1, "cosine threshold of p_tau").above(0.0).below(1.0),
      param("radius", T::kNumber, 1.0, "minimizers of L~_mix over |theta| <= radius").above(0.0),
      param("step", T::kNumber, 1.0, "projected gradient descent step").above(0.0),
      param("steps", T::kInteger, 300, "projected gradient descent steps").at_least(1),
      param("p_tau_samples", T::kInteger, 100000, "Monte Carlo draws of x for p_tau").at_least(1),
      param("alpha", T::kNumber, 1.0, "mixing law Beta(alpha, beta)").above(0.0),
      param("beta", T::kNumber, 1.0, "mixing law Beta(alpha, beta)").above(0.0),
  });
}

ClaimReport check_theorem_3_2(const RunContext& context) {
  const probability_bound::Setup setup(context, "theorem-3.2", "p_tau_samples", 20, 2000);
  const LinearModel start(Eigen::VectorXd::Zero(setup.d));

  ClaimReport report;
  report.claim = "theorem-3.2";
  report.paper_ref = "Theorem 3.2 (appendix A.2.3)";
  report.statement =
      "w.p. >= 1 - delta_n - 2 exp(-n p_tau^2/2): L~_mix(theta) >= (1/n) sum_i "
      "l~_adv(eps_mix sqrt(d)) at minimizers theta, eps_mix = R c_x m1";
  report.notes.push_back(
      "minimizer = projected GD on L~_mix over |theta| <= radius from 0; Theta* = cone "
      "estimated on a disjoint estimation batch; kappas empirical over that batch; centered "
      "data; p_tau by Monte Carlo");
  probability_bound::BoundCheck bound;

  for (std::size_t ni = 0; ni < setup.ns.size(); ++ni) {
    const long n = setup.ns[ni];
    const ThetaStar star =
        estimate_theta_star(setup.minimized_batch(Batch::kEstimation, ni, start));
    if (star.in_theta == 0) {
      bound.vacuous(n);
      continue;
    }
    const double p_tau = estimate_p_tau(star, setup.tau, setup.p_samples, setup.seed);
    const double R = theorem_3_2_R(setup.tau, p_tau, star.kappas.kappa, star.kappas.kappa_1,
                                   star.kappas.kappa_2);
    const auto evaluation = setup.minimized_batch(Batch::kEvaluation, ni, start);
    const auto off_cone = [&star](const LinearModel& theta) {
      return angle(theta.theta(), star.direction) > star.half_angle;
    };
    const long outside_cone =
        std::count_if(evaluation.minimizers.begin(), evaluation.minimizers.end(), off_cone);
    bound.conclude(n, {"p_tau", p_tau, star.kappas, R, star.in_theta},
                   probability_bound::evaluate(evaluation, setup.law, R, off_cone),
                   {{"theta_star_half_angle", star.half_angle},
                    {"evaluation_minimizers_outside_cone", outside_cone}});
  }
  report.checks.push_back(bound.finish());
  return report;
}

}  // namespace mixup
