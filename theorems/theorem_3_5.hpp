#pragma once
// Theorem 3.5 / Theorem A.1 (appendix A.3.3): the Rademacher complexity of the two-layer class
// W_gamma^NN = {x -> theta1^T sigma(W x) + theta0 : theta1^T Sigma_sigma theta1 <= gamma}, W fixed,
// against 2 sqrt(gamma (rank(Sigma_sigma) + |Sigma_sigma^{+1/2} mu_sigma|^2) / n).
// The check (theorems/theorem_3_5.cpp) and the pieces it is built from.

#include <Eigen/Core>

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema theorem_3_5_schema();
ClaimReport check_theorem_3_5(const RunContext& context);

namespace theorem_3_5 {

// The population moments of the hidden representation, estimated on the rows of H (one
// sample per row): mu = mean, Sigma = covariance with 1/N (the population covariance of the
// empirical law of the rows).
struct HiddenMoments {
  Eigen::VectorXd mean;
  Eigen::MatrixXd covariance;
};
HiddenMoments hidden_moments(const Eigen::MatrixXd& H);

// The bounds on E_S Rad(W_gamma^NN, S) for n samples, from k = rank(Sigma_sigma) and
// w = |Sigma_sigma^{+1/2} mu_sigma|^2:
//   stated       2 sqrt(gamma (k + w) / n)                   (Theorem A.1 as printed)
//   proof        sqrt(gamma / n) (sqrt(k) + sqrt(w))         (the proof's two terms before the
//                                                            last step: centred part by Jensen,
//                                                            mean part by E|sum sigma_i| <= sqrt n)
//   jensen       sqrt(gamma (k + w) / n)                     (Jensen on the whole sum:
//                                                            E h^T Sigma^+ h = k + w when h - mu
//                                                            and mu lie in range(Sigma))
// jensen <= proof <= sqrt(2) jensen <= stated.
struct ComplexityBounds {
  double stated = 0.0;
  double proof = 0.0;
  double jensen = 0.0;
};
ComplexityBounds complexity_bounds(double gamma, double rank, double whitened_mean_square,
                                   Eigen::Index n);

}  // namespace theorem_3_5
}  // namespace mixup
