// Lemma 3.3 (appendix A.3.1): the GLM regularizer of mixup on centered data (Eq. 7),
//   Reg(theta) = (1/(2n)) [sum_i A''(theta^T x_i)] q theta^T Sigma^_X theta,
//   q = E_{lam ~ D~}[(1-lam)^2 / lam^2],   D~ = a/(a+b) Beta(a+1, b) + b/(a+b) Beta(b+1, a).
//
// What the proof does.  By Eq. (9), L_mix(theta) = (1/n) sum_i E l(theta, (lam x_i + (1-lam) r,
// y_i)).  The proof then claims "the prediction is invariant to the scaling of the training
// data" and replaces the mixed point by x~_i = x_i + u r, u = (1-lam)/lam (the mixed point
// divided by lam), and expands the loss of x~_i around x_i: E[x~_i - x_i] = E[u] E[r] = 0 on
// centered data and Var(theta^T x~_i) = E[u^2] theta^T Sigma^ theta, which gives Eq. (7).
// Rescaling each sample by its own random 1/lam is not a symmetry of the loss:
// l(theta, (lam x~, y)) = l(lam theta, (x~, y)), so L_mix(theta) = (1/n) sum_i E l(lam theta,
// (x~_i, y_i)), not the rescaled loss.  This file checks, separately,
//  (i)   what the proof computes: the rescaled loss L_resc(s) = (1/n^2) sum_ij E l(theta,
//        (x_i + s u x_j, y_i)) against L_std + s^2 Reg, as an order in the perturbation scale s.
//        u has a polynomial tail: under Beta(a+1, b), P(lam < e) ~ e^(a+1), so P(u > t) ~
//        t^-(min(a,b)+1).  With A''' bounded (logistic) the remainder is
//        E[min(s^3 u^3, s^2 u^2)]-like, of order s^min(3, min(a,b)+1): "third order" needs
//        min(a, b) > 2, and any order above 2 needs q < inf (min(a, b) > 1).  For Poisson,
//        E[e^(s u theta^T x_j)] = +inf as soon as theta^T x_j > 0 for one j (a polynomial tail
//        against an exponential): the rescaled Poisson loss is +inf for every s > 0 unless
//        X theta = 0; decided analytically, never by quadrature.
//  (ii)  q over a grid of (a, b): +inf exactly where a <= 1 or b <= 1 (core/mixing.hpp decides it
//        analytically; a quadrature cannot detect divergence); there the lemma gives no finite
//        regularizer.  The finite values are checked against an independent quadrature.
//  (iii) how well Eq. (7) explains mixup: minimizers of the exact L_mix (Eq. 1, core/mixup.hpp)
//        and of L_std + Reg, both with weight decay (mu/2)|theta|^2 (needed on separable data,
//        where L_std + Reg decreases to its infimum only as |theta| -> inf), compared by the
//        cosine of their directions and the agreement of their test predictions (the mode of the
//        predictive law: 1{theta^T x > 0} for logistic, floor(e^(theta^T x)) for Poisson).  The
//        same for the true second-order expansion at theta (CLAIMS.md, Lemma 3.1 on centered
//        data), which is also checked against core's approximate_mixup_loss (an identity: the
//        R1 sign convention (y_i - A'_i) theta^T x_i = (A'_i - y_i) theta^T (xbar - x_i)).
#include "theorems/lemma_3_3.hpp"
#include "theorems/slope_fit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <functional>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <boost/math/quadrature/tanh_sinh.hpp>

#include "core/errors.hpp"
#include "core/mixing.hpp"
#include "core/models.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "theorems/claim_models.hpp"
#include "theorems/mixing_laws.hpp"

