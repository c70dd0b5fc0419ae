// Lemma 3.2 (appendix A.2.1): for logistic regression, the second-order Taylor approximation of
//   L_adv(theta, S) = (1/n) sum_i max_{|delta_i| <= eta} l(theta, (x_i + delta_i, y_i)),
//   eta = eps sqrt(d), is (1/n) sum_i l~_adv(eta, (x_i, y_i)) with (Eq. 5)
//   l~_adv(eta, (x, y)) = l + eta |g(x^T theta) - y| |theta| + (eta^2 / 2) g (1 - g) |theta|^2,
//   the maximum being taken at delta = sgn(g(x^T theta) - y) eta theta / |theta|.
//
// The exact side is the closed form (core/adversarial.hpp): l depends on x only through
// u = x^T theta, phi(u) = h(u) - y u is convex, so the maximum over the ball is
// max(phi(u - eta |theta|), phi(u + eta |theta|)); it is chosen by comparing the two ends, never
// by the sign the lemma predicts.  Checks, per instance (data set x theta):
//   1. order: with t = eta |theta|, exact - approx = sgn(phi') phi''' t^3 / 6 + O(t^4), so the
//      slope of log mean_i |exact_i - approx_i| against log eta is 3.  Fitted on
//      t in [t_max 2^-halvings, t_max], points under the rounding floor dropped.
//   2. direction identity: the exact maximizer is parallel to sgn(g - y) theta (the paper's
//      statement), to the maximizer of Eq. (5)'s quadratic model (found by comparing its ends),
//      and to the loss gradient (h'(f) - y) grad f from core (loss_input_gradients).
//   Measurements: the error at eta = radius (0.5 by default); the leading coefficient
//   error / t^3 against mean_i |phi'''_i| / 6; PGD (an independent method) against the closed
//   form.  Audit: the Poisson GLM loss in place of the logistic one (is the exact maximizer
//   still on the gradient's side?).
// theta: "random" is the random initialisation (He scaling, core/models.hpp); "trained" is that
// theta after full-batch gradient descent on the standard logistic loss (ERM).
#include "theorems/lemma_3_2.hpp"
#include "theorems/slope_fit.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/adversarial.hpp"
#include "core/losses.hpp"
#include "core/models.hpp"
#include "core/training.hpp"
#include "theorems/claim_models.hpp"

