#pragma once
// Shared machinery of Theorem 3.2 (theorems/theorem_3_2.cpp, logistic regression) and Theorem
// B.1 (theorems/theorem_b_1.cpp, bias-free ReLU net).  Both state: with probability at least
//
//   P_n = 1 - delta_n - 2 exp(-n p^2 / 2)
//
// over the data, every minimizer theta of L~_mix satisfies
//
//   L~_mix(theta) >= (1/n) sum_i l~_adv(eps_mix sqrt(d), (x_i, y_i)),  eps_mix = R c_x m1
//
// (Eq. 5 for the logistic model, Eq. 6 for the network; logistic loss).  Both are checked the
// same way, and what is the same lives here:
//  * Data (appendix B.1): x ~ N(0, I_d), y = 1{x^T theta* > 0} with ONE theta* per claim (stream
//    (seed, "<claim>/theta-star")); each dataset is then centered (the proofs' hidden hypothesis
//    E_r[r_x] = 0); labels are kept.  Per n, two batches of M datasets on disjoint streams:
//    ESTIMATION (Theta*, the kappas, p and R) and EVALUATION (the frequency and delta_n).
//  * "Minimizer": on separable data L~_mix has no minimizer over Theta (the infimum is at
//    |theta| -> infinity), so theta_hat = projected gradient descent on L~_mix (Lemma 3.1,
//    approximate_mixup_loss) over the ball |theta| <= radius, fixed steps, from a start the
//    claim chooses, projected into the ball first (the ball is the stated hypothesis).
//  * Theta = minimizers with zero training error; kappa = min g(1-g), kappa_1 = min |g - y|,
//    kappa_2 = max |g - y| over the estimation minimizers in Theta and their data (empirical: a
//    data-dependent proxy of the bounds "over Theta* and the data").
//  * delta_n = fraction of EVALUATION minimizers outside Theta* or outside Theta (training
//    error); F_n = fraction of them at which the inequality holds (up to rounding).
//  * Verdict (kind "bound"), per n: margin = F_n - P_n + 2 SE, SE = sqrt(max(P_n (1 - P_n), 1 / M)
//    / M) the binomial standard error of F_n at success probability P_n over M datasets (floored
//    at 1/M so that P_n = 1 still allows one chance failure's worth).  P_n <= 0 promises nothing:
//    that n is not an instance.  No estimation minimizer in Theta: Theta* is empty, n vacuous.
// What differs (Theta*, p, R) stays in the claims' files.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "core/data.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"
#include "theorems/claim_report.hpp"
#include "theorems/registry.hpp"

namespace mixup::probability_bound {

// ---- Data -------------------------------------------------------------------------------------

enum class Batch { kEstimation, kEvaluation };

// Appendix B.1's distribution with the claim's theta* (see the top of this file).
class HalfSpaceData {
 public:
  // claim: "theorem-3.2" or "theorem-b.1", the prefix of every stream's purpose.
  HalfSpaceData(std::string claim, std::uint64_t seed, Eigen::Index d);
  // Dataset k of `batch` for the ni-th sample size n, centered.
  Dataset draw(Batch batch, std::size_t ni, long n, long k) const;

 private:
  std::string claim_;
  std::uint64_t seed_;
  Eigen::VectorXd theta_star_;
};

// ---- Minimizers -------------------------------------------------------------------------------

// Projected gradient descent on L~_mix (logistic loss) over |theta| <= radius.
struct BallDescent {
  MixingLaw law;
  double radius;
  double step;
  int steps;

  Eigen::VectorXd project(Eigen::VectorXd theta) const {
    const double norm = theta.norm();
    if (norm > radius) theta *= radius / norm;
    return theta;
  }
  // From `start`, projected into the ball first.
  template <class M>
  M minimize(const M& start, const Dataset& data) const {
    M model = start;
    model.set_parameters(project(model.parameters()));
    for (int t = 0; t < steps; ++t) {
      model.set_parameters(
          project(model.parameters() -
                  step * approximate_mixup_loss_gradient(model, LossKind::kLogistic, data, law)));
    }
    return model;
  }
};

// One batch of datasets with the minimizer theta_hat of each (the same start for all).
template <class M>
struct MinimizedBatch {
  std::vector<Dataset> data;
  std::vector<M> minimizers;
};

// ---- Config -----------------------------------------------------------------------------------

// The config keys both claims share, read once: "seed", "d", "tau", "ns", "datasets", "steps",
// "radius", "step", "alpha", "beta", and the claim's key of p's Monte Carlo draws.  --quick caps
// the datasets and p's draws at the given sizes and the steps at 100.
struct Setup {
  Setup(const RunContext& context, const std::string& claim, const std::string& p_samples_key,
        long quick_datasets, long quick_p_samples);

