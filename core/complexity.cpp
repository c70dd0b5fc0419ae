#include "core/complexity.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

#include <Eigen/Eigenvalues>

#include "core/errors.hpp"
#include "core/mixing.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

// Tolerances of EllipsoidGeometry.
//  - Rank: the symmetric QR algorithm's eigenvalues carry an absolute error of a modest multiple
//    of d eps |Sigma|_2 (about 1e-13 |Sigma| for d <= 1000).  Eigenvalues below 1e-10 lambda_max
//    are therefore indistinguishable from 0 with a 1000x margin, and a genuine eigenvalue that
//    small would blow Sigma^{+1/2} up by 1e5 anyway.
//  - Range: g = (1/n) sum sigma_i x_i built from inputs that lie in range(Sigma) keeps a null
//    component of rounding size, eps |x| sqrt(n) / |g| ~ 1e-14 relative, plus the eigenvectors'
//    error eps |Sigma| / gap ~ 1e-15.  1e-9 separates that from a genuine null component by
//    1e5.
// Symmetry: Sigma built as X^T X / n is symmetric to a few eps; 1e-12 relative refuses only a
// matrix that is genuinely not symmetric.
constexpr double kSymmetryTolerance = 1e-12;

// Ray search: the boundary crossing t is located to 1e-13 relative (a few hundred eps): the
// value t g^T u then carries a relative error below 1e-13, far inside every comparison made with
// it (Monte Carlo errors of 1e-3 and more).
constexpr double kBoundaryRelativeTolerance = 1e-13;
constexpr int kBoundaryMaxIterations = 200;
// Bracketing halves/doubles t at most this many times (2^2100 spans every double).
constexpr int kBracketMaxSteps = 2100;
// theta = t u with |u| = 1 up to rounding: |theta| = t (1 + delta), |delta| <= 2 eps (the
// normalisation and the scaling each round once).  8 eps leaves a 4x margin.
constexpr double kCapSlack = 8.0 * std::numeric_limits<double>::epsilon();

// Composite Gauss-Legendre for psi(s) = E sigmoid'(s Z): the integrand sigmoid'(s z) phi(z) is
// analytic in the strip |Im z| < pi / s.  A panel of half-width w <= 1 / s (and <= 1/2) sees the
// nearest pole at distance >= pi w, a Bernstein ellipse of parameter pi + sqrt(pi^2 + 1) = 6.44,
// so 10 nodes err by 6.44^-20 ~ 6e-17 relative per panel.  The range |z| <= 9 drops Gaussian mass
// 2 Phi(-9) = 2.3e-19; |z| <= 45 / s drops at most e^-45 = 2.9e-20 of the logistic tail.
constexpr int kPanelNodes = 10;
constexpr double kGaussianTail = 9.0;
constexpr double kLogisticTail = 45.0;
constexpr double kMaxPanelHalfWidth = 0.5;

[[noreturn]] void throw_domain(const std::string& function, const std::string& what) {
  throw DomainError(function + ": " + what);
}

std::string number(double x) {
  std::ostringstream text;
  text.precision(17);
  text << x;
  return text.str();
}

void require_finite_positive(const char* function, const char* name, double x) {
  if (!(x > 0.0) || !std::isfinite(x)) {
    throw_domain(function, std::string(name) + " must be a finite number > 0, got " + number(x));
  }
}

const QuadratureRule& legendre_panel_rule() {
  static const QuadratureRule rule = gauss_jacobi_beta(kPanelNodes, 1.0, 1.0);  // on [0, 1]
  return rule;
}

// psi and psi' of the logistic family by composite Gauss-Legendre over z in [0, z_max], doubled
// (both integrands A''(s z) phi(z) and A'''(s z) z phi(z) are even in z).
CurvatureProfile logistic_gaussian_profile(double s) {
  if (s == 0.0) return {0.25, 0.0};
  const double z_max = std::min(kGaussianTail, kLogisticTail / s);
  const double half_width = std::min(kMaxPanelHalfWidth, 1.0 / s);
  const int panels = static_cast<int>(std::ceil(z_max / (2.0 * half_width)));
  const double width = z_max / panels;
  const QuadratureRule& rule = legendre_panel_rule();
  constexpr double kInvSqrt2Pi = 0.398942280401432677939946059934;
  double value = 0.0;
  double derivative = 0.0;
  for (int p = 0; p < panels; ++p) {
    double panel_value = 0.0;
    double panel_derivative = 0.0;
    for (int k = 0; k < kPanelNodes; ++k) {
      const double z = width * (p + rule.nodes(k));
      const double density = kInvSqrt2Pi * std::exp(-0.5 * z * z);
      const double u = s * z;
      panel_value += rule.weights(k) * loss_d2h(LossKind::kLogistic, u) * density;
      panel_derivative +=
          rule.weights(k) * glm_third_derivative(LossKind::kLogistic, u) * z * density;
    }
    value += panel_value;
    derivative += panel_derivative;
  }
  return {2.0 * width * value, 2.0 * width * derivative};
}

