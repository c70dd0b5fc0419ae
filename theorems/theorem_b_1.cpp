// Theorem B.1 (appendix B), bias-free ReLU network (ReluDeep with one hidden layer: f = beta^T
// relu(W x), so f(x) = grad f(x)^T x and hess f = 0 off the kinks, Theorem 3.3's hypotheses).
// The data, the minimizer, delta_n, the frequency and the verdict are shared with Theorem 3.2
// and described in theorems/probability_bound.hpp; specific to this claim:
//  * "Minimizer": projected gradient descent from ONE fixed random initialization (He scaling,
//    stream of `seed`) shared by all datasets.
//  * Theta* cannot be delimited in parameter space (no cone): it is estimated as the finite set
//    of ESTIMATION minimizers in Theta (zero training error), and an EVALUATION minimizer is
//    counted in Theta* when it lies in Theta: an optimistic proxy (delta_n counts only training
//    errors), stated in the report.
//  * p = p_{tau, tau'} = P(|cos(grad f_theta(x), x)| >= tau and |grad f_theta(x)| >= tau' for
//    all theta in Theta*), Monte Carlo over fresh x.  tau'' = max |grad f_theta(x_i)|,
//    kappa = min h''(f), kappa_1 = min |g - y|, kappa_2 = max |g - y|, over Theta* and its data.
//  * The inequality: L~_mix(theta) >= (1/n) sum_i l~_adv(eps_mix sqrt(d)) with Eq. (6)
//    (approx_adversarial_loss_terms), eps_mix = R c_x m1, R of theorem_b_1_R;
//    P_n = 1 - delta_n - 2 exp(-n p^2 / 2).
#include "theorems/theorem_b_1.hpp"

#include <algorithm>
#include <cmath>

#include "core/models.hpp"
#include "core/random.hpp"
#include "theorems/probability_bound.hpp"

