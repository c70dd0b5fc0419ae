#pragma once
// The mixing laws of the paper: Beta(a, b) for lam in Eq. (1), and
//   D~ = a/(a+b) Beta(a+1, b) + b/(a+b) Beta(b+1, a)          (Lemma 3.1, appendix A.1, Eq. 9)
// with closed-form moments, Gauss-Jacobi quadrature rules for Beta weights, and sampling.

#include <Eigen/Core>

#include "core/random.hpp"

namespace mixup {

// A Beta(a, b) law on [0, 1], density lam^(a-1) (1-lam)^(b-1) / B(a, b).  a, b > 0.
struct BetaLaw {
  double a;
  double b;
};

// E[lam^j (1 - lam)^k] under Beta(p, q) = B(p + j, q + k) / B(p, q), for real j, k.
// Returns +infinity exactly where the integral diverges (p + j <= 0 or q + k <= 0).
// Computed with Boost.Math's tgamma_delta_ratio (no overflow for large p, q).
double beta_moment(double p, double q, double j, double k);

// The moments of D~(a, b) used by the claims (all closed forms, see mixing.cpp):
//   m1 = E[1 - lam]              = 2ab / ((a+b)(a+b+1))
//   m2 = E[(1 - lam)^2]          = ab / ((a+b)(a+b+1))
//   q  = E[(1 - lam)^2 / lam^2]  = [b(b+1)/(a-1) + a(a+1)/(b-1)] / (a+b)
// q is finite if and only if a > 1 and b > 1: near lam = 0 the component Beta(a+1, b) has
// density ~ lam^a, so (1-lam)^2/lam^2 times it is integrable iff a - 2 > -1, i.e. a > 1; the
// component Beta(b+1, a) likewise needs b > 1.  Otherwise dtilde_q returns +infinity.
// All three throw DomainError unless a > 0 and b > 0 (both finite).
double dtilde_m1(double a, double b);
double dtilde_m2(double a, double b);
double dtilde_q(double a, double b);

// The density of D~(a, b) at lam in (0, 1):
//   [lam^a (1-lam)^(b-1) + lam^b (1-lam)^(a-1)] / B(a, b).
double dtilde_density(double a, double b, double lam);

// A K-node Gauss-Jacobi rule for the probability weight of Beta(p, q) on [0, 1]:
// sum_k weights[k] * P(nodes[k]) = E_{Beta(p,q)}[P(lam)] exactly for every polynomial P of
// degree <= 2K - 1.  Built by Golub-Welsch (Jacobi matrix of the shifted Jacobi polynomials,
// Eigen's symmetric tridiagonal eigensolver), nodes refined by Newton's method on the
// three-term recurrence and weights taken as Christoffel numbers from the recurrence, so small
// weights keep their relative accuracy.  Valid for every p, q > 0 (including p, q < 1).
// one_minus_nodes[k] = 1 - nodes[k], computed without cancellation near lam = 1.
struct QuadratureRule {
  Eigen::VectorXd nodes;
  Eigen::VectorXd one_minus_nodes;
  Eigen::VectorXd weights;  // positive, sum to 1
};
QuadratureRule gauss_jacobi_beta(int K, double p, double q);

// The rule for D~(a, b): the two components' K-node rules, weights scaled by a/(a+b) and
// b/(a+b) (2K nodes in all); exact for polynomials of degree <= 2K - 1.
QuadratureRule gauss_jacobi_dtilde(int K, double a, double b);

// Draws.
double sample_beta(Engine& engine, double a, double b);
double sample_dtilde(Engine& engine, double a, double b);

// Throws DomainError naming `what` unless a > 0 and b > 0 and both are finite.
void require_beta_parameters(double a, double b, const char* what);

}  // namespace mixup
