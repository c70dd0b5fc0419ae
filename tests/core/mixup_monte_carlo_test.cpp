// Specification of mixup_draw and monte_carlo_mixup_loss (core/mixup.hpp, Eq. 1):
//  * a draw is a function of (seed, k) only: the same lam and partners every time, at any thread
//    count, and the partners form a permutation;
//  * the estimate is the mean of the draws' losses, each recomputed here from its draw, with the
//    sample standard error;
//  * the estimate converges to the exact mixup loss at rate 1/sqrt(M): |mean - exact| <= 5 SE for
//    M = 400, 1600, 6400, 25600 and SE(M) / SE(4M) ~ 2 (from M = 400 up, so that the ratio's
//    own sampling noise, ~10% at M = 100, leaves a tolerance with some bite).  The exact loss is
//    computed here, not by the engine: for a linear logistic model each pair's E_{lam ~ Beta(a, b)}
//    is a 1-D integral of the loss along the segment, done by Boost's tanh-sinh quadrature split at
//    lam = 1/2 (so the endpoint singularities of the Beta density are at 0 in their own variable)
//    and at the kink f = 0 of softplus.

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>
#include <Eigen/Core>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>

#include "core/data.hpp"
#include "core/errors.hpp"
#include "core/losses.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"

namespace mixup {
namespace {

constexpr std::uint64_t kSeed = 20210503;
constexpr MixingLaw kLaw{0.5, 1.5};  // a < 1 (singular density at lam = 0) and a != b

// --- Tolerances ----------------------------------------------------------------------------

// Statistical checks are at 5 standard deviations: a correct engine fails one of the 4 + 3
// checks below with probability ~7 * 6e-7 (normal tails), and the seed is fixed anyway.
constexpr double kSigmas = 5.0;

// The quadrature reference: the sum of tanh-sinh's error estimates over all pairs, relative to
// the exact loss.  The statistical checks resolve ~SE(25600) / L ~ 1e-4, so 1e-9 makes the
// reference error invisible; tanh-sinh reaches ~1e-15 on these analytic (after splitting)
// integrands.
constexpr double kReferenceRelTol = 1e-9;

// The reference's self-check: for i = j the segment is a point and the integral is l(f_i, y_i)
// times the Beta law's total mass, which tanh-sinh must reproduce from the singular density:
// relative, ~100 eps (measured ~1e-15).
constexpr double kSelfCheckRelTol = 1e-13;

// The engine's mean and standard error against the same numbers recomputed here from each draw:
// both sum M <= 6400 doubles in draw order with the draw losses computed by the same formula, so
// only the test's own rounding in mixing x and y could differ; 1e-12 relative.
constexpr double kRecomputeRelTol = 1e-12;

// --- The exact reference (Eq. 1) -------------------------------------------------------------

struct Integral {
  double value = 0.0;
  double error = 0.0;
};

// integral over t in [lo, hi] of g(t), with tanh-sinh.
template <class G>
Integral integrate(const G& g, double lo, double hi) {
  // Not const: Boost declares integrate() as "-> decltype(...) const", a const return type.
  static boost::math::quadrature::tanh_sinh<double> rule;
  Integral out;
  if (hi <= lo) return out;
  double l1 = 0.0;
  out.value = rule.integrate(g, lo, hi, 1e-15, &out.error, &l1);
  return out;
}

// int over [0, 1/2] of g, split at `kink` when it falls inside.
template <class G>
Integral integrate_half(const G& g, double kink) {
  if (kink > 0.0 && kink < 0.5) {
    const Integral left = integrate(g, 0.0, kink);
    const Integral right = integrate(g, kink, 0.5);
    return {left.value + right.value, left.error + right.error};
  }
  return integrate(g, 0.0, 0.5);
}

// E_{lam ~ Beta(a, b)} l(lam f_i + (1-lam) f_j, lam y_i + (1-lam) y_j) for the logistic loss.
Integral pair_expectation(double fi, double fj, double yi, double yj, MixingLaw law) {
  const double norm = boost::math::beta(law.a, law.b);
  // The integrand at lam, with 1 - lam passed separately so that neither rounds near its end.
  const auto integrand = [&](double lam, double one_minus_lam) {
    const double u = lam * fi + one_minus_lam * fj;
    const double y = lam * yi + one_minus_lam * yj;
    return loss_value(LossKind::kLogistic, u, y) * std::pow(lam, law.a - 1.0) *
           std::pow(one_minus_lam, law.b - 1.0) / norm;
  };
  // Softplus turns at u = 0: lam0 = fj / (fj - fi), 1 - lam0 = fi / (fi - fj).
  const bool has_kink = (fi < 0.0 && fj > 0.0) || (fi > 0.0 && fj < 0.0);
  const double lam0 = has_kink ? fj / (fj - fi) : -1.0;
  const double mu0 = has_kink ? fi / (fi - fj) : -1.0;
  const Integral lower =
      integrate_half([&](double lam) { return integrand(lam, 1.0 - lam); }, lam0);
  const Integral upper = integrate_half([&](double mu) { return integrand(1.0 - mu, mu); }, mu0);
  return {lower.value + upper.value, lower.error + upper.error};
}

struct ExactLoss {
  double value = 0.0;
  double error = 0.0;             // sum of the quadrature error estimates, / n^2
  double self_check_error = 0.0;  // worst relative error of the i = j pairs
};

ExactLoss exact_mixup_loss_reference(const LinearModel& model, const Dataset& data, MixingLaw law) {
  const Eigen::Index n = data.n();
  const Eigen::VectorXd f = model.f(data.X);
  ExactLoss out;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      const Integral e = pair_expectation(f(i), f(j), data.y(i), data.y(j), law);
      out.value += e.value;
      out.error += e.error;
      if (i == j) {
        const double l = loss_value(LossKind::kLogistic, f(i), data.y(i));
        out.self_check_error = std::max(out.self_check_error, std::abs(e.value - l) / l);
      }
    }
  }
  const double nn = static_cast<double>(n) * static_cast<double>(n);
  out.value /= nn;
  out.error /= nn;
  return out;
}