// Along the ray t -> t u (|u| = 1), a t in [0, cap] with t u in the set, at a boundary crossing
// when one exists below cap: bracket [feasible, infeasible] by doubling or halving from `guess`,
// then shrink it by false position with the Illinois modification (bisection as a safeguard).
// Returns the feasible end; 0 if no feasible t > 0 was found.
double boundary_radius(const ConstraintSet& set, const Eigen::VectorXd& u, double guess) {
  const double cap = set.norm_cap;
  const auto phi = [&](double t) { return set.value(t * u); };
  double t = std::min(guess > 0.0 && std::isfinite(guess) ? guess : 1.0, cap);
  double lo = 0.0;
  double hi = 0.0;
  double f_lo = 0.0;
  double f_hi = 0.0;
  double f = phi(t);
  if (f <= 0.0) {
    lo = t;
    f_lo = f;
    for (int step = 0;; ++step) {
      if (lo >= cap || step >= kBracketMaxSteps) return lo;
      const double next = std::min(2.0 * lo, cap);
      const double f_next = phi(next);
      if (f_next <= 0.0) {
        lo = next;
        f_lo = f_next;
      } else {
        hi = next;
        f_hi = f_next;
        break;
      }
    }
  } else {
    hi = t;
    f_hi = f;
    for (int step = 0;; ++step) {
      if (step >= kBracketMaxSteps) return 0.0;
      const double next = 0.5 * hi;
      const double f_next = phi(next);
      if (f_next <= 0.0) {
        lo = next;
        f_lo = f_next;
        break;
      }
      hi = next;
      f_hi = f_next;
    }
  }
  int side = 0;
  for (int iteration = 0; iteration < kBoundaryMaxIterations; ++iteration) {
    if (hi - lo <= kBoundaryRelativeTolerance * hi) break;
    double mid = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
    if (!(mid > lo && mid < hi)) mid = 0.5 * (lo + hi);
    const double f_mid = phi(mid);
    if (f_mid <= 0.0) {
      lo = mid;
      f_lo = f_mid;
      if (side == -1) f_hi *= 0.5;
      side = -1;
    } else {
      hi = mid;
      f_hi = f_mid;
      if (side == +1) f_lo *= 0.5;
      side = +1;
    }
  }
  return lo;
}