namespace mixup {
namespace lemma_3_3 {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// tanh_sinh stops when two successive levels differ by less than this times the L1 norm of the
// integrand; its error then is typically far below the difference (the rule converges
// double-exponentially).  1e-12 keeps the quadrature well under the remainders measured (the
// smallest used are ~1e-10 of the loss).
constexpr double kQuadratureTolerance = 1e-12;

struct Component {
  double p;  // Beta(p, q)
  double q;
  double weight;  // its weight in D~
  double log_beta;
};

double log_beta(double p, double q) {
  return std::lgamma(p) + std::lgamma(q) - std::lgamma(p + q);
}

// D~(a, b) = a/(a+b) Beta(a+1, b) + b/(a+b) Beta(b+1, a)   (appendix A.1).
std::array<Component, 2> dtilde_components(MixingLaw law) {
  const double s = law.a + law.b;
  return {{{law.a + 1.0, law.b, law.a / s, log_beta(law.a + 1.0, law.b)},
           {law.b + 1.0, law.a, law.b / s, log_beta(law.b + 1.0, law.a)}}};
}

// lam * softplus(z + c (1-lam)/lam) without overflow as lam -> 0: with t = lam z + c (1-lam)
// (= lam times the argument), it is max(t, 0) + lam log1p(e^(-|t|/lam)).
double lam_times_softplus(double lam, double one_minus_lam, double z, double c) {
  const double t = lam * z + c * one_minus_lam;
  const double tail = lam * std::log1p(std::exp(-std::abs(t) / lam));
  return t > 0.0 ? t + tail : tail;
}

// The Taylor remainder rho(w) = A(z+w) - A(z) - A'(z) w - A''(z) w^2 / 2 is summed as its series
// sum_{k=3..kSeriesOrder} A^(k)(z) w^k / k! for |w| <= kSeriesRadius: there the direct formula
// loses all digits to cancellation (rho ~ w^3 against O(1) terms), and tanh_sinh would refine
// on that rounding noise.  Softplus is analytic in |Im| < pi about the real axis, so the terms
// shrink like (|w| / pi)^k: with |w| <= 1/8 the omitted tail is below (1/(8 pi))^12 ~ 2e-17 of the
// cubic term.
constexpr double kSeriesRadius = 0.125;
constexpr int kSeriesOrder = 14;

// A^(k)(z) for k = 0..kSeriesOrder, logistic A = softplus.  A^(k) = P_k(g), g = sigmoid(z), with
// P_1 = g and P_{k+1}(g) = P_k'(g) g (1 - g) (integer coefficients, exact in double for these k).
// For k >= 2, A^(k)(z) = (-1)^k A^(k)(-z) (A(z) - A(-z) = z), and P_k is evaluated at
// g = sigmoid(-|z|) <= 1/2, where its alternating terms do not cancel catastrophically.
std::array<double, kSeriesOrder + 1> softplus_derivatives(double z) {
  std::array<double, kSeriesOrder + 1> d{};
  d[0] = loss_h(LossKind::kLogistic, z);
  d[1] = loss_dh(LossKind::kLogistic, z);
  const double g = loss_dh(LossKind::kLogistic, -std::abs(z));
  std::vector<double> coeff = {0.0, 1.0};  // P_1(g) = g, coefficients of g^0, g^1, ...
  for (int k = 2; k <= kSeriesOrder; ++k) {
    // P_k = P_{k-1}'(g) (g - g^2)
    std::vector<double> next(coeff.size() + 1, 0.0);
    for (std::size_t m = 1; m < coeff.size(); ++m) {
      const double dm = static_cast<double>(m) * coeff[m];  // coefficient of g^(m-1) in P'
      next[m] += dm;
      next[m + 1] -= dm;
    }
    coeff = next;
    double value = 0.0;
    for (std::size_t m = coeff.size(); m-- > 0;) value = value * g + coeff[m];
    d[static_cast<std::size_t>(k)] = (z > 0.0 && k % 2 == 1) ? -value : value;
  }
  return d;
}

// The quantities of one ordered pair: z = theta^T x_i, c = s theta^T x_j, and A^(k)(z).
struct PairPoint {
  double z;
  double c;
  std::array<double, kSeriesOrder + 1> d;  // A, A', A'', ... at z
};

// lam^2 rho(w) with w = c (1-lam)/lam, finite as lam -> 0.
double scaled_taylor_remainder(double lam, double one_minus_lam, const PairPoint& pt) {
  const double w = pt.c * one_minus_lam / lam;
  if (std::abs(w) <= kSeriesRadius) {
    double sum = 0.0;
    double factorial = 1.0;
    for (int k = 1; k <= kSeriesOrder; ++k) factorial *= k;
    for (int k = kSeriesOrder; k >= 3; --k) {  // Horner in w over d_k / k!
      sum = sum * w + pt.d[static_cast<std::size_t>(k)] / factorial;
      factorial /= k;
    }
    return lam * lam * sum * w * w * w;
  }
  return lam * lam_times_softplus(lam, one_minus_lam, pt.z, pt.c) - lam * lam * pt.d[0] -
         pt.d[1] * pt.c * one_minus_lam * lam -
         0.5 * pt.d[2] * pt.c * pt.c * one_minus_lam * one_minus_lam;
}

// int over [lo, hi] of integrand(lam, 1 - lam) by tanh_sinh, with 1 - lam exact next to 1 and
// lam exact next to 0 (Boost's two-argument form passes the distance to the nearer end).
template <class Integrand>
std::pair<double, double> integrate_piece(const Integrand& integrand, double lo, double hi) {
  // Boost 1.74 defines the two-argument finite-interval integrate() non-const; one integrator
  // per thread (its abscissas do not depend on the thread, so neither do the results).
  static thread_local boost::math::quadrature::tanh_sinh<double> integrator;
  auto f = [&](double x, double xc) {
    double lam = x;
    double one_minus = 1.0 - x;
    if (xc < 0.0 && lo == 0.0) lam = -xc;
    if (xc > 0.0 && hi == 1.0) one_minus = xc;
    return integrand(lam, one_minus);
  };
  double error = 0.0;
  double l1 = 0.0;
  const double value = integrator.integrate(f, lo, hi, kQuadratureTolerance, &error, &l1);
  return {value, error};
}

// E over one Beta(p, q) component of integrand, split at the turn of softplus (t = 0).
template <class Integrand>
std::pair<double, double> integrate_component(const Integrand& integrand, const PairPoint& pt) {
  // t(lam) = c + lam (z - c) vanishes at lam* = c / (c - z), inside (0, 1) when c, z have
  // opposite signs.
  const double turn = (pt.c != pt.z) ? pt.c / (pt.c - pt.z) : -1.0;
  if (turn > 0.0 && turn < 1.0) {
    const auto left = integrate_piece(integrand, 0.0, turn);
    const auto right = integrate_piece(integrand, turn, 1.0);
    return {left.first + right.first, left.second + right.second};
  }
  return integrate_piece(integrand, 0.0, 1.0);
}

// E_{Beta(p,q)} softplus(z + c u): the density lam^(p-1) (1-lam)^(q-1) / B times
// softplus = lam_times_softplus / lam.
std::pair<double, double> component_loss(const Component& comp, const PairPoint& pt) {
  auto integrand = [&](double lam, double one_minus) {
    const double weight = std::exp((comp.p - 2.0) * std::log(lam) +
                                   (comp.q - 1.0) * std::log(one_minus) - comp.log_beta);
    return lam_times_softplus(lam, one_minus, pt.z, pt.c) * weight;
  };
  return integrate_component(integrand, pt);
}

// E_{Beta(p,q)} [A(z + w) - A(z) - A'(z) w - A''(z) w^2 / 2], w = c u: lam^2 times the bracket
// (scaled_taylor_remainder, finite as lam -> 0) against the density over lam^2.  Integrable iff
// p > 2 (q finite).
std::pair<double, double> component_remainder(const Component& comp, const PairPoint& pt) {
  auto integrand = [&](double lam, double one_minus) {
    const double weight = std::exp((comp.p - 3.0) * std::log(lam) +
                                   (comp.q - 1.0) * std::log(one_minus) - comp.log_beta);
    return scaled_taylor_remainder(lam, one_minus, pt) * weight;
  };
  return integrate_component(integrand, pt);
}

}  // namespace

double glm_d3h(LossKind loss, double u) {
  switch (loss) {
    case LossKind::kLogistic: {
      const double g = loss_dh(loss, u);
      const double g2 = loss_d2h(loss, u);  // g (1 - g) without cancellation
      return g2 * (1.0 - 2.0 * g);
    }
    case LossKind::kPoisson:
      return std::exp(u);
    case LossKind::kGaussian:
      return 0.0;
  }
  return 0.0;
}

double eq7_regularizer(const VectorXd& theta, LossKind loss, const MatrixXd& X, double q) {
  const Index n = X.rows();
  const VectorXd v = X * theta;
  const double quadratic = v.squaredNorm() / static_cast<double>(n);  // theta^T Sigma^ theta
  if (quadratic == 0.0) return 0.0;
  const double curvature = ordered_sum(n, [&](Index i) { return loss_d2h(loss, v(i)); });
  return 0.5 * curvature / static_cast<double>(n) * q * quadratic;
}

VectorXd eq7_regularizer_gradient(const VectorXd& theta, LossKind loss, const MatrixXd& X,
                                  double q) {
  const Index n = X.rows();
  const double dn = static_cast<double>(n);
  const VectorXd v = X * theta;
  const double quadratic = v.squaredNorm() / dn;
  VectorXd third(n);
  double curvature = 0.0;
  for (Index i = 0; i < n; ++i) {
    third(i) = glm_d3h(loss, v(i));
    curvature += loss_d2h(loss, v(i));
  }
  const VectorXd sigma_theta = X.transpose() * v / dn;
  return 0.5 * q / dn * (X.transpose() * third * quadratic + 2.0 * curvature * sigma_theta);
}

SecondOrderTerms second_order_expansion(const VectorXd& theta, LossKind loss, const Dataset& data,
                                        MixingLaw law) {
  const Index n = data.n();
  const double dn = static_cast<double>(n);
  const VectorXd v = data.X * theta;
  const double quadratic = v.squaredNorm() / dn;  // theta^T Sigma^ theta, Sigma^ = X^T X / n
  const double m1 = dtilde_m1(law.a, law.b);
  const double m2 = dtilde_m2(law.a, law.b);
  SecondOrderTerms terms;
  terms.standard_loss =
      ordered_sum(n, [&](Index i) { return loss_value(loss, v(i), data.y(i)); }) / dn;
  terms.first_order =
      m1 / dn * ordered_sum(n, [&](Index i) { return (data.y(i) - loss_dh(loss, v(i))) * v(i); });
  terms.second_order = 0.5 * m2 / dn * ordered_sum(n, [&](Index i) {
                         return loss_d2h(loss, v(i)) * (quadratic + v(i) * v(i));
                       });
  return terms;
}

double dtilde_mean_u(double a, double b) {
  require_beta_parameters(a, b, "dtilde_mean_u(a, b)");
  // E[lam^-1 (1-lam)] under Beta(a+1, b) and Beta(b+1, a): b/a and a/b.
  return a / (a + b) * beta_moment(a + 1.0, b, -1.0, 1.0) +
         b / (a + b) * beta_moment(b + 1.0, a, -1.0, 1.0);
}

RescaledLoss rescaled_logistic_loss(const VectorXd& theta, const Dataset& data, MixingLaw law,
                                    double s, bool want_value, bool want_remainder) {
  require_beta_parameters(law.a, law.b, "rescaled_logistic_loss: mixing law Beta(a, b)");
  if (!(std::isfinite(s) && s >= 0.0)) {
    throw DomainError("rescaled_logistic_loss: the perturbation scale s must be >= 0");
  }
  if (want_remainder && !std::isfinite(dtilde_q(law.a, law.b))) {
    throw DomainError(
        "rescaled_logistic_loss: the remainder needs q < inf (a > 1 and b > 1); "
        "the proof's approximation is infinite otherwise");
  }
  const LossKind loss = LossKind::kLogistic;
  const Index n = data.n();
  const double dn = static_cast<double>(n);
  const VectorXd v = data.X * theta;
  const auto components = dtilde_components(law);
  // Columns: value, value error, remainder, remainder error (each summed over j, for row i).
  const VectorXd sums = ordered_vector_sum(n, 4, [&](Index i, VectorXd& acc) {
    PairPoint pt{v(i), 0.0, softplus_derivatives(v(i))};
    for (Index j = 0; j < n; ++j) {
      pt.c = s * v(j);
      if (pt.c == 0.0) {  // no perturbation: A(z) exactly, zero remainder
        acc(0) += pt.d[0];
        continue;
      }
      for (const Component& comp : components) {
        if (want_value) {
          const auto [value, error] = component_loss(comp, pt);
          acc(0) += comp.weight * value;
          acc(1) += comp.weight * error;
        }
        if (want_remainder) {
          const auto [value, error] = component_remainder(comp, pt);
          acc(2) += comp.weight * value;
          acc(3) += comp.weight * error;
        }
      }
    }
  });
  const double mean_u = dtilde_mean_u(law.a, law.b);
  const double mean_v = v.mean();
  double mean_residual = 0.0;  // (1/n) sum_i (A'_i - y_i)
  double label_term = 0.0;     // (1/n) sum_i y_i z_i
  for (Index i = 0; i < n; ++i) {
    mean_residual += (loss_dh(loss, v(i)) - data.y(i)) / dn;
    label_term += data.y(i) * v(i) / dn;
  }
  RescaledLoss result;
  const double pairs = dn * dn;
  result.value = sums(0) / pairs - label_term - s * mean_u * data.y.mean() * mean_v;
  result.value_error = sums(1) / pairs;
  result.first_order = s * mean_u * mean_residual * mean_v;
  result.remainder = sums(2) / pairs + result.first_order;
  result.remainder_error = sums(3) / pairs;
  return result;
}

}  // namespace lemma_3_3

namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using lemma_3_3::eq7_regularizer;
using lemma_3_3::eq7_regularizer_gradient;
using lemma_3_3::rescaled_logistic_loss;
using lemma_3_3::second_order_expansion;

// ---- Tolerances -------------------------------------------------------------------------------

// q: the closed form (a few correctly rounded operations, core/mixing.cpp) against tanh_sinh in
// double over lam in (0, 1) with the integrand ~ lam^(a-2) at 0.  tanh_sinh resolves such
// endpoint singularities to ~1e-14 for a - 1 >= 0.1; the acceptance bound 1e-9 relative leaves
// room for its error estimate, which is reported alongside.  Grid points where tanh_sinh
// reports an error estimate above kQuadratureResolved are listed as unresolved, not checked.
constexpr double kQTolerance = 1e-9;
constexpr double kQuadratureResolved = 1e-10;
// The rescaled loss computed two ways at s = 1 (value by quadrature minus the closed-form
// approximation, against the directly integrated remainder): each pair integral targets 1e-12
// of its L1 norm (kQuadratureTolerance) and the L1 norms are O(loss) or larger; 1e-9 relative
// to the loss is a 1000x margin.
constexpr double kRescaledIdentityTolerance = 1e-9;
// The second-order expansion at theta (this file) against core's approximate_mixup_loss: both
// sum n terms of size <= |L| scale in double; n <= 1e4 keeps the drift below ~1e-13 relative,
// and 1e-12 relative to the largest of |L_std|, |R1|, |R2| is the acceptance bound.
constexpr double kExpansionTolerance = 1e-12;
// Slopes: a measured order counts as matching the prediction within this (the next term of the
// expansion changes the local slope by O(s^(3 - alpha)) or O(s) on the fitted range).
constexpr double kSlopeTolerance = 0.25;
// |remainder| is trusted above kErrorFloorFactor times the loss (rounding of A(z + w) - A(z) -
// A' w - A'' w^2 / 2: a few eps of the O(1) terms, summed with positive weights) and above
// kErrorEstimateFactor times tanh_sinh's own error estimates.
constexpr double kErrorFloorFactor = 1e-13;
constexpr double kErrorEstimateFactor = 10.0;
// The slope is fitted on the kFitPoints smallest usable scales.
constexpr std::size_t kFitPoints = 4;
// BFGS stops when |grad| <= kGradientTolerance (the exact mixup gradient is accurate to ~1e-10
// relative, so 1e-7 is reachable and far below any difference between the minimizers compared).
constexpr double kGradientTolerance = 1e-7;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- Parallel work ------------------------------------------------------------------------------

// ---- Small helpers ----------------------------------------------------------------------------

