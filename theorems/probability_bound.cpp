#include "theorems/probability_bound.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "core/adversarial.hpp"
#include "core/mixing.hpp"
#include "core/random.hpp"

namespace mixup::probability_bound {
namespace {

// Two binomial standard errors: a chance shortfall this large occurs with probability ~2.5%.
constexpr double kStandardErrors = 2.0;
// The inequality compares two sums of O(n) terms of size O(1): 1e-12 relative covers rounding.
constexpr double kRoundingTolerance = 1e-12;

std::string key_of(long n) {
  return "n=" + std::to_string(n);
}

// "steps" with --quick's cap.
int steps_of(const RunContext& context) {
  const int steps = context.config["steps"].get<int>();
  return context.quick ? std::min(steps, 100) : steps;
}

long capped(const RunContext& context, const std::string& key, long quick_cap) {
  const long value = context.config[key].get<long>();
  return context.quick ? std::min(value, quick_cap) : value;
}

}  // namespace

HalfSpaceData::HalfSpaceData(std::string claim, std::uint64_t seed, Eigen::Index d)
    : claim_(std::move(claim)), seed_(seed) {
  Engine engine = make_stream(seed_, claim_ + "/theta-star");
  theta_star_ = standard_normal_vector(engine, d);
}

Dataset HalfSpaceData::draw(Batch batch, std::size_t ni, long n, long k) const {
  const std::string purpose =
      claim_ + (batch == Batch::kEstimation ? "/estimation" : "/evaluation");
  Engine engine = make_stream(seed_, purpose, ni * 1000000 + k);
  Eigen::MatrixXd X = standard_normal_matrix(engine, n, theta_star_.size());
  Eigen::VectorXd y(n);
  for (long i = 0; i < n; ++i) y(i) = X.row(i).dot(theta_star_) > 0.0 ? 1.0 : 0.0;
  return {centered(X), y};
}

Setup::Setup(const RunContext& context, const std::string& claim, const std::string& p_samples_key,
             long quick_datasets, long quick_p_samples)
    : seed(context.config["seed"].get<std::uint64_t>()),
      d(context.config["d"].get<Eigen::Index>()),
      tau(context.config["tau"].get<double>()),
      ns(context.config["ns"].get<std::vector<long>>()),
      datasets(capped(context, "datasets", quick_datasets)),
      p_samples(capped(context, p_samples_key, quick_p_samples)),
      law{context.config["alpha"].get<double>(), context.config["beta"].get<double>()},
      descent{law, context.config["radius"].get<double>(), context.config["step"].get<double>(),
              steps_of(context)},
      source(claim, seed, d) {}

double sigmoid(double u) {
  return 1.0 / (1.0 + std::exp(-u));
}

bool zero_training_error(const Model& model, const Dataset& data) {
  const Eigen::VectorXd f = model.f(data.X);
  for (Eigen::Index i = 0; i < f.size(); ++i) {
    if ((data.y(i) > 0.5 && f(i) < 0.0) || (data.y(i) < 0.5 && f(i) > 0.0)) return false;
  }
  return true;
}

void Kappas::include(const Eigen::VectorXd& f, const Eigen::VectorXd& y) {
  for (Eigen::Index i = 0; i < f.size(); ++i) {
    const double g = sigmoid(f(i));
    const double residual = std::abs(g - y(i));
    kappa = std::min(kappa, g * (1.0 - g));
    kappa_1 = std::min(kappa_1, residual);
    kappa_2 = std::max(kappa_2, residual);
  }
}

Inequality mixup_above_adversarial(const Model& theta, const Dataset& data, const MixingLaw& law,
                                   double R) {
  const double m1 = dtilde_m1(law.a, law.b);
  const double eta = R * c_x(data.X) * m1 * std::sqrt(static_cast<double>(data.X.cols()));
  const double lhs = approximate_mixup_loss(theta, LossKind::kLogistic, data, law).total();
  const double rhs = approx_adversarial_loss_terms(theta, LossKind::kLogistic, data,
                                                   Eigen::VectorXd::Constant(data.X.rows(), eta))
                         .mean();
  const double gap = lhs - rhs;
  return {gap, gap >= -kRoundingTolerance * std::max(1.0, std::abs(lhs))};
}

BoundCheck::BoundCheck() {
  check_.name = "frequency of the inequality >= promised probability";
  check_.kind = "bound";
  check_.tolerance = 0.0;
  check_.note = "margin = F_n - P_n + 2 SE, SE = sqrt(max(P(1-P), 1/M)/M)";
}

void BoundCheck::vacuous(long n) {
  check_.measured[key_of(n)] = {{"estimation_minimizers_in_Theta", 0}};
  add_to_summary(key_of(n) + " vacuous");
}

void BoundCheck::conclude(long n, const Promise& promise, const Tally& tally,
                          const nlohmann::json& extra) {
  const double M = static_cast<double>(tally.datasets);
  const double p = promise.p;
  const double delta_n = static_cast<double>(tally.outside_theta_star) / M;
  const double promised = 1.0 - delta_n - 2.0 * std::exp(-n * p * p / 2.0);
  const double frequency = static_cast<double>(tally.held) / M;
  const double se = std::sqrt(std::max(promised * (1.0 - promised), 1.0 / M) / M);
  nlohmann::json witness = {{"n", n},
                            {"frequency", frequency},
                            {"promised", promised},
                            {"delta_n", delta_n},
                            {promise.p_name, p},
                            {"kappa", promise.kappas.kappa},
                            {"kappa_1", promise.kappas.kappa_1},
                            {"kappa_2", promise.kappas.kappa_2},
                            {"R", promise.R},
                            {"worst_gap_lhs_minus_rhs", tally.worst_gap},
                            {"datasets", tally.datasets},
                            {"standard_error", se},
                            {"estimation_minimizers_in_Theta", promise.estimation_in_theta},
                            {"evaluation_minimizers_with_training_error", tally.training_error}};
  witness.update(extra);
  check_.measured[key_of(n)] = witness;
  if (promised > 0.0) check_.record(frequency - promised + kStandardErrors * se, witness);
  char line[128];
  std::snprintf(line, sizeof line, "n=%ld F=%.3f P=%.3f R=%.2e", n, frequency, promised, promise.R);
  add_to_summary(line);
}

Check BoundCheck::finish() {
  check_.summary = summary_;
  return check_;
}

void BoundCheck::add_to_summary(const std::string& part) {
  summary_ += (summary_.empty() ? "" : "; ") + part;
}

}  // namespace mixup::probability_bound