void require_set(const ConstraintSet& set, const Eigen::VectorXd& g, const char* function) {
  if (set.dim < 1 || !set.value || !set.gradient) {
    throw_domain(function, "the constraint set needs dim >= 1, a value and a gradient");
  }
  if (g.size() != set.dim) {
    throw_domain(function, "g has size " + std::to_string(g.size()) + ", the set's dimension is " +
                               std::to_string(set.dim));
  }
  if (!(set.norm_cap > 0.0) || !std::isfinite(set.norm_cap)) {
    throw_domain(function,
                 "norm_cap must be a finite number > 0 (the supremum is over a bounded set), got " +
                     number(set.norm_cap));
  }
  const double at_zero = set.value(Eigen::VectorXd::Zero(set.dim));
  if (!(at_zero < 0.0)) {
    throw_domain(function, "the constraint must be < 0 at theta = 0 (an interior point), got " +
                               number(at_zero));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Eigen::VectorXd rademacher_signs(Eigen::Index n, std::uint64_t seed, std::uint64_t draw) {
  if (n < 1) throw_domain("rademacher_signs", "n must be at least 1, got " + std::to_string(n));
  Engine engine = make_stream(seed, "rademacher", draw);
  Eigen::VectorXd sigma(n);
  for (Eigen::Index i = 0; i < n; ++i) sigma(i) = uniform01(engine) < 0.5 ? -1.0 : 1.0;
  return sigma;
}

Eigen::VectorXd rademacher_correlation(const Eigen::MatrixXd& X, const Eigen::VectorXd& sigma) {
  if (X.rows() < 1 || sigma.size() != X.rows()) {
    throw_domain("rademacher_correlation", "sigma.size() must equal X.rows() >= 1, got " +
                                               std::to_string(sigma.size()) + " and " +
                                               std::to_string(X.rows()));
  }
  return X.transpose() * sigma / static_cast<double>(X.rows());
}

Eigen::MatrixXd rademacher_sign_matrix(Eigen::Index n, int draws, std::uint64_t seed) {
  if (draws < 1) {
    throw_domain("rademacher_sign_matrix",
                 "draws must be at least 1, got " + std::to_string(draws));
  }
  Eigen::MatrixXd signs(n, draws);
#pragma omp parallel for schedule(static)
  for (int k = 0; k < draws; ++k) signs.col(k) = rademacher_signs(n, seed, k);
  return signs;
}

MonteCarloMean monte_carlo_mean(const std::vector<double>& values) {
  if (values.empty()) throw_domain("monte_carlo_mean", "needs at least one value");
  MonteCarloMean result;
  result.count = static_cast<long>(values.size());
  double sum = 0.0;
  for (const double v : values) sum += v;
  result.mean = sum / static_cast<double>(values.size());
  if (values.size() == 1) {
    result.standard_error = std::numeric_limits<double>::infinity();
    return result;
  }
  double squares = 0.0;
  for (const double v : values) squares += (v - result.mean) * (v - result.mean);
  const double variance = squares / static_cast<double>(values.size() - 1);
  result.standard_error = std::sqrt(variance / static_cast<double>(values.size()));
  return result;
}

MonteCarloMean control_variate_mean(const std::vector<double>& y, const std::vector<double>& c,
                                    double c_mean) {
  if (y.size() != c.size()) {
    throw_domain("control_variate_mean", "y and c must have the same length, got " +
                                             std::to_string(y.size()) + " and " +
                                             std::to_string(c.size()));
  }
  if (y.size() < 3) return monte_carlo_mean(y);
  const auto k = static_cast<double>(y.size());
  double mean_y = 0.0;
  double mean_c = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    mean_y += y[i];
    mean_c += c[i];
  }
  mean_y /= k;
  mean_c /= k;
  double cov = 0.0;
  double var = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    cov += (y[i] - mean_y) * (c[i] - mean_c);
    var += (c[i] - mean_c) * (c[i] - mean_c);
  }
  if (!(var > 0.0)) return monte_carlo_mean(y);
  const double beta = cov / var;
  double residual_squares = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double residual = (y[i] - mean_y) - beta * (c[i] - mean_c);
    residual_squares += residual * residual;
  }
  MonteCarloMean result;
  result.count = static_cast<long>(y.size());
  result.mean = mean_y - beta * (mean_c - c_mean);
  result.standard_error = std::sqrt(residual_squares / (k - 2.0) / k);
  return result;
}

double l2_ball_supremum(const Eigen::VectorXd& g, double radius) {
  if (!(radius >= 0.0))
    throw_domain("l2_ball_supremum", "radius must be >= 0, got " + number(radius));
  return radius * g.norm();
}

double l2_ball_jensen_bound(const Eigen::MatrixXd& X, double radius) {
  if (X.rows() < 1) throw_domain("l2_ball_jensen_bound", "X needs at least one row");
  if (!(radius >= 0.0)) {
    throw_domain("l2_ball_jensen_bound", "radius must be >= 0, got " + number(radius));
  }
  // E_sigma |sum_i sigma_i x_i|^2 = sum_i |x_i|^2 (the cross terms have mean 0).
  return radius * X.norm() / static_cast<double>(X.rows());
}

// ---------------------------------------------------------------------------------------------

