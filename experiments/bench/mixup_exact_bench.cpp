// Benchmarks of the exact mixup engine (core/mixup.hpp), on 2 OpenMP threads.  Each iteration is
// a full call: every per-(a, b) precomputation (Gauss-Jacobi rules, Chebyshev grid of kernel
// values) is inside the timed region.
//
//   ExactLogistic/R/a/b       Eq. (1), logistic regression, n = 2000, d = 10, max |x_i^T theta| = R
//   ExactLogisticGrad/R/a/b   its gradient in theta
//   ExactRelu2/a/b            Eq. (1), two-layer ReLU net, n = 1000, d = 10, 50 hidden units
//
// a and b are passed as 10 * a (integers).  Targets (brief): ExactLogistic R = 10, a = b = 1
// under 10 ms; R = 100 under 0.5 s; ExactLogisticGrad R = 10 under 20 ms; ExactRelu2 under 0.5 s.

#include <omp.h>

#include <cstdint>

#include <benchmark/benchmark.h>
#include <Eigen/Core>

#include "core/data.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

constexpr std::uint64_t kSeed = 20210503;
constexpr int kThreads = 2;
constexpr Eigen::Index kLogisticRows = 2000;
constexpr Eigen::Index kReluRows = 1000;
constexpr Eigen::Index kDim = 10;
constexpr Eigen::Index kHidden = 50;

// x ~ N(0, I_d), labels from an independent half-space (both classes, not separable by theta).
Dataset gaussian_data(Eigen::Index n) {
  Engine engine = make_stream(kSeed, "bench/exact/x");
  Dataset data{standard_normal_matrix(engine, n, kDim), Eigen::VectorXd(n)};
  const Eigen::VectorXd w = standard_normal_vector(engine, kDim);
  for (Eigen::Index i = 0; i < n; ++i) data.y(i) = data.X.row(i).dot(w) > 0.0 ? 1.0 : 0.0;
  return data;
}

// theta scaled so that max_i |x_i^T theta| = R.
LinearModel scaled_logistic(const Dataset& data, double R) {
  Engine engine = make_stream(kSeed, "bench/exact/theta");
  Eigen::VectorXd theta = standard_normal_vector(engine, kDim);
  theta *= R / (data.X * theta).cwiseAbs().maxCoeff();
  return LinearModel(theta);
}

MixingLaw law_of(const benchmark::State& state, int first) {
  return {0.1 * static_cast<double>(state.range(first)),
          0.1 * static_cast<double>(state.range(first + 1))};
}

void BM_ExactLogistic(benchmark::State& state) {
  omp_set_num_threads(kThreads);
  const Dataset data = gaussian_data(kLogisticRows);
  const LinearModel model = scaled_logistic(data, static_cast<double>(state.range(0)));
  const MixingLaw law = law_of(state, 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(exact_mixup_loss(model, LossKind::kLogistic, data, law));
  }
  state.counters["threads"] = kThreads;
}

void BM_ExactLogisticGrad(benchmark::State& state) {
  omp_set_num_threads(kThreads);
  const Dataset data = gaussian_data(kLogisticRows);
  const LinearModel model = scaled_logistic(data, static_cast<double>(state.range(0)));
  const MixingLaw law = law_of(state, 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(exact_mixup_loss_gradient(model, LossKind::kLogistic, data, law));
  }
  state.counters["threads"] = kThreads;
}

void BM_ExactRelu2(benchmark::State& state) {
  omp_set_num_threads(kThreads);
  const Dataset data = gaussian_data(kReluRows);
  const ReluTwoLayer net = random_relu_two_layer(kDim, kHidden, kSeed);
  const MixingLaw law = law_of(state, 0);
  for (auto _ : state) {
    benchmark::DoNotOptimize(exact_mixup_loss(net, LossKind::kLogistic, data, law));
  }
  state.counters["threads"] = kThreads;
}

BENCHMARK(BM_ExactLogistic)
    ->ArgNames({"R", "10a", "10b"})
    ->Args({10, 10, 10})
    ->Args({100, 2, 2})
    ->Args({100, 10, 10})
    ->Args({100, 50, 5})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(BM_ExactLogisticGrad)
    ->ArgNames({"R", "10a", "10b"})
    ->Args({10, 10, 10})
    ->Args({100, 10, 10})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(BM_ExactRelu2)
    ->ArgNames({"10a", "10b"})
    ->Args({10, 10})
    ->Args({2, 2})
    ->Args({50, 5})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace mixup
