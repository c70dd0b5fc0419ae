#pragma once
// Training and evaluation of multi-class classifiers (core/classifier.hpp) as the paper's
// real-data experiments do it (appendix C: SGD with momentum, mini-batches, mixup per batch).
//
//   ERM    each mini-batch's mean cross-entropy with one-hot labels.
//   mixup  the standard per-batch scheme of the reference implementation: one lam ~ Beta(a, b)
//          per mini-batch, partners by a random permutation of the batch, inputs and one-hot
//          labels mixed with the same lam (core/mixup.hpp's mixup_draw, stream
//          (seed, "mixup/monte-carlo", step)).
//
// SGD with heavy-ball momentum: v <- momentum v + grad + weight_decay W; W <- W - lr v (biases
// are not decayed).  Mini-batches come from a permutation per epoch, stream (seed,
// "classifier/epoch", epoch); the last, smaller batch is kept.  Optional augmentation of image
// inputs (before mixing): a horizontal flip with probability 1/2 and a shift by up to
// `max_shift` pixels in each direction, vacated pixels set to 0; stream (seed,
// "classifier/augment", step).
//
// Same inputs, same bits at any thread count (core/classifier.hpp's Backprop; updates are
// element-wise).

#include <cstdint>
#include <functional>

#include "core/classifier.hpp"
#include "core/mixup.hpp"
#include "core/multiclass_data.hpp"

namespace mixup {

struct ImageShape {
  Eigen::Index height = 0;
  Eigen::Index width = 0;
};

struct ClassifierTrainOptions {
  bool mixup = false;
  MixingLaw law;  // Beta(a, b) of the mixing weight
  double learning_rate = 0.01;
  double momentum = 0.9;
  double weight_decay = 0.0;
  int epochs = 10;
  Eigen::Index batch_size = 64;
  std::uint64_t seed = 0;
  bool augment = false;  // needs image (height * width = the input dimension)
  ImageShape image;
  Eigen::Index max_shift = 2;
};

// Throws DomainError naming the option (a non-positive learning rate, momentum outside [0, 1),
// batch size < 1, a Beta parameter <= 0, augmentation without an image shape that fits d, ...).
void validate(const ClassifierTrainOptions& options, Eigen::Index inputs);

// Trainer state: the momentum buffers and the batch buffers, reused across batches and epochs.
class ClassifierTrainer {
 public:
  ClassifierTrainer(const Classifier& model, const ClassifierTrainOptions& options);
  // One pass over `data` (epoch numbers from 1; they key the epoch's permutation and, with the
  // running step count, the mixup and augmentation draws).  Returns the mean training objective
  // over the batches (on the mixed, augmented batches).
  double run_epoch(Classifier& model, const MulticlassDataset& data, int epoch);

 private:
  // batch rows = data rows order[first, first + count), one-hot targets.
  void gather_batch(const MulticlassDataset& data, const std::vector<Eigen::Index>& order,
                    Eigen::Index first, Eigen::Index count);
  // batch rows mixed straight from the data rows (no augmentation: one pass instead of three).
  void gather_mixed_batch(const MulticlassDataset& data, const std::vector<Eigen::Index>& order,
                          Eigen::Index first, Eigen::Index count);
  void augment_batch();
  void mix_batch();

  ClassifierTrainOptions options_;
  MomentumSgd sgd_;
  Backprop backprop_;
  RowMatrixXd batch_x_, batch_t_, partner_x_, partner_t_;
  std::uint64_t step_ = 0;
};

// Called after every epoch (and with epoch = 0 before the first) with the current model.
using ClassifierEpochCallback = std::function<void(int epoch, const Classifier& model)>;

// Trains `model` in place for options.epochs epochs.
void train_classifier(Classifier& model, const MulticlassDataset& data,
                      const ClassifierTrainOptions& options,
                      const ClassifierEpochCallback& on_epoch = {});

struct ClassifierEvaluation {
  double loss = 0.0;   // mean cross-entropy with one-hot labels
  double error = 0.0;  // fraction misclassified (argmax, lowest index on ties)
  double accuracy() const { return 1.0 - error; }
};
// Evaluated in fixed chunks of rows, summed in chunk order.
ClassifierEvaluation evaluate(const Classifier& model, const MulticlassDataset& data);

// FGSM in l_inf (Goodfellow et al.): x + eps sign(grad_x l(theta, (x, y))), clipped to
// [lower, upper] per coordinate (the valid pixel range); a zero gradient coordinate stays.
RowMatrixXd fgsm_linf(const Classifier& model, const MulticlassDataset& data, double eps,
                      double lower, double upper);

}  // namespace mixup
