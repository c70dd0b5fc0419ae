// Monte Carlo mixup as training code computes it (core/mixup.hpp): per draw, one
// lam ~ Beta(a, b) for the whole batch and partners perm(i) from a uniform random permutation;
// the draw's loss is (1/n) sum_i l(theta, (lam x_i + (1-lam) x_perm(i), lam y_i + (1-lam)
// y_perm(i))), an unbiased estimate of Eq. (1) (each ordered pair (i, j) is hit with probability
// 1/n^2 per sample slot, averaged over the n slots).
//
// Draw k reads only stream (seed, "mixup/monte-carlo", k): lam first, then the permutation.
// Draws run in parallel over k; each writes its loss into slot k, and the mean and the standard
// error are summed over k in order, so the estimate is the same at any thread count.

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/errors.hpp"
#include "core/losses.hpp"
#include "core/mixing.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

constexpr const char* kMonteCarloPurpose = "mixup/monte-carlo";

std::string format_number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

void require_monte_carlo_inputs(const Model& model, LossKind loss, const Dataset& data,
                                MixingLaw law, int draws) {
  const std::string what = "monte_carlo_mixup_loss";
  require_beta_parameters(law.a, law.b, (what + ": mixing law Beta(a, b)").c_str());
  if (draws < 1) {
    throw DomainError(what + ": draws must be >= 1, got " + std::to_string(draws));
  }
  if (data.n() < 1) throw DomainError(what + ": data has no rows");
  if (data.y.size() != data.n()) {
    throw DomainError(what + ": data has " + std::to_string(data.n()) + " rows but " +
                      std::to_string(data.y.size()) + " labels");
  }
  if (data.d() != model.input_dim()) {
    throw DomainError(what + ": the " + model.type() + " model takes inputs of dimension " +
                      std::to_string(model.input_dim()) + ", but data has " +
                      std::to_string(data.d()) + " feature columns");
  }
  for (Eigen::Index j = 0; j < data.d(); ++j) {
    for (Eigen::Index i = 0; i < data.n(); ++i) {
      if (!std::isfinite(data.X(i, j))) {
        throw DomainError(what + ": data.X(" + std::to_string(i) + ", " + std::to_string(j) +
                          ") = " + format_number(data.X(i, j)) + " is not finite");
      }
    }
  }
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    if (!label_is_valid(loss, data.y(i))) {
      throw DomainError(what + ": data.y(" + std::to_string(i) + ") = " + format_number(data.y(i)) +
                        " is not a valid label for the " + to_string(loss) + " loss (expected " +
                        allowed_labels(loss) + ")");
    }
  }
}

// The loss of one draw: mixed inputs and mixed labels, summed over i in a fixed order.
double draw_loss(const Model& model, LossKind loss, const Dataset& data, const MixupDraw& draw) {
  const Eigen::Index n = data.n();
  Eigen::MatrixXd X_mix(n, data.d());
  Eigen::VectorXd y_mix(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::Index j = draw.partner[static_cast<std::size_t>(i)];
    X_mix.row(i) = draw.lam * data.X.row(i) + (1.0 - draw.lam) * data.X.row(j);
    y_mix(i) = draw.lam * data.y(i) + (1.0 - draw.lam) * data.y(j);
  }
  const Eigen::VectorXd u = model.f(X_mix);
  double total = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) total += loss_value(loss, u(i), y_mix(i));
  return total / static_cast<double>(n);
}

}  // namespace

MixupDraw mixup_draw(Eigen::Index n, MixingLaw law, std::uint64_t seed, std::uint64_t k) {
  require_beta_parameters(law.a, law.b, "mixup_draw: mixing law Beta(a, b)");
  if (n < 1) throw DomainError("mixup_draw: n must be >= 1, got " + std::to_string(n));
  Engine engine = make_stream(seed, kMonteCarloPurpose, k);
  MixupDraw draw;
  draw.lam = beta_sample(engine, law.a, law.b);
  draw.partner = random_permutation(engine, n);
  return draw;
}

MonteCarloEstimate monte_carlo_mixup_loss(const Model& model, LossKind loss, const Dataset& data,
                                          MixingLaw law, int draws, std::uint64_t seed) {
  require_monte_carlo_inputs(model, loss, data, law, draws);
  std::vector<double> losses(static_cast<std::size_t>(draws));
#pragma omp parallel for schedule(static)
  for (int k = 0; k < draws; ++k) {
    const MixupDraw draw = mixup_draw(data.n(), law, seed, static_cast<std::uint64_t>(k));
    losses[static_cast<std::size_t>(k)] = draw_loss(model, loss, data, draw);
  }
  MonteCarloEstimate estimate;
  estimate.draws = draws;
  double sum = 0.0;
  for (const double l : losses) sum += l;  // draw order
  estimate.mean = sum / draws;
  if (draws < 2) {
    estimate.standard_error = std::numeric_limits<double>::infinity();
    return estimate;
  }
  double squares = 0.0;  // two-pass variance: no cancellation between sum and sum of squares
  for (const double l : losses) squares += (l - estimate.mean) * (l - estimate.mean);
  estimate.standard_error =
      std::sqrt(squares / (draws - 1)) / std::sqrt(static_cast<double>(draws));
  return estimate;
}

}  // namespace mixup
