#include "core/classifier_training.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"
#include "core/mixing.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

using Eigen::Index;

// Rows per chunk when evaluating or attacking a whole data set.
constexpr Index kEvaluationChunk = 500;

void require(bool ok, const std::string& message) {
  if (!ok) throw DomainError("classifier training: " + message);
}

// Row i of the one-hot target matrix for `label`.
void set_one_hot(RowMatrixXd& T, Index i, int label) {
  T.row(i).setZero();
  T(i, label) = 1.0;
}

// Uniform integer in [-s, s].
Index uniform_shift(Engine& engine, Index s) {
  const auto k = static_cast<Index>(std::floor(uniform01(engine) * static_cast<double>(2 * s + 1)));
  return std::min(k, 2 * s) - s;
}

// Calls body(chunk, first, count) for consecutive chunks of `rows` rows, chunks in parallel.
template <class Body>
void for_each_chunk(Index rows, const Body& body) {
  const Index chunks = (rows + kEvaluationChunk - 1) / kEvaluationChunk;
#pragma omp parallel for schedule(dynamic, 1) if (chunks >= 2)
  for (Index c = 0; c < chunks; ++c) {
    const Index first = c * kEvaluationChunk;
    body(c, first, std::min(kEvaluationChunk, rows - first));
  }
}

// The model, after checking the options against it (for the trainer's member initializers).
const Classifier& validated(const Classifier& model, const ClassifierTrainOptions& options) {
  validate(options, model.inputs());
  return model;
}
}  // namespace

void validate(const ClassifierTrainOptions& options, Index inputs) {
  require(options.learning_rate > 0.0 && std::isfinite(options.learning_rate),
          "learning_rate must be a finite number > 0");
  require(options.momentum >= 0.0 && options.momentum < 1.0, "momentum must be in [0, 1)");
  require(options.weight_decay >= 0.0 && std::isfinite(options.weight_decay),
          "weight_decay must be a finite number >= 0");
  require(options.epochs >= 0, "epochs must be >= 0");
  require(options.batch_size >= 1, "batch_size must be >= 1");
  if (options.mixup) require_beta_parameters(options.law.a, options.law.b, "mixup Beta(a, b)");
  if (options.augment) {
    require(options.image.height >= 1 && options.image.width >= 1 &&
                options.image.height * options.image.width == inputs,
            "augmentation needs an image shape with height x width = " + std::to_string(inputs) +
                " inputs");
    require(options.max_shift >= 0 &&
                options.max_shift < std::min(options.image.height, options.image.width),
            "max_shift must be in [0, image side)");
  }
}

ClassifierTrainer::ClassifierTrainer(const Classifier& model, const ClassifierTrainOptions& options)
    : options_(options),
      sgd_(validated(model, options), options.learning_rate, options.momentum,
           options.weight_decay) {}

void ClassifierTrainer::gather_batch(const MulticlassDataset& data, const std::vector<Index>& order,
                                     Index first, Index count) {
  batch_x_.resize(count, data.d());
  batch_t_.resize(count, data.classes);
  for (Index r = 0; r < count; ++r) {
    const Index i = order[static_cast<std::size_t>(first + r)];
    batch_x_.row(r) = data.X.row(i);
    set_one_hot(batch_t_, r, data.label[static_cast<std::size_t>(i)]);
  }
}

void ClassifierTrainer::gather_mixed_batch(const MulticlassDataset& data,
                                           const std::vector<Index>& order, Index first,
                                           Index count) {
  const MixupDraw draw = mixup_draw(count, options_.law, options_.seed, step_);
  const double lam = draw.lam;
  batch_x_.resize(count, data.d());
  batch_t_.resize(count, data.classes);
  for (Index r = 0; r < count; ++r) {
    const Index i = order[static_cast<std::size_t>(first + r)];
    const Index j = order[static_cast<std::size_t>(first + draw.partner[std::size_t(r)])];
    batch_x_.row(r) = lam * data.X.row(i) + (1.0 - lam) * data.X.row(j);
    batch_t_.row(r).setZero();
    batch_t_(r, data.label[static_cast<std::size_t>(i)]) += lam;
    batch_t_(r, data.label[static_cast<std::size_t>(j)]) += 1.0 - lam;
  }
}

void ClassifierTrainer::augment_batch() {
  const Index h = options_.image.height;
  const Index w = options_.image.width;
  const Index s = options_.max_shift;
  Engine engine = make_stream(options_.seed, "classifier/augment", step_);
  Eigen::RowVectorXd out(h * w);
  for (Index r = 0; r < batch_x_.rows(); ++r) {
    const bool flip = uniform01(engine) < 0.5;
    const Index dy = uniform_shift(engine, s);
    const Index dx = uniform_shift(engine, s);
    const auto in = batch_x_.row(r);
    out.setZero();
    // Output pixel (y, x) takes input pixel (y - dy, x' - dx), x' the flipped column.
    for (Index y = 0; y < h; ++y) {
      const Index sy = y - dy;
      if (sy < 0 || sy >= h) continue;
      for (Index x = 0; x < w; ++x) {
        const Index sx = (flip ? w - 1 - x : x) - dx;
        if (sx >= 0 && sx < w) out(y * w + x) = in(sy * w + sx);
      }
    }
    batch_x_.row(r) = out;
  }
}