EllipsoidGeometry::EllipsoidGeometry(const Eigen::MatrixXd& sigma) : sigma_(sigma) {
  if (sigma.rows() < 1 || sigma.rows() != sigma.cols()) {
    throw_domain("EllipsoidGeometry", "Sigma must be square with at least one row, got " +
                                          std::to_string(sigma.rows()) + " x " +
                                          std::to_string(sigma.cols()));
  }
  if (!sigma.allFinite()) throw_domain("EllipsoidGeometry", "Sigma must be finite");
  const double scale = sigma.cwiseAbs().maxCoeff();
  if ((sigma - sigma.transpose()).cwiseAbs().maxCoeff() > kSymmetryTolerance * scale) {
    throw_domain("EllipsoidGeometry", "Sigma must be symmetric");
  }
  const Eigen::MatrixXd symmetric = 0.5 * (sigma + sigma.transpose());
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(symmetric);
  const Eigen::VectorXd& eigenvalues = solver.eigenvalues();  // ascending
  const double lambda_max = std::max(eigenvalues.maxCoeff(), 0.0);
  const double threshold = kRelativeRankTolerance * lambda_max;
  if (eigenvalues.minCoeff() < -threshold) {
    throw_domain("EllipsoidGeometry", "Sigma must be positive semi-definite, smallest eigenvalue " +
                                          number(eigenvalues.minCoeff()));
  }
  std::vector<Eigen::Index> kept;
  for (Eigen::Index k = eigenvalues.size() - 1; k >= 0; --k) {  // descending
    if (eigenvalues(k) > threshold && lambda_max > 0.0) kept.push_back(k);
  }
  range_basis_.resize(sigma.rows(), static_cast<Eigen::Index>(kept.size()));
  range_eigenvalues_.resize(static_cast<Eigen::Index>(kept.size()));
  for (std::size_t j = 0; j < kept.size(); ++j) {
    range_basis_.col(static_cast<Eigen::Index>(j)) = solver.eigenvectors().col(kept[j]);
    range_eigenvalues_(static_cast<Eigen::Index>(j)) = eigenvalues(kept[j]);
  }
}

double EllipsoidGeometry::quadratic_form(const Eigen::VectorXd& theta) const {
  return theta.dot(sigma_ * theta);
}

double EllipsoidGeometry::whitened_norm(const Eigen::VectorXd& g) const {
  const Eigen::VectorXd coordinates = range_basis_.transpose() * g;
  return std::sqrt((coordinates.array().square() / range_eigenvalues_.array()).sum());
}

double EllipsoidGeometry::pseudo_inverse_quadratic(const Eigen::VectorXd& x) const {
  const double norm = whitened_norm(x);
  return norm * norm;
}

double EllipsoidGeometry::null_fraction(const Eigen::VectorXd& g) const {
  const double norm = g.norm();
  if (norm == 0.0) return 0.0;
  const Eigen::VectorXd in_range = range_basis_ * (range_basis_.transpose() * g);
  return (g - in_range).norm() / norm;
}

bool EllipsoidGeometry::in_range(const Eigen::VectorXd& g) const {
  return null_fraction(g) <= kRangeTolerance;
}

double EllipsoidGeometry::supremum(const Eigen::VectorXd& g, double radius) const {
  if (!(radius >= 0.0)) {
    throw_domain("EllipsoidGeometry::supremum", "radius must be >= 0, got " + number(radius));
  }
  if (!in_range(g)) return std::numeric_limits<double>::infinity();
  // Lagrange: maximise g^T theta on theta^T Sigma theta = r^2 within range(Sigma); with
  // v = Sigma^{1/2} theta the problem is sup_{|v| <= r} (Sigma^{+1/2} g)^T v = r |Sigma^{+1/2} g|.
  return radius * whitened_norm(g);
}

Eigen::VectorXd EllipsoidGeometry::maximizer(const Eigen::VectorXd& g, double radius) const {
  const double norm = whitened_norm(g);
  if (norm == 0.0) return Eigen::VectorXd::Zero(dim());
  const Eigen::VectorXd coordinates = range_basis_.transpose() * g;
  const Eigen::VectorXd scaled = (coordinates.array() / range_eigenvalues_.array()).matrix();
  return radius * (range_basis_ * scaled) / norm;
}

// ---------------------------------------------------------------------------------------------

bool ConstraintSet::contains(const Eigen::VectorXd& theta) const {
  // |t u| for |u| = 1 rounds to t (1 + a few eps): the cap is met to kCapSlack.
  return theta.size() == dim && theta.norm() <= norm_cap * (1.0 + kCapSlack) && value(theta) <= 0.0;
}