namespace mixup {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
// A fitted order counts as "third order" when the slope is at least 3 - kSlopeTolerance.  Per
// sample, exact - approx = sgn(phi') phi''' t^3 / 6 + phi'''' t^4 / 24 + O(t^5) (t = eta |theta|),
// so the local slope of the mean error moves from 3 by about t sum|phi''''| / (4 sum|phi'''|).  For
// the logistic loss, with w = 1 - 2g, phi''''/phi''' = (1.5 w^2 - 0.5) / w, which is <= 2.2 in size
// for |g - 1/2| >= 0.1; samples nearer g = 1/2 have phi''' ~ 0 and an error ~ t^4 / 200, too
// small to move the mean.  So the deviation is <~ 2.2 t / 4 ~ 0.034 at the default
// t_max = 2^-4 (smaller over the rest of the range): 0.1 leaves a 3x margin.  (Measured on the
// defaults: |slope - 3| <= 1e-3.)
constexpr double kSlopeTolerance = 0.1;
// Points of the error curve count only above kErrorFloorFactor times the mean loss: each
// difference exact_i - approx_i carries ~4 eps |l_i| of rounding, so the floor sits 2500x above
// it and moves log(error) by <= 4e-4.
constexpr double kErrorFloorFactor = 1e-12;
// The direction identity: 1 - cos(u, v) for two parallel vectors computed with rounding.  Each
// vector is a scaled copy of theta (a few roundings per coordinate); the dot product and norms
// of d-vectors carry <= (d + 2) eps relative error each, so 1 - cos <= (4d + 8) eps.
double direction_tolerance(Eigen::Index d) {
  return (4.0 * static_cast<double>(d) + 8.0) * kEps;
}

using Eigen::Index;
using Eigen::VectorXd;

struct Instance {
  std::string dataset;
  std::string theta_kind;
  Dataset data;
  LinearModel model{VectorXd::Zero(1)};
};

std::string format_short(double x) {
  std::ostringstream s;
  s << std::setprecision(4) << x;
  return s.str();
}

// g(u) - y for the logistic loss, without cancellation: for y = 1 it is -1 / (1 + e^u) (which
// stays non-zero where g(u) rounds to 1), for y = 0 it is g(u).
double logistic_residual(double u, double y) {
  if (y == 1.0) return -1.0 / (1.0 + std::exp(u));
  return 1.0 / (1.0 + std::exp(-u));
}

double cosine(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b) {
  const double na = a.norm();
  const double nb = b.norm();
  if (na == 0.0 || nb == 0.0) return std::nan("");
  return a.dot(b) / (na * nb);
}

std::vector<Instance> make_instances(const nlohmann::json& config, Index n) {
  std::vector<Instance> instances;
  const auto seed = config["seed"].get<std::uint64_t>();
  for (const auto& dataset_name : config["datasets"].get<std::vector<std::string>>()) {
    DatasetSpec spec;
    spec.name = dataset_name;
    spec.n = n;
    spec.d = config["gaussian_d"].get<Index>();
    spec.seed = seed;
    const Dataset data = make_dataset(spec);
    for (const auto& kind : config["thetas"].get<std::vector<std::string>>()) {
      LinearModel model = random_linear(data.d(), seed + 1);
      if (kind == "trained") {
        TrainOptions options;
        options.objective = Objective::kErm;
        options.loss = LossKind::kLogistic;
        options.learning_rate = config["learning_rate"].get<double>();
        options.epochs = config["train_epochs"].get<int>();
        options.seed = seed;
        train(model, data, options);
      }
      instances.push_back({dataset_name, kind, data, model});
    }
  }
  return instances;
}

nlohmann::json instance_json(const Instance& instance) {
  return {{"dataset", instance.dataset},
          {"theta", instance.theta_kind},
          {"theta_norm", instance.model.theta().norm()},
          {"n", instance.data.n()},
          {"d", instance.data.d()}};
}

struct Curve {
  std::vector<double> eta;
  std::vector<double> error;
};

// Least-squares slope of log error against log eta over the whole curve (theorems/slope_fit).
double fitted_slope(const Curve& curve) {
  return fit_slope(curve.eta, curve.error, curve.eta.size()).slope;
}

// mean_i |exact_i - approx_i| at radius eta, and the mean exact and approximate losses.
struct Comparison {
  double exact = 0.0;
  double approx = 0.0;
  double mean_abs_error = 0.0;
  double max_relative_error = 0.0;
  Index underestimates = 0;  // samples with approx < exact
};

Comparison compare_at(const Instance& instance, double eta) {
  const AdversarialResult exact =
      exact_adversarial_loss_linear(instance.model, LossKind::kLogistic, instance.data, eta);
  const VectorXd approx =
      approx_adversarial_loss_terms(instance.model, LossKind::kLogistic, instance.data,
                                    VectorXd::Constant(instance.data.n(), eta));
  Comparison c;
  c.exact = exact.loss;
  c.approx = approx.mean();
  c.mean_abs_error = (exact.per_sample - approx).cwiseAbs().mean();
  for (Index i = 0; i < instance.data.n(); ++i) {
    c.max_relative_error = std::max(
        c.max_relative_error, std::abs(exact.per_sample(i) - approx(i)) / exact.per_sample(i));
    if (approx(i) < exact.per_sample(i)) ++c.underestimates;
  }
  return c;
}

// phi'''(u) = g (1 - g)(1 - 2g) for the logistic loss (independent of y).
double third_derivative(double u) {
  const double g = 1.0 / (1.0 + std::exp(-u));
  return g * (1.0 - g) * (1.0 - 2.0 * g);
}

void check_order(const nlohmann::json& config, const std::vector<Instance>& instances, bool quick,
                 ClaimReport& report) {
  Check order;
  order.name = "Eq. (5) error = O(eta^3): fitted slope >= 3 - " + format_short(kSlopeTolerance);
  order.kind = "order";
  order.tolerance = kSlopeTolerance;
  Check leading;
  leading.name = "Eq. (5) error / eta^3 at the smallest eta against the Taylor coefficient";
  leading.kind = "measurement";
  const double t_max = config["order_t_max"].get<double>();
  const int halvings = quick ? 3 : config["order_halvings"].get<int>();
  const int per_octave = config["order_points_per_octave"].get<int>();
  std::ostringstream summary;
  summary << "slopes:";
  for (const Instance& instance : instances) {
    const double theta_norm = instance.model.theta().norm();
    const VectorXd u = instance.model.f(instance.data.X);
    double mean_loss = 0.0;
    double mean_third = 0.0;
    for (Index i = 0; i < instance.data.n(); ++i) {
      mean_loss += loss_value(LossKind::kLogistic, u(i), instance.data.y(i));
      mean_third += std::abs(third_derivative(u(i)));
    }
    mean_loss /= static_cast<double>(instance.data.n());
    mean_third /= static_cast<double>(instance.data.n());
    Curve curve;
    nlohmann::json points = nlohmann::json::array();
    for (int k = 0; k <= halvings * per_octave; ++k) {
      const double t = t_max * std::exp2(-static_cast<double>(k) / per_octave);
      const double eta = t / theta_norm;
      const Comparison c = compare_at(instance, eta);
      const bool usable = c.mean_abs_error > kErrorFloorFactor * mean_loss;
      points.push_back({{"eta", eta}, {"t", t}, {"error", c.mean_abs_error}, {"usable", usable}});
      if (!usable) continue;
      curve.eta.push_back(eta);
      curve.error.push_back(c.mean_abs_error);
    }
    nlohmann::json witness = instance_json(instance);
    witness["points"] = points;
    const std::string label = instance.dataset + "/" + instance.theta_kind;
    if (curve.eta.size() < 3) {
      order.inconclusive = true;
      order.note += label + ": fewer than 3 radii above the rounding floor; no order fitted. ";
      order.measured[label] = witness;
      summary << " " << label << " n/a";
      continue;
    }
    const double slope = fitted_slope(curve);
    witness["slope"] = slope;
    order.measured[label] = {
        {"slope", slope},
        {"t_range", {curve.eta.back() * theta_norm, curve.eta.front() * theta_norm}},
        {"theta_norm", theta_norm}};
    order.record(slope - 3.0, witness);
    summary << " " << label << " " << format_short(slope);
    // Leading coefficient in eta: mean_i |phi'''_i| |theta|^3 / 6.
    const double eta_min = curve.eta.back();
    const double predicted = mean_third * std::pow(theta_norm, 3) / 6.0;
    const double measured = curve.error.back() / std::pow(eta_min, 3);
    leading.measured[label] = {{"eta", eta_min},
                               {"measured", measured},
                               {"predicted", predicted},
                               {"relative_difference", std::abs(measured - predicted) / predicted}};
  }
  order.summary = summary.str();
  report.checks.push_back(order);
  report.checks.push_back(leading);
}

void check_directions(const nlohmann::json& config, const std::vector<Instance>& instances,
                      ClaimReport& report) {
  const double radius = config["radius"].get<double>();
  Check direction;
  direction.name =
      "exact maximizer parallel to sgn(g - y) theta, to Eq. (5)'s maximizer and to grad_x l";
  direction.kind = "identity";
  Index max_d = 1;
  for (const Instance& instance : instances) max_d = std::max(max_d, instance.data.d());
  direction.tolerance = direction_tolerance(max_d);
  Index undefined_gradient = 0;
  double worst_gap = 0.0;
  for (const Instance& instance : instances) {
    const LinearModel& model = instance.model;
    const Dataset& data = instance.data;
    const AdversarialResult exact =
        exact_adversarial_loss_linear(model, LossKind::kLogistic, data, radius);
    const Eigen::MatrixXd gradient = loss_input_gradients(model, LossKind::kLogistic, data);
    const VectorXd u = model.f(data.X);
    const double theta_norm = model.theta().norm();
    const Eigen::RowVectorXd theta = model.theta().transpose();
    for (Index i = 0; i < data.n(); ++i) {
      const double residual = logistic_residual(u(i), data.y(i));
      const double side = residual > 0.0 ? 1.0 : -1.0;
      // The paper's maximizer sgn(g - y) theta.
      const Eigen::RowVectorXd paper = side * theta;
      // Eq. (5)'s quadratic model a v + (b / 2) v^2, v = delta^T theta in [-eta|theta|,
      // eta|theta|]: its maximum is at an end; take the larger end.
      const double v = radius * theta_norm;
      const double g = 1.0 / (1.0 + std::exp(-u(i)));
      const double quadratic_up = residual * v + 0.5 * g * (1.0 - g) * v * v;
      const double quadratic_down = -residual * v + 0.5 * g * (1.0 - g) * v * v;
      const Eigen::RowVectorXd quadratic = (quadratic_up >= quadratic_down ? 1.0 : -1.0) * theta;
      const double cos_paper = cosine(exact.delta.row(i), paper);
      const double cos_quadratic = cosine(exact.delta.row(i), quadratic);
      const double cos_gradient = cosine(exact.delta.row(i), gradient.row(i));
      double gap = std::max(1.0 - cos_paper, 1.0 - cos_quadratic);
      if (std::isnan(cos_gradient)) {
        ++undefined_gradient;  // h'(u) rounds to y: the computed gradient is exactly 0
      } else {
        gap = std::max(gap, 1.0 - cos_gradient);
      }
      worst_gap = std::max(worst_gap, gap);
      nlohmann::json witness = instance_json(instance);
      witness.update({{"sample", i},
                      {"u", u(i)},
                      {"y", data.y(i)},
                      {"g_minus_y", residual},
                      {"cos_paper_direction", cos_paper},
                      {"cos_eq5_maximizer", cos_quadratic},
                      {"cos_gradient", std::isnan(cos_gradient) ? nlohmann::json(nullptr)
                                                                : nlohmann::json(cos_gradient)}});
      direction.record(-gap, witness);
    }
  }
  direction.measured = {{"radius", radius},
                        {"max_one_minus_cos", worst_gap},
                        {"gradient_underflow_samples", undefined_gradient}};
  direction.summary = "max 1 - cos = " + format_short(worst_gap);
  if (undefined_gradient > 0) {
    direction.note = std::to_string(undefined_gradient) +
                     " samples have h'(u) rounding to y (|u| > ~37): the computed gradient is 0 "
                     "there and only the paper's and Eq. (5)'s directions are compared.";
  }
  report.checks.push_back(direction);
}

void measure_error_at_radius(const nlohmann::json& config, const std::vector<Instance>& instances,
                             ClaimReport& report) {
  const double radius = config["radius"].get<double>();
  Check error;
  error.name = "exact vs Eq. (5) at eps sqrt(d) = " + format_short(radius);
  error.kind = "measurement";
  std::ostringstream summary;
  summary << "relative error of the mean:";
  for (const Instance& instance : instances) {
    const Comparison c = compare_at(instance, radius);
    const std::string label = instance.dataset + "/" + instance.theta_kind;
    const double relative = std::abs(c.exact - c.approx) / c.exact;
    error.measured[label] = {{"exact", c.exact},
                             {"approx", c.approx},
                             {"relative_error_of_mean", relative},
                             {"mean_abs_error", c.mean_abs_error},
                             {"max_relative_error_per_sample", c.max_relative_error},
                             {"underestimated_samples", c.underestimates},
                             {"n", instance.data.n()},
                             {"eta_theta_norm", radius * instance.model.theta().norm()}};
    summary << " " << label << " " << format_short(relative);
  }
  error.summary = summary.str();
  report.checks.push_back(error);
}

void measure_pgd(const nlohmann::json& config, const std::vector<Instance>& instances,
                 ClaimReport& report) {
  const double radius = config["radius"].get<double>();
  Check pgd_check;
  pgd_check.name = "PGD (independent, through f and grad_x) against the closed form";
  pgd_check.kind = "measurement";
  PgdOptions options;
  options.steps = config["pgd_steps"].get<int>();
  options.restarts = config["pgd_restarts"].get<int>();
  options.seed = config["seed"].get<std::uint64_t>();
  double worst = 0.0;
  for (const Instance& instance : instances) {
    const AdversarialResult exact =
        exact_adversarial_loss_linear(instance.model, LossKind::kLogistic, instance.data, radius);
    const AdversarialResult pgd =
        pgd_adversarial_loss(instance.model, LossKind::kLogistic, instance.data, radius, options);
    double largest = 0.0;
    double most_above = -std::numeric_limits<double>::infinity();
    for (Index i = 0; i < instance.data.n(); ++i) {
      const double difference = pgd.per_sample(i) - exact.per_sample(i);
      largest = std::max(largest, std::abs(difference) / exact.per_sample(i));
      most_above = std::max(most_above, difference / exact.per_sample(i));
    }
    worst = std::max(worst, largest);
    pgd_check.measured[instance.dataset + "/" + instance.theta_kind] = {
        {"max_relative_difference", largest}, {"max_relative_excess_of_pgd", most_above}};
  }
  pgd_check.summary = "max relative difference " + format_short(worst);
  report.checks.push_back(pgd_check);
}

// Audit: the Poisson GLM loss l = e^u - y u (labels {0, 1} are valid counts).  phi is convex but
// not odd about its minimum, so the larger end of [u - s, u + s] need not be the one the
// gradient points to.
void audit_poisson(const nlohmann::json& config, const std::vector<Instance>& instances,
                   ClaimReport& report) {
  const double radius = config["radius"].get<double>();
  Audit audit;
  audit.drop = "logistic loss (Poisson GLM loss instead): exact maximizer on the gradient's side";
  for (const Instance& instance : instances) {
    const AdversarialResult exact =
        exact_adversarial_loss_linear(instance.model, LossKind::kPoisson, instance.data, radius);
    const VectorXd u = instance.model.f(instance.data.X);
    const Eigen::RowVectorXd theta = instance.model.theta().transpose();
    for (Index i = 0; i < instance.data.n(); ++i) {
      const double residual = std::exp(u(i)) - instance.data.y(i);
      if (residual == 0.0) continue;
      const double cos = cosine(exact.delta.row(i), (residual > 0.0 ? 1.0 : -1.0) * theta);
      nlohmann::json witness = instance_json(instance);
      witness.update({{"sample", i},
                      {"u", u(i)},
                      {"y", instance.data.y(i)},
                      {"h_prime_minus_y", residual},
                      {"cos_with_gradient_side", cos},
                      {"exact_loss", exact.per_sample(i)}});
      audit.record(cos - 1.0, direction_tolerance(instance.data.d()), witness);
    }
  }
  audit.measured["radius"] = radius;
  audit.note =
      "Eq. (5)'s maximizer is always on the gradient's side; where the exact one is not, the "
      "second-order model picks the wrong end of the segment.";
  report.audits.push_back(audit);
}

}  // namespace

