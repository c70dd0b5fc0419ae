// The mixing laws: Beta(a, b) of Eq. (1) and D~(a, b) of Lemma 3.1 (appendix A.1, Eq. 9).
//
// Moments of D~ (closed forms used by dtilde_m1, dtilde_m2, dtilde_q).
//   D~(a, b) = a/(a+b) Beta(a+1, b) + b/(a+b) Beta(b+1, a), and for Beta(p, q)
//     E[lam^j (1-lam)^k] = B(p+j, q+k) / B(p, q) = G(p+j) G(q+k) G(p+q) / (G(p) G(q) G(p+q+j+k)).
//   Integer cases (G(x+1) = x G(x)):
//     E[1-lam]             = q / (p+q)
//     E[(1-lam)^2]         = q (q+1) / ((p+q) (p+q+1))
//     E[(1-lam)^2/lam^2]   = G(p-2) G(q+2) G(p+q) / (G(p) G(q) G(p+q)) = q (q+1) / ((p-1)(p-2)),
//                            finite iff p > 2 (the integrand ~ lam^(p-3) at 0).
//   Component 1, (p, q) = (a+1, b), p+q = a+b+1:
//     E[1-lam] = b/(a+b+1),  E[(1-lam)^2] = b(b+1)/((a+b+1)(a+b+2)),
//     E[(1-lam)^2/lam^2] = b(b+1) / (a (a-1))                               (finite iff a > 1).
//   Component 2, (p, q) = (b+1, a): the same with a and b exchanged.
//   Mixing with weights a/(a+b) and b/(a+b):
//     m1 = [a b + b a] / ((a+b)(a+b+1))                            = 2ab / ((a+b)(a+b+1))
//     m2 = [a b(b+1) + b a(a+1)] / ((a+b)(a+b+1)(a+b+2))
//        = ab (a+b+2) / ((a+b)(a+b+1)(a+b+2))                       = ab / ((a+b)(a+b+1))
//     q  = a/(a+b) b(b+1)/(a(a-1)) + b/(a+b) a(a+1)/(b(b-1))
//        = [b(b+1)/(a-1) + a(a+1)/(b-1)] / (a+b)                   (a > 1 and b > 1, else +inf).
//   Every formula is a handful of correctly rounded operations on positive quantities (no
//   cancellation: a-1 and b-1 are exact by Sterbenz's lemma for a, b in (1, 2]), so each is
//   accurate to a few ulps; the code groups the factors as ratios so large a, b cannot overflow.
//
// Gauss-Jacobi rules.  With lam = (1+x)/2 the Beta(p, q) weight lam^(p-1) (1-lam)^(q-1) is the
// Jacobi weight (1-x)^alpha (1+x)^beta on [-1, 1] with alpha = q-1, beta = p-1.  The monic Jacobi
// recurrence pi_{n+1} = (x - a_n) pi_n - b_n pi_{n-1} has, with s = alpha + beta = p + q - 2,
//   a_n = (beta^2 - alpha^2) / ((2n+s)(2n+s+2))      = (p-q)(p+q-2) / ((2n+p+q-2)(2n+p+q)),
//   b_n = 4n (n+alpha)(n+beta)(n+s) / ((2n+s)^2 (2n+s+1)(2n+s-1))
//       = 4n (n+q-1)(n+p-1)(n+p+q-2) / ((2n+p+q-2)^2 (2n+p+q-1)(2n+p+q-3)).
// For n = 0 and n = 1 these are 0/0 when s = 0 or s = -1; the cancelled forms are
//   a_0 = (beta - alpha)/(s+2) = (p-q)/(p+q),      b_1 = 4pq / ((p+q)^2 (p+q+1)).
// The Jacobi matrix (diagonal a_n, off-diagonal sqrt(b_n)) has the nodes as eigenvalues
// (Golub-Welsch).  The orthonormal polynomials of the probability measure satisfy
//   sqrt(b_{n+1}) p_{n+1}(x) = (x - a_n) p_n(x) - sqrt(b_n) p_{n-1}(x),  p_0 = 1, p_{-1} = 0,
// which gives p_K and p_K' for Newton's method and the Christoffel numbers
//   w_i = 1 / sum_{k<K} p_k(x_i)^2.
// Accuracy: the refined nodes are good to about eps absolute in x (Newton cut the K = 64 error
// on the test grid from 2.8e-12 to 3.7e-14 relative in the worst monomial moment), so
// lam = (1+x)/2 and 1 - lam = (1-x)/2 are good to about eps absolute, i.e. relative accuracy
// eps/lam for tiny nodes.  Moments dominated by nodes near an endpoint (a law with mean
// p/(p+q) ~ 1e-6, say) therefore lose relative accuracy like eps/mean.