nlohmann::json number_or_inf(double x) {
  if (std::isnan(x)) return nullptr;
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

std::string law_label(MixingLaw law) {
  std::ostringstream out;
  out << "(" << law.a << "," << law.b << ")";
  return out.str();
}

double cosine(const VectorXd& u, const VectorXd& v) {
  const double norms = u.norm() * v.norm();
  return norms > 0.0 ? u.dot(v) / norms : std::nan("");
}

// The mode of the predictive law at natural parameter t: the Bayes label for logistic, the most
// probable count floor(e^t) for Poisson.
double predicted_mode(LossKind loss, double t) {
  if (loss == LossKind::kLogistic) return t > 0.0 ? 1.0 : 0.0;
  return std::floor(std::exp(std::min(t, 700.0)));
}

double prediction_agreement(LossKind loss, const MatrixXd& X, const VectorXd& theta_a,
                            const VectorXd& theta_b) {
  const VectorXd ta = X * theta_a;
  const VectorXd tb = X * theta_b;
  Index same = 0;
  for (Index i = 0; i < X.rows(); ++i) {
    same += predicted_mode(loss, ta(i)) == predicted_mode(loss, tb(i)) ? 1 : 0;
  }
  return static_cast<double>(same) / static_cast<double>(X.rows());
}

// A training set and a test set from the same generator, both shifted by the training mean (so
// the training inputs are centered, as the lemma assumes).
struct CenteredData {
  Dataset train;
  Dataset test;
  VectorXd mean;  // the training mean that was subtracted
};

CenteredData make_centered(const nlohmann::json& config, const std::string& name, Index n,
                           Index n_test) {
  DatasetSpec spec;
  spec.name = name;
  spec.n = n;
  spec.d = config["gaussian_d"].get<Index>();
  spec.seed = config["seed"].get<std::uint64_t>();
  CenteredData out;
  out.train = make_dataset(spec);
  spec.n = n_test;
  spec.seed += 1000003;  // an independent draw from the same generator
  out.test = make_dataset(spec);
  out.mean = sample_mean(out.train.X);
  out.train.X = centered(out.train.X);
  out.test.X.rowwise() -= out.mean.transpose();
  return out;
}

VectorXd random_theta(Index d, std::uint64_t seed, double scale) {
  return scale * random_linear(d, seed).theta();
}

// ---- A small BFGS minimizer --------------------------------------------------------------------

struct Minimum {
  VectorXd theta;
  double value = 0.0;
  double gradient_norm = 0.0;
  int iterations = 0;
  bool converged = false;
};

using ValueFunction = std::function<double(const VectorXd&)>;
using GradientFunction = std::function<VectorXd(const VectorXd&)>;

// BFGS with Armijo backtracking (c1 = 1e-4); non-finite trial values count as no decrease.
Minimum minimize_bfgs(const ValueFunction& value, const GradientFunction& gradient, VectorXd theta,
                      int max_iterations) {
  const Index d = theta.size();
  MatrixXd inverse_hessian = MatrixXd::Identity(d, d);
  double f = value(theta);
  VectorXd g = gradient(theta);
  Minimum result;
  for (int it = 0; it < max_iterations; ++it) {
    result.iterations = it;
    if (g.norm() <= kGradientTolerance) {
      result.converged = true;
      break;
    }
    VectorXd direction = -inverse_hessian * g;
    if (direction.dot(g) >= 0.0) {  // lost positive definiteness: restart from steepest descent
      inverse_hessian.setIdentity();
      direction = -g;
    }
    double step = 1.0;
    double f_trial = kInf;
    VectorXd trial;
    bool accepted = false;
    for (int k = 0; k < 60 && !accepted; ++k, step *= 0.5) {
      trial = theta + step * direction;
      f_trial = value(trial);
      accepted = std::isfinite(f_trial) && f_trial <= f + 1e-4 * step * direction.dot(g);
    }
    if (!accepted) break;  // no decrease along a descent direction: at rounding level
    const VectorXd g_trial = gradient(trial);
    const VectorXd s = trial - theta;
    const VectorXd y = g_trial - g;
    const double sy = s.dot(y);
    if (sy > 1e-12 * s.norm() * y.norm()) {
      if (it == 0) inverse_hessian *= sy / y.squaredNorm();
      const double rho = 1.0 / sy;
      const MatrixXd left = MatrixXd::Identity(d, d) - rho * s * y.transpose();
      inverse_hessian = left * inverse_hessian * left.transpose() + rho * s * s.transpose();
    }
    theta = trial;
    f = f_trial;
    g = g_trial;
    result.iterations = it + 1;
  }
  result.theta = theta;
  result.value = f;
  result.gradient_norm = g.norm();
  result.converged = result.converged || g.norm() <= kGradientTolerance;
  return result;
}

// ---- (ii) q over a grid -------------------------------------------------------------------------

// int_lo^1 (1-lam)^2/lam^2 dD~(lam) by tanh_sinh, the D~ density written out in logs.
std::pair<double, double> q_by_quadrature(MixingLaw law, double lo) {
  static thread_local boost::math::quadrature::tanh_sinh<double> integrator;
  const double a = law.a;
  const double b = law.b;
  const double log_b = std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  auto f = [&](double x, double xc) {
    const double lam = (xc < 0.0 && lo == 0.0) ? -xc : x;
    const double one_minus = xc > 0.0 ? xc : 1.0 - x;
    const double log_lam = std::log(lam);
    const double log_om = std::log(one_minus);
    return std::exp((a - 2.0) * log_lam + (b + 1.0) * log_om - log_b) +
           std::exp((b - 2.0) * log_lam + (a + 1.0) * log_om - log_b);
  };
  double error = 0.0;
  double l1 = 0.0;
  const double value =
      integrator.integrate(f, lo, 1.0, lemma_3_3::kQuadratureTolerance, &error, &l1);
  return {value, error};
}

void check_q_grid(const std::vector<MixingLaw>& laws, ClaimReport& report) {
  Check check;
  check.name = "q = E_D~[(1-lam)^2/lam^2]: closed form = independent quadrature where finite";
  check.kind = "identity";
  check.tolerance = kQTolerance;
  nlohmann::json table = nlohmann::json::array();
  std::vector<std::string> infinite;
  std::vector<std::string> unresolved;
  for (const MixingLaw law : laws) {
    const double q = dtilde_q(law.a, law.b);
    nlohmann::json row = {{"law", law_json(law)}, {"q", number_or_inf(q)}};
    if (std::isinf(q)) {
      // Witness of divergence: the truncated integrals over [eps, 1] keep growing.
      nlohmann::json truncated = nlohmann::json::array();
      for (const double eps : {1e-3, 1e-6, 1e-9}) {
        truncated.push_back({{"eps", eps}, {"integral", q_by_quadrature(law, eps).first}});
      }
      row["truncated_integrals"] = truncated;
      infinite.push_back(law_label(law));
    } else {
      const auto [quad, error] = q_by_quadrature(law, 0.0);
      row["quadrature"] = quad;
      row["quadrature_error_estimate"] = error;
      if (error > kQuadratureResolved * std::abs(quad)) {
        unresolved.push_back(law_label(law));
      } else {
        check.record(-std::abs(quad - q) / q, row);
      }
    }
    table.push_back(row);
  }
  check.measured["q"] = table;
  check.measured["infinite_at"] = infinite;
  std::ostringstream summary;
  summary << "q = inf (no finite regularizer) at " << infinite.size() << " of " << laws.size()
          << " (a,b):";
  for (const auto& label : infinite) summary << " " << label;
  summary << "; finite values match quadrature";
  check.summary = summary.str();
  if (!unresolved.empty()) {
    check.note = "tanh_sinh did not resolve q at";
    for (const auto& label : unresolved) check.note += " " + label;
    check.note += " (error estimate above 1e-10 relative; not compared)";
  }
  report.checks.push_back(check);
}

// ---- (i) the rescaled loss: order of the proof's expansion -------------------------------------

// The order predicted from the tail of u: min(3, min(a, b) + 1).
double predicted_order(MixingLaw law) {
  return std::min(3.0, std::min(law.a, law.b) + 1.0);
}

struct OrderRun {
  SlopeFit fit;
  nlohmann::json points = nlohmann::json::array();
};

// |L_resc(s) - L_std - s^2 Reg| over s = 2^(-k / per_octave), k = 0..halvings * per_octave.
OrderRun measure_order(const VectorXd& theta, const Dataset& data, MixingLaw law, int halvings,
                       int per_octave) {
  OrderRun run;
  const double loss_scale =
      std::abs(standard_loss(LinearModel(theta), LossKind::kLogistic, data.X, data.y));
  const int count = halvings * per_octave + 1;
  std::vector<lemma_3_3::RescaledLoss> results(static_cast<std::size_t>(count));
  // One task per scale, each its own set of integrals.
  parallel_tasks(results.size(), [&](std::size_t k) {
    const double s = std::exp2(-static_cast<double>(k) / per_octave);
    results[k] = rescaled_logistic_loss(theta, data, law, s, false, true);
  });
  std::vector<double> usable_s;
  std::vector<double> usable_e;
  for (int k = 0; k < count; ++k) {
    const double s = std::exp2(-static_cast<double>(k) / per_octave);
    const auto& r = results[static_cast<std::size_t>(k)];
    const double error = std::abs(r.remainder);
    const double floor =
        std::max(kErrorFloorFactor * loss_scale, kErrorEstimateFactor * r.remainder_error);
    const bool usable = error > floor;
    run.points.push_back({{"s", s},
                          {"remainder", r.remainder},
                          {"first_order_term", r.first_order},
                          {"quadrature_error", r.remainder_error},
                          {"usable", usable}});
    if (usable) {
      usable_s.push_back(s);
      usable_e.push_back(error);
    }
  }
  run.fit = fit_slope(usable_s, usable_e, kFitPoints);
  return run;
}

nlohmann::json remainder_fit_json(const SlopeFit& fit) {
  return {{"slope", fit.fitted() ? nlohmann::json(fit.slope) : nlohmann::json(nullptr)},
          {"s", fit.s},
          {"remainder", fit.error}};
}

struct OrderSetup {
  Dataset data;
  std::vector<VectorXd> thetas;
  int halvings;
  int per_octave;
};

OrderSetup order_setup(const nlohmann::json& config, bool quick) {
  OrderSetup setup;
  const Index n =
      quick ? std::min<Index>(8, config["order_n"].get<Index>()) : config["order_n"].get<Index>();
  const std::string name = config["datasets"][0].get<std::string>();
  setup.data = make_centered(config, name, n, 2).train;
  const int count = quick ? 1 : config["order_thetas"].get<int>();
  const std::uint64_t seed = config["seed"].get<std::uint64_t>();
  for (int k = 0; k < count; ++k) {
    setup.thetas.push_back(random_theta(setup.data.d(), seed + 17 + static_cast<std::uint64_t>(k),
                                        config["theta_scale"].get<double>()));
  }
  setup.halvings = quick ? std::min(8, config["order_halvings"].get<int>())
                         : config["order_halvings"].get<int>();
  setup.per_octave = quick ? 1 : config["order_points_per_octave"].get<int>();
  return setup;
}

// The rescaled loss at s = 1 two ways (identity), and against L_mix (measurement).
void check_rescaled_values(const OrderSetup& setup, const std::vector<MixingLaw>& laws,
                           ClaimReport& report) {
  Check identity;
  identity.name =
      "rescaled loss at s = 1: quadrature minus (L_std + Reg) = directly integrated remainder";
  identity.kind = "identity";
  identity.tolerance = kRescaledIdentityTolerance;
  Check symmetry;
  symmetry.name = "rescaling by 1/lam is not a symmetry: L_mix(theta) vs the rescaled loss";
  symmetry.kind = "measurement";
  // The (theta, law) tasks in parallel (results by task index), recorded in order after.
  struct Task {
    std::size_t theta;
    MixingLaw law;
    lemma_3_3::RescaledLoss rescaled;
    double l_mix = 0.0;
  };
  std::vector<Task> tasks;
  for (std::size_t t = 0; t < setup.thetas.size(); ++t) {
    for (const MixingLaw law : laws) tasks.push_back({t, law, {}, 0.0});
  }
  parallel_tasks(tasks.size(), [&](std::size_t k) {
    Task& task = tasks[k];
    const VectorXd& theta = setup.thetas[task.theta];
    const bool finite_q = std::isfinite(dtilde_q(task.law.a, task.law.b));
    task.rescaled = rescaled_logistic_loss(theta, setup.data, task.law, 1.0, true, finite_q);
    task.l_mix = exact_mixup_loss(LinearModel(theta), LossKind::kLogistic, setup.data, task.law);
  });
  double largest_gap = 0.0;
  for (const Task& task : tasks) {
    const VectorXd& theta = setup.thetas[task.theta];
    const double l_std =
        standard_loss(LinearModel(theta), LossKind::kLogistic, setup.data.X, setup.data.y);
    const double q = dtilde_q(task.law.a, task.law.b);
    const double reg = eq7_regularizer(theta, LossKind::kLogistic, setup.data.X, q);
    const auto& r = task.rescaled;
    nlohmann::json row = {{"theta", task.theta},
                          {"law", law_json(task.law)},
                          {"L_mix", task.l_mix},
                          {"L_rescaled", r.value},
                          {"L_std_plus_reg", number_or_inf(l_std + reg)}};
    symmetry.measured["values"].push_back(row);
    largest_gap = std::max(largest_gap, std::abs(r.value - task.l_mix) / std::abs(task.l_mix));
    if (!std::isfinite(q)) continue;  // the approximation is infinite: no identity to check
    const double via_value = r.value - (l_std + reg);
    row["value_minus_approx"] = via_value;
    row["remainder"] = r.remainder;
    identity.record(-std::abs(via_value - r.remainder) / std::abs(l_std), row);
  }
  std::ostringstream summary;
  summary << std::setprecision(3) << "max |L_resc(1) - L_mix| / L_mix = " << largest_gap;
  symmetry.summary = summary.str();
  report.checks.push_back(identity);
  report.checks.push_back(symmetry);
}

// mean_j (theta^T x_j)^3 / mean_j |theta^T x_j|^3: the s^3 term of the remainder is
// E[u^3]/6 mean_i A^(3)(z_i) mean_j (theta^T x_j)^3, small for nearly symmetric data (two-moons
// is centrally symmetric up to its noise: the inner moon is the outer one reflected through the
// center), which then shows s^4 over the fitted range.
double cubic_ratio(const OrderSetup& setup, std::size_t t) {
  const VectorXd v = setup.data.X * setup.thetas[t];
  return v.array().cube().mean() / v.array().abs().cube().mean();
}

void check_order(const OrderSetup& setup, const std::vector<MixingLaw>& laws, ClaimReport& report) {
  Check order;
  order.name = "rescaled logistic loss: L_resc(s) - L_std - s^2 Reg = O(s^min(3, min(a,b)+1))";
  order.kind = "order";
  order.tolerance = kSlopeTolerance;
  Check infinite;
  infinite.name = "q = inf: the proof's approximation is infinite (no order to measure)";
  infinite.kind = "measurement";
  std::ostringstream summary;
  summary << std::setprecision(3) << "slope (predicted):";
  for (const MixingLaw law : laws) {
    if (!std::isfinite(dtilde_q(law.a, law.b))) {
      infinite.measured["laws"].push_back(law_json(law));
      continue;
    }
    const double predicted = predicted_order(law);
    double least_slope = kInf;
    for (std::size_t t = 0; t < setup.thetas.size(); ++t) {
      const OrderRun run =
          measure_order(setup.thetas[t], setup.data, law, setup.halvings, setup.per_octave);
      nlohmann::json witness = {{"law", law_json(law)},
                                {"theta", t},
                                {"cubic_coefficient_ratio", cubic_ratio(setup, t)},
                                {"predicted_order", predicted},
                                {"fit", remainder_fit_json(run.fit)},
                                {"points", run.points}};
      order.measured["runs"].push_back(witness);
      if (!run.fit.fitted()) {
        order.inconclusive = true;
        order.note += "fewer than 3 usable scales at " + law_label(law) + "; ";
        continue;
      }
      least_slope = std::min(least_slope, run.fit.slope);
      // Below 3 the tail fixes the order exactly (two-sided); at 3 the remainder is at least
      // third order (a vanishing cubic coefficient would give more).
      const double margin =
          predicted < 3.0 ? -std::abs(run.fit.slope - predicted) : run.fit.slope - predicted;
      order.record(margin, witness);
    }
    summary << " " << law_label(law) << " " << least_slope << " (" << predicted << ")";
  }
  order.summary = summary.str();
  if (!infinite.measured.empty()) {
    infinite.summary = std::to_string(infinite.measured["laws"].size()) +
                       " laws with q = inf: Eq. (7) is +inf there, the rescaled loss is finite";
  }
  report.checks.push_back(order);
  report.checks.push_back(infinite);
}

// Poisson: E[e^(s u v_j)] = inf for s v_j > 0 (u has a polynomial tail), so the rescaled
// Poisson loss is +inf unless X theta = 0.  Reported with the count of v_j > 0 per theta.
void report_rescaled_poisson(const OrderSetup& setup, const std::vector<MixingLaw>& laws,
                             ClaimReport& report) {
  Check poisson;
  poisson.name = "rescaled Poisson loss: +inf for s > 0 whenever some theta^T x_j > 0";
  poisson.kind = "measurement";
  long infinite_count = 0;
  long total = 0;
  for (std::size_t t = 0; t < setup.thetas.size(); ++t) {
    const VectorXd v = setup.data.X * setup.thetas[t];
    const long positive = (v.array() > 0.0).count();
    for (const MixingLaw law : laws) {
      const double q = dtilde_q(law.a, law.b);
      const LinearModel model(setup.thetas[t]);
      const double l_std = standard_loss(model, LossKind::kPoisson, setup.data.X, setup.data.y);
      const double reg =
          lemma_3_3::eq7_regularizer(setup.thetas[t], LossKind::kPoisson, setup.data.X, q);
      const double rescaled = positive > 0 ? kInf : l_std;
      ++total;
      infinite_count += std::isinf(rescaled) ? 1 : 0;
      poisson.measured["values"].push_back(
          {{"theta", t},
           {"law", law_json(law)},
           {"positive_theta_x", positive},
           {"L_rescaled", number_or_inf(rescaled)},
           {"L_std_plus_reg", number_or_inf(l_std + reg)},
           {"L_mix", exact_mixup_loss(model, LossKind::kPoisson, setup.data, law)}});
    }
  }
  poisson.summary = std::to_string(infinite_count) + " of " + std::to_string(total) +
                    " (theta, law): rescaled Poisson loss = inf while L_mix and Eq. (7) are finite";
  report.checks.push_back(poisson);
}

// ---- (iii) minimizers ---------------------------------------------------------------------------

struct Objectives {
  ValueFunction value;
  GradientFunction gradient;
};

Objectives with_weight_decay(const Objectives& base, double mu) {
  return {[base, mu](const VectorXd& t) { return base.value(t) + 0.5 * mu * t.squaredNorm(); },
          [base, mu](const VectorXd& t) { return VectorXd(base.gradient(t) + mu * t); }};
}

Objectives mixup_objective(const Dataset& data, LossKind loss, MixingLaw law) {
  return {[&data, loss, law](const VectorXd& t) {
            return exact_mixup_loss(LinearModel(t), loss, data, law);
          },
          [&data, loss, law](const VectorXd& t) {
            return exact_mixup_loss_gradient(LinearModel(t), loss, data, law);
          }};
}

Objectives regularized_objective(const Dataset& data, LossKind loss, double q) {
  return {[&data, loss, q](const VectorXd& t) {
            return standard_loss(LinearModel(t), loss, data.X, data.y) +
                   eq7_regularizer(t, loss, data.X, q);
          },
          [&data, loss, q](const VectorXd& t) {
            return VectorXd(standard_loss_gradient(LinearModel(t), loss, data.X, data.y) +
                            eq7_regularizer_gradient(t, loss, data.X, q));
          }};
}

Objectives second_order_objective(const Dataset& data, LossKind loss, MixingLaw law) {
  return {[&data, loss, law](const VectorXd& t) {
            return approximate_mixup_loss(LinearModel(t), loss, data, law).total();
          },
          [&data, loss, law](const VectorXd& t) {
            return approximate_mixup_loss_gradient(LinearModel(t), loss, data, law);
          }};
}

Objectives erm_objective(const Dataset& data, LossKind loss) {
  return {[&data, loss](const VectorXd& t) {
            return standard_loss(LinearModel(t), loss, data.X, data.y);
          },
          [&data, loss](const VectorXd& t) {
            return standard_loss_gradient(LinearModel(t), loss, data.X, data.y);
          }};
}

nlohmann::json minimum_json(const Minimum& m) {
  return {{"theta", std::vector<double>(m.theta.data(), m.theta.data() + m.theta.size())},
          {"objective", m.value},
          {"gradient_norm", m.gradient_norm},
          {"iterations", m.iterations},
          {"converged", m.converged}};
}

// How close the minimizer b is to the mixup minimizer a: direction, size, and the test
// predictions (the mode, and the predicted mean A'(theta^T x)).
struct Comparison {
  double cosine = std::nan("");
  double norm_ratio = std::nan("");  // |b| / |a|
  double agreement = std::nan("");
  double mean_gap = std::nan("");  // (1/n_test) sum |A'(a^T x) - A'(b^T x)|
};

Comparison compare(LossKind loss, const MatrixXd& X_test, const VectorXd& a, const VectorXd& b) {
  Comparison c;
  c.cosine = cosine(a, b);
  c.norm_ratio = a.norm() > 0.0 ? b.norm() / a.norm() : std::nan("");
  c.agreement = prediction_agreement(loss, X_test, a, b);
  const VectorXd ta = X_test * a;
  const VectorXd tb = X_test * b;
  double gap = 0.0;
  for (Index i = 0; i < X_test.rows(); ++i) {
    gap += std::abs(loss_dh(loss, ta(i)) - loss_dh(loss, tb(i)));
  }
  c.mean_gap = gap / static_cast<double>(X_test.rows());
  return c;
}

nlohmann::json comparison_json(const Comparison& c) {
  return {{"cosine", number_or_inf(c.cosine)},
          {"norm_ratio", number_or_inf(c.norm_ratio)},
          {"agreement", number_or_inf(c.agreement)},
          {"mean_prediction_gap", number_or_inf(c.mean_gap)}};
}

struct Spread {
  std::vector<double> values;
  void add(double x) {
    if (!std::isnan(x)) values.push_back(x);
  }
  double min() const {
    return values.empty() ? std::nan("") : *std::min_element(values.begin(), values.end());
  }
  double median() const {
    if (values.empty()) return std::nan("");
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    return sorted[sorted.size() / 2];
  }
};

// The identity between this file's second-order expansion and core's approximate_mixup_loss at
// one theta; returns the margin's witness.
void record_expansion_identity(const VectorXd& theta, LossKind loss, const Dataset& data,
                               MixingLaw law, const nlohmann::json& where, Check& total,
                               Check& first_order) {
  const auto mine = second_order_expansion(theta, loss, data, law);
  const auto core = approximate_mixup_loss(LinearModel(theta), loss, data, law);
  const double scale = std::max({std::abs(mine.standard_loss), std::abs(mine.first_order),
                                 std::abs(mine.second_order), 1e-300});
  nlohmann::json witness = where;
  witness["law"] = law_json(law);
  witness["loss"] = to_string(loss);
  witness["expansion"] = {{"L_std", mine.standard_loss},
                          {"first_order", mine.first_order},
                          {"second_order", mine.second_order}};
  witness["core"] = {
      {"L_std", core.standard_loss}, {"R1", core.R1}, {"R2", core.R2}, {"R3", core.R3}};
  total.record(-std::abs(mine.total() - core.total()) / scale, witness);
  first_order.record(-std::abs(mine.first_order - core.R1) / scale, witness);
}

struct MinimizerChecks {
  Check eq7;        // measurement: L_mix vs L_std + Reg
  Check expansion;  // measurement: L_mix vs the true second-order expansion
  Check identity;   // identity: the expansion = core's Lemma 3.1 approximation
  Check r1_sign;    // identity: its first-order term = core's R1
  Spread cos_eq7, agree_eq7, norm_eq7, gap_eq7;
  Spread cos_expansion, agree_expansion, norm_expansion, gap_expansion;
  Spread cos_erm, agree_erm, norm_erm, gap_erm;
};

MinimizerChecks make_minimizer_checks() {
  MinimizerChecks c;
  c.eq7.name = "minimizers: L_mix vs L_std + Eq. (7) (cosine, test agreement; weight decay)";
  c.eq7.kind = "measurement";
  c.expansion.name = "minimizers: L_mix vs the true second-order expansion at theta";
  c.expansion.kind = "measurement";
  c.identity.name =
      "second-order expansion at theta (CLAIMS.md) = Lemma 3.1's L_std + R1 + R2 + R3 (core)";
  c.identity.kind = "identity";
  c.identity.tolerance = kExpansionTolerance;
  c.r1_sign.name = "R1 on centered data = (m1/n) sum (y_i - A'_i) theta^T x_i (sign convention)";
  c.r1_sign.kind = "identity";
  c.r1_sign.tolerance = kExpansionTolerance;
  return c;
}

void add_comparison(const Comparison& c, Spread& cos, Spread& agree, Spread& norm, Spread& gap) {
  cos.add(c.cosine);
  agree.add(c.agreement);
  norm.add(c.norm_ratio);
  gap.add(c.mean_gap);
}

// The four minimizations of one (data set, loss, law); independent of every other task.
struct MinimizerRun {
  Minimum mix;
  Minimum second;
  Minimum erm;
  Minimum reg;  // only when q < inf
  bool has_reg = false;
};

MinimizerRun run_minimizers(const CenteredData& data, LossKind loss, MixingLaw law,
                            const nlohmann::json& config) {
  const double mu = config["weight_decay"].get<double>();
  const int max_iterations = config["max_iterations"].get<int>();
  const VectorXd start = VectorXd::Zero(data.train.d());
  auto minimize = [&](const Objectives& objective) {
    const Objectives regularized = with_weight_decay(objective, mu);
    return minimize_bfgs(regularized.value, regularized.gradient, start, max_iterations);
  };
  MinimizerRun run;
  run.mix = minimize(mixup_objective(data.train, loss, law));
  run.second = minimize(second_order_objective(data.train, loss, law));
  run.erm = minimize(erm_objective(data.train, loss));
  const double q = dtilde_q(law.a, law.b);
  if (std::isfinite(q)) {
    run.reg = minimize(regularized_objective(data.train, loss, q));
    run.has_reg = true;
  }
  return run;
}

nlohmann::json record_minimizers(const MinimizerRun& run, const CenteredData& data, LossKind loss,
                                 MixingLaw law, MinimizerChecks& checks) {
  const double q = dtilde_q(law.a, law.b);
  const MatrixXd& X_test = data.test.X;
  nlohmann::json row = {{"loss", to_string(loss)},
                        {"law", law_json(law)},
                        {"q", number_or_inf(q)},
                        {"mixup", minimum_json(run.mix)},
                        {"second_order", minimum_json(run.second)},
                        {"erm", minimum_json(run.erm)}};
  const Comparison with_erm = compare(loss, X_test, run.mix.theta, run.erm.theta);
  row["mixup_vs_erm"] = comparison_json(with_erm);
  add_comparison(with_erm, checks.cos_erm, checks.agree_erm, checks.norm_erm, checks.gap_erm);
  const Comparison with_second = compare(loss, X_test, run.mix.theta, run.second.theta);
  row["mixup_vs_second_order"] = comparison_json(with_second);
  add_comparison(with_second, checks.cos_expansion, checks.agree_expansion, checks.norm_expansion,
                 checks.gap_expansion);
  // Values at the mixup minimizer: what each approximation says L_mix is there.
  const VectorXd& t = run.mix.theta;
  const double l_std = standard_loss(LinearModel(t), loss, data.train.X, data.train.y);
  row["at_mixup_minimizer"] = {
      {"L_mix", exact_mixup_loss(LinearModel(t), loss, data.train, law)},
      {"L_std", l_std},
      {"L_std_plus_eq7", number_or_inf(l_std + eq7_regularizer(t, loss, data.train.X, q))},
      {"second_order_expansion", second_order_expansion(t, loss, data.train, law).total()}};
  if (run.has_reg) {
    row["eq7"] = minimum_json(run.reg);
    const Comparison with_reg = compare(loss, X_test, run.mix.theta, run.reg.theta);
    row["mixup_vs_eq7"] = comparison_json(with_reg);
    add_comparison(with_reg, checks.cos_eq7, checks.agree_eq7, checks.norm_eq7, checks.gap_eq7);
  } else {
    row["eq7"] = "q = inf: no finite regularizer";
  }
  record_expansion_identity(run.mix.theta, loss, data.train, law, {{"theta", "mixup minimizer"}},
                            checks.identity, checks.r1_sign);
  return row;
}

std::string spread_text(const Spread& cos, const Spread& agree, const Spread& norm,
                        const Spread& gap) {
  std::ostringstream out;
  out << std::setprecision(3) << "cos min " << cos.min() << ", agreement min " << agree.min()
      << ", |theta|/|theta_mix| median " << norm.median() << ", mean |A' gap| median "
      << gap.median();
  return out.str();
}

nlohmann::json spread_json(const Spread& cos, const Spread& agree, const Spread& norm,
                           const Spread& gap) {
  return {{"cosine_min", number_or_inf(cos.min())},
          {"agreement_min", number_or_inf(agree.min())},
          {"agreement_median", number_or_inf(agree.median())},
          {"norm_ratio_min", number_or_inf(norm.min())},
          {"norm_ratio_median", number_or_inf(norm.median())},
          {"mean_prediction_gap_median", number_or_inf(gap.median())}};
}

void check_minimizers(const nlohmann::json& config, bool quick, const std::vector<MixingLaw>& laws,
                      ClaimReport& report) {
  MinimizerChecks checks = make_minimizer_checks();
  const Index n = quick ? std::min<Index>(16, config["n"].get<Index>()) : config["n"].get<Index>();
  const Index n_test =
      quick ? std::min<Index>(100, config["n_test"].get<Index>()) : config["n_test"].get<Index>();
  const std::uint64_t seed = config["seed"].get<std::uint64_t>();
  auto names = config["datasets"].get<std::vector<std::string>>();
  if (quick) names.resize(1);  // quick: the first data set only
  std::vector<CenteredData> sets;
  for (const auto& name : names) sets.push_back(make_centered(config, name, n, n_test));
  struct Task {
    std::size_t set;
    LossKind loss;
    MixingLaw law;
    MinimizerRun run;
  };
  std::vector<Task> tasks;
  for (std::size_t k = 0; k < sets.size(); ++k) {
    for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson}) {
      for (const MixingLaw law : laws) tasks.push_back({k, loss, law, {}});
    }
  }
  // The minimizations in parallel, one task each; recorded in task order after.
  parallel_tasks(tasks.size(), [&](std::size_t k) {
    tasks[k].run = run_minimizers(sets[tasks[k].set], tasks[k].loss, tasks[k].law, config);
  });
  for (const Task& task : tasks) {
    const CenteredData& data = sets[task.set];
    nlohmann::json row = record_minimizers(task.run, data, task.loss, task.law, checks);
    row["dataset"] = names[task.set];
    checks.eq7.measured["rows"].push_back(row);
    // The identity also at a random theta (off the minimizers).
    const VectorXd theta = random_theta(data.train.d(), seed + 29, 1.0);
    record_expansion_identity(theta, task.loss, data.train, task.law,
                              {{"theta", "random"}, {"dataset", names[task.set]}}, checks.identity,
                              checks.r1_sign);
  }
  checks.eq7.summary =
      "L_std+Eq.(7) vs L_mix: " +
      spread_text(checks.cos_eq7, checks.agree_eq7, checks.norm_eq7, checks.gap_eq7) +
      " | ERM vs L_mix: " +
      spread_text(checks.cos_erm, checks.agree_erm, checks.norm_erm, checks.gap_erm);
  checks.eq7.measured["eq7_vs_mixup"] =
      spread_json(checks.cos_eq7, checks.agree_eq7, checks.norm_eq7, checks.gap_eq7);
  checks.eq7.measured["baseline_erm_vs_mixup"] =
      spread_json(checks.cos_erm, checks.agree_erm, checks.norm_erm, checks.gap_erm);
  checks.expansion.summary =
      "2nd-order expansion vs L_mix: " + spread_text(checks.cos_expansion, checks.agree_expansion,
                                                     checks.norm_expansion, checks.gap_expansion);
  checks.expansion.measured = spread_json(checks.cos_expansion, checks.agree_expansion,
                                          checks.norm_expansion, checks.gap_expansion);
  report.checks.push_back(checks.eq7);
  report.checks.push_back(checks.expansion);
  report.checks.push_back(checks.identity);
  report.checks.push_back(checks.r1_sign);
}

