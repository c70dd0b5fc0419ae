// Lemma 3.1's quadratic approximation (Eq. 3) and its parameter gradient for a two-layer ReLU
// net at n = 10^4, d = 100, 100 hidden units: the target is value + gradient under 20 ms with
// 2 threads.  The argument is the OpenMP thread count; times are wall clock (UseRealTime), since
// CPU time of the main thread would hide the second thread's work.
//
// Work per call (flops, n = 10^4, d = m = 100): Sigma ~ n d^2 (rank-k update, 1e8), X W^T
// (2e8), D1 M (2e8); the gradient adds (E - F)^T Xc (2e8) and D1^T diag(gamma) D1 (1e8).

#include <omp.h>

#include <benchmark/benchmark.h>

#include "core/data.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"

namespace mixup {
namespace {

constexpr Eigen::Index kN = 10000;
constexpr Eigen::Index kD = 100;
constexpr Eigen::Index kHidden = 100;
constexpr std::uint64_t kSeed = 7;
constexpr MixingLaw kLaw{0.5, 2.0};

struct Problem {
  Dataset data = make_gaussian_half_space(kN, kD, kSeed);
  ReluTwoLayer net = random_relu_two_layer(kD, kHidden, kSeed);
};

const Problem& problem() {
  static const Problem p;
  return p;
}

void set_threads(const benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(0)));
}

void BM_ApproxLossAndGradientRelu2(benchmark::State& state) {
  const Problem& p = problem();
  set_threads(state);
  for (auto _ : state) {
    const QuadraticApproximation value =
        approximate_mixup_loss(p.net, LossKind::kLogistic, p.data, kLaw);
    const Eigen::VectorXd gradient =
        approximate_mixup_loss_gradient(p.net, LossKind::kLogistic, p.data, kLaw);
    benchmark::DoNotOptimize(value);
    benchmark::DoNotOptimize(gradient.data());
  }
}
BENCHMARK(BM_ApproxLossAndGradientRelu2)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_ApproxLossRelu2(benchmark::State& state) {
  const Problem& p = problem();
  set_threads(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(approximate_mixup_loss(p.net, LossKind::kLogistic, p.data, kLaw));
  }
}
BENCHMARK(BM_ApproxLossRelu2)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_ApproxGradientRelu2(benchmark::State& state) {
  const Problem& p = problem();
  set_threads(state);
  for (auto _ : state) {
    const Eigen::VectorXd gradient =
        approximate_mixup_loss_gradient(p.net, LossKind::kLogistic, p.data, kLaw);
    benchmark::DoNotOptimize(gradient.data());
  }
}
BENCHMARK(BM_ApproxGradientRelu2)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mixup
