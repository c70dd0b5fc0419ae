#pragma once
// Multi-class models for the real-data experiments: softmax regression and ReLU multi-layer
// perceptrons, trained with softmax cross-entropy
//   l(theta, (x, y)) = logsumexp(f(x)) - y^T f(x),   f(x) in R^K the logits, y one-hot or a mix
// (h = logsumexp: the multi-class member of Eq. 2's family; CLAIMS.md, "Notation").
//
//   f(x) = W_L relu(... relu(W_1 x + b_1) ...) + b_L
//
// L = 1 is softmax regression; L = 2, 3 are MLPs with one or two hidden layers.  Weights are
// row-major (out x in): a block of output units is a block of contiguous rows, which is how the
// training code splits the work over threads (core/classifier_training.hpp).
//
// ReLU convention as core/models.hpp: relu'(0) = 0.  Away from kinks the logits are affine in x
// and their input Hessian is exactly 0.

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/multiclass_data.hpp"

namespace mixup {

struct DenseLayer {
  RowMatrixXd W;      // out x in
  Eigen::VectorXd b;  // out
};

class Classifier {
 public:
  // Throws DomainError unless consecutive layers fit (W_{l+1} has as many columns as W_l has
  // rows, each b matches its W), there is at least one layer and >= 2 outputs.
  explicit Classifier(std::vector<DenseLayer> layers);

  Eigen::Index inputs() const { return layers_.front().W.cols(); }
  int classes() const { return static_cast<int>(layers_.back().W.rows()); }
  int hidden_layers() const { return static_cast<int>(layers_.size()) - 1; }
  // Layer widths from input to output, e.g. {784, 256, 10}.
  std::vector<Eigen::Index> widths() const;
  // "softmax regression 784-10" or "ReLU MLP 784-256-10".
  std::string describe() const;

  const std::vector<DenseLayer>& layers() const { return layers_; }
  std::vector<DenseLayer>& layers() { return layers_; }

  // All parameters, layer by layer, W row by row then b.
  Eigen::Index parameter_count() const;
  Eigen::VectorXd parameters() const;
  void set_parameters(const Eigen::VectorXd& theta);  // throws DomainError on size

  // Logits of the rows of X (n x K).  Throws DomainError when X has the wrong width.
  RowMatrixXd logits(const RowMatrixXd& X) const;
  // W_1 x + b_1 for each row of X (n x units of the first layer): the first hidden layer's
  // pre-activations (for softmax regression, the logits).
  RowMatrixXd first_layer_pre_activations(const RowMatrixXd& X) const;
  // Predicted classes (argmax of the logits; the lowest index on ties).
  std::vector<int> predict(const RowMatrixXd& X) const;

  // The Jacobian of the logits in the input at x (K x d): W_L D_{L-1} W_{L-1} ... D_1 W_1 with
  // D_l the 0/1 diagonal of active units.
  Eigen::MatrixXd input_jacobian(const Eigen::VectorXd& x) const;
  // min |pre-activation| over the hidden units at x; +infinity without hidden layers.
  double kink_distance(const Eigen::VectorXd& x) const;

  void require_inputs(Eigen::Index d, const char* what) const;

 private:
  std::vector<DenseLayer> layers_;
};

// A freshly initialized classifier: hidden layers He-normal N(0, 2 / fan_in) (ReLU follows),
// the output layer N(0, 1 / fan_in), biases 0.  Layer l draws from stream (seed, "classifier/
// init", l).  hidden = {} gives softmax regression.
Classifier random_classifier(Eigen::Index inputs, const std::vector<Eigen::Index>& hidden,
                             int classes, std::uint64_t seed);

// Mean softmax cross-entropy over the rows of X with target rows T (n x K, each row a
// probability vector: one-hot or a mix of two).  logsumexp is evaluated stably (max shift).
double cross_entropy(const Classifier& model, const RowMatrixXd& X, const RowMatrixXd& T);
// Its gradient in the parameters (same layout as parameters()), by back-propagation.
Eigen::VectorXd cross_entropy_gradient(const Classifier& model, const RowMatrixXd& X,
                                       const RowMatrixXd& T);
// Row i: the gradient in x_i of l(theta, (x_i, T_i)) (n x d), for FGSM.
RowMatrixXd cross_entropy_input_gradient(const Classifier& model, const RowMatrixXd& X,
                                         const RowMatrixXd& T);

// Softmax of each row of Z, in place, and the mean of logsumexp(z_i) - t_i^T z_i over the rows.
// The rows of T must be probability vectors (the loss is computed in a shifted form that uses
// sum_k t_ik = 1 to avoid cancellation at large logits).
double softmax_rows_and_loss(RowMatrixXd& Z, const RowMatrixXd& T);

// SGD with heavy-ball momentum, applied inside the backward pass (Backprop::run_and_step):
//   v <- momentum v + grad + weight_decay W;  W <- W - learning_rate v   (biases not decayed).
struct MomentumSgd {
  double learning_rate = 0.01;
  double momentum = 0.9;
  double weight_decay = 0.0;
  std::vector<DenseLayer> velocity;  // same shapes as the model's layers, zero to start

  explicit MomentumSgd(const Classifier& model, double lr = 0.01, double mu = 0.9, double wd = 0.0);
};

// Forward and backward pass of one batch, with its buffers kept between calls (training calls
// it once per mini-batch without allocating).  The large products are split over blocks of
// kUnitBlock output units, in parallel; the blocks do not depend on the thread count, and each
// block's product has the same shape whoever runs it, so the results are the same bits at any
// thread count.
class Backprop {
 public:
  static constexpr Eigen::Index kUnitBlock = 128;

  // Mean cross-entropy of the batch; afterwards gradient() holds its parameter gradient and,
  // if asked, input_gradient() the input gradients of the batch mean (row i: d mean / d x_i).
  double run(const Classifier& model, const RowMatrixXd& X, const RowMatrixXd& T,
             bool want_input_gradient = false);
  // Mean cross-entropy of the batch, and one SGD step on it.  The gradient is folded into the
  // velocity block by block as back-propagation produces it (no gradient buffer, one pass over
  // the first layer's weights while they are in cache); gradient() is not filled.
  double run_and_step(Classifier& model, const RowMatrixXd& X, const RowMatrixXd& T,
                      MomentumSgd& sgd);

  const std::vector<DenseLayer>& gradient() const { return gradient_; }
  const RowMatrixXd& input_gradient() const { return input_gradient_; }

 private:
  double forward_and_head(const Classifier& model, const RowMatrixXd& X, const RowMatrixXd& T);
  // Back-propagation from the output layer down; with sgd, velocity updates instead of stored
  // gradients, and each layer's weights are stepped once nothing below needs them.
  void backward(Classifier* stepped, const Classifier& model, const RowMatrixXd& X,
                MomentumSgd* sgd, bool want_input_gradient);
  std::vector<RowMatrixXd> z_;      // pre-activations of each layer (the last: softmax)
  std::vector<RowMatrixXd> a_;      // relu(z) of each hidden layer
  std::vector<RowMatrixXd> delta_;  // d(mean loss) / dz per layer
  std::vector<DenseLayer> gradient_;
  RowMatrixXd input_gradient_;
};

}  // namespace mixup