#include "core/mixing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Eigenvalues>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "core/errors.hpp"

namespace mixup {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kEps = std::numeric_limits<double>::epsilon();

// Newton's method on p_K stops when the step is below this many ulps of the node: the Jacobi
// matrix eigenvalues are already accurate to about eps * ||J|| <= eps, so one or two steps
// reach the recurrence's own rounding level; more than kMaxNewtonSteps means no progress.
constexpr double kNewtonStopUlps = 2.0;
constexpr int kMaxNewtonSteps = 6;

// The shortest decimal form of x that reads back as x (for error messages).
std::string format_number(double x) {
  char buffer[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, x);
    if (std::strtod(buffer, nullptr) == x) {
      break;
    }
  }
  return buffer;
}

void require_positive_finite(double value, const char* name, const char* what) {
  if (!(std::isfinite(value) && value > 0.0)) {
    throw DomainError(std::string(what) + ": " + name + " must be a finite number > 0, got " +
                      format_number(value));
  }
}

// Recurrence coefficients of the monic Jacobi polynomials for Beta(p, q), in x = 2 lam - 1:
// diagonal a_0..a_{K-1} and sqrt_b_1..sqrt_b_K (sqrt_b[n] = sqrt(b_n), sqrt_b[0] unused = 0).
struct JacobiRecurrence {
  std::vector<double> a;
  std::vector<double> sqrt_b;
};

JacobiRecurrence jacobi_recurrence(int K, double p, double q) {
  JacobiRecurrence r;
  r.a.resize(static_cast<std::size_t>(K));
  r.sqrt_b.assign(static_cast<std::size_t>(K) + 1, 0.0);
  const double sum = p + q;         // alpha + beta + 2
  const double diff = p - q;        // beta - alpha
  const double sum_m2 = sum - 2.0;  // alpha + beta
  r.a[0] = diff / sum;
  for (int n = 1; n < K; ++n) {
    const double two_n_s = 2.0 * n + sum_m2;  // 2n + alpha + beta > 0 for n >= 1
    r.a[static_cast<std::size_t>(n)] = diff * sum_m2 / (two_n_s * (two_n_s + 2.0));
  }
  r.sqrt_b[1] = std::sqrt(4.0 * p * q / (sum * sum * (sum + 1.0)));
  for (int n = 2; n <= K; ++n) {
    const double two_n_s = 2.0 * n + sum_m2;
    const double num = 4.0 * n * (n + q - 1.0) * (n + p - 1.0) * (n + sum_m2);
    const double den = two_n_s * two_n_s * (two_n_s + 1.0) * (two_n_s - 1.0);
    r.sqrt_b[static_cast<std::size_t>(n)] = std::sqrt(num / den);
  }
  return r;
}

struct RecurrenceValues {
  double p_K;     // p_K(x)
  double dp_K;    // p_K'(x)
  double sum_sq;  // sum_{k<K} p_k(x)^2
};

// Runs the orthonormal three-term recurrence at x.
RecurrenceValues evaluate_recurrence(const JacobiRecurrence& r, int K, double x) {
  double p_prev = 0.0;
  double p = 1.0;
  double dp_prev = 0.0;
  double dp = 0.0;
  double sum_sq = 0.0;
  for (int n = 0; n < K; ++n) {
    const auto un = static_cast<std::size_t>(n);
    sum_sq += p * p;
    const double x_minus_a = x - r.a[un];
    const double inv_next = 1.0 / r.sqrt_b[un + 1];
    const double p_next = (x_minus_a * p - r.sqrt_b[un] * p_prev) * inv_next;
    const double dp_next = (p + x_minus_a * dp - r.sqrt_b[un] * dp_prev) * inv_next;
    p_prev = p;
    p = p_next;
    dp_prev = dp;
    dp = dp_next;
  }
  return {p, dp, sum_sq};
}

}  // namespace

