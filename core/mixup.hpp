#pragma once
// The mixup losses of the paper, as deterministic integrals over lam (no sampling), plus the
// Monte Carlo estimate that training code computes and the quadratic approximation of Lemma 3.1.
//
//   Eq. (1)  L_mix(theta, S) = (1/n^2) sum_{i,j} E_{lam ~ Beta(a,b)}
//                               l(theta, (lam x_i + (1-lam) x_j, lam y_i + (1-lam) y_j))
//   Eq. (9)  L_mix(theta, S) = (1/n) sum_i E_{lam ~ D~} (1/n) sum_j l(theta, (lam x_i + (1-lam)
//   x_j, y_i))
//            with D~ = a/(a+b) Beta(a+1, b) + b/(a+b) Beta(b+1, a)   (appendix A.1)
//   Eq. (3)  L~_mix = L_std + R1 + R2 + R3 (Lemma 3.1), with E_r the mean over the training inputs:
//            R1 = (m1/n) sum_i (h'(f_i) - y_i) grad f(x_i)^T E_r[r - x_i]
//            R2 = (m2/(2n)) sum_i h''(f_i) grad f(x_i)^T E_r[(r - x_i)(r - x_i)^T] grad f(x_i)
//            R3 = (m2/(2n)) sum_i (h'(f_i) - y_i) E_r[(r - x_i)^T hess f(x_i) (r - x_i)]
//            where E_r[(r - x_i)(r - x_i)^T] = Sigma^ + (xbar - x_i)(xbar - x_i)^T, Sigma^ the
//            covariance of the inputs with 1/n (no loop over pairs).
//
// "Exact" means: the integral over lam is split at every point where the integrand is not
// smooth (a ReLU unit of any layer switching along the segment, the turn of softplus at f = 0)
// and each piece is integrated by a rule exact to ~1e-10 relative.  Sums over samples and pairs
// run in fixed blocks (core/parallel.hpp): results do not depend on the thread count.

#include <cstdint>

#include <Eigen/Core>

#include "core/data.hpp"
#include "core/losses.hpp"
#include "core/models.hpp"

namespace mixup {

struct MixingLaw {
  double a = 1.0;  // Beta(a, b); both > 0
  double b = 1.0;
};

// Eq. (1): all n^2 ordered pairs, lam ~ Beta(a, b), mixed labels.
double exact_mixup_loss(const Model& model, LossKind loss, const Dataset& data, MixingLaw law);
// Eq. (9): original labels y_i, lam ~ D~(a, b).  Equal to Eq. (1) for losses linear in y.
double exact_mixup_loss_dtilde(const Model& model, LossKind loss, const Dataset& data,
                               MixingLaw law);
// Lemma 3.1's perturbation-scale experiment (CLAIMS.md): Eq. (9) with the perturbation scaled
// by s >= 0,  (1/n^2) sum_{i,j} E_{lam ~ D~} l(theta, (x_i + s (1-lam)(x_j - x_i), y_i)).
// s = 1 gives Eq. (9); the quadratic approximation at scale s is L_std + s R1 + s^2 (R2 + R3).
double exact_mixup_loss_dtilde_scaled(const Model& model, LossKind loss, const Dataset& data,
                                      MixingLaw law, double s);
// The gradient of Eq. (1) in the model's parameters (same order as Model::parameters()).
Eigen::VectorXd exact_mixup_loss_gradient(const Model& model, LossKind loss, const Dataset& data,
                                          MixingLaw law);

// Monte Carlo mixup as reference training code does it: per draw, one lam ~ Beta(a, b) for the
// whole batch and partners j = perm(i) by a uniform random permutation; the draw's loss is
// (1/n) sum_i l(theta, (lam x_i + (1-lam) x_perm(i), lam y_i + (1-lam) y_perm(i))).
// Draw k uses stream (seed, "mixup/monte-carlo", k): the same seed gives the same lam and
// partners at any thread count.
struct MonteCarloEstimate {
  double mean = 0.0;
  double standard_error = 0.0;  // sample standard deviation of the draws / sqrt(draws);
                                // +infinity for a single draw (no spread to estimate)
  int draws = 0;
};
MonteCarloEstimate monte_carlo_mixup_loss(const Model& model, LossKind loss, const Dataset& data,
                                          MixingLaw law, int draws, std::uint64_t seed);
// One draw's lam and partner permutation, as used above (exposed for tests and training).
struct MixupDraw {
  double lam = 0.0;
  std::vector<Eigen::Index> partner;
};
MixupDraw mixup_draw(Eigen::Index n, MixingLaw law, std::uint64_t seed, std::uint64_t k);

// Lemma 3.1's quadratic approximation (Eq. 3), O(n d^2) for the general model (hess_x is
// needed only for R3, which vanishes for linear models and ReLU nets).
struct QuadraticApproximation {
  double standard_loss = 0.0;
  double R1 = 0.0;
  double R2 = 0.0;
  double R3 = 0.0;
  double total() const { return standard_loss + R1 + R2 + R3; }
};
QuadraticApproximation approximate_mixup_loss(const Model& model, LossKind loss,
                                              const Dataset& data, MixingLaw law);
// Its gradient in the model's parameters.
Eigen::VectorXd approximate_mixup_loss_gradient(const Model& model, LossKind loss,
                                                const Dataset& data, MixingLaw law);

// Manifold mixup on the hidden layer of a two-layer net (Lemma 3.4, Theorem 3.5): the hidden
// representations sigma(W x_i) are mixed instead of the inputs, f = theta1^T h + theta0.
double exact_manifold_mixup_loss(const ReluTwoLayer& net, LossKind loss, const Dataset& data,
                                 MixingLaw law);
double exact_manifold_mixup_loss_dtilde(const ReluTwoLayer& net, LossKind loss, const Dataset& data,
                                        MixingLaw law);

}  // namespace mixup