ConfigSchema lemma_3_2_schema() {
  using T = ParamType;
  return ConfigSchema({
      param("seed", T::kInteger, 3, "seed of data, initialisation and PGD starts").at_least(0),
      param("n", T::kInteger, 200, "samples per data set").at_least(2),
      param("datasets", T::kStringList, {"two-moons", "gaussian"}, "data sets")
          .one_of(kDatasetNames),
      param("gaussian_d", T::kInteger, 5, "dimension of the gaussian half-space data").at_least(1),
      param("thetas", T::kStringList, {"random", "trained"},
            "random: the He-scaled initialisation; trained: after ERM gradient descent")
          .one_of({"random", "trained"}),
      param("train_epochs", T::kInteger, 200, "full-batch ERM gradient steps for 'trained'")
          .at_least(1),
      param("learning_rate", T::kNumber, 0.5, "gradient descent step for 'trained'").above(0.0),
      param("radius", T::kNumber, 0.5, "eps sqrt(d) of the measurement and direction checks")
          .above(0.0),
      param("order_t_max", T::kNumber, 0.0625, "largest eta |theta| of the order fit")
          .above(0.0)
          .at_most(1.0),
      param("order_halvings", T::kInteger, 6, "order fit: eta |theta| down to t_max 2^-halvings")
          .at_least(2)
          .at_most(20),
      param("order_points_per_octave", T::kInteger, 2, "radii per halving").at_least(1).at_most(8),
      param("pgd_steps", T::kInteger, 50, "PGD steps (cross-check)").at_least(1),
      param("pgd_restarts", T::kInteger, 4, "PGD restarts (cross-check)").at_least(1),
  });
}

