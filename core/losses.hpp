#pragma once
// The loss family of Eq. (2): l(theta, (x, y)) = h(f_theta(x)) - y f_theta(x), with h the
// log-partition function A of a GLM, and its derivatives h' (= g, the mean function) and h''.
//
//   logistic  h(u) = log(1 + e^u)   h' = sigmoid(u)          h'' = sigmoid(u) sigmoid(-u)   y in
//   {0, 1} Poisson   h(u) = e^u            h' = e^u                 h'' = e^u y in {0, 1, 2, ...}
//   Gaussian  h(u) = u^2 / 2        h' = u                   h'' = 1                        y real
//   softmax   h(u) = logsumexp(u)   h' = softmax(u)          h'' = diag(p) - p p^T          y
//   one-hot
//
// Accuracy: logistic and Gaussian are accurate to a few ulps for every finite u (no overflow,
// no cancellation: log1p/exp of -|u| only).  Poisson's h = h' = h'' = e^u is correctly rounded by
// std::exp and overflows to +infinity for u > log(DBL_MAX) ~ 709.78: e^u is not representable
// there, and no reformulation can make it finite.  Callers that feed such u get +infinity.

#include <string>
#include <string_view>

#include <Eigen/Core>

namespace mixup {

enum class LossKind { kLogistic, kPoisson, kGaussian };

// Parses "logistic", "poisson", "gaussian" (also "squared"); throws DomainError otherwise.
LossKind parse_loss_kind(std::string_view name);
std::string to_string(LossKind kind);

double loss_h(LossKind kind, double u);    // h(u)
double loss_dh(LossKind kind, double u);   // h'(u)
double loss_d2h(LossKind kind, double u);  // h''(u)

// l = h(u) - y u, the per-sample loss of Eq. (2) at output u and label y.
double loss_value(LossKind kind, double u, double y);

// True when y is a label the loss's GLM family admits (logistic: {0, 1}; Poisson: a
// non-negative integer; Gaussian: any finite number).  Mixed labels lam y_i + (1 - lam) y_j are
// handled by the mixup engine, not here.
bool label_is_valid(LossKind kind, double y);
// A phrase for error messages: "0 or 1", "a non-negative integer", "a finite number".
std::string allowed_labels(LossKind kind);

// Softmax cross-entropy, h(u) = logsumexp(u) for a logit vector u.
double log_sum_exp(const Eigen::VectorXd& u);
Eigen::VectorXd softmax(const Eigen::VectorXd& u);
Eigen::MatrixXd softmax_hessian(const Eigen::VectorXd& u);  // diag(p) - p p^T

}  // namespace mixup
