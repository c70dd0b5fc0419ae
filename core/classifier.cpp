#include "core/classifier.hpp"

#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

using Eigen::Index;

Index block_count(Index units) {
  return (units + Backprop::kUnitBlock - 1) / Backprop::kUnitBlock;
}

// Calls body(first, count) for each block of kUnitBlock units, blocks in parallel when there
// are at least two.
template <class Body>
void for_each_unit_block(Index units, const Body& body) {
  const Index blocks = block_count(units);
#pragma omp parallel for schedule(static) if (blocks >= 2)
  for (Index k = 0; k < blocks; ++k) {
    const Index first = k * Backprop::kUnitBlock;
    body(first, std::min(Backprop::kUnitBlock, units - first));
  }
}

// Sum of the rows of M (a 1 x cols result as a vector), rows added in order.
Eigen::VectorXd column_sums(const RowMatrixXd& M) {
  Eigen::VectorXd sums = Eigen::VectorXd::Zero(M.cols());
  for (Index i = 0; i < M.rows(); ++i) sums += M.row(i).transpose();
  return sums;
}

}  // namespace

Classifier::Classifier(std::vector<DenseLayer> layers) : layers_(std::move(layers)) {
  if (layers_.empty()) throw DomainError("Classifier: needs at least one layer");
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const DenseLayer& layer = layers_[l];
    const std::string where = "Classifier: layer " + std::to_string(l + 1);
    if (layer.W.rows() < 1 || layer.W.cols() < 1) throw DomainError(where + ": empty weights");
    if (layer.b.size() != layer.W.rows()) {
      throw DomainError(where + ": bias has " + std::to_string(layer.b.size()) +
                        " entries, W has " + std::to_string(layer.W.rows()) + " rows");
    }
    if (l > 0 && layer.W.cols() != layers_[l - 1].W.rows()) {
      throw DomainError(where + ": W has " + std::to_string(layer.W.cols()) +
                        " columns, the previous layer has " +
                        std::to_string(layers_[l - 1].W.rows()) + " outputs");
    }
    if (!layer.W.allFinite() || !layer.b.allFinite()) {
      throw DomainError(where + ": non-finite parameter");
    }
  }
  if (classes() < 2) throw DomainError("Classifier: needs at least 2 outputs (classes)");
}

std::vector<Index> Classifier::widths() const {
  std::vector<Index> w = {inputs()};
  for (const auto& layer : layers_) w.push_back(layer.W.rows());
  return w;
}

std::string Classifier::describe() const {
  std::string shape;
  for (const Index w : widths()) shape += (shape.empty() ? "" : "-") + std::to_string(w);
  return (hidden_layers() == 0 ? "softmax regression " : "ReLU MLP ") + shape;
}

Index Classifier::parameter_count() const {
  Index count = 0;
  for (const auto& layer : layers_) count += layer.W.size() + layer.b.size();
  return count;
}

Eigen::VectorXd Classifier::parameters() const {
  Eigen::VectorXd theta(parameter_count());
  Index at = 0;
  for (const auto& layer : layers_) {
    theta.segment(at, layer.W.size()) =
        Eigen::Map<const Eigen::VectorXd>(layer.W.data(), layer.W.size());
    at += layer.W.size();
    theta.segment(at, layer.b.size()) = layer.b;
    at += layer.b.size();
  }
  return theta;
}

void Classifier::set_parameters(const Eigen::VectorXd& theta) {
  if (theta.size() != parameter_count()) {
    throw DomainError("Classifier::set_parameters: " + std::to_string(theta.size()) +
                      " values for " + std::to_string(parameter_count()) + " parameters");
  }
  Index at = 0;
  for (auto& layer : layers_) {
    Eigen::Map<Eigen::VectorXd>(layer.W.data(), layer.W.size()) = theta.segment(at, layer.W.size());
    at += layer.W.size();
    layer.b = theta.segment(at, layer.b.size());
    at += layer.b.size();
  }
}

void Classifier::require_inputs(Index d, const char* what) const {
  if (d != inputs()) {
    throw DomainError(std::string(what) + ": the data has " + std::to_string(d) +
                      " features, the model (" + describe() + ") expects " +
                      std::to_string(inputs()));
  }
}

RowMatrixXd Classifier::logits(const RowMatrixXd& X) const {
  require_inputs(X.cols(), "Classifier::logits");
  RowMatrixXd a = X;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    RowMatrixXd z = a * layers_[l].W.transpose();
    z.rowwise() += layers_[l].b.transpose();
    if (l + 1 < layers_.size()) z = z.cwiseMax(0.0);
    a = std::move(z);
  }
  return a;
}

RowMatrixXd Classifier::first_layer_pre_activations(const RowMatrixXd& X) const {
  require_inputs(X.cols(), "Classifier::first_layer_pre_activations");
  RowMatrixXd Z = X * layers_.front().W.transpose();
  Z.rowwise() += layers_.front().b.transpose();
  return Z;
}