void require_beta_parameters(double a, double b, const char* what) {
  require_positive_finite(a, "a", what);
  require_positive_finite(b, "b", what);
}

double beta_moment(double p, double q, double j, double k) {
  require_positive_finite(p, "p", "beta_moment(p, q, j, k)");
  require_positive_finite(q, "q", "beta_moment(p, q, j, k)");
  if (!std::isfinite(j)) {
    throw DomainError("beta_moment(p, q, j, k): j must be a finite number, got " +
                      format_number(j));
  }
  if (!std::isfinite(k)) {
    throw DomainError("beta_moment(p, q, j, k): k must be a finite number, got " +
                      format_number(k));
  }
  if (!(p + j > 0.0) || !(q + k > 0.0)) {
    return kInfinity;
  }
  // B(p+j, q+k) / B(p, q) = L * R with
  //   L = G(p+j) G(p+q) / (G(p) G(p+q+j)),   R = G(q+k) G(p+q+j) / (G(q) G(p+q+j+k)),
  // each a quotient of two similar gamma ratios (no spurious overflow for large p, q);
  // tgamma_delta_ratio(z, d) = G(z) / G(z + d).
  using boost::math::tgamma_delta_ratio;
  const double lam_part = tgamma_delta_ratio(p + q, j) / tgamma_delta_ratio(p, j);
  const double one_minus_lam_part = tgamma_delta_ratio(p + q + j, k) / tgamma_delta_ratio(q, k);
  return lam_part * one_minus_lam_part;
}

double dtilde_m1(double a, double b) {
  require_beta_parameters(a, b, "dtilde_m1(a, b)");
  const double s = a + b;
  return 2.0 * (a / s) * (b / (s + 1.0));  // grouped so that large a, b cannot overflow
}

double dtilde_m2(double a, double b) {
  require_beta_parameters(a, b, "dtilde_m2(a, b)");
  const double s = a + b;
  return (a / s) * (b / (s + 1.0));
}

double dtilde_q(double a, double b) {
  require_beta_parameters(a, b, "dtilde_q(a, b)");
  if (a <= 1.0 || b <= 1.0) {
    return kInfinity;
  }
  const double s = a + b;
  return (b / s) * ((b + 1.0) / (a - 1.0)) + (a / s) * ((a + 1.0) / (b - 1.0));
}

double dtilde_density(double a, double b, double lam) {
  require_beta_parameters(a, b, "dtilde_density(a, b, lam)");
  if (std::isnan(lam)) {
    throw DomainError("dtilde_density(a, b, lam): lam must be a number, got nan");
  }
  if (lam < 0.0 || lam > 1.0) {
    return 0.0;
  }
  if (lam == 0.0) {
    return 0.0;  // both components vanish like lam^min(a, b)
  }
  if (lam == 1.0) {
    // [(1-lam)^(b-1) + (1-lam)^(a-1)] / B(a, b) at lam -> 1.
    const double m = std::min(a, b);
    if (m < 1.0) {
      return kInfinity;
    }
    if (m > 1.0) {
      return 0.0;
    }
    return ((a == 1.0 ? 1.0 : 0.0) + (b == 1.0 ? 1.0 : 0.0)) / boost::math::beta(a, b);
  }
  // a/(a+b) Beta(a+1, b) + b/(a+b) Beta(b+1, a); ibeta_derivative(p, q, x) is the Beta(p, q)
  // density, computed without forming B(p, q) or the powers separately.
  const double s = a + b;
  return a / s * boost::math::ibeta_derivative(a + 1.0, b, lam) +
         b / s * boost::math::ibeta_derivative(b + 1.0, a, lam);
}

