// Theorem B.1 (appendix B), bias-free ReLU network (ReluDeep with one hidden layer: f = beta^T
// relu(W x), so f(x) = grad f(x)^T x and hess f = 0 off the kinks, Theorem 3.3's hypotheses).
// Same procedure and decisions as theorems/theorem_3_2.cpp, with these differences:
//  * "Minimizer": projected gradient descent on L~_mix (Lemma 3.1, approximate_mixup_loss) over
//    the parameter ball |theta| <= radius, from ONE fixed random initialization (He scaling,
//    stream of `seed`) shared by all datasets, projected into the ball first.
//  * Theta* cannot be delimited in parameter space (no cone): it is estimated as the finite set
//    of ESTIMATION minimizers in Theta (zero training error), and an EVALUATION minimizer is
//    counted in Theta* when it lies in Theta: an optimistic proxy (delta_n counts only training
//    errors), stated in the report.
//  * p = p_{tau, tau'} = P(|cos(grad f_theta(x), x)| >= tau and |grad f_theta(x)| >= tau' for
//    all theta in Theta*), Monte Carlo over fresh x.  tau'' = max |grad f_theta(x_i)|,
//    kappa = min h''(f), kappa_1 = min |g - y|, kappa_2 = max |g - y|, over Theta* and its data.
//  * The inequality: L~_mix(theta) >= (1/n) sum_i l~_adv(eps_mix sqrt(d)) with Eq. (6)
//    (approx_adversarial_loss_terms), eps_mix = R c_x m1.
//  * The verdict per n as in Theorem 3.2: margin = F_n - P_n + 2 SE, P_n = 1 - delta_n -
//    2 exp(-n p^2 / 2); P_n <= 0 is not an instance.
#include "theorems/theorem_b_1.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/adversarial.hpp"
#include "core/data.hpp"
#include "core/mixing.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

// The inequality compares two sums of O(n) terms of size O(1): 1e-12 relative covers rounding.
constexpr double kRoundingTolerance = 1e-12;
// Two binomial standard errors: a chance shortfall this large occurs with probability ~2.5%.
constexpr double kStandardErrors = 2.0;

struct Settings {
  std::vector<long> ns;
  long datasets;
  long p_samples;
  int steps;
};

Settings settings_of(const RunContext& context) {
  const auto& c = context.config;
  Settings s{c["ns"].get<std::vector<long>>(), c["datasets"].get<long>(),
             c["p_samples"].get<long>(), c["steps"].get<int>()};
  if (context.quick) {
    s.datasets = std::min(s.datasets, 10L);
    s.p_samples = std::min(s.p_samples, 1000L);
    s.steps = std::min(s.steps, 100);
  }
  return s;
}

Dataset draw_dataset(long n, const Eigen::VectorXd& theta_star, std::uint64_t seed,
                     std::string_view purpose, std::uint64_t index) {
  Engine engine = make_stream(seed, purpose, index);
  Eigen::MatrixXd X = standard_normal_matrix(engine, n, theta_star.size());
  Eigen::VectorXd y(n);
  for (long i = 0; i < n; ++i) y(i) = X.row(i).dot(theta_star) > 0.0 ? 1.0 : 0.0;
  return {centered(X), y};
}

Eigen::VectorXd project(Eigen::VectorXd theta, double radius) {
  const double norm = theta.norm();
  if (norm > radius) theta *= radius / norm;
  return theta;
}

ReluDeep ball_minimizer(const ReluDeep& init, const Dataset& data, MixingLaw law, double radius,
                        double step, int steps) {
  ReluDeep model = init;
  model.set_parameters(project(model.parameters(), radius));
  for (int t = 0; t < steps; ++t) {
    model.set_parameters(
        project(model.parameters() -
                    step * approximate_mixup_loss_gradient(model, LossKind::kLogistic, data, law),
                radius));
  }
  return model;
}

double sigmoid(double u) {
  return 1.0 / (1.0 + std::exp(-u));
}

bool zero_training_error(const Model& model, const Dataset& data) {
  const Eigen::VectorXd f = model.f(data.X);
  for (Eigen::Index i = 0; i < f.size(); ++i) {
    if ((data.y(i) > 0.5 && f(i) < 0.0) || (data.y(i) < 0.5 && f(i) > 0.0)) return false;
  }
  return true;
}

struct ThetaStar {
  std::vector<ReluDeep> members;
  double kappa = 1.0, kappa_1 = 1.0, kappa_2 = 0.0, tau_second = 0.0;
};

