#pragma once
// Hand-written models with analytic derivatives, batched over the rows of X (one sample per row).
//
//   LinearModel     f(x) = theta^T x (+ bias, optional)                         Theorems 3.1, 3.2
//   ReluTwoLayer    f(x) = theta1^T relu(W x + b) + theta0                      Lemma 3.4, Thm 3.5
//   ReluDeep        f(x) = beta^T relu(W_L ... relu(W_1 x))   (no biases)       Theorem 3.3, B.1
//   SmoothTwoLayer  f(x) = theta1^T s(W x + b) + theta0, s = softplus or tanh   Lemma 3.1 (smooth)
//
// Each gives f, grad_x f (n x d), hess_x f at a point (d x d), and grad_theta f (n x P) with
// the parameters flattened in the order that parameters() returns them.
//
// ReLU convention: relu'(0) = 0 (as PyTorch and JAX do), so grad_x and grad_theta are those of
// the active set {z > 0}.  At a kink the function is not differentiable; kink_distance(x) gives
// min |z| over all ReLU pre-activations so that callers can stay away from kinks (or split
// integrals there).  Away from kinks hess_x of a ReLU net is exactly 0.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/losses.hpp"

namespace mixup {

class Model {
 public:
  virtual ~Model() = default;

  virtual std::string type() const = 0;              // "linear", "relu2", "relu_deep", "smooth2"
  virtual Eigen::Index input_dim() const = 0;        // d
  virtual Eigen::Index parameter_count() const = 0;  // P
  virtual Eigen::VectorXd parameters() const = 0;
  virtual void set_parameters(const Eigen::VectorXd& theta) = 0;  // throws DomainError on size
  virtual std::unique_ptr<Model> clone() const = 0;

  virtual Eigen::VectorXd f(const Eigen::MatrixXd& X) const = 0;           // n
  virtual Eigen::MatrixXd grad_x(const Eigen::MatrixXd& X) const = 0;      // n x d
  virtual Eigen::MatrixXd hess_x(const Eigen::VectorXd& x) const = 0;      // d x d
  virtual Eigen::MatrixXd grad_theta(const Eigen::MatrixXd& X) const = 0;  // n x P

  // min |pre-activation| over ReLU units at x; +infinity for models without kinks.
  virtual double kink_distance(const Eigen::VectorXd& x) const;
  // True for models that are positively homogeneous of degree 1 in x (f(c x) = c f(x), c > 0):
  // then f(x) = grad f(x)^T x and hess f(x) = 0 away from kinks (Theorem 3.3's hypotheses).
  virtual bool is_positively_homogeneous() const = 0;

  // One point at a time, for convenience.
  double f_at(const Eigen::VectorXd& x) const;
  Eigen::VectorXd grad_x_at(const Eigen::VectorXd& x) const;

 protected:
  void require_input_dim(const Eigen::MatrixXd& X) const;  // throws DomainError on mismatch
  void require_parameter_count(const Eigen::VectorXd& theta) const;
};

class LinearModel final : public Model {
 public:
  explicit LinearModel(Eigen::VectorXd theta, bool has_bias = false, double bias = 0.0);

  std::string type() const override { return "linear"; }
  Eigen::Index input_dim() const override { return theta_.size(); }
  Eigen::Index parameter_count() const override { return theta_.size() + (has_bias_ ? 1 : 0); }
  Eigen::VectorXd parameters() const override;  // [theta; bias if any]
  void set_parameters(const Eigen::VectorXd& theta) override;
  std::unique_ptr<Model> clone() const override { return std::make_unique<LinearModel>(*this); }

  Eigen::VectorXd f(const Eigen::MatrixXd& X) const override;
  Eigen::MatrixXd grad_x(const Eigen::MatrixXd& X) const override;
  Eigen::MatrixXd hess_x(const Eigen::VectorXd& x) const override;
  Eigen::MatrixXd grad_theta(const Eigen::MatrixXd& X) const override;
  bool is_positively_homogeneous() const override { return !has_bias_ || bias_ == 0.0; }

  const Eigen::VectorXd& theta() const { return theta_; }
  bool has_bias() const { return has_bias_; }
  double bias() const { return bias_; }

 private:
  Eigen::VectorXd theta_;
  bool has_bias_;
  double bias_;
};

class ReluTwoLayer final : public Model {
 public:
  // W: m x d, b: m, theta1: m.
  ReluTwoLayer(Eigen::MatrixXd W, Eigen::VectorXd b, Eigen::VectorXd theta1, double theta0);

  std::string type() const override { return "relu2"; }
  Eigen::Index input_dim() const override { return W_.cols(); }
  Eigen::Index parameter_count() const override;
  Eigen::VectorXd parameters() const override;  // [vec(W) column-major; b; theta1; theta0]
  void set_parameters(const Eigen::VectorXd& theta) override;
  std::unique_ptr<Model> clone() const override { return std::make_unique<ReluTwoLayer>(*this); }

  Eigen::VectorXd f(const Eigen::MatrixXd& X) const override;
  Eigen::MatrixXd grad_x(const Eigen::MatrixXd& X) const override;
  Eigen::MatrixXd hess_x(const Eigen::VectorXd& x) const override;  // 0
  Eigen::MatrixXd grad_theta(const Eigen::MatrixXd& X) const override;
  double kink_distance(const Eigen::VectorXd& x) const override;
  bool is_positively_homogeneous() const override { return b_.isZero(0.0) && theta0_ == 0.0; }

  Eigen::MatrixXd pre_activations(const Eigen::MatrixXd& X) const;  // n x m: X W^T + 1 b^T
  Eigen::MatrixXd hidden(const Eigen::MatrixXd& X) const;           // relu(pre_activations)