// --- Helpers -------------------------------------------------------------------------------------

// The loss of draw k recomputed from mixup_draw, written out independently of the engine.
double recomputed_draw_loss(const Model& model, const Dataset& data, std::uint64_t seed,
                            std::uint64_t k) {
  const MixupDraw draw = mixup_draw(data.n(), kLaw, seed, k);
  double total = 0.0;
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    const Eigen::Index j = draw.partner[static_cast<std::size_t>(i)];
    const Eigen::VectorXd x = draw.lam * data.X.row(i) + (1.0 - draw.lam) * data.X.row(j);
    const double y = draw.lam * data.y(i) + (1.0 - draw.lam) * data.y(j);
    total += loss_value(LossKind::kLogistic, model.f_at(x), y);
  }
  return total / static_cast<double>(data.n());
}

// Restores the OpenMP thread count when a test ends, even on failure.
class ThreadCountGuard {
 public:
  ThreadCountGuard() : saved_(omp_get_max_threads()) {}
  ~ThreadCountGuard() { omp_set_num_threads(saved_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int saved_;
};

// --- Tests ---------------------------------------------------------------------------------------

TEST(MonteCarloMixup, SameSeedAndIndexGiveTheSameDraw) {
  const MixupDraw first = mixup_draw(50, kLaw, kSeed, 7);
  const MixupDraw again = mixup_draw(50, kLaw, kSeed, 7);
  EXPECT_EQ(first.lam, again.lam);
  EXPECT_EQ(first.partner, again.partner);
  const MixupDraw other_index = mixup_draw(50, kLaw, kSeed, 8);
  const MixupDraw other_seed = mixup_draw(50, kLaw, kSeed + 1, 7);
  EXPECT_NE(first.lam, other_index.lam);
  EXPECT_NE(first.lam, other_seed.lam);
}

TEST(MonteCarloMixup, PartnersFormAPermutationAndLamIsInTheUnitInterval) {
  for (std::uint64_t k = 0; k < 20; ++k) {
    const MixupDraw draw = mixup_draw(37, kLaw, kSeed, k);
    std::vector<Eigen::Index> sorted = draw.partner;
    std::sort(sorted.begin(), sorted.end());
    std::vector<Eigen::Index> identity(37);
    std::iota(identity.begin(), identity.end(), Eigen::Index{0});
    EXPECT_EQ(sorted, identity) << "draw " << k;
    EXPECT_GE(draw.lam, 0.0) << "draw " << k;
    EXPECT_LE(draw.lam, 1.0) << "draw " << k;
  }
}

TEST(MonteCarloMixup, EstimateIsIdenticalAtOneAndTwoThreads) {
  const ThreadCountGuard guard;
  const Dataset data = make_gaussian_half_space(50, 4, kSeed);
  const ReluTwoLayer model = random_relu_two_layer(4, 8, kSeed);
  omp_set_num_threads(1);
  const MonteCarloEstimate one =
      monte_carlo_mixup_loss(model, LossKind::kLogistic, data, kLaw, 501, kSeed);
  const MixupDraw draw_one = mixup_draw(50, kLaw, kSeed, 300);
  omp_set_num_threads(2);
  const MonteCarloEstimate two =
      monte_carlo_mixup_loss(model, LossKind::kLogistic, data, kLaw, 501, kSeed);
  const MixupDraw draw_two = mixup_draw(50, kLaw, kSeed, 300);
  EXPECT_EQ(one.mean, two.mean);
  EXPECT_EQ(one.standard_error, two.standard_error);
  EXPECT_EQ(one.draws, two.draws);
  EXPECT_EQ(draw_one.lam, draw_two.lam);
  EXPECT_EQ(draw_one.partner, draw_two.partner);
}

TEST(MonteCarloMixup, EstimateIsTheMeanAndStandardErrorOfTheDrawLosses) {
  const Dataset data = make_gaussian_half_space(20, 3, kSeed);
  const LinearModel model = random_linear(3, kSeed, true);
  constexpr int kDraws = 300;
  const MonteCarloEstimate estimate =
      monte_carlo_mixup_loss(model, LossKind::kLogistic, data, kLaw, kDraws, kSeed);
  std::vector<double> losses;
  for (int k = 0; k < kDraws; ++k) {
    losses.push_back(recomputed_draw_loss(model, data, kSeed, static_cast<std::uint64_t>(k)));
  }
  const double mean = std::accumulate(losses.begin(), losses.end(), 0.0) / kDraws;
  double squares = 0.0;
  for (const double l : losses) squares += (l - mean) * (l - mean);
  const double se = std::sqrt(squares / (kDraws - 1) / kDraws);
  EXPECT_EQ(estimate.draws, kDraws);
  EXPECT_NEAR(estimate.mean, mean, kRecomputeRelTol * mean);
  EXPECT_NEAR(estimate.standard_error, se, kRecomputeRelTol * se);
}

TEST(MonteCarloMixup, MeanConvergesToTheExactLossAtRateOneOverSqrtM) {
  const Dataset data = make_gaussian_half_space(20, 3, kSeed);
  const LinearModel model = random_linear(3, kSeed, true);
  const ExactLoss exact = exact_mixup_loss_reference(model, data, kLaw);
  ASSERT_LE(exact.error, kReferenceRelTol * exact.value) << "quadrature reference not converged";
  ASSERT_LE(exact.self_check_error, kSelfCheckRelTol) << "quadrature reference fails i = j";

  const std::vector<int> draw_counts = {400, 1600, 6400, 25600};
  std::vector<MonteCarloEstimate> estimates;
  for (std::size_t k = 0; k < draw_counts.size(); ++k) {
    const std::uint64_t seed = kSeed + 1 + k;  // independent estimates
    estimates.push_back(
        monte_carlo_mixup_loss(model, LossKind::kLogistic, data, kLaw, draw_counts[k], seed));
    const MonteCarloEstimate& e = estimates.back();
    std::cout << "M = " << e.draws << ": mean " << e.mean << ", SE " << e.standard_error
              << ", (mean - exact) / SE " << (e.mean - exact.value) / e.standard_error << "\n";
    EXPECT_LE(std::abs(e.mean - exact.value), kSigmas * e.standard_error)
        << "M = " << e.draws << ", exact " << exact.value << ", seed " << seed;
  }

  // SE(M) / SE(4M) = 2 s_M / s_4M.  For M draws with kurtosis kappa, s^2 has relative variance
  // (kappa - 1) / M, so s has relative standard deviation sqrt((kappa - 1) / M) / 2, and the ratio
  // of two independent ones sqrt((kappa - 1) (1/M + 1/(4M))) / 2.  kappa is estimated from the
  // largest run's draws, recomputed here.
  const int big = draw_counts.back();
  std::vector<double> losses;
  for (int k = 0; k < big; ++k) {
    losses.push_back(recomputed_draw_loss(model, data, kSeed + draw_counts.size(),
                                          static_cast<std::uint64_t>(k)));
  }
  const double mean = std::accumulate(losses.begin(), losses.end(), 0.0) / big;
  double m2 = 0.0, m4 = 0.0;
  for (const double l : losses) {
    m2 += (l - mean) * (l - mean) / big;
    m4 += std::pow(l - mean, 4) / big;
  }
  const double kurtosis = m4 / (m2 * m2);
  std::cout << "kurtosis of the draw losses: " << kurtosis << "\n";
  for (std::size_t k = 0; k + 1 < estimates.size(); ++k) {
    const double M = draw_counts[k];
    const double ratio = estimates[k].standard_error / estimates[k + 1].standard_error;
    const double relative_sd = 0.5 * std::sqrt((kurtosis - 1.0) * (1.0 / M + 1.0 / (4.0 * M)));
    std::cout << "SE(" << M << ") / SE(" << 4 * M << ") = " << ratio << " (allowed 2 +- "
              << 2.0 * kSigmas * relative_sd << ")\n";
    EXPECT_NEAR(ratio, 2.0, 2.0 * kSigmas * relative_sd) << "M = " << M;
  }
}

TEST(MonteCarloMixup, OneDrawHasInfiniteStandardError) {
  const Dataset data = make_gaussian_half_space(10, 2, kSeed);
  const LinearModel model = random_linear(2, kSeed);
  const MonteCarloEstimate e =
      monte_carlo_mixup_loss(model, LossKind::kLogistic, data, kLaw, 1, kSeed);
  EXPECT_EQ(e.draws, 1);
  EXPECT_TRUE(std::isinf(e.standard_error));
  EXPECT_TRUE(std::isfinite(e.mean));
}

TEST(MonteCarloMixup, RejectsInvalidInputs) {
  const Dataset data = make_gaussian_half_space(10, 2, kSeed);
  const LinearModel model = random_linear(2, kSeed);
  const LossKind logistic = LossKind::kLogistic;
  EXPECT_THROW(monte_carlo_mixup_loss(model, logistic, data, kLaw, 0, kSeed), DomainError);
  EXPECT_THROW(monte_carlo_mixup_loss(model, logistic, data, {-1.0, 1.0}, 10, kSeed), DomainError);
  EXPECT_THROW(mixup_draw(0, kLaw, kSeed, 0), DomainError);
  EXPECT_THROW(mixup_draw(5, {1.0, 0.0}, kSeed, 0), DomainError);
  Dataset bad_label = data;
  bad_label.y(2) = 2.0;
  EXPECT_THROW(monte_carlo_mixup_loss(model, logistic, bad_label, kLaw, 10, kSeed), DomainError);
  Dataset nan_input = data;
  nan_input.X(1, 0) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(monte_carlo_mixup_loss(model, logistic, nan_input, kLaw, 10, kSeed), DomainError);
  const LinearModel wrong_dim = random_linear(3, kSeed);
  EXPECT_THROW(monte_carlo_mixup_loss(wrong_dim, logistic, data, kLaw, 10, kSeed), DomainError);
}

}  // namespace
}  // namespace mixup