ThetaStar estimate_theta_star(const std::vector<ReluDeep>& minimizers,
                              const std::vector<Dataset>& data) {
  ThetaStar star;
  for (std::size_t k = 0; k < minimizers.size(); ++k) {
    if (!zero_training_error(minimizers[k], data[k])) continue;
    star.members.push_back(minimizers[k]);
    const Eigen::VectorXd f = minimizers[k].f(data[k].X);
    const Eigen::MatrixXd grad = minimizers[k].grad_x(data[k].X);
    for (Eigen::Index i = 0; i < f.size(); ++i) {
      const double g = sigmoid(f(i));
      const double residual = std::abs(g - data[k].y(i));
      star.kappa = std::min(star.kappa, g * (1.0 - g));
      star.kappa_1 = std::min(star.kappa_1, residual);
      star.kappa_2 = std::max(star.kappa_2, residual);
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
  const auto& c = context.config;
  const Settings s = settings_of(context);
  const auto seed = c["seed"].get<std::uint64_t>();
  const auto d = c["d"].get<Eigen::Index>();
  const double tau = c["tau"].get<double>();
  const double tau_prime = c["tau_prime"].get<double>();
  const double radius = c["radius"].get<double>();
  const double step = c["step"].get<double>();
  const MixingLaw law{c["alpha"].get<double>(), c["beta"].get<double>()};
  const double m1 = dtilde_m1(law.a, law.b);
  Engine star_engine = make_stream(seed, "theorem-b.1/theta-star");
  const Eigen::VectorXd theta_star = standard_normal_vector(star_engine, d);
  const ReluDeep init = random_relu_deep(d, {c["hidden"].get<Eigen::Index>()}, seed);

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
  Check bound;
  bound.name = "frequency of the inequality >= promised probability";
  bound.kind = "bound";
  bound.note = "margin = F_n - P_n + 2 SE, SE = sqrt(max(P(1-P), 1/M)/M)";
  std::string summary;

  for (std::size_t ni = 0; ni < s.ns.size(); ++ni) {
    const long n = s.ns[ni];
    const std::string key = "n=" + std::to_string(n);
    std::vector<ReluDeep> estimation_min;
    std::vector<Dataset> estimation_data;
    for (long k = 0; k < s.datasets; ++k) {
      estimation_data.push_back(
          draw_dataset(n, theta_star, seed, "theorem-b.1/estimation", ni * 1000000 + k));
      estimation_min.push_back(
          ball_minimizer(init, estimation_data.back(), law, radius, step, s.steps));
    }
    const ThetaStar star = estimate_theta_star(estimation_min, estimation_data);
    if (star.members.empty()) {
      bound.measured[key] = {{"estimation_minimizers_in_Theta", 0}};
      summary += (summary.empty() ? "" : "; ") + key + " vacuous";
      continue;
    }
    const double p = estimate_p(star, d, tau, tau_prime, s.p_samples, seed);
    const double R =
        theorem_b_1_R(tau, tau_prime, star.tau_second, p, star.kappa, star.kappa_1, star.kappa_2);
    long training_error = 0, held = 0;
    double worst_gap = std::numeric_limits<double>::infinity();
    for (long k = 0; k < s.datasets; ++k) {
      const Dataset data =
          draw_dataset(n, theta_star, seed, "theorem-b.1/evaluation", ni * 1000000 + k);
      const ReluDeep theta = ball_minimizer(init, data, law, radius, step, s.steps);
      training_error += zero_training_error(theta, data) ? 0 : 1;
      const double eta = R * c_x(data.X) * m1 * std::sqrt(static_cast<double>(d));
      const double lhs = approximate_mixup_loss(theta, LossKind::kLogistic, data, law).total();
      const double rhs = approx_adversarial_loss_terms(theta, LossKind::kLogistic, data,
                                                       Eigen::VectorXd::Constant(n, eta))
                             .mean();
      const double gap = lhs - rhs;
      if (gap >= -kRoundingTolerance * std::max(1.0, std::abs(lhs))) ++held;
      worst_gap = std::min(worst_gap, gap);
    }
    const double M = static_cast<double>(s.datasets);
    const double delta_n = static_cast<double>(training_error) / M;
    const double promised = 1.0 - delta_n - 2.0 * std::exp(-n * p * p / 2.0);
    const double frequency = static_cast<double>(held) / M;
    const double se = std::sqrt(std::max(promised * (1.0 - promised), 1.0 / M) / M);
    const nlohmann::json witness = {
        {"n", n},
        {"frequency", frequency},
        {"promised", promised},
        {"delta_n", delta_n},
        {"p", p},
        {"kappa", star.kappa},
        {"kappa_1", star.kappa_1},
        {"kappa_2", star.kappa_2},
        {"tau_second", star.tau_second},
        {"R", R},
        {"worst_gap_lhs_minus_rhs", worst_gap},
        {"datasets", s.datasets},
        {"standard_error", se},
        {"estimation_minimizers_in_Theta", static_cast<long>(star.members.size())},
        {"evaluation_minimizers_with_training_error", training_error}};
    bound.measured[key] = witness;
    if (promised > 0.0) bound.record(frequency - promised + kStandardErrors * se, witness);
    char line[128];
    std::snprintf(line, sizeof line, "n=%ld F=%.3f P=%.3f R=%.2e", n, frequency, promised, R);
    summary += (summary.empty() ? "" : "; ") + std::string(line);
  }
  bound.summary = summary;
  report.checks.push_back(bound);
  return report;
}

}  // namespace mixup
