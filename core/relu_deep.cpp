// ReluDeep: f(x) = beta^T relu(W_L ... relu(W_1 x)), no biases (Theorem 3.3, appendix B.2).
#include <limits>

#include "core/errors.hpp"
#include "core/models.hpp"

namespace mixup {

ReluDeep::ReluDeep(std::vector<Eigen::MatrixXd> weights, Eigen::VectorXd beta)
    : weights_(std::move(weights)), beta_(std::move(beta)) {
  if (weights_.empty()) throw DomainError("relu_deep: needs at least one weight matrix");
  for (std::size_t l = 0; l < weights_.size(); ++l) {
    if (weights_[l].size() == 0) {
      throw DomainError("relu_deep: weights[" + std::to_string(l) + "] is empty");
    }
    if (l > 0 && weights_[l].cols() != weights_[l - 1].rows()) {
      throw DomainError("relu_deep: weights[" + std::to_string(l) + "] has " +
                        std::to_string(weights_[l].cols()) + " columns but weights[" +
                        std::to_string(l - 1) + "] has " + std::to_string(weights_[l - 1].rows()) +
                        " rows");
    }
  }
  if (beta_.size() != weights_.back().rows()) {
    throw DomainError("relu_deep: beta has " + std::to_string(beta_.size()) +
                      " entries but the last layer has " + std::to_string(weights_.back().rows()) +
                      " units");
  }
}

Eigen::Index ReluDeep::parameter_count() const {
  Eigen::Index count = beta_.size();
  for (const auto& W : weights_) count += W.size();
  return count;
}

Eigen::VectorXd ReluDeep::parameters() const {
  Eigen::VectorXd p(parameter_count());
  Eigen::Index at = 0;
  for (const auto& W : weights_) {
    p.segment(at, W.size()) = W.reshaped();
    at += W.size();
  }
  p.tail(beta_.size()) = beta_;
  return p;
}

void ReluDeep::set_parameters(const Eigen::VectorXd& theta) {
  require_parameter_count(theta);
  Eigen::Index at = 0;
  for (auto& W : weights_) {
    W.reshaped() = theta.segment(at, W.size());
    at += W.size();
  }
  beta_ = theta.tail(beta_.size());
}

ReluDeep::Forward ReluDeep::forward(const Eigen::MatrixXd& X) const {
  require_input_dim(X);
  Forward fw;
  fw.act.push_back(X);
  for (const auto& W : weights_) {
    Eigen::MatrixXd Z(X.rows(), W.rows());
    Z.noalias() = fw.act.back() * W.transpose();
    fw.act.push_back(Z.cwiseMax(0.0));
    fw.pre.push_back(std::move(Z));
  }
  return fw;
}

std::vector<Eigen::MatrixXd> ReluDeep::backward(const Forward& fw) const {
  const std::size_t L = weights_.size();
  std::vector<Eigen::MatrixXd> delta(L);
  // Delta_L = beta^T .* 1{Z_L > 0}; Delta_{l-1} = (Delta_l W_l) .* 1{Z_{l-1} > 0}.
  // relu'(0) = 0 (models.hpp).
  delta[L - 1] =
      ((fw.pre[L - 1].array() > 0.0).cast<double>().rowwise() * beta_.transpose().array()).matrix();
  for (std::size_t l = L - 1; l > 0; --l) {
    Eigen::MatrixXd back(delta[l].rows(), weights_[l].cols());
    back.noalias() = delta[l] * weights_[l];
    delta[l - 1] = (back.array() * (fw.pre[l - 1].array() > 0.0).cast<double>()).matrix();
  }
  return delta;
}

Eigen::VectorXd ReluDeep::f(const Eigen::MatrixXd& X) const {
  return forward(X).act.back() * beta_;
}

Eigen::MatrixXd ReluDeep::grad_x(const Eigen::MatrixXd& X) const {
  const Forward fw = forward(X);
  return backward(fw).front() * weights_.front();
}

Eigen::MatrixXd ReluDeep::hess_x(const Eigen::VectorXd& x) const {
  return Eigen::MatrixXd::Zero(x.size(), x.size());
}

Eigen::MatrixXd ReluDeep::grad_theta(const Eigen::MatrixXd& X) const {
  const Forward fw = forward(X);
  const std::vector<Eigen::MatrixXd> delta = backward(fw);
  Eigen::MatrixXd J(X.rows(), parameter_count());
  Eigen::Index at = 0;
  for (std::size_t l = 0; l < weights_.size(); ++l) {
    // df/dW_l[j, k] = Delta_l[:, j] * A_{l-1}[:, k]; column-major vec puts (j, k) at k m + j.
    const Eigen::Index m = weights_[l].rows();
    for (Eigen::Index k = 0; k < weights_[l].cols(); ++k) {
      J.middleCols(at + k * m, m) =
          (delta[l].array().colwise() * fw.act[l].col(k).array()).matrix();
    }
    at += weights_[l].size();
  }
  J.rightCols(beta_.size()) = fw.act.back();
  return J;
}

double ReluDeep::kink_distance(const Eigen::VectorXd& x) const {
  const Forward fw = forward(x.transpose());
  double distance = std::numeric_limits<double>::infinity();
  for (const auto& Z : fw.pre) distance = std::min(distance, Z.cwiseAbs().minCoeff());
  return distance;
}

}  // namespace mixup
