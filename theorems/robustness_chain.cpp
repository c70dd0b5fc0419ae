#include "theorems/robustness_chain.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <Eigen/QR>

#include "core/errors.hpp"
#include "core/input_geometry.hpp"
#include "core/losses.hpp"
#include "core/mixing.hpp"
#include "core/training.hpp"
#include "theorems/claim_models.hpp"

namespace mixup::robustness {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// ---- Data sets --------------------------------------------------------------------------------

Dataset make_constructed_empty_theta(Index n) {
  if (n < 8) {
    throw DomainError(
        "constructed-empty-theta: n must be at least 8 (two points per quadrant), got " +
        std::to_string(n));
  }
  constexpr double kPi = 3.14159265358979323846;
  Dataset data;
  data.X.resize(n, 2);
  data.y.resize(n);
  for (Index k = 0; k < n; ++k) {
    const double t = 2.0 * kPi * (static_cast<double>(k) + 0.5) / static_cast<double>(n);
    data.X(k, 0) = std::cos(t);
    data.X(k, 1) = std::sin(t);
    data.y(k) = data.X(k, 0) * data.X(k, 1) > 0.0 ? 1.0 : 0.0;
  }
  return data;
}

Dataset make_constructed_uncentered(Index n) {
  if (n < 8) {
    throw DomainError("constructed-uncentered: n must be at least 8, got " + std::to_string(n));
  }
  constexpr double kPi = 3.14159265358979323846;
  const Index n0 = n / 4;
  const Index n1 = n - n0;
  Dataset data;
  data.X.resize(n, 2);
  data.y.resize(n);
  const auto place = [&](Index row, Index k, Index count, double from, double label) {
    const double t = from + 0.5 * kPi * (static_cast<double>(k) + 0.5) / static_cast<double>(count);
    data.X(row, 0) = std::cos(t);
    data.X(row, 1) = std::sin(t);
    data.y(row) = label;
  };
  for (Index k = 0; k < n1; ++k) place(k, k, n1, 0.25 * kPi, 1.0);
  for (Index k = 0; k < n0; ++k) place(n1 + k, k, n0, 1.25 * kPi, 0.0);
  return data;
}

Dataset make_gaussian_symmetric(Index n, Index d, std::uint64_t seed) {
  if (n < 2) {
    throw DomainError("gaussian-symmetric: n must be at least 2 (one antipodal pair), got " +
                      std::to_string(n));
  }
  VectorXd theta_star;
  const Dataset half = make_gaussian_half_space(n / 2, d, seed, &theta_star);
  Dataset data;
  data.X.resize(2 * half.n(), d);
  data.X << half.X, -half.X;
  data.y.resize(2 * half.n());
  for (Index i = 0; i < data.X.rows(); ++i) {
    data.y(i) = data.X.row(i).dot(theta_star) > 0.0 ? 1.0 : 0.0;
  }
  return data;
}

Dataset make_raw_chain_dataset(const std::string& name, Index n, Index gaussian_d,
                               std::uint64_t seed) {
  if (name == "constructed-empty-theta") return make_constructed_empty_theta(n);
  if (name == "gaussian-symmetric") return make_gaussian_symmetric(n, gaussian_d, seed);
  DatasetSpec spec;
  spec.name = name;
  spec.n = n;
  spec.d = gaussian_d;
  spec.seed = seed;
  return make_dataset(spec);
}

Dataset make_chain_dataset(const std::string& name, Index n, Index gaussian_d, std::uint64_t seed) {
  Dataset data = make_raw_chain_dataset(name, n, gaussian_d, seed);
  data.X = centered(data.X);
  return data;
}

Dataset shifted(const Dataset& data, const VectorXd& v) {
  Dataset out = data;
  out.X.rowwise() += v.transpose();
  return out;
}

double rms_radius(const MatrixXd& X) {
  return std::sqrt(X.squaredNorm() / static_cast<double>(X.rows()));
}

// ---- Settings -----------------------------------------------------------------------------------

void ChainSettings::read(const nlohmann::json& c) {
  seed = c["seed"].get<std::uint64_t>();
  datasets = c["datasets"].get<std::vector<std::string>>();
  n = c["n"].get<Index>();
  gaussian_d = c["gaussian_d"].get<Index>();
  alphas = c["alphas"].get<std::vector<double>>();
  betas = c["betas"].get<std::vector<double>>();
  epochs = c["train_epochs"].get<int>();
  learning_rate = c["learning_rate"].get<double>();
  momentum = c["momentum"].get<double>();
  batch_size = c["batch_size"].get<Index>();
  norm_min = c["norm_min"].get<double>();
  norm_max = c["norm_max"].get<double>();
  search_starts = c["search_starts"].get<int>();
  search_iterations = c["search_iterations"].get<int>();
  shifts = c["shifts"].get<std::vector<double>>();
  exact_points = c["exact_audit_points"].get<int>();
}

void ChainSettings::finish(const std::string& claim) {
  if (!(norm_max >= norm_min)) {
    throw InputError(claim + ": norm_max must be >= norm_min, got " + format_short(norm_max) +
                     " < " + format_short(norm_min));
  }
  laws = law_grid(alphas, betas);
}

TrainOptions ChainSettings::train_options(Objective objective, MixingLaw law,
                                          std::uint64_t train_seed, Index samples) const {
  TrainOptions options;
  options.objective = objective;
  options.loss = LossKind::kLogistic;
  options.law = law;
  options.learning_rate = learning_rate;
  options.momentum = momentum;
  options.epochs = epochs;
  const bool full_batch =
      objective == Objective::kExactMixup || objective == Objective::kApproximateMixup;
  options.batch_size = full_batch ? 0 : std::min(batch_size, samples);
  options.seed = train_seed;
  return options;
}

std::string ChainSettings::training_summary() const {
  return "learning rate " + format_short(learning_rate) + ", momentum " + format_short(momentum) +
         ", batch " + std::to_string(batch_size) + ", " + std::to_string(epochs) + " epochs";
}

std::string format_short(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", x);
  return buffer;
}

// ---- The chain ----------------------------------------------------------------------------------

namespace {

// g(u) - y for the logistic loss without cancellation: for y = 1 it is -(1 - g(u)) = -g(-u),
// which keeps its relative accuracy where g(u) rounds to 1.
double sigmoid_minus_label(double u, double y) {
  if (y == 1.0) return -loss_dh(LossKind::kLogistic, -u);
  if (y == 0.0) return loss_dh(LossKind::kLogistic, u);
  return loss_dh(LossKind::kLogistic, u) - y;
}

double relative_margin(double difference, double scale) {
  if (scale > 0.0) return difference / scale;
  // Every term is 0 (scale bounds them all): the two sides agree exactly or the inputs were
  // not finite.
  return difference == 0.0 ? 0.0 : std::nan("");
}

}  // namespace

double ChainEvaluation::first_margin() const {
  return relative_margin(mixup_approx - adv_at_eps_i, scale);
}

double ChainEvaluation::second_margin() const {
  return relative_margin(adv_at_eps_i - adv_at_eps_mix, scale);
}

double ChainEvaluation::relative_slack() const {
  const double terms =
      std::abs(R1) + std::abs(R2) + std::abs(R3) + std::abs(adv_at_eps_i - standard_loss);
  if (!(terms > 0.0)) return std::nan("");
  return (mixup_approx - adv_at_eps_i) / terms;
}

ChainEvaluation evaluate_chain(const Model& model, const Dataset& data, MixingLaw law) {
  const Index n = data.n();
  const Index d = data.d();
  const double inv_n = 1.0 / static_cast<double>(n);
  const VectorXd u = model.f(data.X);
  const MatrixXd G = model.grad_x(data.X);  // row i: grad f(x_i)
  MatrixXd GX(n, n);                        // GX(i, j) = grad f(x_i)^T x_j
  GX.noalias() = G * data.X.transpose();
  const VectorXd norms = data.X.rowwise().norm();

  ChainEvaluation e;
  e.m1 = dtilde_m1(law.a, law.b);
  const double m2 = dtilde_m2(law.a, law.b);
  e.c_x = norms.minCoeff() / std::sqrt(static_cast<double>(d));
  const double B = 2.0 * norms.maxCoeff();
  const double sqrt_d = std::sqrt(static_cast<double>(d));

  VectorXd loss(n), gmy(n), hpp(n), gnorm(n), cosine(n);
  std::vector<bool> defined(static_cast<std::size_t>(n), false);
  double sum_loss = 0.0, sum_r1 = 0.0, sum_r2 = 0.0, sum_r3 = 0.0, sum_scale = 0.0;
  e.all_outputs_zero = true;
  for (Index i = 0; i < n; ++i) {
    e.all_outputs_zero = e.all_outputs_zero && u(i) == 0.0;
    loss(i) = loss_value(LossKind::kLogistic, u(i), data.y(i));
    gmy(i) = sigmoid_minus_label(u(i), data.y(i));
    hpp(i) = loss_d2h(LossKind::kLogistic, u(i));
    // E_r[grad f_i^T (r - x_i)] and E_r[(grad f_i^T (r - x_i))^2], r over the n inputs.
    double first = 0.0, second = 0.0;
    for (Index j = 0; j < n; ++j) {
      const double p = GX(i, j) - GX(i, i);
      first += p;
      second += p * p;
    }
    first *= inv_n;
    second *= inv_n;
    // E_r[(r - x_i)^T hess f_i (r - x_i)], skipped where the Hessian is exactly 0 (linear
    // models; ReLU nets off kinks): the term is 0 there.
    const MatrixXd H = model.hess_x(data.X.row(i).transpose());
    double curvature = 0.0;
    if (!H.isZero(0.0)) {
      for (Index j = 0; j < n; ++j) {
        const VectorXd delta = (data.X.row(j) - data.X.row(i)).transpose();
        curvature += delta.dot(H * delta);
      }
      curvature *= inv_n;
    }
    sum_loss += loss(i);
    sum_r1 += gmy(i) * first;
    sum_r2 += hpp(i) * second;
    sum_r3 += gmy(i) * curvature;

    gnorm(i) = G.row(i).norm();
    const double denominator = gnorm(i) * norms(i);
    if (denominator > 0.0 && std::isfinite(denominator)) {
      defined[static_cast<std::size_t>(i)] = true;
      // |cos| can exceed 1 by an ulp for parallel vectors.
      cosine(i) = std::min(1.0, std::abs(G.row(i).dot(data.X.row(i))) / denominator);
    } else {
      cosine(i) = 0.0;  // unused: the adversarial terms carry the factor |grad f(x_i)| = 0
      ++e.undefined_cosines;
    }
    sum_scale += e.m1 * std::abs(gmy(i)) * gnorm(i) * B +
                 0.5 * m2 * hpp(i) * gnorm(i) * gnorm(i) * B * B +
                 0.5 * m2 * std::abs(gmy(i)) * H.norm() * B * B;
  }
  e.standard_loss = sum_loss * inv_n;
  e.R1 = e.m1 * sum_r1 * inv_n;
  e.R2 = 0.5 * m2 * sum_r2 * inv_n;
  e.R3 = 0.5 * m2 * sum_r3 * inv_n;
  e.mixup_approx = e.standard_loss + e.R1 + e.R2 + e.R3;
  e.scale = e.standard_loss + sum_scale * inv_n;

  for (Index i = 0; i < n; ++i) {
    if (!defined[static_cast<std::size_t>(i)]) continue;
    e.R = std::isnan(e.R) ? cosine(i) : std::min(e.R, cosine(i));
  }
  e.eps_mix = std::isnan(e.R) ? 0.0 : e.R * e.c_x * e.m1;

  // Eq. (5) / (6): l~_adv(eta, (x_i, y_i)) = l_i + eta |g_i - y_i| |grad_i| + eta^2/2 h''_i
  // |grad_i|^2.
  const auto adversarial = [&](Index i, double eta) {
    return loss(i) + eta * std::abs(gmy(i)) * gnorm(i) +
           0.5 * eta * eta * hpp(i) * gnorm(i) * gnorm(i);
  };
  double sum_adv_i = 0.0, sum_adv_mix = 0.0;
  for (Index i = 0; i < n; ++i) {
    const double eps_i = cosine(i) * e.c_x * e.m1;
    sum_adv_i += adversarial(i, eps_i * sqrt_d);
    sum_adv_mix += adversarial(i, e.eps_mix * sqrt_d);
  }
  e.adv_at_eps_i = sum_adv_i * inv_n;
  e.adv_at_eps_mix = sum_adv_mix * inv_n;
  return e;
}

nlohmann::json evaluation_json(const ChainEvaluation& e) {
  return {{"L_std", e.standard_loss},
          {"R1", e.R1},
          {"R2", e.R2},
          {"R3", e.R3},
          {"approx_mixup_loss", e.mixup_approx},
          {"approx_adv_loss_eps_i", e.adv_at_eps_i},
          {"approx_adv_loss_eps_mix", e.adv_at_eps_mix},
          {"R", std::isnan(e.R) ? nlohmann::json(nullptr) : nlohmann::json(e.R)},
          {"eps_mix", e.eps_mix},
          {"c_x", e.c_x},
          {"m1", e.m1},
          {"undefined_cosines", e.undefined_cosines},
          {"scale", e.scale},
          {"first_margin", e.first_margin()},
          {"second_margin", e.second_margin()}};
}

// ---- Theta for models linear in their parameters
// -------------------------------------------------

namespace {

// Hit-and-run: steps discarded before the first sample, and steps between samples per dimension
// (the chain mixes in O(d^2) steps from a warm start in a cone; 5 d steps between samples keep
// successive samples nearly independent at these sizes).
constexpr int kBurnInSteps = 200;
constexpr int kThinningPerDimension = 5;
// ERM on the logistic loss, full batch: its direction tends to the hard-margin separator through
// the origin on separable data, a strict member of Theta.  Step 1 / (max_i |x_i|^2 / 4 + 1) is
// below 2 / L for the loss's Lipschitz-gradient constant L <= max |x_i|^2 / 4.
constexpr int kErmEpochs = 1000;
// An NNLS residual |Z^T w - v| below this is rounding (|v| = 1, ~ n eps |Z| |w|): v is in the cone.
constexpr double kResidualFloor = 1e-10;

}  // namespace

MatrixXd signed_inputs(const Dataset& data) {
  MatrixXd Z = data.X;
  for (Index i = 0; i < data.n(); ++i) {
    if (data.y(i) == 0.0) Z.row(i) *= -1.0;
  }
  return Z;
}

bool in_theta_linear(const Dataset& data, const VectorXd& theta) {
  return theta.norm() > 0.0 && in_theta(LinearModel(theta), data.X, data.y);
}

bool strictly_in_theta(const Dataset& data, const VectorXd& theta) {
  if (!(theta.norm() > 0.0)) return false;
  const MatrixXd Z = signed_inputs(data);
  const VectorXd margins = Z * theta;
  for (Index i = 0; i < Z.rows(); ++i) {
    // A zero row (a net's features all off at x_i) constrains nothing: f(x_i) = 0 always.
    if (margins(i) <= 0.0 && Z.row(i).norm() > 0.0) return false;
  }
  return true;
}

namespace {

double largest_angular_gap(const MatrixXd& Z) {
  constexpr double kTwoPi = 6.283185307179586;
  std::vector<double> angles;
  for (Index i = 0; i < Z.rows(); ++i) {
    if (Z.row(i).norm() > 0.0) angles.push_back(std::atan2(Z(i, 1), Z(i, 0)));
  }
  if (angles.empty()) return kTwoPi;
  std::sort(angles.begin(), angles.end());
  double gap = angles.front() + kTwoPi - angles.back();
  for (std::size_t k = 1; k < angles.size(); ++k) gap = std::max(gap, angles[k] - angles[k - 1]);
  return gap;
}

VectorXd erm_direction(const Dataset& data) {
  LinearModel model(VectorXd::Zero(data.d()));
  TrainOptions options;
  options.objective = Objective::kErm;
  options.loss = LossKind::kLogistic;
  options.learning_rate = 1.0 / (0.25 * data.X.rowwise().squaredNorm().maxCoeff() + 1.0);
  options.epochs = kErmEpochs;
  train(model, data, options);
  return model.theta();
}

}  // namespace

VectorXd nonnegative_least_squares(const MatrixXd& A, const VectorXd& v) {
  const Index n = A.cols();
  VectorXd w = VectorXd::Zero(n);
  std::vector<bool> passive(static_cast<std::size_t>(n), false);
  // Gradients below this are zero to rounding (|A^T r| carries ~ n eps |A| |v|).
  const double tolerance = 1e-13 * std::max(1.0, A.cwiseAbs().maxCoeff()) *
                           std::max(1.0, v.norm()) * static_cast<double>(n);
  const auto passive_solution = [&]() {
    std::vector<Index> index;
    for (Index j = 0; j < n; ++j) {
      if (passive[static_cast<std::size_t>(j)]) index.push_back(j);
    }
    MatrixXd AP(A.rows(), static_cast<Index>(index.size()));
    for (std::size_t k = 0; k < index.size(); ++k) AP.col(static_cast<Index>(k)) = A.col(index[k]);
    const VectorXd sP = AP.completeOrthogonalDecomposition().solve(v);
    VectorXd s = VectorXd::Zero(n);
    for (std::size_t k = 0; k < index.size(); ++k) s(index[k]) = sP(static_cast<Index>(k));
    return s;
  };
  for (Index outer = 0; outer < 30 * n + 10; ++outer) {
    const VectorXd gradient = A.transpose() * (v - A * w);
    Index best = -1;
    double largest = tolerance;
    for (Index j = 0; j < n; ++j) {
      if (!passive[static_cast<std::size_t>(j)] && gradient(j) > largest) {
        largest = gradient(j);
        best = j;
      }
    }
    if (best < 0) break;
    passive[static_cast<std::size_t>(best)] = true;
    for (Index inner = 0; inner <= n; ++inner) {
      VectorXd s = passive_solution();
      bool positive = true;
      double alpha = 1.0;
      for (Index j = 0; j < n; ++j) {
        if (passive[static_cast<std::size_t>(j)] && s(j) <= 0.0) {
          positive = false;
          alpha = std::min(alpha, w(j) / (w(j) - s(j)));
        }
      }
      if (positive) {
        w = s;
        break;
      }
      w += alpha * (s - w);
      for (Index j = 0; j < n; ++j) {
        if (passive[static_cast<std::size_t>(j)] && w(j) <= 0.0) {
          passive[static_cast<std::size_t>(j)] = false;
          w(j) = 0.0;
        }
      }
    }
  }
  return w;
}

LinearThetaCone analyze_linear_theta(const Dataset& data) {
  LinearThetaCone cone;
  const MatrixXd Z = signed_inputs(data);
  const MatrixXd A = Z.transpose();
  const Index d = data.d();
  // A member must give some x_i a non-zero output: theta in the null space of the inputs (or of
  // a net's features) has f(x_i) = 0 for every i, the analogue of theta = 0.
  const auto nontrivial = [&](const VectorXd& theta) { return !(Z * theta).isZero(0.0); };
  // NNLS residuals r with |r| above rounding: Z r >= 0 up to rounding (on their active
  // constraints Z r is 0 to within ~eps |Z| |r| of either sign).
  std::vector<VectorXd>& residuals = cone.residuals;
  for (Index k = 0; k < d; ++k) {
    for (const double sign : {1.0, -1.0}) {
      const VectorXd v = sign * VectorXd::Unit(d, k);
      const VectorXd w = nonnegative_least_squares(A, v);
      // r = Z^T w - v; the optimality conditions give Z r >= 0: a member of Theta when r != 0.
      const VectorXd r = A * w - v;
      cone.max_residual = std::max(cone.max_residual, r.norm());
      if (r.norm() > kResidualFloor) residuals.push_back(r);
      if (in_theta_linear(data, r) && nontrivial(r)) cone.boundary_members.push_back(r);
    }
  }
  // Rigorous with room for rounding: sqrt(d) max |r| < 1 forces theta = 0; half of it is asked.
  cone.certified_empty = std::sqrt(static_cast<double>(d)) * cone.max_residual < 0.5;
  // Candidates: the ERM direction; the sum of the normalised residuals (a point of the cone's
  // relative interior when they span it); the residuals themselves.
  std::vector<VectorXd> candidates = {erm_direction(data)};
  if (!residuals.empty()) {
    VectorXd sum = VectorXd::Zero(d);
    for (const auto& r : residuals) sum += r / r.norm();
    candidates.push_back(sum);
  }
  for (const auto& r : residuals) candidates.push_back(r);
  for (const auto& candidate : candidates) {
    if (strictly_in_theta(data, candidate) && nontrivial(candidate)) {
      cone.member = candidate / candidate.norm();
      cone.strict = true;
      break;
    }
  }
  if (cone.member.size() == 0) {
    for (const auto& candidate : candidates) {
      if (in_theta_linear(data, candidate) && nontrivial(candidate)) {
        cone.member = candidate / candidate.norm();
        break;
      }
    }
  }
  cone.nonempty = cone.member.size() > 0;
  if (d == 2) cone.largest_angular_gap = largest_angular_gap(Z);
  return cone;
}

nlohmann::json vector_json(const VectorXd& v) {
  return std::vector<double>(v.data(), v.data() + v.size());
}

double log_uniform(Engine& engine, double lo, double hi) {
  return lo * std::exp(uniform01(engine) * std::log(hi / lo));
}

std::vector<VectorXd> hit_and_run_theta(const Dataset& data, const VectorXd& start, int count,
                                        Engine& engine) {
  const MatrixXd Z = signed_inputs(data);
  const Index d = data.d();
  VectorXd p = 0.5 * start / start.norm();
  std::vector<VectorXd> points;
  const int thinning = kThinningPerDimension * static_cast<int>(d);
  const long total_steps = kBurnInSteps + static_cast<long>(count) * thinning * 4;
  for (long step = 1; step <= total_steps && static_cast<int>(points.size()) < count; ++step) {
    VectorXd u = standard_normal_vector(engine, d);
    u /= u.norm();
    const double pu = p.dot(u);
    const double root = std::sqrt(std::max(0.0, pu * pu - (p.squaredNorm() - 1.0)));
    double lo = -pu - root;
    double hi = -pu + root;
    const VectorXd a = Z * p;
    const VectorXd b = Z * u;
    for (Index i = 0; i < Z.rows(); ++i) {
      if (b(i) > 0.0) lo = std::max(lo, -a(i) / b(i));
      if (b(i) < 0.0) hi = std::min(hi, -a(i) / b(i));
    }
    if (hi > lo) p += (lo + (hi - lo) * uniform01(engine)) * u;
    if (step > kBurnInSteps && (step - kBurnInSteps) % thinning == 0 && in_theta_linear(data, p)) {
      points.push_back(p);
    }
  }
  return points;
}

nlohmann::json cone_json(const LinearThetaCone& cone) {
  nlohmann::json j = {{"nonempty", cone.nonempty},
                      {"certified_empty", cone.certified_empty},
                      {"strict_member", cone.strict},
                      {"max_nnls_residual", cone.max_residual},
                      {"boundary_members", cone.boundary_members.size()}};
  if (cone.nonempty) j["member"] = vector_json(cone.member);
  if (cone.largest_angular_gap >= 0.0) j["largest_angular_gap"] = cone.largest_angular_gap;
  return j;
}

// ---- Recording --------------------------------------------------------------------------------

ChainRecorder::ChainRecorder(const std::string& dataset, const std::string& rhs_label)
    : dataset_(dataset) {
  first_.name = dataset + ": L~_mix >= (1/n) sum_i " + rhs_label + "(eps_i sqrt d)";
  first_.kind = "inequality";
  first_.tolerance = kChainTolerance;
  second_.name = dataset + ": (1/n) sum_i " + rhs_label + "(eps_i sqrt d) >= (1/n) sum_i " +
                 rhs_label + "(eps_mix sqrt d)";
  second_.kind = "inequality";
  second_.tolerance = kChainTolerance;
}

void ChainRecorder::record(const ChainEvaluation& evaluation, const std::string& source,
                           nlohmann::json witness) {
  witness["dataset"] = dataset_;
  witness["source"] = source;
  witness.update(evaluation_json(evaluation));
  first_.record(evaluation.first_margin(), witness);
  second_.record(evaluation.second_margin(), witness);
  if (evaluation.R_is_zero()) ++r_zero_;
  if (!std::isnan(evaluation.R)) least_R_ = std::min(least_R_, evaluation.R);
  if (evaluation.all_outputs_zero) ++degenerate_;
  const double slack = evaluation.relative_slack();
  if (!std::isnan(slack) && slack < least_slack_) {
    least_slack_ = slack;
    least_slack_witness_ = witness;
  }
  auto& counts = sources_[source];
  if (counts.is_null()) counts = nlohmann::json::object();
  counts["instances"] = counts.value("instances", 0L) + 1;
}

void ChainRecorder::record_laws(const Model& model, const Dataset& data,
                                const std::vector<MixingLaw>& laws, const std::string& source,
                                const nlohmann::json& witness) {
  for (const MixingLaw law : laws) {
    nlohmann::json w = witness;
    w["law"] = law_json(law);
    record(evaluate_chain(model, data, law), source, w);
  }
}

void ChainRecorder::note_source(const std::string& source, long candidates, long in_theta) {
  auto& counts = sources_[source];
  if (counts.is_null()) counts = nlohmann::json::object();
  counts["candidates"] = counts.value("candidates", 0L) + candidates;
  counts["in_theta"] = counts.value("in_theta", 0L) + in_theta;
  if (!counts.contains("instances")) counts["instances"] = 0L;
}

void ChainRecorder::add_measured(const std::string& key, nlohmann::json value) {
  extra_[key] = std::move(value);
}

void ChainRecorder::mark_vacuous(const std::string& reason) {
  vacuous_reason_ = reason;
}

void ChainRecorder::finish(ClaimReport& report) {
  for (Check* check : {&first_, &second_}) {
    check->measured["dataset"] = dataset_;
    check->measured["sources"] = sources_;
    check->measured["instances_with_R_zero"] = r_zero_;
    check->measured["least_R"] =
        std::isinf(least_R_) ? nlohmann::json(nullptr) : nlohmann::json(least_R_);
    check->measured["instances_with_all_outputs_zero"] = degenerate_;
    check->measured["verdict_on_dataset"] =
        check->instances == 0 ? "vacuous" : (check->violations > 0 ? "fails" : "holds");
  }
  first_.measured["least_relative_slack"] =
      std::isinf(least_slack_) ? nlohmann::json(nullptr) : nlohmann::json(least_slack_);
  first_.measured["least_relative_slack_witness"] = least_slack_witness_;
  for (const auto& [key, value] : extra_.items()) first_.measured[key] = value;
  if (first_.instances == 0) {
    const std::string reason =
        vacuous_reason_.empty() ? "no member of Theta with theta != 0 was found" : vacuous_reason_;
    for (Check* check : {&first_, &second_}) {
      check->summary = "vacuous on " + dataset_ + ": " + reason;
      check->note = reason;
    }
  } else {
    std::string per_source;
    for (const auto& [name, counts] : sources_.items()) {
      per_source += (per_source.empty() ? "" : ", ") + name + " " +
                    std::to_string(counts.value("instances", 0L));
    }
    for (Check* check : {&first_, &second_}) {
      check->summary = "min margin " + format_short(check->min_margin) + " over " +
                       std::to_string(check->instances) + " instances (" + per_source + "); " +
                       std::to_string(r_zero_) + " with R = 0 (least R " + format_short(least_R_) +
                       ")";
      if (check->violations > 0) {
        check->summary += "; " + std::to_string(check->violations) + " VIOLATIONS";
      }
    }
    if (!std::isinf(least_slack_)) {
      first_.summary += "; least relative slack " + format_short(least_slack_);
    }
  }
  report.checks.push_back(first_);
  report.checks.push_back(second_);
}

void record_audit(Audit& audit, double margin, double tolerance, const nlohmann::json& instance) {
  const double before = audit.min_margin;
  audit.record(margin, tolerance, instance);
  if (audit.min_margin < before || audit.instances == 1) {
    nlohmann::json least = instance;
    least["margin"] = std::isnan(margin) ? nlohmann::json(nullptr) : nlohmann::json(margin);
    audit.measured["least_margin_instance"] = least;
  }
}

void record_chain_audit(Audit& audit, const ChainEvaluation& evaluation, nlohmann::json instance) {
  instance.update(evaluation_json(evaluation));
  record_audit(audit, evaluation.first_margin(), kChainTolerance, instance);
}

AuditTally::AuditTally(const Audit& audit)
    : audit_(audit), instances_(audit.instances), violations_(audit.violations) {}

nlohmann::json AuditTally::json() const {
  return {{"instances", instances()}, {"violations", violations()}};
}

double exact_margin(double mix, double adv) {
  const double scale = std::max(std::abs(mix), std::abs(adv));
  return scale > 0.0 ? (mix - adv) / scale : 0.0;
}

ChainAudits::ChainAudits() {
  uncentered.drop = "centred data (E_r[r_x] = 0, used by the proof): uncentred inputs";
  consistency.name = "L~_mix pair by pair = core approximate_mixup_loss (Eq. 3)";
  consistency.kind = "identity";
  consistency.tolerance = kChainTolerance;
}

void ChainAudits::record_consistency(const Model& model, const Dataset& data, MixingLaw law,
                                     const ChainEvaluation& evaluation, nlohmann::json label) {
  const double core = approximate_mixup_loss(model, LossKind::kLogistic, data, law).total();
  label.update({{"law", law_json(law)}, {"pair_by_pair", evaluation.mixup_approx}, {"core", core}});
  consistency.record(-std::abs(evaluation.mixup_approx - core) / evaluation.scale, label);
}

void ChainAudits::summarize_consistency() {
  consistency.summary = "max relative difference " +
                        format_short(consistency.instances > 0 ? -consistency.min_margin : 0.0) +
                        " over " + std::to_string(consistency.instances) + " (member, law) pairs";
}

// ---- Search -----------------------------------------------------------------------------------

VectorXd evolution_search(const VectorXd& start,
                          const std::function<bool(const VectorXd&)>& feasible,
                          const std::function<double(const VectorXd&)>& objective,
                          const EvolutionOptions& options, Engine& engine,
                          const std::function<void(const VectorXd&, double)>& visit) {
  constexpr double kGrow = 1.3956124250860895;    // e^(1/3)
  constexpr double kShrink = 0.9200444146293233;  // e^(-1/12)
  constexpr double kSigmaMin = 1e-6;
  constexpr double kSigmaMax = 4.0;
  VectorXd best = start;
  double best_value = objective(start);
  if (visit && !std::isnan(best_value)) visit(best, best_value);
  double sigma = options.initial_sigma;
  const double per_coordinate = 1.0 / std::sqrt(static_cast<double>(start.size()));
  for (int it = 0; it < options.iterations; ++it) {
    const double step = sigma * best.norm() * per_coordinate;
    const VectorXd candidate = best + step * standard_normal_vector(engine, best.size());
    bool success = false;
    if (feasible(candidate)) {
      const double value = objective(candidate);
      if (!std::isnan(value)) {
        if (visit) visit(candidate, value);
        if (std::isnan(best_value) || value <= best_value) {
          best = candidate;
          best_value = value;
          success = true;
        }
      }
    }
    sigma = std::clamp(sigma * (success ? kGrow : kShrink), kSigmaMin, kSigmaMax);
  }
  return best;
}

VectorXd search_least_slack(
    const VectorXd& start, const std::function<bool(const VectorXd&)>& feasible,
    const std::function<ChainEvaluation(const VectorXd&)>& evaluate, int iterations, Engine& engine,
    const std::function<void(const VectorXd&, const ChainEvaluation&)>& visit) {
  // evolution_search visits a point right after evaluating it, so `last` is the visited point's.
  ChainEvaluation last;
  EvolutionOptions options;
  options.iterations = iterations;
  return evolution_search(
      start, feasible,
      [&](const VectorXd& theta) {
        last = evaluate(theta);
        return last.relative_slack();
      },
      options, engine, [&](const VectorXd& theta, double) { visit(theta, last); });
}

}  // namespace mixup::robustness
