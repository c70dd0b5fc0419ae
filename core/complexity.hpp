#pragma once
// Rademacher complexity of linear classes and the retentiveness constant of Theorem 3.4
// (appendix A.3.2).
//
// A linear class is {x -> theta^T x : theta in C}.  Its empirical Rademacher complexity on the
// inputs x_1..x_n (rows of X) is
//   Rad(C, S) = E_sigma sup_{theta in C} (1/n) sum_i sigma_i theta^T x_i = E_sigma sup_C theta^T g,
//   g(sigma) = (1/n) sum_i sigma_i x_i   ("the correlation vector"),
// with sigma uniform on {-1, +1}^n.  It is estimated by Monte Carlo over sign vectors; draw k
// uses the stream (seed, "rademacher", k), so results do not depend on the thread count.
//
// Two estimates per sign vector, bracketing the supremum:
//   lower  an ascent over the true set C from several starts; the theta it returns is checked
//          to lie in C, so its value theta^T g never exceeds the supremum;
//   upper  the supremum over a set known to contain C, in closed form: for the ellipsoid
//          {theta^T Sigma theta <= r^2} it is r |Sigma^{+1/2} g| when g lies in range(Sigma)
//          (and +infinity otherwise: theta may then grow along null(Sigma) for free).
// Each is averaged over the draws and reported with its Monte Carlo standard error.
//
// The GLM class of Theorem 3.4 is W_gamma = {theta : a(theta) theta^T Sigma_X theta <= gamma} with
// a(theta) = E_x A''(theta^T x) and Sigma_X = E[x x^T] (uncentered), both population quantities
// supplied by a GlmPopulation: the exact ones of a zero-mean Gaussian (by quadrature), or the
// averages over a sample (an empirical distribution: then every statement is exact for it).

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/losses.hpp"

namespace mixup {

// ---------------------------------------------------------------------------------------------
// Monte Carlo over sign vectors.

// sigma in {-1, +1}^n, entries i.i.d. uniform, from stream (seed, "rademacher", draw).
Eigen::VectorXd rademacher_signs(Eigen::Index n, std::uint64_t seed, std::uint64_t draw);
// g = (1/n) X^T sigma.  Throws DomainError unless sigma.size() == X.rows() >= 1.
Eigen::VectorXd rademacher_correlation(const Eigen::MatrixXd& X, const Eigen::VectorXd& sigma);
// The n x draws matrix of correlation vectors' signs: column k = rademacher_signs(n, seed, k).
Eigen::MatrixXd rademacher_sign_matrix(Eigen::Index n, int draws, std::uint64_t seed);

struct MonteCarloMean {
  double mean = 0.0;
  double standard_error = 0.0;  // sample standard deviation / sqrt(count); +inf for count 1
  long count = 0;
  double mean_plus(double k) const { return mean + k * standard_error; }
};
// Mean and standard error of the values (at least one; throws DomainError otherwise).
MonteCarloMean monte_carlo_mean(const std::vector<double>& values);
// The control-variate estimate of E[y] from pairs (y_k, c_k) where E[c] = c_mean is known
// exactly: mean(y) - beta (mean(c) - c_mean), beta = cov(y, c) / var(c) (least squares).  Its
// standard error is that of the residuals y - beta c (k - 2 degrees of freedom).  Unbiased up to
// O(1/k) (beta is estimated); the variance shrinks by 1 - corr(y, c)^2.  Falls back to
// monte_carlo_mean when c has no spread or there are fewer than 3 pairs.
MonteCarloMean control_variate_mean(const std::vector<double>& y, const std::vector<double>& c,
                                    double c_mean);

// ---------------------------------------------------------------------------------------------
// Closed forms.

// The l2 ball {|theta| <= radius}: sup theta^T g = radius |g|.
double l2_ball_supremum(const Eigen::VectorXd& g, double radius);
// Jensen: E_sigma radius |g| <= radius sqrt(E |g|^2) = radius sqrt(sum_i |x_i|^2) / n.
double l2_ball_jensen_bound(const Eigen::MatrixXd& X, double radius);

// The ellipsoids {theta : theta^T Sigma theta <= r^2} of a symmetric positive semi-definite
// Sigma, through its eigendecomposition.  Eigenvalues at most kRelativeRankTolerance * lambda_max
// count as 0 (see complexity.cpp for the derivation of both tolerances).
class EllipsoidGeometry {
 public:
  // Throws DomainError unless Sigma is square, finite, symmetric (to 1e-12 relative) and has no
  // eigenvalue below -kRelativeRankTolerance * lambda_max.
  explicit EllipsoidGeometry(const Eigen::MatrixXd& sigma);

  Eigen::Index dim() const { return sigma_.rows(); }
  Eigen::Index rank() const { return range_basis_.cols(); }
  double trace() const { return sigma_.trace(); }
  const Eigen::MatrixXd& sigma() const { return sigma_; }
  const Eigen::MatrixXd& range_basis() const { return range_basis_; }  // d x rank, orthonormal
  const Eigen::VectorXd& range_eigenvalues() const { return range_eigenvalues_; }

