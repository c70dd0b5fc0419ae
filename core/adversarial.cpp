// Adversarial losses of Section 3.2: the closed form for linear models (Lemma 3.2's exact side),
// the second-order approximations Eq. (5) and Eq. (6), PGD and FGSM, and eps_mix (Theorem 3.1).
#include "core/adversarial.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/input_geometry.hpp"
#include "core/mixing.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

// Row loops go parallel only from this many rows on: a row costs ~50 ns (an exp and a log1p),
// while a parallel region costs microseconds, and milliseconds when the cores are shared.
constexpr Eigen::Index kParallelRows = 4096;

void require_radius(double radius, const std::string& where, const char* name) {
  if (!(radius >= 0.0) || !std::isfinite(radius)) {
    throw DomainError(where + ": " + name + " must be a finite number >= 0, got " +
                      std::to_string(radius));
  }
}

void require_dataset(const Model& model, const Dataset& data, const std::string& where) {
  if (data.X.cols() != model.input_dim()) {
    throw DomainError(where + ": the model takes inputs of dimension " +
                      std::to_string(model.input_dim()) + ", the data has " +
                      std::to_string(data.X.cols()) + " columns");
  }
  if (data.y.size() != data.X.rows()) {
    throw DomainError(where + ": " + std::to_string(data.y.size()) + " labels for " +
                      std::to_string(data.X.rows()) + " rows");
  }
}

double mean_in_fixed_order(const Eigen::VectorXd& values) {
  if (values.size() == 0) return std::nan("");
  return ordered_sum(values.size(), [&](Eigen::Index i) { return values(i); }) /
         static_cast<double>(values.size());
}

// Brings v into the closed l2 ball of radius eta so that the COMPUTED norm is <= eta: scaling
// by eta / |v| can leave |v| one or two ulps above eta, and each further factor (1 - eps)
// removes about one ulp, so the loop ends after a few passes.
void project_onto_ball(Eigen::RowVectorXd& v, double eta) {
  const double norm = v.norm();
  if (norm <= eta) return;
  v *= eta / norm;
  while (v.norm() > eta) v *= 1.0 - std::numeric_limits<double>::epsilon();
}

// The per-sample loss gradients' scalar factor h'(f(x_i)) - y_i.
Eigen::VectorXd residuals(LossKind loss, const Eigen::VectorXd& u, const Eigen::VectorXd& y) {
  Eigen::VectorXd r(u.size());
  for (Eigen::Index i = 0; i < u.size(); ++i) r(i) = loss_dh(loss, u(i)) - y(i);
  return r;
}

// Losses and input gradients of the loss at X + Delta (one call of f and grad_x on the whole
// matrix: the bits at Delta = 0 are those of the clean loss).
struct Evaluation {
  Eigen::VectorXd value;     // l(theta, (x_i + delta_i, y_i))
  Eigen::MatrixXd gradient;  // grad_x l at x_i + delta_i, one row per sample
};

Evaluation evaluate(const Model& model, LossKind loss, const Dataset& data,
                    const Eigen::MatrixXd& delta) {
  const Eigen::MatrixXd P = data.X + delta;
  const Eigen::VectorXd u = model.f(P);
  Evaluation e;
  e.gradient = model.grad_x(P);
  e.value.resize(u.size());
  for (Eigen::Index i = 0; i < u.size(); ++i) {
    e.value(i) = loss_value(loss, u(i), data.y(i));
    e.gradient.row(i) *= loss_dh(loss, u(i)) - data.y(i);
  }
  return e;
}

// A point uniform in the l2 ball of radius eta in R^d: a Gaussian direction, radius eta U^(1/d).
Eigen::RowVectorXd uniform_in_ball(Engine& engine, Eigen::Index d, double eta) {
  Eigen::RowVectorXd v = standard_normal_vector(engine, d).transpose();
  const double radius = eta * std::pow(uniform01(engine), 1.0 / static_cast<double>(d));
  const double norm = v.norm();
  if (norm == 0.0) return Eigen::RowVectorXd::Zero(d);
  v *= radius / norm;
  project_onto_ball(v, eta);
  return v;
}

