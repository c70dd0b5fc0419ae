// ReluTwoLayer: f(x) = theta1^T relu(W x + b) + theta0 (Lemma 3.4, Theorem 3.5).
#include <cmath>

#include "core/errors.hpp"
#include "core/models.hpp"
#include "core/two_layer_parameters.hpp"

namespace mixup {
namespace {

// The active-set indicator 1{z > 0}: relu'(0) = 0 by the convention of models.hpp.
Eigen::ArrayXXd active(const Eigen::MatrixXd& Z) {
  return (Z.array() > 0.0).cast<double>();
}

}  // namespace

ReluTwoLayer::ReluTwoLayer(Eigen::MatrixXd W, Eigen::VectorXd b, Eigen::VectorXd theta1,
                           double theta0)
    : W_(std::move(W)), b_(std::move(b)), theta1_(std::move(theta1)), theta0_(theta0) {
  two_layer::require_shapes("relu2", W_, b_, theta1_);
}

Eigen::Index ReluTwoLayer::parameter_count() const {
  return two_layer::parameter_count(W_);
}

Eigen::VectorXd ReluTwoLayer::parameters() const {
  return two_layer::flatten(W_, b_, theta1_, theta0_);
}

void ReluTwoLayer::set_parameters(const Eigen::VectorXd& theta) {
  require_parameter_count(theta);
  two_layer::assign(theta, W_, b_, theta1_, theta0_);
}

Eigen::MatrixXd ReluTwoLayer::pre_activations(const Eigen::MatrixXd& X) const {
  require_input_dim(X);
  Eigen::MatrixXd Z(X.rows(), W_.rows());
  Z.noalias() = X * W_.transpose();
  Z.rowwise() += b_.transpose();
  return Z;
}

Eigen::MatrixXd ReluTwoLayer::hidden(const Eigen::MatrixXd& X) const {
  return pre_activations(X).cwiseMax(0.0);
}

Eigen::VectorXd ReluTwoLayer::f(const Eigen::MatrixXd& X) const {
  Eigen::VectorXd out = hidden(X) * theta1_;
  out.array() += theta0_;
  return out;
}

Eigen::MatrixXd ReluTwoLayer::grad_x(const Eigen::MatrixXd& X) const {
  // grad_x f = W^T (theta1 .* 1{z > 0}), one row per sample.
  const Eigen::MatrixXd D =
      (active(pre_activations(X)).rowwise() * theta1_.transpose().array()).matrix();
  return D * W_;
}

Eigen::MatrixXd ReluTwoLayer::hess_x(const Eigen::VectorXd& x) const {
  return Eigen::MatrixXd::Zero(x.size(), x.size());
}

Eigen::MatrixXd ReluTwoLayer::grad_theta(const Eigen::MatrixXd& X) const {
  const Eigen::Index n = X.rows();
  const Eigen::Index m = W_.rows();
  const Eigen::Index d = W_.cols();
  const Eigen::MatrixXd Z = pre_activations(X);
  const Eigen::ArrayXXd D = active(Z).rowwise() * theta1_.transpose().array();  // df/dz, n x m
  Eigen::MatrixXd J(n, parameter_count());
  // df/dW_jk = (df/dz_j) x_k; column-major vec(W) puts W_jk at k m + j.
  for (Eigen::Index k = 0; k < d; ++k) {
    J.middleCols(k * m, m) = (D.colwise() * X.col(k).array()).matrix();
  }
  J.middleCols(W_.size(), m) = D.matrix();           // df/db
  J.middleCols(W_.size() + m, m) = Z.cwiseMax(0.0);  // df/dtheta1
  J.col(W_.size() + 2 * m).setOnes();                // df/dtheta0
  return J;
}

double ReluTwoLayer::kink_distance(const Eigen::VectorXd& x) const {
  return pre_activations(x.transpose()).cwiseAbs().minCoeff();
}

}  // namespace mixup