// ---- Audits: drop "centered data" ---------------------------------------------------------------

void audit_uncentered(const nlohmann::json& config, const OrderSetup& setup, ClaimReport& report) {
  // The same data shifted by a fixed vector (the raw generator's offset, or 0.5 per coordinate).
  Dataset shifted = setup.data;
  shifted.X.rowwise() += VectorXd::Constant(shifted.d(), 0.5).transpose();
  const MixingLaw law{config["order_alphas"].get<std::vector<double>>().back(),
                      config["order_betas"].get<std::vector<double>>().back()};
  Audit expansion;
  expansion.drop = "centered data: the CLAIMS.md expansion vs Lemma 3.1's L~_mix (core)";
  for (std::size_t t = 0; t < setup.thetas.size(); ++t) {
    for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson}) {
      const auto mine = second_order_expansion(setup.thetas[t], loss, shifted, law);
      const auto core = approximate_mixup_loss(LinearModel(setup.thetas[t]), loss, shifted, law);
      const double scale = std::max({std::abs(mine.standard_loss), std::abs(core.R1), 1e-300});
      expansion.record(-std::abs(mine.total() - core.total()) / scale, kExpansionTolerance,
                       {{"theta", t},
                        {"loss", to_string(loss)},
                        {"law", law_json(law)},
                        {"expansion", mine.total()},
                        {"core", core.total()}});
    }
  }
  expansion.note = "off-center, E_r[r - x_i] = xbar - x_i and Sigma^ is not the covariance";
  report.audits.push_back(expansion);

  Audit order;
  order.drop = "centered data: order of L_resc(s) - L_std - s^2 Reg (proof's approximation)";
  const OrderRun run =
      measure_order(setup.thetas.front(), shifted, law, setup.halvings, setup.per_octave);
  const double predicted = predicted_order(law);
  if (run.fit.fitted()) {
    order.record(
        run.fit.slope - predicted, kSlopeTolerance,
        {{"law", law_json(law)}, {"predicted", predicted}, {"fit", remainder_fit_json(run.fit)}});
    order.measured["slope"] = run.fit.slope;
  }
  order.note = "off-center the first-order term s E[u] mean(A'-y) theta^T xbar survives: order 1";
  report.audits.push_back(order);
}

}  // namespace

