#pragma once
// The mixup loss of a multi-class classifier (core/classifier.hpp) with softmax cross-entropy,
// l(theta, (x, y)) = logsumexp(f(x)) - y^T f(x), y one-hot: the multi-class form of Lemma 3.1
// (h = logsumexp; CLAIMS.md, "Notation").  As core/mixup.hpp for one output:
//
//   Eq. (1)  L_mix = (1/n^2) sum_{i,j} E_{lam ~ Beta(a,b)} l(theta, (lam x_i + (1-lam) x_j,
//                                                                lam y_i + (1-lam) y_j))
//   Eq. (9)  L_mix = (1/n^2) sum_{i,j} E_{lam ~ D~} l(theta, (lam x_i + (1-lam) x_j, y_i))
//
// equal because l is linear in y (appendix A.1's argument does not use the output dimension).
//
// Exactness: along a mixing segment the logits are piecewise affine in lam (softmax regression:
// one piece; a one-hidden-layer ReLU MLP: a new piece at every hidden unit that switches).  Each
// piece is integrated against the Beta-type weight by Gauss rules (Gauss-Jacobi at singular
// ends) compared at 6 and 12 nodes and bisected until they agree to 1e-14 max(1, |logits|) per
// pair: logsumexp of an affine line is analytic, so the 12-node value is then far more accurate.
// Pairs are summed in fixed tiles: the same bits at any thread count.
//
// Quadratic approximation (Lemma 3.1, multi-class): with p_i = softmax(f(x_i)), J_i = df/dx at
// x_i (K x d), H_i = diag(p_i) - p_i p_i^T (the Hessian of logsumexp), delta = r_x - x_i:
//   R1 = (m1/n) sum_i (p_i - y_i)^T J_i E_r[delta]
//   R2 = (m2/(2n)) sum_i E_r[delta^T J_i^T H_i J_i delta]
//      = (m2/(2n)) sum_i tr(H_i J_i (Sigma^ + (xbar - x_i)(xbar - x_i)^T) J_i^T)
//   R3 = (m2/(2n)) sum_i sum_k (p_ik - y_ik) E_r[delta^T hess f_k(x_i) delta] = 0
// (the logits are piecewise affine in x: hess f_k = 0 away from kinks).  Sigma^ uses 1/n.

#include "core/classifier.hpp"
#include "core/mixup.hpp"
#include "core/multiclass_data.hpp"

namespace mixup {

// Eq. (1) and Eq. (9) (optionally with the perturbation scaled by s, as
// exact_mixup_loss_dtilde_scaled: the ordered pair (i, j) runs from x_i + s (x_j - x_i) at
// lam = 0 to x_i at lam = 1; s = 1 is Eq. 9).  Models with at most one hidden layer; throws
// DomainError otherwise, or when the data and model do not fit.
double exact_multiclass_mixup_loss(const Classifier& model, const MulticlassDataset& data,
                                   MixingLaw law);
double exact_multiclass_mixup_loss_dtilde(const Classifier& model, const MulticlassDataset& data,
                                          MixingLaw law, double s = 1.0);

// L_std and R1, R2, R3 of the multi-class quadratic approximation (R3 = 0, see above).
// The same model restriction.
QuadraticApproximation approximate_multiclass_mixup_loss(const Classifier& model,
                                                         const MulticlassDataset& data,
                                                         MixingLaw law);

// The largest s such that no hidden unit switches on any segment [x_i, x_i + s (x_j - x_i)]
// (Lemma 3.1's Taylor expansion holds for s below it); +infinity without hidden layers.
double multiclass_switch_scale(const Classifier& model, const MulticlassDataset& data);

}  // namespace mixup