// The random starts of restarts 1..R-1, per sample from stream (seed, "pgd", i), in order.
std::vector<Eigen::MatrixXd> random_starts(const Dataset& data, double eta,
                                           const PgdOptions& options) {
  std::vector<Eigen::MatrixXd> starts(static_cast<std::size_t>(options.restarts),
                                      Eigen::MatrixXd::Zero(data.n(), data.d()));
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    Engine engine = make_stream(options.seed, "pgd", static_cast<std::uint64_t>(i));
    for (int r = 1; r < options.restarts; ++r) {
      starts[static_cast<std::size_t>(r)].row(i) = uniform_in_ball(engine, data.d(), eta);
    }
  }
  return starts;
}

// Keeps, per sample, the largest value seen and its perturbation (the first on ties).
void keep_best(const Evaluation& e, const Eigen::MatrixXd& delta, AdversarialResult& best) {
  for (Eigen::Index i = 0; i < e.value.size(); ++i) {
    if (e.value(i) > best.per_sample(i)) {
      best.per_sample(i) = e.value(i);
      best.delta.row(i) = delta.row(i);
    }
  }
}

// One projected normalized-gradient ascent step per sample (rows with a zero gradient stay).
void ascent_step(const Eigen::MatrixXd& gradient, double step, double eta, Eigen::MatrixXd& delta) {
  for (Eigen::Index i = 0; i < delta.rows(); ++i) {
    const double norm = gradient.row(i).norm();
    if (!(norm > 0.0) || !std::isfinite(norm)) continue;
    Eigen::RowVectorXd v = delta.row(i) + (step / norm) * gradient.row(i);
    project_onto_ball(v, eta);
    delta.row(i) = v;
  }
}

// The boundary probe eta grad / |grad| (the current delta where the gradient is 0).
Eigen::MatrixXd boundary_probe(const Eigen::MatrixXd& gradient, double eta,
                               const Eigen::MatrixXd& delta) {
  Eigen::MatrixXd probe = delta;
  for (Eigen::Index i = 0; i < delta.rows(); ++i) {
    const double norm = gradient.row(i).norm();
    if (!(norm > 0.0) || !std::isfinite(norm)) continue;
    Eigen::RowVectorXd v = (eta / norm) * gradient.row(i);
    project_onto_ball(v, eta);
    probe.row(i) = v;
  }
  return probe;
}

void require_pgd_options(const PgdOptions& options) {
  if (options.steps < 0) {
    throw DomainError("pgd_adversarial_loss: steps must be >= 0, got " +
                      std::to_string(options.steps));
  }
  if (options.restarts < 1) {
    throw DomainError("pgd_adversarial_loss: restarts must be >= 1, got " +
                      std::to_string(options.restarts));
  }
  if (!(options.step_factor > 0.0) || !std::isfinite(options.step_factor)) {
    throw DomainError("pgd_adversarial_loss: step_factor must be a finite number > 0, got " +
                      std::to_string(options.step_factor));
  }
}

double sign_of(double x) {
  return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0);
}

}  // namespace