ConfigSchema lemma_3_3_schema() {
  using T = ParamType;
  return ConfigSchema({
      param("seed", T::kInteger, 1, "seed of data and random theta").at_least(0),
      param("datasets", T::kStringList, {"two-moons", "gaussian"},
            "data sets (centered by their training mean); the first is used for the order test")
          .one_of(kDatasetNames),
      param("gaussian_d", T::kInteger, 5, "dimension of the gaussian data set").at_least(1),
      param("n", T::kInteger, 60, "training samples for the minimizer comparison").at_least(2),
      param("n_test", T::kInteger, 1000, "test samples for the prediction agreement").at_least(1),
      param("alphas", T::kNumberList, {0.5, 1.0, 1.5, 4.0}, "(ii), (iii): values of a").above(0.0),
      param("betas", T::kNumberList, {0.5, 1.5, 4.0}, "(ii), (iii): values of b").above(0.0),
      param("weight_decay", T::kNumber, 1e-3,
            "(iii): mu of (mu/2)|theta|^2 added to every objective minimized")
          .above(0.0),
      param("max_iterations", T::kInteger, 200, "(iii): BFGS iterations").at_least(1),
      param("order_n", T::kInteger, 16, "(i): samples of the order experiment").at_least(2),
      param("order_alphas", T::kNumberList, {0.5, 1.25, 1.75, 3.0}, "(i): values of a").above(0.0),
      param("order_betas", T::kNumberList, {1.5, 3.0}, "(i): values of b").above(0.0),
      param("order_thetas", T::kInteger, 2, "(i): random theta per law").at_least(1),
      param("theta_scale", T::kNumber, 1.0, "(i): theta ~ scale N(0, I/d)").above(0.0),
      param("order_halvings", T::kInteger, 12, "(i): scales s from 1 down to 2^-halvings")
          .at_least(2)
          .at_most(20),
      param("order_points_per_octave", T::kInteger, 2, "(i): scales per halving of s")
          .at_least(1)
          .at_most(8),
  });
}