  std::uint64_t seed;
  Eigen::Index d;
  double tau;            // cosine threshold of p
  std::vector<long> ns;  // sample sizes n
  long datasets;         // M, datasets per n in each batch
  long p_samples;        // Monte Carlo draws of x for p
  MixingLaw law;         // D_lambda = Beta(alpha, beta)
  BallDescent descent;
  HalfSpaceData source;

  // Batch `batch` of the ni-th sample size: its M datasets and their minimizers from `start`.
  template <class M>
  MinimizedBatch<M> minimized_batch(Batch batch, std::size_t ni, const M& start) const {
    MinimizedBatch<M> out;
    for (long k = 0; k < datasets; ++k) {
      out.data.push_back(source.draw(batch, ni, ns[ni], k));
      out.minimizers.push_back(descent.minimize(start, out.data.back()));
    }
    return out;
  }
};

// ---- Theta and the kappas ---------------------------------------------------------------------

double sigmoid(double u);  // g of the logistic loss, 1 / (1 + e^{-u})

// theta in Theta: no training point on the wrong side of f = 0.
bool zero_training_error(const Model& model, const Dataset& data);

// Indices of the batch's minimizers that lie in Theta.
template <class M>
std::vector<std::size_t> in_theta(const MinimizedBatch<M>& batch) {
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < batch.minimizers.size(); ++k) {
    if (zero_training_error(batch.minimizers[k], batch.data[k])) out.push_back(k);
  }
  return out;
}

// kappa = min g(1-g), kappa_1 = min |g - y|, kappa_2 = max |g - y|, g = sigmoid(f(x_i)).
struct Kappas {
  double kappa = 1.0, kappa_1 = 1.0, kappa_2 = 0.0;
  // Takes in f(x_i) and y_i of one minimizer and its data.
  void include(const Eigen::VectorXd& f, const Eigen::VectorXd& y);
};

// ---- The inequality and its frequency ---------------------------------------------------------

// The inequality (Eq. 5 / Eq. 6) at one minimizer: gap = L~_mix(theta) - (1/n) sum_i
// l~_adv(eps_mix sqrt(d)), eps_mix = R c_x m1 (approx_adversarial_loss_terms, L~_mix by
// approximate_mixup_loss); it holds when gap >= -1e-12 max(1, |L~_mix(theta)|) (two sums of O(n)
// terms of size O(1): that covers rounding).
struct Inequality {
  double gap;
  bool held;
};
Inequality mixup_above_adversarial(const Model& theta, const Dataset& data, const MixingLaw& law,
                                   double R);

// The evaluation batch of one n.
struct Tally {
  long datasets = 0;            // M
  long held = 0;                // F_n = held / M
  long outside_theta_star = 0;  // delta_n = outside_theta_star / M (outside Theta* or Theta)
  long training_error = 0;      // outside Theta
  double worst_gap = std::numeric_limits<double>::infinity();
};

// off_estimate(theta): the claim's test that a minimizer in Theta is still outside its estimate
// of Theta*.
template <class M, class OffEstimate>
Tally evaluate(const MinimizedBatch<M>& batch, const MixingLaw& law, double R,
               OffEstimate off_estimate) {
  Tally tally;
  for (std::size_t k = 0; k < batch.minimizers.size(); ++k) {
    const M& theta = batch.minimizers[k];
    const bool misclassifies = !zero_training_error(theta, batch.data[k]);
    const bool off = off_estimate(theta);
    const Inequality at = mixup_above_adversarial(theta, batch.data[k], law, R);
    ++tally.datasets;
    tally.training_error += misclassifies ? 1 : 0;
    tally.outside_theta_star += (off || misclassifies) ? 1 : 0;
    tally.held += at.held ? 1 : 0;
    tally.worst_gap = std::min(tally.worst_gap, at.gap);
  }
  return tally;
}

// ---- The verdict ------------------------------------------------------------------------------

// What the estimation batch of one n fixed.
struct Promise {
  std::string p_name;  // the witness key of p: "p_tau" (Theorem 3.2), "p" (Theorem B.1)
  double p;
  Kappas kappas;
  double R;
  long estimation_in_theta;  // estimation minimizers in Theta (> 0)
};

// The claim's one check, "frequency of the inequality >= promised probability", n by n.
class BoundCheck {
 public:
  BoundCheck();
  // No estimation minimizer in Theta: Theta* is empty and n promises nothing.
  void vacuous(long n);
  // P_n = 1 - delta_n - 2 exp(-n p^2 / 2) against F_n; the per-n witness is the promise, the
  // tally, and the claim's own `extra` entries.
  void conclude(long n, const Promise& promise, const Tally& tally, const nlohmann::json& extra);
  Check finish();

 private:
  void add_to_summary(const std::string& part);

  Check check_;
  std::string summary_;
};

}  // namespace mixup::probability_bound