AdversarialResult exact_adversarial_loss_linear(const LinearModel& model, LossKind loss,
                                                const Dataset& data, double eta) {
  const std::string where = "exact_adversarial_loss_linear";
  require_radius(eta, where, "eta");
  require_dataset(model, data, where);
  const Eigen::VectorXd u = model.f(data.X);
  const double theta_norm = model.theta().norm();
  const double shift = eta * theta_norm;  // u ranges over [u - shift, u + shift] on the ball
  AdversarialResult result;
  result.per_sample.resize(data.n());
  result.delta = Eigen::MatrixXd::Zero(data.n(), data.d());
  if (theta_norm == 0.0) {
    for (Eigen::Index i = 0; i < data.n(); ++i) {
      result.per_sample(i) = loss_value(loss, u(i), data.y(i));
    }
    result.loss = mean_in_fixed_order(result.per_sample);
    return result;
  }
  const Eigen::RowVectorXd unit = model.theta().transpose() / theta_norm;
#pragma omp parallel for schedule(static) if (data.n() >= kParallelRows)
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    // l(u) = h(u) - y u is convex in u: its maximum on the segment is at an end.
    const double up = loss_value(loss, u(i) + shift, data.y(i));
    const double down = loss_value(loss, u(i) - shift, data.y(i));
    double side = up > down ? 1.0 : (down > up ? -1.0 : 0.0);
    if (side == 0.0) side = sign_of(loss_dh(loss, u(i)) - data.y(i));
    if (side == 0.0) side = 1.0;
    result.per_sample(i) = side > 0.0 ? up : down;
    Eigen::RowVectorXd delta = (side * eta) * unit;
    project_onto_ball(delta, eta);
    result.delta.row(i) = delta;
  }
  result.loss = mean_in_fixed_order(result.per_sample);
  return result;
}

Eigen::VectorXd approx_adversarial_loss_terms(const Model& model, LossKind loss,
                                              const Dataset& data, const Eigen::VectorXd& eta) {
  const std::string where = "approx_adversarial_loss_terms";
  require_dataset(model, data, where);
  if (eta.size() != data.n()) {
    throw DomainError(where + ": eta has " + std::to_string(eta.size()) + " radii for " +
                      std::to_string(data.n()) + " rows");
  }
  for (Eigen::Index i = 0; i < eta.size(); ++i) require_radius(eta(i), where, "eta_i");
  const Eigen::VectorXd u = model.f(data.X);
  const Eigen::MatrixXd grad_f = model.grad_x(data.X);
  Eigen::VectorXd terms(data.n());
#pragma omp parallel for schedule(static) if (data.n() >= kParallelRows)
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    // Eq. (6); with grad f = theta it is Eq. (5): g = h', h'' = g (1 - g) for the logistic loss.
    const double gradient_norm = grad_f.row(i).norm();
    const double first = eta(i) * std::abs(loss_dh(loss, u(i)) - data.y(i)) * gradient_norm;
    const double second =
        0.5 * eta(i) * eta(i) * std::abs(loss_d2h(loss, u(i))) * gradient_norm * gradient_norm;
    terms(i) = loss_value(loss, u(i), data.y(i)) + first + second;
  }
  return terms;
}

double approx_adversarial_loss(const Model& model, LossKind loss, const Dataset& data, double eta) {
  require_radius(eta, "approx_adversarial_loss", "eta");
  return mean_in_fixed_order(
      approx_adversarial_loss_terms(model, loss, data, Eigen::VectorXd::Constant(data.n(), eta)));
}

