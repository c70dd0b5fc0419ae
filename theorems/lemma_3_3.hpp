#pragma once
// Lemma 3.3 (appendix A.3.1, Eq. 7): the GLM regularizer of mixup on centered data,
//   (1/(2n)) [sum_i A''(theta^T x_i)] q theta^T Sigma^_X theta,   q = E_{lam ~
//   D~}[(1-lam)^2/lam^2].
// The check (theorems/lemma_3_3.cpp) and the pieces it is built from, exposed for the tests.

#include <Eigen/Core>

#include "core/data.hpp"
#include "core/losses.hpp"
#include "core/mixup.hpp"
#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema lemma_3_3_schema();
ClaimReport check_lemma_3_3(const RunContext& context);

namespace lemma_3_3 {

// h'''(u) of the GLM losses: logistic g(1-g)(1-2g) with g = sigmoid(u), Poisson e^u,
// Gaussian 0.
double glm_d3h(LossKind loss, double u);

// Eq. (7) at theta: (1/(2n)) [sum_i A''(theta^T x_i)] q theta^T Sigma^ theta with
// Sigma^ = (1/n) sum_i x_i x_i^T (the paper's Sigma^_X; on centered data it is the covariance).
// q = +inf gives +inf unless theta^T Sigma^ theta = 0.
double eq7_regularizer(const Eigen::VectorXd& theta, LossKind loss, const Eigen::MatrixXd& X,
                       double q);
// Its gradient in theta (q finite):
//   (q/(2n)) [ (sum_i A'''_i x_i) theta^T Sigma^ theta + 2 (sum_i A''_i) Sigma^ theta ].
Eigen::VectorXd eq7_regularizer_gradient(const Eigen::VectorXd& theta, LossKind loss,
                                         const Eigen::MatrixXd& X, double q);

// The true second-order expansion of L_mix at theta on centered data (CLAIMS.md, Lemma 3.1 for
// a GLM), written out independently of core/mixup_approx.cpp:
//   L_std + (m1/n) sum_i (y_i - A'_i) theta^T x_i
//         + (m2/(2n)) sum_i A''_i [theta^T Sigma^ theta + (theta^T x_i)^2].
struct SecondOrderTerms {
  double standard_loss = 0.0;
  double first_order = 0.0;   // (m1/n) sum_i (y_i - A'_i) theta^T x_i  (Lemma 3.1's R1)
  double second_order = 0.0;  // (m2/(2n)) sum_i A''_i [...]           (Lemma 3.1's R2)
  double total() const { return standard_loss + first_order + second_order; }
};
SecondOrderTerms second_order_expansion(const Eigen::VectorXd& theta, LossKind loss,
                                        const Dataset& data, MixingLaw law);

// What the proof expands (appendix A.3.1): the loss on the rescaled inputs
// x~_ij = x_i + s u x_j, u = (1-lam)/lam, lam ~ D~(a, b), for logistic regression,
//   L_resc(s) = (1/n^2) sum_{i,j} E_lam l(theta, (x_i + s u x_j, y_i)),
// against the proof's approximation L_std + s^2 Reg (Reg = Eq. 7).  Two integrals per ordered
// pair, by tanh_sinh quadrature in lam split at the turn of softplus:
//   value      L_resc(s) itself (finite for every a, b > 0: A grows linearly, E[u] < inf);
//   remainder  L_resc(s) - L_std - s^2 Reg, integrated directly as the Taylor remainder of A
//              plus the first-order term s E[u] (1/n^2) sum_ij (A'_i - y_i) theta^T x_j (zero on
//              centered data), so the quadrature error scales with the remainder.  Needs q < inf.
// error_estimate sums tanh_sinh's error estimates (absolute, over the (1/n^2)-weighted pairs).
struct RescaledLoss {
  double value = 0.0;
  double value_error = 0.0;
  double remainder = 0.0;
  double remainder_error = 0.0;
  double first_order = 0.0;  // the first-order term inside `remainder`
};
// want_value / want_remainder select the integrals (each costs one quadrature per pair).
RescaledLoss rescaled_logistic_loss(const Eigen::VectorXd& theta, const Dataset& data,
                                    MixingLaw law, double s, bool want_value, bool want_remainder);

// E_{lam ~ D~}[(1-lam)/lam] in closed form (finite for every a, b > 0).
double dtilde_mean_u(double a, double b);

}  // namespace lemma_3_3
}  // namespace mixup