Eigen::VectorXd random_unit_vector(Eigen::Index dim, std::uint64_t seed, std::uint64_t index) {
  Engine engine = make_stream(seed, "rademacher/ascent-start", index);
  Eigen::VectorXd u = standard_normal_vector(engine, dim);
  return u / u.norm();
}

AscentResult maximize_linear(const ConstraintSet& set, const Eigen::VectorXd& g,
                             const Eigen::VectorXd& start, const AscentOptions& options) {
  require_set(set, g, "maximize_linear");
  if (start.size() != set.dim || !(start.norm() > 0.0) || !start.allFinite()) {
    throw_domain("maximize_linear", "start must be a finite nonzero vector of the set's dimension");
  }
  AscentResult result;
  Eigen::VectorXd u = start / start.norm();
  // Start on the side where theta^T g >= 0: from the other side the ascent can stall where the
  // boundary's normal is antiparallel to g (a minimum of theta^T g on the boundary; for a slab
  // {|U^T theta| <= s} every point of the far face is one).
  if (g.dot(u) < 0.0) u = -u;
  double t = boundary_radius(set, u, std::min(1.0, set.norm_cap));
  result.theta = t * u;
  result.value = g.dot(result.theta);
  const double g_norm = g.norm();
  if (g_norm == 0.0 || t == 0.0) {
    result.converged = true;
    return result;
  }
  double step = 0.25;  // the step's length as a fraction of |theta|
  bool flipped = false;
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    result.iterations = iteration + 1;
    const bool on_cap = t >= set.norm_cap * (1.0 - kBoundaryRelativeTolerance);
    Eigen::VectorXd normal = on_cap ? result.theta : set.gradient(result.theta);
    if (!(normal.norm() > 0.0) || !normal.allFinite()) normal = result.theta;
    normal /= normal.norm();
    const Eigen::VectorXd tangent = g - g.dot(normal) * normal;
    if (tangent.norm() <= options.tolerance * g_norm) {
      if (g.dot(normal) >= 0.0 || flipped) {
        result.converged = g.dot(normal) >= 0.0;  // else a minimum of theta^T g on the boundary
        return result;
      }
      // A minimum of theta^T g on the boundary: continue from the opposite ray, once.
      flipped = true;
      const Eigen::VectorXd opposite = -result.theta / result.theta.norm();
      const double opposite_t = boundary_radius(set, opposite, t);
      if (g.dot(opposite_t * opposite) > result.value) {
        result.theta = opposite_t * opposite;
        result.value = g.dot(result.theta);
        t = opposite_t;
      }
      continue;
    }
    bool accepted = false;
    while (step >= options.tolerance) {
      const Eigen::VectorXd trial =
          result.theta + (step * result.theta.norm() / tangent.norm()) * tangent;
      const Eigen::VectorXd trial_u = trial / trial.norm();
      const double trial_t = boundary_radius(set, trial_u, t);
      const double trial_value = g.dot(trial_t * trial_u);
      if (trial_value > result.value) {
        result.theta = trial_t * trial_u;
        result.value = trial_value;
        t = trial_t;
        step = std::min(2.0 * step, 1.0);
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      result.converged = true;  // no step longer than tolerance |theta| improves the value
      return result;
    }
  }
  return result;
}