  const Eigen::MatrixXd& W() const { return W_; }
  const Eigen::VectorXd& b() const { return b_; }
  const Eigen::VectorXd& theta1() const { return theta1_; }
  double theta0() const { return theta0_; }

 private:
  Eigen::MatrixXd W_;
  Eigen::VectorXd b_;
  Eigen::VectorXd theta1_;
  double theta0_;
};

class ReluDeep final : public Model {
 public:
  // weights[l]: m_{l+1} x m_l with m_0 = d; beta: m_L.  No biases (Theorem 3.3, appendix B.2).
  ReluDeep(std::vector<Eigen::MatrixXd> weights, Eigen::VectorXd beta);

  std::string type() const override { return "relu_deep"; }
  Eigen::Index input_dim() const override { return weights_.front().cols(); }
  Eigen::Index parameter_count() const override;
  Eigen::VectorXd parameters() const override;  // [vec(W_1); ...; vec(W_L); beta]
  void set_parameters(const Eigen::VectorXd& theta) override;
  std::unique_ptr<Model> clone() const override { return std::make_unique<ReluDeep>(*this); }

  Eigen::VectorXd f(const Eigen::MatrixXd& X) const override;
  Eigen::MatrixXd grad_x(const Eigen::MatrixXd& X) const override;
  Eigen::MatrixXd hess_x(const Eigen::VectorXd& x) const override;  // 0
  Eigen::MatrixXd grad_theta(const Eigen::MatrixXd& X) const override;
  double kink_distance(const Eigen::VectorXd& x) const override;
  bool is_positively_homogeneous() const override { return true; }

  const std::vector<Eigen::MatrixXd>& weights() const { return weights_; }
  const Eigen::VectorXd& beta() const { return beta_; }

 private:
  struct Forward {
    std::vector<Eigen::MatrixXd> pre;  // Z_l = A_{l-1} W_l^T, n x m_l
    std::vector<Eigen::MatrixXd> act;  // A_0 = X, A_l = relu(Z_l)
  };
  Forward forward(const Eigen::MatrixXd& X) const;
  // Delta_l = dF/dZ_l, n x m_l, for l = 1..L (index l - 1).
  std::vector<Eigen::MatrixXd> backward(const Forward& fw) const;

  std::vector<Eigen::MatrixXd> weights_;
  Eigen::VectorXd beta_;
};

enum class SmoothActivation { kSoftplus, kTanh };

class SmoothTwoLayer final : public Model {
 public:
  SmoothTwoLayer(SmoothActivation activation, Eigen::MatrixXd W, Eigen::VectorXd b,
                 Eigen::VectorXd theta1, double theta0);

  std::string type() const override { return "smooth2"; }
  Eigen::Index input_dim() const override { return W_.cols(); }
  Eigen::Index parameter_count() const override;
  Eigen::VectorXd parameters() const override;  // [vec(W); b; theta1; theta0]
  void set_parameters(const Eigen::VectorXd& theta) override;
  std::unique_ptr<Model> clone() const override { return std::make_unique<SmoothTwoLayer>(*this); }

  Eigen::VectorXd f(const Eigen::MatrixXd& X) const override;
  Eigen::MatrixXd grad_x(const Eigen::MatrixXd& X) const override;
  Eigen::MatrixXd hess_x(const Eigen::VectorXd& x) const override;
  Eigen::MatrixXd grad_theta(const Eigen::MatrixXd& X) const override;
  bool is_positively_homogeneous() const override { return false; }

  SmoothActivation activation() const { return activation_; }
  const Eigen::MatrixXd& W() const { return W_; }
  const Eigen::VectorXd& b() const { return b_; }
  const Eigen::VectorXd& theta1() const { return theta1_; }
  double theta0() const { return theta0_; }

  // s, s', s'' elementwise.
  Eigen::ArrayXXd activate(const Eigen::ArrayXXd& z) const;
  Eigen::ArrayXXd activate_d1(const Eigen::ArrayXXd& z) const;
  Eigen::ArrayXXd activate_d2(const Eigen::ArrayXXd& z) const;

 private:
  Eigen::MatrixXd pre_activations(const Eigen::MatrixXd& X) const;
  SmoothActivation activation_;
  Eigen::MatrixXd W_;
  Eigen::VectorXd b_;
  Eigen::VectorXd theta1_;
  double theta0_;
};

// The standard loss (1/n) sum_i l(theta, (x_i, y_i)) of Eq. (2) and its gradient and, for the
// linear model (a GLM), its Hessian in theta: (1/n) sum_i h''(f_i) grad_theta f_i grad_theta f_i^T.
// Sums in a fixed order (core/parallel.hpp).
double standard_loss(const Model& model, LossKind loss, const Eigen::MatrixXd& X,
                     const Eigen::VectorXd& y);
Eigen::VectorXd standard_loss_gradient(const Model& model, LossKind loss, const Eigen::MatrixXd& X,
                                       const Eigen::VectorXd& y);
Eigen::MatrixXd glm_loss_hessian(const LinearModel& model, LossKind loss, const Eigen::MatrixXd& X);

// Random initialisations (He-style scaling: N(0, 2 / fan_in) for ReLU layers, N(0, 1 / fan_in)
// otherwise), drawn from stream (seed, "init/<type>").
LinearModel random_linear(Eigen::Index d, std::uint64_t seed, bool has_bias = false);
ReluTwoLayer random_relu_two_layer(Eigen::Index d, Eigen::Index m, std::uint64_t seed,
                                   bool with_bias = true);
ReluDeep random_relu_deep(Eigen::Index d, const std::vector<Eigen::Index>& widths,
                          std::uint64_t seed);
SmoothTwoLayer random_smooth_two_layer(SmoothActivation activation, Eigen::Index d, Eigen::Index m,
                                       std::uint64_t seed);

}  // namespace mixup
