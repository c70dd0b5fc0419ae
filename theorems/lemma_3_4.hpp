#pragma once
// Lemma 3.4 (appendix A.3.1, Eq. 8): mixup on the hidden layer of f(x) = theta1^T sigma(W x) +
// theta0 with the squared loss (1/n) sum_i (y_i - f(x_i))^2; the regularizer
// q theta1^T Sigma^_sigma theta1.  The check (theorems/lemma_3_4.cpp) and its pieces.

#include <Eigen/Core>

#include "core/data.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"
#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema lemma_3_4_schema();
ClaimReport check_lemma_3_4(const RunContext& context);

namespace lemma_3_4 {

// Sigma^_sigma: the covariance of the rows of H with 1/n and the sample mean (Eq. 8).
Eigen::MatrixXd hidden_covariance(const Eigen::MatrixXd& H);

// The hidden-layer mixup losses of the squared loss, assembled from core's GLM-form engine
// (LossKind::kGaussian, l = u^2/2 - y u) and the label-only terms:
//   Eq. (1): (1/n^2) sum_ij E_Beta (lam y_i + (1-lam) y_j - lam f_i - (1-lam) f_j)^2
//          = 2 L_mix^GLM + (1/n^2) sum_ij E_Beta (lam y_i + (1-lam) y_j)^2
//   Eq. (9): (1/n^2) sum_ij E_D~ (y_i - f_i - (1-lam)(f_j - f_i))^2 = 2 L_mix^GLM,D~ + mean(y^2)
// The mixed-label square is summed over pairs by a 2-node Gauss-Jacobi rule (exact: quadratic).
struct SquaredMixupLosses {
  double standard = 0.0;  // (1/n) sum (y_i - f_i)^2
  double eq1 = 0.0;
  double eq9 = 0.0;
};
SquaredMixupLosses squared_manifold_mixup_losses(const ReluTwoLayer& net, const Dataset& data,
                                                 MixingLaw law);

// What the proof computes: the squared loss on rescaled, centered hidden covariates,
//   L_resc = (1/n^2) sum_ij E_{lam ~ D~} (y_i - theta1^T [(h_i - hbar) + u (h_j - hbar)] -
//   theta0')^2,
// u = (1-lam)/lam, theta0' = theta0 + theta1^T hbar (so that the predictions at the training
// points are unchanged), by per-pair quadrature: (e - u v)^2 = lam^-2 (lam e - (1-lam) v)^2, and
// lam^-2 times the Beta(p, q) density is B(p-2, q)/B(p, q) times that of Beta(p-2, q), whose
// 2-node Gauss-Jacobi rule is exact for the quadratic.  +inf when a <= 1 or b <= 1 (unless
// every v_j = 0).
double rescaled_squared_loss(const ReluTwoLayer& net, const Dataset& data, MixingLaw law);

}  // namespace lemma_3_4
}  // namespace mixup