QuadratureRule gauss_jacobi_beta(int K, double p, double q) {
  if (K < 1) {
    throw DomainError("gauss_jacobi_beta(K, p, q): K must be an integer >= 1, got " +
                      std::to_string(K));
  }
  require_positive_finite(p, "p", "gauss_jacobi_beta(K, p, q)");
  require_positive_finite(q, "q", "gauss_jacobi_beta(K, p, q)");
  const JacobiRecurrence r = jacobi_recurrence(K, p, q);

  // Golub-Welsch: eigenvalues of the symmetric tridiagonal Jacobi matrix, ascending.
  Eigen::VectorXd diagonal(K);
  Eigen::VectorXd sub_diagonal(std::max(K - 1, 0));
  for (int n = 0; n < K; ++n) {
    diagonal(n) = r.a[static_cast<std::size_t>(n)];
  }
  for (int n = 0; n + 1 < K; ++n) {
    sub_diagonal(n) = r.sqrt_b[static_cast<std::size_t>(n) + 1];
  }
  Eigen::VectorXd x(K);
  if (K == 1) {
    x(0) = diagonal(0);
  } else {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
    solver.computeFromTridiagonal(diagonal, sub_diagonal, Eigen::EigenvaluesOnly);
    x = solver.eigenvalues();
  }
  const Eigen::VectorXd x_eig = x;

  QuadratureRule rule;
  rule.nodes.resize(K);
  rule.one_minus_nodes.resize(K);
  rule.weights.resize(K);
  for (int i = 0; i < K; ++i) {
    // Newton on p_K, safeguarded: a step never moves the node more than a quarter of the way
    // to a neighbouring eigenvalue or out of (-1, 1), so it cannot jump to another root.
    const double left = i > 0 ? x_eig(i - 1) : -1.0;
    const double right = i + 1 < K ? x_eig(i + 1) : 1.0;
    const double max_step = 0.25 * std::min(x_eig(i) - left, right - x_eig(i));
    double xi = x_eig(i);
    for (int step = 0; step < kMaxNewtonSteps; ++step) {
      const RecurrenceValues v = evaluate_recurrence(r, K, xi);
      if (!(v.dp_K != 0.0)) {
        break;
      }
      const double dx = v.p_K / v.dp_K;
      if (!(std::abs(dx) <= max_step)) {
        break;
      }
      const double next = xi - dx;
      if (!(next > -1.0 && next < 1.0)) {
        break;
      }
      xi = next;
      if (std::abs(dx) <= kNewtonStopUlps * kEps * std::max(std::abs(xi), 0.5)) {
        break;
      }
    }
    const RecurrenceValues v = evaluate_recurrence(r, K, xi);
    rule.nodes(i) = 0.5 * (1.0 + xi);
    rule.one_minus_nodes(i) = 0.5 * (1.0 - xi);
    rule.weights(i) = 1.0 / v.sum_sq;
  }
  rule.weights /= rule.weights.sum();  // the probability mass is 1
  return rule;
}

QuadratureRule gauss_jacobi_dtilde(int K, double a, double b) {
  require_beta_parameters(a, b, "gauss_jacobi_dtilde(K, a, b)");
  const QuadratureRule first = gauss_jacobi_beta(K, a + 1.0, b);   // Beta(a+1, b)
  const QuadratureRule second = gauss_jacobi_beta(K, b + 1.0, a);  // Beta(b+1, a)
  const double s = a + b;
  QuadratureRule rule;
  rule.nodes.resize(Eigen::Index{2} * K);
  rule.one_minus_nodes.resize(Eigen::Index{2} * K);
  rule.weights.resize(Eigen::Index{2} * K);
  rule.nodes << first.nodes, second.nodes;
  rule.one_minus_nodes << first.one_minus_nodes, second.one_minus_nodes;
  rule.weights << (a / s) * first.weights, (b / s) * second.weights;
  return rule;
}

double sample_beta(Engine& engine, double a, double b) {
  require_beta_parameters(a, b, "sample_beta(a, b)");
  return beta_sample(engine, a, b);
}

double sample_dtilde(Engine& engine, double a, double b) {
  require_beta_parameters(a, b, "sample_dtilde(a, b)");
  // Component Beta(a+1, b) with probability a/(a+b), else Beta(b+1, a).
  if (uniform01(engine) < a / (a + b)) {
    return beta_sample(engine, a + 1.0, b);
  }
  return beta_sample(engine, b + 1.0, a);
}

}  // namespace mixup