  double quadratic_form(const Eigen::VectorXd& theta) const;  // theta^T Sigma theta
  // |Sigma^{+1/2} g| (the component of g outside range(Sigma) is ignored).
  double whitened_norm(const Eigen::VectorXd& g) const;
  // x^T Sigma^+ x.
  double pseudo_inverse_quadratic(const Eigen::VectorXd& x) const;
  // |P_null g| / |g| (0 for g = 0).
  double null_fraction(const Eigen::VectorXd& g) const;
  bool in_range(const Eigen::VectorXd& g) const;  // null_fraction(g) <= kRangeTolerance
  // sup {theta^T g : theta^T Sigma theta <= radius^2}: radius |Sigma^{+1/2} g| when g lies in
  // range(Sigma), +infinity otherwise.  Throws DomainError unless radius >= 0.
  double supremum(const Eigen::VectorXd& g, double radius) const;
  // The theta attaining it (in range(Sigma)): radius Sigma^+ g / |Sigma^{+1/2} g|; 0 for g = 0.
  Eigen::VectorXd maximizer(const Eigen::VectorXd& g, double radius) const;

  static constexpr double kRelativeRankTolerance = 1e-10;
  static constexpr double kRangeTolerance = 1e-9;

 private:
  Eigen::MatrixXd sigma_;
  Eigen::MatrixXd range_basis_;
  Eigen::VectorXd range_eigenvalues_;
};

// ---------------------------------------------------------------------------------------------
// Ascent over a constraint set.

// The set {theta : value(theta) <= 0} intersected with {|theta| <= norm_cap}.  value(0) must be
// < 0 (0 is an interior point), gradient the gradient of value.
struct ConstraintSet {
  Eigen::Index dim = 0;
  std::function<double(const Eigen::VectorXd&)> value;
  std::function<Eigen::VectorXd(const Eigen::VectorXd&)> gradient;
  double norm_cap = std::numeric_limits<double>::infinity();

  // In the set, with the cap met up to rounding (8 eps relative).
  bool contains(const Eigen::VectorXd& theta) const;
};

struct AscentOptions {
  int max_iterations = 400;
  // Stop when the tangential part of g is below this fraction of |g| (first-order optimality)
  // or when the step has shrunk below this fraction of |theta|.
  double tolerance = 1e-10;
};

struct AscentResult {
  double value = 0.0;     // theta^T g at the returned theta (which lies in the set)
  Eigen::VectorXd theta;  // feasible: set.contains(theta)
  int iterations = 0;
  bool converged = false;
};

// Maximises theta^T g over the set from one start direction by ascent along the boundary:
// theta = t(u) u with t(u) a boundary crossing of the ray through u (found by bracketing and
// bisection so that t(u) u is feasible), a step along the tangential part of g, the new direction
// re-projected radially onto the boundary; a step is kept only if it increases theta^T g.
// Throws DomainError unless the set is well formed (value(0) < 0, sizes) and start != 0.
AscentResult maximize_linear(const ConstraintSet& set, const Eigen::VectorXd& g,
                             const Eigen::VectorXd& start, const AscentOptions& options = {});

// The best over several starts; `values` (if given) receives each start's value.
AscentResult maximize_linear_multistart(const ConstraintSet& set, const Eigen::VectorXd& g,
                                        const std::vector<Eigen::VectorXd>& starts,
                                        const AscentOptions& options = {},
                                        std::vector<double>* values = nullptr);

// A random unit vector from stream (seed, "rademacher/ascent-start", index).
Eigen::VectorXd random_unit_vector(Eigen::Index dim, std::uint64_t seed, std::uint64_t index);

// ---------------------------------------------------------------------------------------------
// GLM populations and the class W_gamma.

// A'''(u) of the GLM family (logistic: -A''(u) tanh(u/2); Poisson: e^u; Gaussian: 0).
double glm_third_derivative(LossKind kind, double u);

// psi(s) = E A''(s Z) and psi'(s) = E[A'''(s Z) Z], Z ~ N(0, 1), s >= 0: the mean curvature
// a(v) = psi(|v|_Sigma) of a zero-mean Gaussian.  Poisson and Gaussian in closed form
// (e^{s^2/2}, s e^{s^2/2}; 1, 0); logistic by composite Gauss-Legendre over |z| <= 9 in panels
// no wider than min(1, 2/s) (about 1e-15 relative; tested against adaptive Gauss-Kronrod).
struct CurvatureProfile {
  double value = 0.0;       // psi(s)
  double derivative = 0.0;  // psi'(s)
};
CurvatureProfile gaussian_curvature_profile(LossKind kind, double s);

// The input distribution as Theorem 3.4 uses it.
struct GlmPopulation {
  LossKind loss = LossKind::kLogistic;
  std::string description;
  std::function<double(const Eigen::VectorXd&)> mean_curvature;  // a(v) = E_x A''(v^T x)
  std::function<Eigen::VectorXd(const Eigen::VectorXd&)> mean_curvature_gradient;  // E A''' x
  Eigen::MatrixXd second_moment;  // Sigma_X = E[x x^T], uncentered