ClaimReport check_lemma_3_3(const RunContext& context) {
  ClaimReport report;
  report.claim = "lemma-3.3";
  report.paper_ref = "Lemma 3.3 (appendix A.3.1, Eq. 7)";
  report.statement =
      "On centered data, the second-order regularizer of mixup for a GLM is (1/(2n)) [sum_i "
      "A''(theta^T x_i)] q theta^T Sigma^_X theta, q = E_D~[(1-lam)^2/lam^2] (Eq. 7); checked as "
      "what the proof computes (the loss on rescaled inputs x_i + u r, u = (1-lam)/lam), with q's "
      "divergence, and measured against the exact mixup loss";
  const nlohmann::json& config = context.config;
  const auto q_laws = law_grid(config["alphas"].get<std::vector<double>>(),
                               config["betas"].get<std::vector<double>>());
  const auto order_laws = law_grid(config["order_alphas"].get<std::vector<double>>(),
                                   config["order_betas"].get<std::vector<double>>());
  run_in_one_team([&] {
    check_q_grid(q_laws, report);
    const OrderSetup setup = order_setup(config, context.quick);
    check_rescaled_values(setup, order_laws, report);
    check_order(setup, order_laws, report);
    report_rescaled_poisson(setup, order_laws, report);
    check_minimizers(config, context.quick, q_laws, report);
    audit_uncentered(config, setup, report);
  });
  report.notes.push_back(
      "The proof rescales each mixed point by its own 1/lam; l(theta, lam x~) = l(lam theta, x~), "
      "so the rescaled loss is not L_mix (see the 'not a symmetry' measurement).");
  report.notes.push_back(
      "Order of the rescaled remainder: u = (1-lam)/lam has P(u > t) ~ t^-(min(a,b)+1), so the "
      "remainder is O(s^min(3, min(a,b)+1)): third order only for min(a, b) > 2; q (and Eq. 7) "
      "is +inf for min(a, b) <= 1.");
  report.notes.push_back(
      "(iii) objectives all carry weight decay (mu/2)|theta|^2 with mu = config weight_decay, "
      "minimized by BFGS from theta = 0; predictions are the mode of the predictive law "
      "(1{theta^T x > 0} logistic, floor(e^(theta^T x)) Poisson) on an independent test draw "
      "shifted by the training mean.");
  return report;
}

}  // namespace mixup