ClaimReport check_lemma_3_2(const RunContext& context) {
  ClaimReport report;
  report.claim = "lemma-3.2";
  report.paper_ref = "Lemma 3.2 (appendix A.2.1, Eq. 5)";
  report.statement =
      "For logistic regression the second-order Taylor approximation of the l2 adversarial loss "
      "at radius eta = eps sqrt(d) is (1/n) sum_i [l + eta |g - y| |theta| + eta^2/2 g(1-g) "
      "|theta|^2], attained at delta = sgn(g - y) eta theta/|theta|";
  const nlohmann::json& config = context.config;
  const Index n =
      context.quick ? std::min<Index>(40, config["n"].get<Index>()) : config["n"].get<Index>();
  const std::vector<Instance> instances = make_instances(config, n);
  check_order(config, instances, context.quick, report);
  check_directions(config, instances, report);
  measure_error_at_radius(config, instances, report);
  measure_pgd(config, instances, report);
  audit_poisson(config, instances, report);
  report.notes.push_back(
      "Exact side: closed form max(l(u - eta|theta|), l(u + eta|theta|)) (the loss depends on x "
      "only through u = x^T theta and is convex in u); the end is chosen by comparing values.");
  report.notes.push_back(
      "theta: 'random' = He-scaled initialisation (seed + 1); 'trained' = the same after "
      "full-batch gradient descent on the standard logistic loss (ERM), no bias.");
  return report;
}

}  // namespace mixup