AdversarialResult pgd_adversarial_loss(const Model& model, LossKind loss, const Dataset& data,
                                       double eta, const PgdOptions& options) {
  const std::string where = "pgd_adversarial_loss";
  require_radius(eta, where, "eta");
  require_dataset(model, data, where);
  require_pgd_options(options);
  const std::vector<Eigen::MatrixXd> starts = random_starts(data, eta, options);
  const double step = options.step_factor * eta / std::max(1, options.steps);
  // Each restart is a fixed unit of work over all rows; the restarts run in parallel (unless a
  // hook is set: then in order, on the calling thread) and are merged in restart order, so the
  // result is the same at any thread count and equals a sequential run's.
  std::vector<AdversarialResult> per_restart(static_cast<std::size_t>(options.restarts));
  const auto run_restart = [&](int r) {
    AdversarialResult& best = per_restart[static_cast<std::size_t>(r)];
    best.per_sample = Eigen::VectorXd::Constant(data.n(), -std::numeric_limits<double>::infinity());
    best.delta = Eigen::MatrixXd::Zero(data.n(), data.d());
    Eigen::MatrixXd delta = starts[static_cast<std::size_t>(r)];  // restart 0: delta = 0
    if (options.on_iterate) options.on_iterate(r, 0, delta);
    Evaluation e = evaluate(model, loss, data, delta);
    keep_best(e, delta, best);
    for (int k = 1; k <= options.steps; ++k) {
      ascent_step(e.gradient, step, eta, delta);
      if (options.on_iterate) options.on_iterate(r, k, delta);
      e = evaluate(model, loss, data, delta);
      keep_best(e, delta, best);
    }
    const Eigen::MatrixXd probe = boundary_probe(e.gradient, eta, delta);
    if (options.on_iterate) options.on_iterate(r, options.steps + 1, probe);
    keep_best(evaluate(model, loss, data, probe), probe, best);
  };
  if (options.on_iterate) {
    for (int r = 0; r < options.restarts; ++r) run_restart(r);
  } else {
#pragma omp parallel for schedule(dynamic, 1) if (options.restarts > 1)
    for (int r = 0; r < options.restarts; ++r) run_restart(r);
  }
  AdversarialResult best = per_restart.front();
  for (std::size_t r = 1; r < per_restart.size(); ++r) {
    Evaluation candidate;
    candidate.value = per_restart[r].per_sample;
    keep_best(candidate, per_restart[r].delta, best);
  }
  best.loss = mean_in_fixed_order(best.per_sample);
  return best;
}

Eigen::MatrixXd loss_input_gradients(const Model& model, LossKind loss, const Dataset& data) {
  require_dataset(model, data, "loss_input_gradients");
  const Eigen::VectorXd r = residuals(loss, model.f(data.X), data.y);
  Eigen::MatrixXd gradient = model.grad_x(data.X);
  for (Eigen::Index i = 0; i < data.n(); ++i) gradient.row(i) *= r(i);
  return gradient;
}

Eigen::MatrixXd fgsm_linf_perturbation(const Model& model, LossKind loss, const Dataset& data,
                                       double eps) {
  require_radius(eps, "fgsm_linf", "eps");
  const Eigen::MatrixXd gradient = loss_input_gradients(model, loss, data);
  return eps * gradient.unaryExpr([](double g) { return sign_of(g); });
}

Eigen::MatrixXd fgsm_l2_perturbation(const Model& model, LossKind loss, const Dataset& data,
                                     double eta) {
  require_radius(eta, "fgsm_l2", "eta");
  const Eigen::MatrixXd gradient = loss_input_gradients(model, loss, data);
  return boundary_probe(gradient, eta, Eigen::MatrixXd::Zero(data.n(), data.d()));
}

Eigen::MatrixXd fgsm_linf(const Model& model, LossKind loss, const Dataset& data, double eps) {
  return data.X + fgsm_linf_perturbation(model, loss, data, eps);
}

Eigen::MatrixXd fgsm_l2(const Model& model, LossKind loss, const Dataset& data, double eta) {
  return data.X + fgsm_l2_perturbation(model, loss, data, eta);
}