namespace mixup {
namespace {

using probability_bound::Batch;
using Estimation = probability_bound::MinimizedBatch<ReluDeep>;

struct ThetaStar {
  std::vector<ReluDeep> members;
  probability_bound::Kappas kappas;
  double tau_second = 0.0;
};

ThetaStar estimate_theta_star(const Estimation& estimation) {
  ThetaStar star;
  for (std::size_t k : probability_bound::in_theta(estimation)) {
    const ReluDeep& theta = estimation.minimizers[k];
    const Dataset& data = estimation.data[k];
    star.members.push_back(theta);
    star.kappas.include(theta.f(data.X), data.y);
    const Eigen::MatrixXd grad = theta.grad_x(data.X);
    for (Eigen::Index i = 0; i < grad.rows(); ++i) {
      star.tau_second = std::max(star.tau_second, grad.row(i).norm());
    }
  }
  return star;
}

// Fresh x ~ N(0, I) (then the same x for every member): the fraction for which every member
// has |cos(grad f(x), x)| >= tau and |grad f(x)| >= tau'.
double estimate_p(const ThetaStar& star, Eigen::Index d, double tau, double tau_prime, long samples,
                  std::uint64_t seed) {
  Engine engine = make_stream(seed, "theorem-b.1/p");
  const Eigen::MatrixXd X = standard_normal_matrix(engine, samples, d);
  std::vector<bool> good(static_cast<std::size_t>(samples), true);
  for (const auto& member : star.members) {
    const Eigen::MatrixXd grad = member.grad_x(X);
    for (long s = 0; s < samples; ++s) {
      const double gnorm = grad.row(s).norm();
      const double cosine =
          gnorm > 0.0 ? std::abs(grad.row(s).dot(X.row(s))) / (gnorm * X.row(s).norm()) : 0.0;
      if (cosine < tau || gnorm < tau_prime) good[static_cast<std::size_t>(s)] = false;
    }
  }
  return static_cast<double>(std::count(good.begin(), good.end(), true)) /
         static_cast<double>(samples);
}

}  // namespace

// The constant, rebuilt from the proof in appendix B.1 (the statement's formula is garbled).
// With p^ the fraction of x_i in X_Theta*(tau, tau') and tau'' >= |grad f_theta(x_i)| (used by
// the proof, never defined in the statement):
//   R1 step:  eta (1 + (1 - p^) kappa_2 tau'' / (p^ kappa_1 tau')) <= tau
//   R2 step:  eta^2 (1 + (1 - p^) tau''^2 / (4 p^ kappa tau'^2)) <= tau^2   (g(1-g) <= 1/4)
// and one-sided Hoeffding, P(p^ >= p / 2) >= 1 - 2 exp(-2 n (p/2)^2) = 1 - 2 exp(-n p^2 / 2).
// Substituting p^ = p / 2:
//   R = tau min{ sqrt(4 p kappa tau'^2 / (4 p kappa tau'^2 + (2 - p) tau''^2)),
//                p kappa_1 tau' / (p kappa_1 tau' + (2 - p) kappa_2 tau'') },
// which is the extracted text's last display, read as min{sqrt(p kappa tau'^2 / ((2 - p)/4 tau''^2
// + p kappa tau'^2)), p kappa_1 tau' / (p kappa_1 tau' + (2 - p) kappa_2 tau'')}, and equals
// Theorem 3.2's constant when tau' = tau'' = 1 (tested).
double theorem_b_1_R(double tau, double tau_prime, double tau_second, double p, double kappa,
                     double kappa_1, double kappa_2) {
  const double a = 4.0 * p * kappa * tau_prime * tau_prime;
  const double r2 = std::sqrt(a / (a + (2.0 - p) * tau_second * tau_second));
  const double b = p * kappa_1 * tau_prime;
  const double r1 = b / (b + (2.0 - p) * kappa_2 * tau_second);
  return tau * std::min(r1, r2);
}

ConfigSchema theorem_b_1_schema() {
  using T = ParamType;
  return ConfigSchema({
      param("seed", T::kInteger, 41, "seed of theta*, data, initialization, Monte Carlo")
          .at_least(0),
      param("d", T::kInteger, 5, "input dimension").at_least(2),
      param("hidden", T::kInteger, 8, "ReLUs of the bias-free hidden layer").at_least(1),
      param("ns", T::kIntegerList, {25, 50, 100}, "sample sizes n").at_least(2),
      param("datasets", T::kInteger, 100, "datasets per n, each batch (estimation, evaluation)")
          .at_least(2),
      param("tau", T::kNumber, 0.1, "cosine threshold").above(0.0).below(1.0),
      param("tau_prime", T::kNumber, 0.1, "threshold on |grad f(x)|").above(0.0),
      param("radius", T::kNumber, 3.0, "minimizers of L~_mix over |theta| <= radius").above(0.0),
      param("step", T::kNumber, 0.5, "projected gradient descent step").above(0.0),
      param("steps", T::kInteger, 300, "projected gradient descent steps").at_least(1),
      param("p_samples", T::kInteger, 20000, "Monte Carlo draws of x for p").at_least(1),
      param("alpha", T::kNumber, 1.0, "mixing law Beta(alpha, beta)").above(0.0),
      param("beta", T::kNumber, 1.0, "mixing law Beta(alpha, beta)").above(0.0),
  });
}

ClaimReport check_theorem_b_1(const RunContext& context) {
  const probability_bound::Setup setup(context, "theorem-b.1", "p_samples", 10, 1000);
  const double tau_prime = context.config["tau_prime"].get<double>();
  const ReluDeep start =
      random_relu_deep(setup.d, {context.config["hidden"].get<Eigen::Index>()}, setup.seed);

  ClaimReport report;
  report.claim = "theorem-b.1";
  report.paper_ref = "Theorem B.1 (appendix B)";
  report.statement =
      "w.p. >= 1 - delta_n - 2 exp(-n p^2/2): L~_mix(theta) >= (1/n) sum_i l~_adv(eps_mix "
      "sqrt(d)) (Eq. 6) at minimizers theta of a bias-free ReLU net, eps_mix = R c_x m1";
  report.notes.push_back(
      "R is the second reader's reconstruction (CLAIMS.md), not re-derived here; Theta* = the "
      "estimation minimizers in Theta, evaluation minimizers in Theta counted as members "
      "(optimistic proxy); minimizer = projected GD over |theta| <= radius from one fixed init");
  probability_bound::BoundCheck bound;

  for (std::size_t ni = 0; ni < setup.ns.size(); ++ni) {
    const long n = setup.ns[ni];
    const ThetaStar star =
        estimate_theta_star(setup.minimized_batch(Batch::kEstimation, ni, start));
    if (star.members.empty()) {
      bound.vacuous(n);
      continue;
    }
    const double p = estimate_p(star, setup.d, setup.tau, tau_prime, setup.p_samples, setup.seed);
    const double R = theorem_b_1_R(setup.tau, tau_prime, star.tau_second, p, star.kappas.kappa,
                                   star.kappas.kappa_1, star.kappas.kappa_2);
    // Optimistic proxy: an evaluation minimizer in Theta counts as a member of Theta*.
    const auto off_members = [](const ReluDeep&) { return false; };
    bound.conclude(n, {"p", p, star.kappas, R, static_cast<long>(star.members.size())},
                   probability_bound::evaluate(setup.minimized_batch(Batch::kEvaluation, ni, start),
                                               setup.law, R, off_members),
                   {{"tau_second", star.tau_second}});
  }
  report.checks.push_back(bound.finish());
  return report;
}

}  // namespace mixup
