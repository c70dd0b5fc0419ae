// One mixup training epoch of the MLP 784-256-10 (double precision) on 60,000 images, batch 64,
// SGD with momentum 0.9 (issue 8's target: under 1 s on 2 cores).  The images are synthetic
// (uniform pixels in [0, 1], uniform labels), so the benchmark needs no data package; the work
// per epoch does not depend on the pixel values.  The argument is the OpenMP thread count; times
// are wall clock.
//
// Work per epoch: 938 batches x (forward 64 x 784 x 256 + weight gradient 256 x 64 x 784)
// multiply-adds = 2 x 12.0e9 = 24 GFLOP... (x 2 flops per multiply-add: 48 GFLOP), plus the
// small second layer, the momentum update of 203,530 parameters per batch and the mixing.

#include <omp.h>

#include <benchmark/benchmark.h>

#include "core/classifier_training.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

constexpr Eigen::Index kImages = 60000;
constexpr Eigen::Index kPixels = 784;
constexpr int kClasses = 10;
constexpr std::uint64_t kSeed = 11;

MulticlassDataset synthetic_images() {
  MulticlassDataset data;
  Engine engine = make_stream(kSeed, "bench/images");
  data.X.resize(kImages, kPixels);
  data.label.resize(kImages);
  data.classes = kClasses;
  for (Eigen::Index i = 0; i < kImages; ++i) {
    for (Eigen::Index k = 0; k < kPixels; ++k) data.X(i, k) = uniform01(engine);
    data.label[static_cast<std::size_t>(i)] =
        static_cast<int>(uniform01(engine) * kClasses) % kClasses;
  }
  return data;
}

const MulticlassDataset& images() {
  static const MulticlassDataset data = synthetic_images();
  return data;
}

ClassifierTrainOptions mixup_options() {
  ClassifierTrainOptions options;
  options.mixup = true;
  options.law = {1.0, 1.0};
  options.learning_rate = 0.01;
  options.momentum = 0.9;
  options.batch_size = 64;
  options.seed = kSeed;
  return options;
}

void run_epochs(benchmark::State& state, const std::vector<Eigen::Index>& hidden) {
  const MulticlassDataset& data = images();
  omp_set_num_threads(static_cast<int>(state.range(0)));
  Classifier model = random_classifier(kPixels, hidden, kClasses, kSeed);
  ClassifierTrainer trainer(model, mixup_options());
  int epoch = 0;
  for (auto _ : state) {
    const double objective = trainer.run_epoch(model, data, ++epoch);
    benchmark::DoNotOptimize(objective);
  }
}

void BM_MixupEpochMlp784x256x10(benchmark::State& state) {
  run_epochs(state, {256});
}
BENCHMARK(BM_MixupEpochMlp784x256x10)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0);

void BM_MixupEpochSoftmax784x10(benchmark::State& state) {
  run_epochs(state, {});
}
BENCHMARK(BM_MixupEpochSoftmax784x10)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mixup