AdversarialUpperBound relu_two_layer_adversarial_upper_bound(const ReluTwoLayer& model,
                                                             LossKind loss, const Dataset& data,
                                                             double eta) {
  const std::string where = "relu_two_layer_adversarial_upper_bound";
  require_radius(eta, where, "eta");
  require_dataset(model, data, where);
  const Eigen::MatrixXd Z = model.pre_activations(data.X);
  const Eigen::VectorXd u = model.f(data.X);
  const Eigen::MatrixXd grad_f = model.grad_x(data.X);
  const Eigen::VectorXd reach = eta * model.W().rowwise().norm();  // r_j = eta |W_j|
  const Eigen::VectorXd& theta1 = model.theta1();
  AdversarialUpperBound bound;
  bound.per_sample.resize(data.n());
  bound.kink_free.assign(static_cast<std::size_t>(data.n()), false);
  std::vector<char> kink_free(static_cast<std::size_t>(data.n()), 0);
#pragma omp parallel for schedule(static) if (data.n() >= kParallelRows)
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    bool affine = true;
    double low = model.theta0();
    double high = model.theta0();
    for (Eigen::Index j = 0; j < Z.cols(); ++j) {
      const double z = Z(i, j);
      if (std::abs(z) < reach(j)) affine = false;
      const double lowest = std::max(0.0, z - reach(j));
      const double highest = std::max(0.0, z + reach(j));
      low += theta1(j) * (theta1(j) >= 0.0 ? lowest : highest);
      high += theta1(j) * (theta1(j) >= 0.0 ? highest : lowest);
    }
    if (affine) {
      // f(x + delta) = f(x) + grad f^T delta on the whole ball.
      const double shift = eta * grad_f.row(i).norm();
      low = u(i) - shift;
      high = u(i) + shift;
    }
    bound.per_sample(i) =
        std::max(loss_value(loss, low, data.y(i)), loss_value(loss, high, data.y(i)));
    kink_free[static_cast<std::size_t>(i)] = affine ? 1 : 0;
  }
  for (std::size_t i = 0; i < kink_free.size(); ++i) bound.kink_free[i] = kink_free[i] != 0;
  bound.loss = mean_in_fixed_order(bound.per_sample);
  return bound;
}

namespace {

// The arrangement of one sample's switching lines w_j^T delta + z_j = 0 inside the disk
// |delta| <= eta (delta in R^2): the special points and the activation patterns of the cells.
struct Arrangement {
  std::vector<Eigen::RowVector2d> points;  // vertices and line-circle points (and 0)
  std::set<std::vector<char>> patterns;    // 1 = unit on, per cell meeting the disk
};

// The pattern at point p, with the units in `free` set to each of their on/off combinations.
void add_patterns(const Eigen::MatrixXd& W, const Eigen::RowVectorXd& z,
                  const Eigen::RowVector2d& p, const std::vector<Eigen::Index>& free,
                  Arrangement& arrangement) {
  std::vector<char> pattern(static_cast<std::size_t>(W.rows()));
  for (Eigen::Index j = 0; j < W.rows(); ++j) {
    pattern[static_cast<std::size_t>(j)] = z(j) + W.row(j).dot(p) > 0.0 ? 1 : 0;
  }
  const std::size_t combos = std::size_t{1} << free.size();
  for (std::size_t mask = 0; mask < combos; ++mask) {
    for (std::size_t k = 0; k < free.size(); ++k) {
      pattern[static_cast<std::size_t>(free[k])] = static_cast<char>((mask >> k) & 1U);
    }
    arrangement.patterns.insert(pattern);
  }
}

Arrangement arrangement_in_disk(const Eigen::MatrixXd& W, const Eigen::RowVectorXd& z, double eta) {
  Arrangement arrangement;
  const Eigen::RowVector2d origin = Eigen::RowVector2d::Zero();
  arrangement.points.push_back(origin);
  add_patterns(W, z, origin, {}, arrangement);
  const Eigen::Index m = W.rows();
  for (Eigen::Index j = 0; j < m; ++j) {
    const Eigen::RowVector2d w = W.row(j);
    const double w2 = w.squaredNorm();
    if (w2 == 0.0) continue;  // a constant unit: no line
    // Foot of the perpendicular from 0, and the half chord where the line crosses the circle.
    const Eigen::RowVector2d foot = (-z(j) / w2) * w;
    const double chord2 = eta * eta - foot.squaredNorm();
    if (chord2 < 0.0) continue;
    const Eigen::RowVector2d tangent = Eigen::RowVector2d(-w(1), w(0)) / std::sqrt(w2);
    for (const double side : {-1.0, 1.0}) {
      const Eigen::RowVector2d p = foot + side * std::sqrt(chord2) * tangent;
      arrangement.points.push_back(p);
      add_patterns(W, z, p, {j}, arrangement);
    }
    for (Eigen::Index k = j + 1; k < m; ++k) {
      const Eigen::RowVector2d v = W.row(k);
      const double det = w(0) * v(1) - w(1) * v(0);
      if (det == 0.0) continue;  // parallel lines never cross
      // Solve [w; v] p = [-z_j; -z_k] by Cramer's rule.
      const Eigen::RowVector2d p((-z(j) * v(1) + z(k) * w(1)) / det,
                                 (-w(0) * z(k) + v(0) * z(j)) / det);
      if (p.squaredNorm() > eta * eta) continue;
      arrangement.points.push_back(p);
      add_patterns(W, z, p, {j, k}, arrangement);
    }
  }
  return arrangement;
}

}  // namespace

