#include "core/training.hpp"

#include <cmath>

#include "core/errors.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

void require_options(const TrainOptions& options, const Dataset& data) {
  if (!(options.learning_rate > 0.0) || !std::isfinite(options.learning_rate)) {
    throw DomainError("train: learning_rate must be a finite number > 0");
  }
  if (!(options.momentum >= 0.0 && options.momentum < 1.0)) {
    throw DomainError("train: momentum must be in [0, 1)");
  }
  if (!(options.weight_decay >= 0.0) || !std::isfinite(options.weight_decay)) {
    throw DomainError("train: weight_decay must be a finite number >= 0");
  }
  if (options.epochs < 0) throw DomainError("train: epochs must be >= 0");
  if (options.batch_size < 0 || options.batch_size > data.n()) {
    throw DomainError("train: batch_size must be in [0, n] (0 means full batch)");
  }
  const bool full_batch_objective = options.objective == Objective::kExactMixup ||
                                    options.objective == Objective::kApproximateMixup;
  if (full_batch_objective && options.batch_size != 0 && options.batch_size != data.n()) {
    throw DomainError(
        "train: the exact and approximate mixup objectives are full-batch (batch_size 0)");
  }
}

Dataset rows(const Dataset& data, const std::vector<Eigen::Index>& order, Eigen::Index begin,
             Eigen::Index end) {
  Dataset batch;
  batch.X.resize(end - begin, data.d());
  batch.y.resize(end - begin);
  for (Eigen::Index k = begin; k < end; ++k) {
    const Eigen::Index i = order[static_cast<std::size_t>(k)];
    batch.X.row(k - begin) = data.X.row(i);
    batch.y(k - begin) = data.y(i);
  }
  return batch;
}

// The mixed batch of sampled mixup: lam x_i + (1 - lam) x_perm(i), same for the labels.
Dataset mixed_batch(const Dataset& batch, const MixupDraw& draw) {
  Dataset mixed = batch;
  for (Eigen::Index i = 0; i < batch.n(); ++i) {
    const Eigen::Index j = draw.partner[static_cast<std::size_t>(i)];
    mixed.X.row(i) = draw.lam * batch.X.row(i) + (1.0 - draw.lam) * batch.X.row(j);
    mixed.y(i) = draw.lam * batch.y(i) + (1.0 - draw.lam) * batch.y(j);
  }
  return mixed;
}

}  // namespace

double objective_value(Objective objective, const Model& model, LossKind loss, const Dataset& data,
                       MixingLaw law) {
  switch (objective) {
    case Objective::kErm:
      return standard_loss(model, loss, data.X, data.y);
    case Objective::kApproximateMixup:
      return approximate_mixup_loss(model, loss, data, law).total();
    case Objective::kExactMixup:
    case Objective::kSampledMixup:
      return exact_mixup_loss(model, loss, data, law);
  }
  return std::nan("");
}

Eigen::VectorXd objective_gradient(Objective objective, const Model& model, LossKind loss,
                                   const Dataset& batch, MixingLaw law, const MixupDraw* draw) {
  switch (objective) {
    case Objective::kErm:
      return standard_loss_gradient(model, loss, batch.X, batch.y);
    case Objective::kApproximateMixup:
      return approximate_mixup_loss_gradient(model, loss, batch, law);
    case Objective::kExactMixup:
      return exact_mixup_loss_gradient(model, loss, batch, law);
    case Objective::kSampledMixup: {
      if (draw == nullptr) throw DomainError("objective_gradient: sampled mixup needs a draw");
      const Dataset mixed = mixed_batch(batch, *draw);
      // Loss linear in y: the mixed label gives the mixed loss (Eq. 1's integrand).
      return standard_loss_gradient(model, loss, mixed.X, mixed.y);
    }
  }
  return {};
}

void train(Model& model, const Dataset& data, const TrainOptions& options,
           const EpochCallback& on_epoch) {
  require_options(options, data);
  const Eigen::Index batch_size = options.batch_size == 0 ? data.n() : options.batch_size;
  Eigen::VectorXd theta = model.parameters();
  Eigen::VectorXd velocity = Eigen::VectorXd::Zero(theta.size());
  std::uint64_t step = 0;
  if (on_epoch) on_epoch(0, model);
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    std::vector<Eigen::Index> order;
    if (batch_size == data.n()) {
      order.resize(static_cast<std::size_t>(data.n()));
      for (Eigen::Index i = 0; i < data.n(); ++i) order[static_cast<std::size_t>(i)] = i;
    } else {
      Engine engine = make_stream(options.seed, "train/epoch", static_cast<std::uint64_t>(epoch));
      order = random_permutation(engine, data.n());
    }
    for (Eigen::Index begin = 0; begin < data.n(); begin += batch_size) {
      const Eigen::Index end = std::min(data.n(), begin + batch_size);
      const Dataset batch = rows(data, order, begin, end);
      MixupDraw draw;
      if (options.objective == Objective::kSampledMixup) {
        draw = mixup_draw(batch.n(), options.law, options.seed, step);
      }
      Eigen::VectorXd gradient =
          objective_gradient(options.objective, model, options.loss, batch, options.law, &draw);
      if (options.weight_decay > 0.0) gradient += options.weight_decay * theta;
      velocity = options.momentum * velocity + gradient;
      theta -= options.learning_rate * velocity;
      model.set_parameters(theta);
      ++step;
    }
    if (on_epoch) on_epoch(epoch, model);
  }
}

}  // namespace mixup