void ClassifierTrainer::mix_batch() {
  const MixupDraw draw = mixup_draw(batch_x_.rows(), options_.law, options_.seed, step_);
  partner_x_.resize(batch_x_.rows(), batch_x_.cols());
  partner_t_.resize(batch_t_.rows(), batch_t_.cols());
  for (Index r = 0; r < batch_x_.rows(); ++r) {
    const Index p = draw.partner[static_cast<std::size_t>(r)];
    partner_x_.row(r) = batch_x_.row(p);
    partner_t_.row(r) = batch_t_.row(p);
  }
  batch_x_ = draw.lam * batch_x_ + (1.0 - draw.lam) * partner_x_;
  batch_t_ = draw.lam * batch_t_ + (1.0 - draw.lam) * partner_t_;
}

double ClassifierTrainer::run_epoch(Classifier& model, const MulticlassDataset& data, int epoch) {
  model.require_inputs(data.d(), "training");
  if (data.classes != model.classes()) {
    throw DomainError("training: the data has " + std::to_string(data.classes) +
                      " classes, the model (" + model.describe() + ") " +
                      std::to_string(model.classes()) + " outputs");
  }
  Engine engine = make_stream(options_.seed, "classifier/epoch", static_cast<std::uint64_t>(epoch));
  const std::vector<Index> order = random_permutation(engine, data.n());
  double objective = 0.0;
  Index batches = 0;
  for (Index first = 0; first < data.n(); first += options_.batch_size) {
    const Index count = std::min(options_.batch_size, data.n() - first);
    ++step_;
    if (options_.mixup && !options_.augment) {
      gather_mixed_batch(data, order, first, count);
    } else {
      gather_batch(data, order, first, count);
      if (options_.augment) augment_batch();
      if (options_.mixup) mix_batch();
    }
    objective += backprop_.run_and_step(model, batch_x_, batch_t_, sgd_);
    ++batches;
  }
  return batches > 0 ? objective / static_cast<double>(batches) : 0.0;
}

void train_classifier(Classifier& model, const MulticlassDataset& data,
                      const ClassifierTrainOptions& options,
                      const ClassifierEpochCallback& on_epoch) {
  ClassifierTrainer trainer(model, options);
  if (on_epoch) on_epoch(0, model);
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    trainer.run_epoch(model, data, epoch);
    if (!model.parameters().allFinite()) {
      throw DomainError("training diverged at epoch " + std::to_string(epoch) +
                        " (non-finite parameters): lower the learning rate");
    }
    if (on_epoch) on_epoch(epoch, model);
  }
}

ClassifierEvaluation evaluate(const Classifier& model, const MulticlassDataset& data) {
  model.require_inputs(data.d(), "evaluate");
  const Index chunks = (data.n() + kEvaluationChunk - 1) / kEvaluationChunk;
  std::vector<double> loss(static_cast<std::size_t>(chunks), 0.0);
  std::vector<Index> wrong(static_cast<std::size_t>(chunks), 0);
  const RowMatrixXd targets = one_hot(data);
  for_each_chunk(data.n(), [&](Index c, Index first, Index count) {
    RowMatrixXd z = model.logits(data.X.middleRows(first, count));
    Index errors = 0;
    for (Index i = 0; i < count; ++i) {
      Index best = 0;
      z.row(i).maxCoeff(&best);
      errors += best != data.label[static_cast<std::size_t>(first + i)] ? 1 : 0;
    }
    loss[static_cast<std::size_t>(c)] =
        softmax_rows_and_loss(z, targets.middleRows(first, count)) * static_cast<double>(count);
    wrong[static_cast<std::size_t>(c)] = errors;
  });
  ClassifierEvaluation result;
  Index errors = 0;
  for (Index c = 0; c < chunks; ++c) {
    result.loss += loss[static_cast<std::size_t>(c)];
    errors += wrong[static_cast<std::size_t>(c)];
  }
  const auto n = static_cast<double>(data.n());
  result.loss /= n;
  result.error = static_cast<double>(errors) / n;
  return result;
}

RowMatrixXd fgsm_linf(const Classifier& model, const MulticlassDataset& data, double eps,
                      double lower, double upper) {
  if (!(eps >= 0.0) || !std::isfinite(eps)) throw DomainError("fgsm_linf: eps must be >= 0");
  if (!(lower < upper)) throw DomainError("fgsm_linf: needs lower < upper");
  RowMatrixXd adversarial = data.X;
  const RowMatrixXd targets = one_hot(data);
  for_each_chunk(data.n(), [&](Index, Index first, Index count) {
    const RowMatrixXd x = data.X.middleRows(first, count);
    const RowMatrixXd g = cross_entropy_input_gradient(model, x, targets.middleRows(first, count));
    const RowMatrixXd sign = g.unaryExpr([](double v) { return double((v > 0.0) - (v < 0.0)); });
    adversarial.middleRows(first, count) = (x + eps * sign).cwiseMax(lower).cwiseMin(upper);
  });
  return adversarial;
}

}  // namespace mixup