  Eigen::Index dim() const { return second_moment.rows(); }
};
// The empirical distribution of the rows of X (averages in a fixed order).
GlmPopulation empirical_glm_population(LossKind loss, const Eigen::MatrixXd& X);
// x ~ N(0, covariance): v^T x ~ N(0, s^2), s^2 = v^T Sigma v, so a(v) = psi(s) exactly (up to
// the quadrature's ~1e-15) and Sigma_X = covariance.
GlmPopulation gaussian_glm_population(LossKind loss, const Eigen::MatrixXd& covariance);

// a(theta) theta^T Sigma_X theta, the functional that defines W_gamma.
double w_gamma_functional(const GlmPopulation& population, const Eigen::VectorXd& theta);
// W_gamma intersected with {|theta| <= norm_cap}: value(theta) = a(theta) theta^T Sigma theta -
// gamma.  Throws DomainError unless gamma > 0 and norm_cap > 0.
ConstraintSet w_gamma_set(const GlmPopulation& population, double gamma, double norm_cap);

// Appendix A.3.2: rho-retentiveness gives a(theta)^2 >= rho min{1, theta^T Sigma theta}, so
// a(theta) theta^T Sigma theta <= gamma forces theta^T Sigma theta <= r^2 with
// r = max{(gamma/rho)^(1/4), (gamma/rho)^(1/2)}.  Throws DomainError unless gamma > 0 and
// 0 < rho <= 1/2.
double w_gamma_relaxation_radius(double gamma, double rho);

// rho-retentiveness: [E_x A''(x^T v)]^2 >= rho min{1, E_x (v^T x)^2} for every v in a set V.
// V here is the finite set {t u : u a column of `directions` (unit vectors), t in `norms`}, a
// subset of the bounded set {0 < |v| <= max norm}.  The minimum of the ratio over V is an upper
// estimate of its infimum over the bounded set (exact when the ratio is minimised on V, as for
// a zero-mean Gaussian with Sigma's eigenvectors among the directions and the largest norm in
// the grid: the ratio then depends on |v|_Sigma alone and decreases in it).
struct RetentivenessEstimate {
  double rho = 0.0;                    // min(1/2, min_ratio): the largest rho in (0, 1/2] V admits
  double min_ratio = 0.0;              // min over V of a(v)^2 / min{1, v^T Sigma v}
  Eigen::VectorXd witness;             // the v attaining it
  double witness_curvature = 0.0;      // a(witness)
  double witness_second_moment = 0.0;  // witness^T Sigma witness
  long evaluated = 0;
  long skipped = 0;  // v with v^T Sigma v = 0: the condition holds there for every rho
  std::string set_description;
};
// Throws DomainError unless directions has dim rows, at least one column, no zero column (each
// is normalised), and every norm is finite and > 0.
RetentivenessEstimate estimate_retentiveness(const GlmPopulation& population,
                                             const Eigen::MatrixXd& directions,
                                             const std::vector<double>& norms);
// Directions: the eigenvectors of Sigma with nonzero eigenvalue, then `random` unit vectors from
// streams (seed, "retentiveness/direction", k).
Eigen::MatrixXd retentiveness_directions(const Eigen::MatrixXd& second_moment, int random,
                                         std::uint64_t seed);
// count norms, geometric from max_norm * min_fraction up to exactly max_norm.
std::vector<double> retentiveness_norms(double max_norm, int count, double min_fraction = 1e-3);

// ---------------------------------------------------------------------------------------------
// The two estimates per sign vector, and their Monte Carlo means.

struct RademacherEstimates {
  MonteCarloMean lower;  // ascent over the set
  MonteCarloMean upper;  // closed-form supremum over the relaxation ellipsoid
  std::vector<double> lower_values;
  std::vector<double> upper_values;
  std::vector<Eigen::VectorXd> maximizers;  // the ascent's theta per draw (in the set)
  // Per draw: (best start - worst start) / best start, how much the starts disagreed.
  std::vector<double> start_spread;
};
struct RademacherOptions {
  int draws = 100;
  std::uint64_t seed = 0;
  int random_starts = 2;  // besides the two informed starts: Sigma^+ g and g
  AscentOptions ascent;
};
// Both estimates on the same sign vectors.  Draws run in parallel, one stream each.
RademacherEstimates estimate_rademacher(const Eigen::MatrixXd& X, const ConstraintSet& set,
                                        const EllipsoidGeometry& relaxation,
                                        double relaxation_radius, const RademacherOptions& options);

// The relaxation alone, cheaply (one product X^T Sigma_signs): per draw the values
// |Sigma^{+1/2} g| (multiply by r for the ellipsoid of radius r) and |g| (the l2 ball of radius 1).
struct WhitenedCorrelations {
  std::vector<double> whitened_norms;  // |Sigma^{+1/2} g| per draw (+inf if g leaves the range)
  std::vector<double> norms;           // |g| per draw
};
WhitenedCorrelations whitened_correlations(const Eigen::MatrixXd& X,
                                           const EllipsoidGeometry& geometry, int draws,
                                           std::uint64_t seed);

}  // namespace mixup