std::vector<int> Classifier::predict(const RowMatrixXd& X) const {
  const RowMatrixXd z = logits(X);
  std::vector<int> classes_out(static_cast<std::size_t>(z.rows()));
  for (Index i = 0; i < z.rows(); ++i) {
    Index best = 0;
    z.row(i).maxCoeff(&best);
    classes_out[static_cast<std::size_t>(i)] = static_cast<int>(best);
  }
  return classes_out;
}

Eigen::MatrixXd Classifier::input_jacobian(const Eigen::VectorXd& x) const {
  require_inputs(x.size(), "Classifier::input_jacobian");
  Eigen::MatrixXd J = layers_.front().W;  // d z_1 / dx
  Eigen::VectorXd z = layers_.front().W * x + layers_.front().b;
  for (std::size_t l = 1; l < layers_.size(); ++l) {
    for (Index k = 0; k < z.size(); ++k) {
      if (!(z(k) > 0.0)) J.row(k).setZero();
    }
    const Eigen::VectorXd a = z.cwiseMax(0.0);
    J = layers_[l].W * J;
    z = layers_[l].W * a + layers_[l].b;
  }
  return J;
}

double Classifier::kink_distance(const Eigen::VectorXd& x) const {
  require_inputs(x.size(), "Classifier::kink_distance");
  double distance = std::numeric_limits<double>::infinity();
  Eigen::VectorXd a = x;
  for (std::size_t l = 0; l + 1 < layers_.size(); ++l) {
    const Eigen::VectorXd z = layers_[l].W * a + layers_[l].b;
    distance = std::min(distance, z.cwiseAbs().minCoeff());
    a = z.cwiseMax(0.0);
  }
  return distance;
}

Classifier random_classifier(Index inputs, const std::vector<Index>& hidden, int classes,
                             std::uint64_t seed) {
  if (inputs < 1 || classes < 2) {
    throw DomainError("random_classifier: needs inputs >= 1 and classes >= 2");
  }
  std::vector<Index> widths = {inputs};
  for (const Index h : hidden) {
    if (h < 1) throw DomainError("random_classifier: hidden widths must be >= 1");
    widths.push_back(h);
  }
  widths.push_back(classes);
  std::vector<DenseLayer> layers;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    const Index fan_in = widths[l];
    const Index fan_out = widths[l + 1];
    const bool relu_follows = l + 2 < widths.size();
    const double scale = std::sqrt((relu_follows ? 2.0 : 1.0) / static_cast<double>(fan_in));
    Engine engine = make_stream(seed, "classifier/init", l);
    DenseLayer layer;
    layer.W = scale * standard_normal_matrix(engine, fan_out, fan_in);
    layer.b = Eigen::VectorXd::Zero(fan_out);
    layers.push_back(std::move(layer));
  }
  return Classifier(std::move(layers));
}

double softmax_rows_and_loss(RowMatrixXd& Z, const RowMatrixXd& T) {
  if (T.rows() != Z.rows() || T.cols() != Z.cols()) {
    throw DomainError("cross-entropy: targets are " + std::to_string(T.rows()) + " x " +
                      std::to_string(T.cols()) + ", logits " + std::to_string(Z.rows()) + " x " +
                      std::to_string(Z.cols()));
  }
  // With t a probability vector, logsumexp(z) - t^T z = log(sum_k e^(z_k - m)) + t^T (m - z),
  // m = max_k z_k: no term is large, so nothing cancels; p_k = e^(z_k - m) / sum.
  double total = 0.0;
  for (Index i = 0; i < Z.rows(); ++i) {
    auto z = Z.row(i);
    const double shift = z.maxCoeff();
    double sum = 0.0;
    double label_term = 0.0;
    for (Index k = 0; k < z.size(); ++k) {
      z(k) -= shift;
      label_term -= T(i, k) * z(k);
      z(k) = std::exp(z(k));
      sum += z(k);
    }
    total += std::log(sum) + label_term;  // h(z) - t^T z  (Eq. 2 with h = logsumexp)
    z /= sum;
  }
  return total / static_cast<double>(Z.rows());
}

double cross_entropy(const Classifier& model, const RowMatrixXd& X, const RowMatrixXd& T) {
  RowMatrixXd z = model.logits(X);
  return softmax_rows_and_loss(z, T);
}

Eigen::VectorXd cross_entropy_gradient(const Classifier& model, const RowMatrixXd& X,
                                       const RowMatrixXd& T) {
  Backprop backprop;
  backprop.run(model, X, T);
  return Classifier(backprop.gradient()).parameters();
}

RowMatrixXd cross_entropy_input_gradient(const Classifier& model, const RowMatrixXd& X,
                                         const RowMatrixXd& T) {
  Backprop backprop;
  backprop.run(model, X, T, true);
  // Backprop differentiates the batch mean; the per-sample loss gradient is n times its row.
  return backprop.input_gradient() * static_cast<double>(X.rows());
}

// ---- Backprop ---------------------------------------------------------------------------------

