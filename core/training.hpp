#pragma once
// Gradient descent and SGD with momentum on the objectives the paper compares:
//   ERM                 L_std (Eq. 2 averaged)
//   exact mixup         L_mix of Eq. (1), computed exactly (core/mixup.hpp), full batch
//   approximate mixup   L~_mix = L_std + R1 + R2 + R3 (Eq. 3), full batch
//   sampled mixup       as reference training code does it: per mini-batch one lam ~ Beta(a, b)
//                       and partners by a random permutation of the batch, mixed labels
// Mini-batches come from a random permutation per epoch (stream (seed, "train/epoch", epoch));
// sampled mixup draws from (seed, "train/mixup", step).  A callback after every epoch (and once
// before the first, with epoch = 0) records trajectories.

#include <cstdint>
#include <functional>

#include "core/data.hpp"
#include "core/losses.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"

namespace mixup {

enum class Objective { kErm, kExactMixup, kApproximateMixup, kSampledMixup };

struct TrainOptions {
  Objective objective = Objective::kErm;
  LossKind loss = LossKind::kLogistic;
  MixingLaw law;
  double learning_rate = 0.1;
  double momentum = 0.0;      // heavy ball: v <- momentum v + g; theta <- theta - lr v
  double weight_decay = 0.0;  // adds weight_decay * theta to the gradient
  int epochs = 100;
  Eigen::Index batch_size = 0;  // 0: full batch (the exact and approximate objectives need it)
  std::uint64_t seed = 0;
};

// Called with the epoch number (0 before training) and the current model.
using EpochCallback = std::function<void(int epoch, const Model& model)>;

// The objective's value on `data` (for the sampled objective: the exact mixup loss, which is
// what the sampled one estimates).
double objective_value(Objective objective, const Model& model, LossKind loss, const Dataset& data,
                       MixingLaw law);
// The objective's gradient on one batch.  For kSampledMixup, `draw` is the batch's lam and
// partner permutation (indices into the batch).
Eigen::VectorXd objective_gradient(Objective objective, const Model& model, LossKind loss,
                                   const Dataset& batch, MixingLaw law, const MixupDraw* draw);

// Trains `model` in place.  Throws DomainError for inconsistent options (an exact or
// approximate objective with mini-batches, a non-positive learning rate, ...).
void train(Model& model, const Dataset& data, const TrainOptions& options,
           const EpochCallback& on_epoch = {});

}  // namespace mixup
