#include "core/models.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "core/two_layer_parameters.hpp"

namespace mixup {

// ---- Model (shared) ----

double Model::kink_distance(const Eigen::VectorXd& /*x*/) const {
  return std::numeric_limits<double>::infinity();
}

double Model::f_at(const Eigen::VectorXd& x) const {
  return f(x.transpose())(0);
}

Eigen::VectorXd Model::grad_x_at(const Eigen::VectorXd& x) const {
  return grad_x(x.transpose()).row(0).transpose();
}

void Model::require_input_dim(const Eigen::MatrixXd& X) const {
  if (X.cols() != input_dim()) {
    throw DomainError("model '" + type() + "' takes inputs of dimension " +
                      std::to_string(input_dim()) + ", got data with " + std::to_string(X.cols()) +
                      " feature columns");
  }
}

void Model::require_parameter_count(const Eigen::VectorXd& theta) const {
  if (theta.size() != parameter_count()) {
    throw DomainError("model '" + type() + "' has " + std::to_string(parameter_count()) +
                      " parameters, got a vector of " + std::to_string(theta.size()));
  }
}

// ---- LinearModel: f(x) = theta^T x + bias ----

LinearModel::LinearModel(Eigen::VectorXd theta, bool has_bias, double bias)
    : theta_(std::move(theta)), has_bias_(has_bias), bias_(has_bias ? bias : 0.0) {
  if (theta_.size() == 0) throw DomainError("linear model: theta must not be empty");
}

Eigen::VectorXd LinearModel::parameters() const {
  Eigen::VectorXd p(parameter_count());
  p.head(theta_.size()) = theta_;
  if (has_bias_) p(theta_.size()) = bias_;
  return p;
}

void LinearModel::set_parameters(const Eigen::VectorXd& theta) {
  require_parameter_count(theta);
  theta_ = theta.head(theta_.size());
  if (has_bias_) bias_ = theta(theta_.size());
}

Eigen::VectorXd LinearModel::f(const Eigen::MatrixXd& X) const {
  require_input_dim(X);
  Eigen::VectorXd out = X * theta_;
  if (has_bias_) out.array() += bias_;
  return out;
}

Eigen::MatrixXd LinearModel::grad_x(const Eigen::MatrixXd& X) const {
  require_input_dim(X);
  return theta_.transpose().replicate(X.rows(), 1);
}

Eigen::MatrixXd LinearModel::hess_x(const Eigen::VectorXd& x) const {
  return Eigen::MatrixXd::Zero(x.size(), x.size());
}

Eigen::MatrixXd LinearModel::grad_theta(const Eigen::MatrixXd& X) const {
  require_input_dim(X);
  Eigen::MatrixXd J(X.rows(), parameter_count());
  J.leftCols(X.cols()) = X;
  if (has_bias_) J.col(X.cols()).setOnes();
  return J;
}

// ---- Losses over a dataset ----

namespace {
void require_matching_labels(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  if (X.rows() != y.size()) {
    throw DomainError("data has " + std::to_string(X.rows()) + " rows but " +
                      std::to_string(y.size()) + " labels");
  }
  if (X.rows() == 0) throw DomainError("data has no rows");
}
}  // namespace

double standard_loss(const Model& model, LossKind loss, const Eigen::MatrixXd& X,
                     const Eigen::VectorXd& y) {
  require_matching_labels(X, y);
  const Eigen::VectorXd u = model.f(X);
  const double total =
      ordered_sum(X.rows(), [&](Eigen::Index i) { return loss_value(loss, u(i), y(i)); });
  return total / static_cast<double>(X.rows());
}

Eigen::VectorXd standard_loss_gradient(const Model& model, LossKind loss, const Eigen::MatrixXd& X,
                                       const Eigen::VectorXd& y) {
  require_matching_labels(X, y);
  const Eigen::VectorXd u = model.f(X);
  Eigen::VectorXd residual(X.rows());  // h'(f_i) - y_i
  for (Eigen::Index i = 0; i < X.rows(); ++i) residual(i) = loss_dh(loss, u(i)) - y(i);
  // (1/n) J^T residual, J = grad_theta f (n x P).  A single GEMV: its order of summation is
  // fixed by Eigen's kernel, not by the thread count (Eigen does not parallelise here).
  return model.grad_theta(X).transpose() * residual / static_cast<double>(X.rows());
}

Eigen::MatrixXd glm_loss_hessian(const LinearModel& model, LossKind loss,
                                 const Eigen::MatrixXd& X) {
  const Eigen::VectorXd u = model.f(X);
  const Eigen::MatrixXd J = model.grad_theta(X);
  Eigen::VectorXd curvature(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) curvature(i) = loss_d2h(loss, u(i));
  // f is linear in theta, so the Hessian of (1/n) sum h(f_i) - y_i f_i is (1/n) J^T diag(h'') J.
  return J.transpose() * curvature.asDiagonal() * J / static_cast<double>(X.rows());
}

// ---- Random initialisations ----

LinearModel random_linear(Eigen::Index d, std::uint64_t seed, bool has_bias) {
  Engine engine = make_stream(seed, "init/linear");
  Eigen::VectorXd theta = standard_normal_vector(engine, d) / std::sqrt(static_cast<double>(d));
  const double bias = has_bias ? standard_normal(engine) : 0.0;
  return LinearModel(theta, has_bias, bias);
}

ReluTwoLayer random_relu_two_layer(Eigen::Index d, Eigen::Index m, std::uint64_t seed,
                                   bool with_bias) {
  Engine engine = make_stream(seed, "init/relu2");
  Eigen::MatrixXd W =
      standard_normal_matrix(engine, m, d) * std::sqrt(2.0 / static_cast<double>(d));
  Eigen::VectorXd b = Eigen::VectorXd::Zero(m);
  if (with_bias) b = standard_normal_vector(engine, m) * 0.1;
  Eigen::VectorXd theta1 = standard_normal_vector(engine, m) / std::sqrt(static_cast<double>(m));
  return ReluTwoLayer(W, b, theta1, 0.0);
}

ReluDeep random_relu_deep(Eigen::Index d, const std::vector<Eigen::Index>& widths,
                          std::uint64_t seed) {
  if (widths.empty()) throw DomainError("relu_deep: needs at least one hidden layer");
  Engine engine = make_stream(seed, "init/relu_deep");
  std::vector<Eigen::MatrixXd> weights;
  Eigen::Index fan_in = d;
  for (const Eigen::Index width : widths) {
    weights.push_back(standard_normal_matrix(engine, width, fan_in) *
                      std::sqrt(2.0 / static_cast<double>(fan_in)));
    fan_in = width;
  }
  Eigen::VectorXd beta =
      standard_normal_vector(engine, fan_in) / std::sqrt(static_cast<double>(fan_in));
  return ReluDeep(std::move(weights), beta);
}

SmoothTwoLayer random_smooth_two_layer(SmoothActivation activation, Eigen::Index d, Eigen::Index m,
                                       std::uint64_t seed) {
  Engine engine = make_stream(seed, "init/smooth2");
  Eigen::MatrixXd W = standard_normal_matrix(engine, m, d) / std::sqrt(static_cast<double>(d));
  Eigen::VectorXd b = standard_normal_vector(engine, m) * 0.1;
  Eigen::VectorXd theta1 = standard_normal_vector(engine, m) / std::sqrt(static_cast<double>(m));
  return SmoothTwoLayer(activation, W, b, theta1, 0.0);
}

// ---- Two-layer parameters (core/two_layer_parameters.hpp) -----------------------------------

namespace two_layer {

void require_shapes(const char* model, const Eigen::MatrixXd& W, const Eigen::VectorXd& b,
                    const Eigen::VectorXd& theta1) {
  if (W.rows() == 0 || W.cols() == 0)
    throw DomainError(std::string(model) + ": W must not be empty");
  if (b.size() != W.rows() || theta1.size() != W.rows()) {
    throw DomainError(std::string(model) + ": W has " + std::to_string(W.rows()) +
                      " rows (hidden units) but b has " + std::to_string(b.size()) +
                      " and theta1 has " + std::to_string(theta1.size()) + " entries");
  }
}

Eigen::Index parameter_count(const Eigen::MatrixXd& W) {
  return W.size() + 2 * W.rows() + 1;
}

Eigen::VectorXd flatten(const Eigen::MatrixXd& W, const Eigen::VectorXd& b,
                        const Eigen::VectorXd& theta1, double theta0) {
  const Eigen::Index m = W.rows();
  Eigen::VectorXd p(parameter_count(W));
  p.head(W.size()) = W.reshaped();
  p.segment(W.size(), m) = b;
  p.segment(W.size() + m, m) = theta1;
  p(W.size() + 2 * m) = theta0;
  return p;
}

void assign(const Eigen::VectorXd& theta, Eigen::MatrixXd& W, Eigen::VectorXd& b,
            Eigen::VectorXd& theta1, double& theta0) {
  const Eigen::Index m = W.rows();
  W.reshaped() = theta.head(W.size());
  b = theta.segment(W.size(), m);
  theta1 = theta.segment(W.size() + m, m);
  theta0 = theta(W.size() + 2 * m);
}

}  // namespace two_layer

}  // namespace mixup