MomentumSgd::MomentumSgd(const Classifier& model, double lr, double mu, double wd)
    : learning_rate(lr), momentum(mu), weight_decay(wd) {
  for (const auto& layer : model.layers()) {
    velocity.push_back(
        {RowMatrixXd::Zero(layer.W.rows(), layer.W.cols()), Eigen::VectorXd::Zero(layer.b.size())});
  }
}

double Backprop::run(const Classifier& model, const RowMatrixXd& X, const RowMatrixXd& T,
                     bool want_input_gradient) {
  const double loss = forward_and_head(model, X, T);
  backward(nullptr, model, X, nullptr, want_input_gradient);
  return loss;
}

double Backprop::run_and_step(Classifier& model, const RowMatrixXd& X, const RowMatrixXd& T,
                              MomentumSgd& sgd) {
  const double loss = forward_and_head(model, X, T);
  backward(&model, model, X, &sgd, false);
  return loss;
}

double Backprop::forward_and_head(const Classifier& model, const RowMatrixXd& X,
                                  const RowMatrixXd& T) {
  model.require_inputs(X.cols(), "cross-entropy");
  if (X.rows() < 1) throw DomainError("cross-entropy: empty batch");
  const auto& layers = model.layers();
  const std::size_t L = layers.size();
  z_.resize(L);
  a_.resize(L - 1);
  delta_.resize(L);
  for (std::size_t l = 0; l < L; ++l) {
    const RowMatrixXd& input = l == 0 ? X : a_[l - 1];
    const DenseLayer& layer = layers[l];
    z_[l].resize(X.rows(), layer.W.rows());
    delta_[l].resize(X.rows(), layer.W.rows());
    const bool hidden = l + 1 < L;
    if (hidden) a_[l].resize(X.rows(), layer.W.rows());
    for_each_unit_block(layer.W.rows(), [&](Index first, Index count) {
      auto z = z_[l].middleCols(first, count);
      z.noalias() = input * layer.W.middleRows(first, count).transpose();
      z.rowwise() += layer.b.segment(first, count).transpose();
      if (hidden) a_[l].middleCols(first, count) = z.cwiseMax(0.0);
    });
  }
  const double loss = softmax_rows_and_loss(z_.back(), T);
  // d(mean loss) / d logits = (softmax - t) / n.
  delta_.back() = (z_.back() - T) / static_cast<double>(X.rows());
  return loss;
}

void Backprop::backward(Classifier* stepped, const Classifier& model, const RowMatrixXd& X,
                        MomentumSgd* sgd, bool want_input_gradient) {
  const auto& layers = model.layers();
  const std::size_t L = layers.size();
  if (!sgd) gradient_.resize(L);
  // W <- W - lr v for layer l, once no lower layer's delta needs the old W_l.
  const auto step_weights = [&](std::size_t l, Index first, Index count) {
    DenseLayer& layer = stepped->layers()[l];
    const DenseLayer& v = sgd->velocity[l];
    layer.W.middleRows(first, count) -= sgd->learning_rate * v.W.middleRows(first, count);
    layer.b.segment(first, count) -= sgd->learning_rate * v.b.segment(first, count);
  };
  for (std::size_t l = L; l-- > 0;) {
    const RowMatrixXd& input = l == 0 ? X : a_[l - 1];
    const DenseLayer& layer = layers[l];
    if (!sgd) gradient_[l].W.resize(layer.W.rows(), layer.W.cols());
    for_each_unit_block(layer.W.rows(), [&](Index first, Index count) {
      auto delta = delta_[l].middleCols(first, count);
      if (l + 1 < L) {
        // delta_l = (delta_{l+1} W_{l+1}) . relu'(z_l), with W_{l+1} not yet stepped.
        delta.noalias() = delta_[l + 1] * layers[l + 1].W.middleCols(first, count);
        delta.array() = (z_[l].middleCols(first, count).array() > 0.0).select(delta.array(), 0.0);
      }
      if (!sgd) {
        gradient_[l].W.middleRows(first, count).noalias() = delta.transpose() * input;
        return;
      }
      DenseLayer& v = sgd->velocity[l];
      auto V = v.W.middleRows(first, count);
      V *= sgd->momentum;
      if (sgd->weight_decay > 0.0) V += sgd->weight_decay * layer.W.middleRows(first, count);
      V.noalias() += delta.transpose() * input;
      auto vb = v.b.segment(first, count);
      vb *= sgd->momentum;
      for (Index i = 0; i < delta.rows(); ++i) vb += delta.row(i).transpose();
      if (l == 0) step_weights(0, first, count);  // nothing below needs W_0
    });
    if (!sgd) gradient_[l].b = column_sums(delta_[l]);
    if (sgd && l + 1 < L) step_weights(l + 1, 0, layers[l + 1].W.rows());
  }
  if (want_input_gradient) input_gradient_.noalias() = delta_.front() * layers.front().W;
}

}  // namespace mixup
