// SmoothTwoLayer: f(x) = theta1^T s(W x + b) + theta0 with s = softplus or tanh: a twice
// differentiable net, the setting Lemma 3.1's Taylor expansion assumes.
#include <cmath>

#include "core/errors.hpp"
#include "core/models.hpp"
#include "core/two_layer_parameters.hpp"

namespace mixup {

SmoothTwoLayer::SmoothTwoLayer(SmoothActivation activation, Eigen::MatrixXd W, Eigen::VectorXd b,
                               Eigen::VectorXd theta1, double theta0)
    : activation_(activation),
      W_(std::move(W)),
      b_(std::move(b)),
      theta1_(std::move(theta1)),
      theta0_(theta0) {
  two_layer::require_shapes("smooth2", W_, b_, theta1_);
}

Eigen::Index SmoothTwoLayer::parameter_count() const {
  return two_layer::parameter_count(W_);
}

Eigen::VectorXd SmoothTwoLayer::parameters() const {
  return two_layer::flatten(W_, b_, theta1_, theta0_);
}

void SmoothTwoLayer::set_parameters(const Eigen::VectorXd& theta) {
  require_parameter_count(theta);
  two_layer::assign(theta, W_, b_, theta1_, theta0_);
}

// softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^{-|z|});  softplus' = sigmoid;
// softplus'' = sigmoid(z) sigmoid(-z).  tanh' = 1 - tanh^2;  tanh'' = -2 tanh (1 - tanh^2).
Eigen::ArrayXXd SmoothTwoLayer::activate(const Eigen::ArrayXXd& z) const {
  if (activation_ == SmoothActivation::kTanh) return z.tanh();
  return z.max(0.0) + (-z.abs()).exp().log1p();
}

Eigen::ArrayXXd SmoothTwoLayer::activate_d1(const Eigen::ArrayXXd& z) const {
  if (activation_ == SmoothActivation::kTanh) return 1.0 - z.tanh().square();
  const Eigen::ArrayXXd e = (-z.abs()).exp();  // sigmoid without overflow on either side
  return (z >= 0.0).select(1.0 / (1.0 + e), e / (1.0 + e));
}

Eigen::ArrayXXd SmoothTwoLayer::activate_d2(const Eigen::ArrayXXd& z) const {
  if (activation_ == SmoothActivation::kTanh) {
    const Eigen::ArrayXXd t = z.tanh();
    return -2.0 * t * (1.0 - t.square());
  }
  const Eigen::ArrayXXd e = (-z.abs()).exp();
  return e / (1.0 + e).square();
}

Eigen::MatrixXd SmoothTwoLayer::pre_activations(const Eigen::MatrixXd& X) const {
  require_input_dim(X);
  Eigen::MatrixXd Z(X.rows(), W_.rows());
  Z.noalias() = X * W_.transpose();
  Z.rowwise() += b_.transpose();
  return Z;
}

Eigen::VectorXd SmoothTwoLayer::f(const Eigen::MatrixXd& X) const {
  Eigen::VectorXd out = activate(pre_activations(X).array()).matrix() * theta1_;
  out.array() += theta0_;
  return out;
}

Eigen::MatrixXd SmoothTwoLayer::grad_x(const Eigen::MatrixXd& X) const {
  const Eigen::ArrayXXd D =
      activate_d1(pre_activations(X).array()).rowwise() * theta1_.transpose().array();
  return D.matrix() * W_;
}

Eigen::MatrixXd SmoothTwoLayer::hess_x(const Eigen::VectorXd& x) const {
  // hess_x f = W^T diag(theta1 .* s''(z)) W.
  const Eigen::ArrayXXd z = pre_activations(x.transpose()).array();
  const Eigen::VectorXd curvature = (activate_d2(z).row(0).transpose() * theta1_.array()).matrix();
  return W_.transpose() * curvature.asDiagonal() * W_;
}

Eigen::MatrixXd SmoothTwoLayer::grad_theta(const Eigen::MatrixXd& X) const {
  const Eigen::Index m = W_.rows();
  const Eigen::Index d = W_.cols();
  const Eigen::ArrayXXd Z = pre_activations(X).array();
  const Eigen::ArrayXXd D = activate_d1(Z).rowwise() * theta1_.transpose().array();
  Eigen::MatrixXd J(X.rows(), parameter_count());
  for (Eigen::Index k = 0; k < d; ++k) {
    J.middleCols(k * m, m) = (D.colwise() * X.col(k).array()).matrix();
  }
  J.middleCols(W_.size(), m) = D.matrix();
  J.middleCols(W_.size() + m, m) = activate(Z).matrix();
  J.col(W_.size() + 2 * m).setOnes();
  return J;
}

}  // namespace mixup