AdversarialResult relu_two_layer_exact_adversarial_loss_2d(const ReluTwoLayer& model, LossKind loss,
                                                           const Dataset& data, double eta) {
  const std::string where = "relu_two_layer_exact_adversarial_loss_2d";
  require_radius(eta, where, "eta");
  require_dataset(model, data, where);
  if (data.d() != 2) {
    throw DomainError(where + ": needs inputs of dimension 2, got " + std::to_string(data.d()));
  }
  const Eigen::MatrixXd Z = model.pre_activations(data.X);
  const Eigen::MatrixXd& W = model.W();
  AdversarialResult result;
  result.per_sample.resize(data.n());
  result.delta = Eigen::MatrixXd::Zero(data.n(), 2);
  // One sample is ~m^2 work: worth a parallel loop from a few rows on; each row writes only its
  // own entries, so the thread count does not matter.
#pragma omp parallel for schedule(dynamic, 4) if (data.n() >= 16)
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    const Arrangement arrangement = arrangement_in_disk(W, Z.row(i), eta);
    std::vector<Eigen::RowVectorXd> candidates;
    for (const Eigen::RowVector2d& p : arrangement.points) candidates.emplace_back(p);
    for (const std::vector<char>& pattern : arrangement.patterns) {
      Eigen::RowVector2d a = Eigen::RowVector2d::Zero();  // the cell's gradient of f
      for (Eigen::Index j = 0; j < W.rows(); ++j) {
        if (pattern[static_cast<std::size_t>(j)] != 0) a += model.theta1()(j) * W.row(j);
      }
      const double norm = a.norm();
      if (!(norm > 0.0)) continue;
      candidates.emplace_back((eta / norm) * a);
      candidates.emplace_back((-eta / norm) * a);
    }
    Eigen::MatrixXd points(static_cast<Eigen::Index>(candidates.size()), 2);
    for (std::size_t k = 0; k < candidates.size(); ++k) {
      project_onto_ball(candidates[k], eta);
      points.row(static_cast<Eigen::Index>(k)) = data.X.row(i) + candidates[k];
    }
    const Eigen::VectorXd u = model.f(points);
    // Candidate 0 is delta = 0: the clean loss is the floor, the first maximum is kept.
    Eigen::Index best = 0;
    double best_value = loss_value(loss, u(0), data.y(i));
    for (Eigen::Index k = 1; k < u.size(); ++k) {
      const double value = loss_value(loss, u(k), data.y(i));
      if (value > best_value) {
        best_value = value;
        best = k;
      }
    }
    result.per_sample(i) = best_value;
    result.delta.row(i) = candidates[static_cast<std::size_t>(best)];
  }
  result.loss = mean_in_fixed_order(result.per_sample);
  return result;
}

double eps_mix(const Model& model, const Dataset& data, MixingLaw law) {
  require_beta_parameters(law.a, law.b, "eps_mix");
  if (data.X.cols() != model.input_dim()) {
    throw DomainError("eps_mix: the model takes inputs of dimension " +
                      std::to_string(model.input_dim()) + ", the data has " +
                      std::to_string(data.X.cols()) + " columns");
  }
  const CosineSummary cosines = summarize_cosines(input_gradient_cosines(model, data.X));
  if (!cosines.min) return std::nan("");
  return *cosines.min * c_x(data.X) * dtilde_m1(law.a, law.b);
}

}  // namespace mixup