AscentResult maximize_linear_multistart(const ConstraintSet& set, const Eigen::VectorXd& g,
                                        const std::vector<Eigen::VectorXd>& starts,
                                        const AscentOptions& options, std::vector<double>* values) {
  if (starts.empty()) throw_domain("maximize_linear_multistart", "needs at least one start");
  AscentResult best;
  bool first = true;
  if (values != nullptr) values->clear();
  for (const auto& start : starts) {
    AscentResult result = maximize_linear(set, g, start, options);
    if (values != nullptr) values->push_back(result.value);
    if (first || result.value > best.value) best = std::move(result);
    first = false;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------

double glm_third_derivative(LossKind kind, double u) {
  switch (kind) {
    case LossKind::kLogistic:
      // sigmoid'' = sigmoid' (1 - 2 sigmoid) = -sigmoid' tanh(u / 2): no cancellation.
      return -loss_d2h(kind, u) * std::tanh(0.5 * u);
    case LossKind::kPoisson:
      return std::exp(u);
    case LossKind::kGaussian:
      return 0.0;
  }
  return std::nan("");
}

CurvatureProfile gaussian_curvature_profile(LossKind kind, double s) {
  if (!(s >= 0.0) || !std::isfinite(s)) {
    throw_domain("gaussian_curvature_profile", "s must be a finite number >= 0, got " + number(s));
  }
  switch (kind) {
    case LossKind::kLogistic:
      return logistic_gaussian_profile(s);
    case LossKind::kPoisson: {
      const double value = std::exp(0.5 * s * s);  // E e^{sZ}
      return {value, s * value};
    }
    case LossKind::kGaussian:
      return {1.0, 0.0};
  }
  return {std::nan(""), std::nan("")};
}

GlmPopulation empirical_glm_population(LossKind loss, const Eigen::MatrixXd& X) {
  if (X.rows() < 1 || X.cols() < 1) {
    throw_domain("empirical_glm_population", "X needs at least one row and one column");
  }
  auto data = std::make_shared<const Eigen::MatrixXd>(X);
  const auto n = static_cast<double>(X.rows());
  GlmPopulation population;
  population.loss = loss;
  population.description = "empirical distribution of " + std::to_string(X.rows()) + " samples (" +
                           to_string(loss) + ")";
  // Sequential sums in index order: deterministic at any thread count, and each call is too
  // small (O(N d)) to repay an OpenMP region when callers already run in parallel.
  population.mean_curvature = [data, loss, n](const Eigen::VectorXd& v) {
    const Eigen::VectorXd u = (*data) * v;
    double sum = 0.0;
    for (Eigen::Index i = 0; i < u.size(); ++i) sum += loss_d2h(loss, u(i));
    return sum / n;
  };
  population.mean_curvature_gradient = [data, loss, n](const Eigen::VectorXd& v) {
    const Eigen::VectorXd u = (*data) * v;
    Eigen::VectorXd weights(u.size());
    for (Eigen::Index i = 0; i < u.size(); ++i) weights(i) = glm_third_derivative(loss, u(i));
    return Eigen::VectorXd(data->transpose() * weights / n);
  };
  population.second_moment = X.transpose() * X / n;
  population.second_moment =
      0.5 * (population.second_moment + population.second_moment.transpose());
  return population;
}

GlmPopulation gaussian_glm_population(LossKind loss, const Eigen::MatrixXd& covariance) {
  const EllipsoidGeometry check(covariance);  // validates: square, symmetric, PSD
  auto sigma = std::make_shared<const Eigen::MatrixXd>(covariance);
  GlmPopulation population;
  population.loss = loss;
  population.description = "x ~ N(0, Sigma), exact by quadrature (" + to_string(loss) + ")";
  population.mean_curvature = [sigma, loss](const Eigen::VectorXd& v) {
    const double s = std::sqrt(std::max(0.0, v.dot((*sigma) * v)));
    return gaussian_curvature_profile(loss, s).value;
  };
  population.mean_curvature_gradient = [sigma, loss](const Eigen::VectorXd& v) {
    const Eigen::VectorXd sigma_v = (*sigma) * v;
    const double s = std::sqrt(std::max(0.0, v.dot(sigma_v)));
    if (s == 0.0) return Eigen::VectorXd(Eigen::VectorXd::Zero(v.size()));
    // a(v) = psi(s(v)), grad s = Sigma v / s.
    return Eigen::VectorXd(gaussian_curvature_profile(loss, s).derivative / s * sigma_v);
  };
  population.second_moment = covariance;
  return population;
}

double w_gamma_functional(const GlmPopulation& population, const Eigen::VectorXd& theta) {
  return population.mean_curvature(theta) * theta.dot(population.second_moment * theta);
}

ConstraintSet w_gamma_set(const GlmPopulation& population, double gamma, double norm_cap) {
  require_finite_positive("w_gamma_set", "gamma", gamma);
  require_finite_positive("w_gamma_set", "norm_cap", norm_cap);
  ConstraintSet set;
  set.dim = population.dim();
  set.norm_cap = norm_cap;
  set.value = [population, gamma](const Eigen::VectorXd& theta) {
    return w_gamma_functional(population, theta) - gamma;
  };
  set.gradient = [population](const Eigen::VectorXd& theta) {
    const Eigen::VectorXd sigma_theta = population.second_moment * theta;
    const double quadratic = theta.dot(sigma_theta);
    return Eigen::VectorXd(population.mean_curvature_gradient(theta) * quadratic +
                           2.0 * population.mean_curvature(theta) * sigma_theta);
  };
  return set;
}

double w_gamma_relaxation_radius(double gamma, double rho) {
  require_finite_positive("w_gamma_relaxation_radius", "gamma", gamma);
  if (!(rho > 0.0 && rho <= 0.5)) {
    throw_domain("w_gamma_relaxation_radius", "rho must be in (0, 1/2], got " + number(rho));
  }
  // Appendix A.3.2: a^2 >= rho min{1, q} and a q <= gamma give, for q >= 1, q^2 <= gamma^2 / rho,
  // i.e. q <= gamma / sqrt(rho) <= gamma / rho (rho < 1); for q < 1, q^3 <= gamma^2 / rho, and
  // (gamma^2/rho)^(1/3) <= (gamma/rho)^(1/2) when gamma / rho < 1 (otherwise q < 1 <= gamma / rho).
  // So q <= max{(gamma/rho)^(1/2), gamma/rho} = r^2, the paper's (looser) form.
  const double ratio = gamma / rho;
  return std::max(std::pow(ratio, 0.25), std::sqrt(ratio));
}

RetentivenessEstimate estimate_retentiveness(const GlmPopulation& population,
                                             const Eigen::MatrixXd& directions,
                                             const std::vector<double>& norms) {
  const char* function = "estimate_retentiveness";
  if (directions.rows() != population.dim() || directions.cols() < 1) {
    throw_domain(function, "directions must have " + std::to_string(population.dim()) +
                               " rows and at least one column");
  }
  if (norms.empty()) throw_domain(function, "norms must not be empty");
  double max_norm = 0.0;
  for (const double t : norms) {
    require_finite_positive(function, "every norm", t);
    max_norm = std::max(max_norm, t);
  }
  RetentivenessEstimate estimate;
  estimate.min_ratio = std::numeric_limits<double>::infinity();
  for (Eigen::Index k = 0; k < directions.cols(); ++k) {
    const double length = directions.col(k).norm();
    if (!(length > 0.0) || !std::isfinite(length)) {
      throw_domain(function, "direction " + std::to_string(k) + " is zero or not finite");
    }
    const Eigen::VectorXd u = directions.col(k) / length;
    for (const double t : norms) {
      const Eigen::VectorXd v = t * u;
      const double second_moment = v.dot(population.second_moment * v);
      if (!(second_moment > 0.0)) {
        ++estimate.skipped;
        continue;
      }
      const double curvature = population.mean_curvature(v);
      const double ratio = curvature * curvature / std::min(1.0, second_moment);
      ++estimate.evaluated;
      if (ratio < estimate.min_ratio) {
        estimate.min_ratio = ratio;
        estimate.witness = v;
        estimate.witness_curvature = curvature;
        estimate.witness_second_moment = second_moment;
      }
    }
  }
  estimate.rho = std::min(0.5, estimate.min_ratio);
  std::ostringstream description;
  description.precision(6);
  description << "{t u : " << directions.cols() << " unit directions u, " << norms.size()
              << " norms t in [" << *std::min_element(norms.begin(), norms.end()) << ", "
              << max_norm << "]} within {0 < |v| <= " << max_norm << "}";
  estimate.set_description = description.str();
  return estimate;
}

Eigen::MatrixXd retentiveness_directions(const Eigen::MatrixXd& second_moment, int random,
                                         std::uint64_t seed) {
  if (random < 0) {
    throw_domain("retentiveness_directions", "random must be >= 0, got " + std::to_string(random));
  }
  const EllipsoidGeometry geometry(second_moment);
  Eigen::MatrixXd directions(geometry.dim(), geometry.rank() + random);
  directions.leftCols(geometry.rank()) = geometry.range_basis();
  for (int k = 0; k < random; ++k) {
    Engine engine = make_stream(seed, "retentiveness/direction", static_cast<std::uint64_t>(k));
    const Eigen::VectorXd u = standard_normal_vector(engine, geometry.dim());
    directions.col(geometry.rank() + k) = u / u.norm();
  }
  if (directions.cols() == 0) {
    throw_domain("retentiveness_directions", "Sigma is 0 and no random directions were asked for");
  }
  return directions;
}

std::vector<double> retentiveness_norms(double max_norm, int count, double min_fraction) {
  require_finite_positive("retentiveness_norms", "max_norm", max_norm);
  if (count < 1) {
    throw_domain("retentiveness_norms", "count must be at least 1, got " + std::to_string(count));
  }
  if (!(min_fraction > 0.0 && min_fraction <= 1.0)) {
    throw_domain("retentiveness_norms",
                 "min_fraction must be in (0, 1], got " + number(min_fraction));
  }
  std::vector<double> norms(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) {
    const double fraction = count == 1 ? 1.0 : static_cast<double>(k) / (count - 1);
    norms[static_cast<std::size_t>(k)] = max_norm * std::pow(min_fraction, 1.0 - fraction);
  }
  norms.back() = max_norm;
  return norms;
}

// ---------------------------------------------------------------------------------------------

RademacherEstimates estimate_rademacher(const Eigen::MatrixXd& X, const ConstraintSet& set,
                                        const EllipsoidGeometry& relaxation,
                                        double relaxation_radius,
                                        const RademacherOptions& options) {
  const char* function = "estimate_rademacher";
  if (options.draws < 1) {
    throw_domain(function, "draws must be at least 1, got " + std::to_string(options.draws));
  }
  if (options.random_starts < 0) {
    throw_domain(function,
                 "random_starts must be >= 0, got " + std::to_string(options.random_starts));
  }
  if (X.cols() != set.dim || relaxation.dim() != set.dim) {
    throw_domain(function, "X, the set and the relaxation must share the dimension");
  }
  const auto draws = static_cast<std::size_t>(options.draws);
  RademacherEstimates estimates;
  estimates.lower_values.resize(draws);
  estimates.upper_values.resize(draws);
  estimates.maximizers.resize(draws);
  estimates.start_spread.resize(draws);
#pragma omp parallel for schedule(dynamic)
  for (int k = 0; k < options.draws; ++k) {
    const auto index = static_cast<std::size_t>(k);
    const Eigen::VectorXd g =
        rademacher_correlation(X, rademacher_signs(X.rows(), options.seed, k));
    estimates.upper_values[index] = relaxation.supremum(g, relaxation_radius);
    std::vector<Eigen::VectorXd> starts;
    const Eigen::VectorXd informed = relaxation.maximizer(g, 1.0);
    if (informed.norm() > 0.0) starts.push_back(informed);
    if (g.norm() > 0.0) starts.push_back(g);
    for (int j = 0; j < options.random_starts; ++j) {
      starts.push_back(random_unit_vector(
          set.dim, options.seed,
          static_cast<std::uint64_t>(k) * static_cast<std::uint64_t>(options.random_starts) +
              static_cast<std::uint64_t>(j)));
    }
    if (starts.empty()) starts.push_back(random_unit_vector(set.dim, options.seed, k));
    std::vector<double> values;
    const AscentResult best = maximize_linear_multistart(set, g, starts, options.ascent, &values);
    estimates.lower_values[index] = best.value;
    estimates.maximizers[index] = best.theta;
    const double worst = *std::min_element(values.begin(), values.end());
    estimates.start_spread[index] = best.value > 0.0 ? (best.value - worst) / best.value : 0.0;
  }
  estimates.lower = monte_carlo_mean(estimates.lower_values);
  estimates.upper = monte_carlo_mean(estimates.upper_values);
  return estimates;
}

WhitenedCorrelations whitened_correlations(const Eigen::MatrixXd& X,
                                           const EllipsoidGeometry& geometry, int draws,
                                           std::uint64_t seed) {
  if (X.rows() < 1 || X.cols() != geometry.dim()) {
    throw_domain("whitened_correlations", "X needs rows and the geometry's dimension as columns");
  }
  const Eigen::MatrixXd signs = rademacher_sign_matrix(X.rows(), draws, seed);
  const Eigen::MatrixXd G = X.transpose() * signs / static_cast<double>(X.rows());
  WhitenedCorrelations result;
  result.whitened_norms.resize(static_cast<std::size_t>(draws));
  result.norms.resize(static_cast<std::size_t>(draws));
  for (int k = 0; k < draws; ++k) {
    const Eigen::VectorXd g = G.col(k);
    result.whitened_norms[static_cast<std::size_t>(k)] =
        geometry.in_range(g) ? geometry.whitened_norm(g) : std::numeric_limits<double>::infinity();
    result.norms[static_cast<std::size_t>(k)] = g.norm();
  }
  return result;
}

}  // namespace mixup
