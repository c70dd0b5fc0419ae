#pragma once
// Shared machinery of Theorems 3.1 and 3.3 (theorems/theorem_3_1.cpp, theorem_3_3.cpp): the chain
//
//   L~_mix(theta, S) >= (1/n) sum_i l~_adv(eps_i sqrt(d), (x_i, y_i))
//                    >= (1/n) sum_i l~_adv(eps_mix sqrt(d), (x_i, y_i))
//
// with R_i = |cos(grad f(x_i), x_i)|, eps_i = R_i c_x m1, R = min_i R_i, eps_mix = R c_x m1,
// both sides evaluated sample by sample from their definitions (not from the proof's bounds):
//
//   L~_mix = L_std + R1 + R2 + R3 (Lemma 3.1, Eq. 3), the expectation over r_x ~ D_X taken as the
//            explicit mean over the n training inputs, pair by pair:
//     R1 = (m1/n) sum_i (g(f_i) - y_i) (1/n) sum_j grad f_i^T (x_j - x_i)
//     R2 = (m2/(2n)) sum_i h''(f_i) (1/n) sum_j (grad f_i^T (x_j - x_i))^2
//     R3 = (m2/(2n)) sum_i (g(f_i) - y_i) (1/n) sum_j (x_j - x_i)^T hess f_i (x_j - x_i)
//   l~_adv(eta, (x, y)) = l(theta, (x, y)) + eta |g(f(x)) - y| |grad f(x)|
//                         + (eta^2 / 2) |h''(f(x))| |grad f(x)|^2                (Eq. 5, Eq. 6)
//
// (logistic loss, g = sigmoid, h'' = g (1 - g); m1, m2 the D~ moments of core/mixing.hpp).
// Where grad f(x_i) = 0 the cosine R_i is undefined; the adversarial terms of that sample vanish
// with |grad f(x_i)| whatever eps_i is, and R is the minimum over the defined cosines.
//
// Also here: the data sets of both claims (centred, as the proofs need), the grid of mixing laws,
// the config keys both read, a (1+1) evolution strategy for the adversarial search over Theta,
// the recorder that turns evaluations into the claim report's checks, and the audits both run.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "core/data.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"
#include "core/random.hpp"
#include "core/training.hpp"
#include "theorems/claim_report.hpp"
#include "theorems/mixing_laws.hpp"

namespace mixup::robustness {

// ---- Data sets --------------------------------------------------------------------------------

// "two-moons" (noise 0.1) and "gaussian" (appendix B.1 half-space) as theorems/claim_models.hpp
// builds them;
// "gaussian-symmetric": appendix B.1's law drawn in antipodal pairs: n/2 draws x ~ N(0, I_d)
//   (make_gaussian_half_space) followed by their negations, labels y = 1{x^T theta* > 0} for all
//   n (n rounded down to even).  Its mean is exactly 0 and theta* separates it through the
//   origin, so it meets both hypotheses that centring the "gaussian" set can pull apart;
// "constructed-empty-theta": n >= 8 points on the unit circle at angles 2 pi (k + 1/2) / n with
//   XOR labels y = 1{x_1 x_2 > 0}.  Every quadrant holds a point, so the signed inputs
//   (2 y_i - 1) x_i leave no angular gap of pi: no line through the origin weakly separates the
//   labels and Theta = {0} for linear models (a bias-free ReLU net can still fit it).
inline const std::vector<std::string> kChainDatasetNames = {
    "two-moons", "gaussian", "gaussian-symmetric", "constructed-empty-theta"};
Dataset make_constructed_empty_theta(Eigen::Index n);
// The uncentred audits' own data set, built to take away the slack that |x_i| > c_x sqrt(d)
// gives the chain: n >= 8 points on the unit circle (so |x_i| = c_x sqrt(d) for every i),
// n - n/4 of label 1 at angles spread over [pi/4, 3pi/4] and n/4 of label 0 over
// [5pi/4, 7pi/4] (midpoints of equal sub-arcs).  The labels are imbalanced, the mean points
// along +e_2 (about 0.45 e_2 for large n), and theta = (0, 1) separates it strictly through the
// origin.  R1 then carries m1 (1/n) sum_i (g_i - y_i) theta^T xbar, negative for small theta
// along e_2, which nothing on the right-hand side matches.
Dataset make_constructed_uncentered(Eigen::Index n);
Dataset make_gaussian_symmetric(Eigen::Index n, Eigen::Index d, std::uint64_t seed);
// The named data set as generated (not centred).  Throws DomainError for an unknown name, n < 8
// for the constructed set, n < 2 for the symmetric one.
Dataset make_raw_chain_dataset(const std::string& name, Eigen::Index n, Eigen::Index gaussian_d,
                               std::uint64_t seed);
// The named data set, centred ((1/n) sum_i x_i = 0 up to rounding; the proofs use E_r[r_x] = 0).
Dataset make_chain_dataset(const std::string& name, Eigen::Index n, Eigen::Index gaussian_d,
                           std::uint64_t seed);

// The uncentred audit's data: every input shifted by the same vector v.
Dataset shifted(const Dataset& data, const Eigen::VectorXd& v);
// sqrt((1/n) sum_i |x_i|^2): the unit of the audit's shift.
double rms_radius(const Eigen::MatrixXd& X);

// The grid of Beta(a, b) laws and their JSON form (theorems/mixing_laws.hpp).
using mixup::law_grid;
using mixup::law_json;

// ---- Settings -----------------------------------------------------------------------------------

// The config keys both claims read alike (configs/theorem-3.1.json, theorem-3.3.json; each claim's
// schema holds their defaults).  A claim derives its Settings from this, calls read(), reads its
// own keys, applies its --quick caps (alphas and betas are the grid before them), then calls
// finish(), which checks norm_min <= norm_max and builds `laws`.
struct ChainSettings {
  std::uint64_t seed = 0;
  std::vector<std::string> datasets;
  Eigen::Index n = 0;
  Eigen::Index gaussian_d = 0;
  std::vector<double> alphas;
  std::vector<double> betas;
  std::vector<MixingLaw> laws;  // law_grid(alphas, betas), set by finish()
  int epochs = 0;               // "train_epochs"
  double learning_rate = 0.0;
  double momentum = 0.0;
  Eigen::Index batch_size = 0;
  double norm_min = 0.0;
  double norm_max = 0.0;
  int search_starts = 0;
  int search_iterations = 0;
  std::vector<double> shifts;
  int exact_points = 0;  // "exact_audit_points"

  void read(const nlohmann::json& config);
  // Throws InputError (prefixed with `claim`) when norm_max < norm_min.
  void finish(const std::string& claim);
  // The trajectories' training options at one law on `samples` inputs: logistic loss, the
  // configured SGD; batches of min(batch_size, samples) for the sampled objectives, full batch
  // for the exact and approximate ones.
  TrainOptions train_options(Objective objective, MixingLaw law, std::uint64_t train_seed,
                             Eigen::Index samples) const;
  // "learning rate 0.1, momentum 0.9, batch 10, 100 epochs" for the report's notes.
  std::string training_summary() const;
};

// The first `count` elements of v (all of them when it is shorter): the --quick caps on lists.
template <class T>
std::vector<T> first(const std::vector<T>& v, std::size_t count) {
  return std::vector<T>(v.begin(), v.begin() + static_cast<long>(std::min(count, v.size())));
}

// ---- The chain ----------------------------------------------------------------------------------

struct ChainEvaluation {
  double standard_loss = 0.0;
  double R1 = 0.0;
  double R2 = 0.0;
  double R3 = 0.0;
  double mixup_approx = 0.0;                            // L~_mix = L_std + R1 + R2 + R3
  double adv_at_eps_i = 0.0;                            // (1/n) sum_i l~_adv(eps_i sqrt d)
  double adv_at_eps_mix = 0.0;                          // (1/n) sum_i l~_adv(eps_mix sqrt d)
  double R = std::numeric_limits<double>::quiet_NaN();  // min over the defined cosines
  double eps_mix = 0.0;                                 // R c_x m1 (0 when no cosine is defined)
  double c_x = 0.0;
  double m1 = 0.0;
  Eigen::Index undefined_cosines = 0;  // samples with grad f(x_i) = 0 (or x_i = 0)
  bool all_outputs_zero = false;       // f(x_i) = 0 for every i (the trivial members of Theta)
  // An upper bound on the magnitude of every term summed on either side:
  //   L_std + (1/n) sum_i [m1 |g_i - y_i| |grad_i| B + (m2/2) h''_i |grad_i|^2 B^2
  //                        + (m2/2) |g_i - y_i| |hess_i|_F B^2],   B = 2 max_j |x_j|
  // (B bounds |x_j - x_i| and, through eps_i sqrt d <= m1 |x_i|, the adversarial radii).  The
  // rounding error of either side is a modest multiple of eps times this scale.
  double scale = 0.0;

  // The margins of the two inequalities, relative to `scale`.  scale = 0 means every term is 0:
  // the margin is then 0, or NaN (counted as a violation) if the two sides still differ.
  double first_margin() const;
  double second_margin() const;
  // The first margin relative to the terms other than L_std (which appears on both sides):
  // (L~_mix - rhs) / (|R1| + |R2| + |R3| + (rhs - L_std)).  In [0, 1] when the inequality holds
  // with R1, R2, R3 >= 0 (the situation on Theta); the fraction of the mixup regularizer that
  // the adversarial terms leave unused.  The adversarial search minimises it.  NaN when every
  // such term is 0 (theta with zero gradients).
  double relative_slack() const;
  bool R_is_zero() const { return R == 0.0; }
};

// Evaluates both sides for one model on one data set at one mixing law (logistic loss).
ChainEvaluation evaluate_chain(const Model& model, const Dataset& data, MixingLaw law);

// The rounding tolerance of the chain's margins, relative to ChainEvaluation::scale.  Each
// summand on either side is a product of a few correctly rounded factors (sigmoid, log1p, exp,
// square roots) and of dot products of length d or n, so it carries a relative error of at most
// (d + n + 10) eps; the sums over n samples add at most n eps more (sequential sums).  With
// n, d <= 2000 that is below 6000 eps = 1.3e-12 of the scale (1e-11 leaves a factor 7); at the
// configured sizes (n <= 100, d <= 10) it is about 200 eps = 4.4e-14.  A violation needs the
// margin below -kChainTolerance.
inline constexpr double kChainTolerance = 1e-11;

// ---- Theta for models linear in their parameters -------------------------------------------

// For f(x) = x^T theta (or, with the features of a net's last hidden layer in place of x, for
// the net's output layer beta with the lower layers fixed) Theta is the polyhedral cone
// {theta : Z theta >= 0}, Z the signed inputs with rows z_i = (2 y_i - 1) x_i.  Whether
// Theta \ {0} is empty is decided with certificates:
//   non-empty: a theta != 0 that core's in_theta accepts (exactly, in floating point);
//   empty:     for each v in {+e_k, -e_k} a w >= 0 (non-negative least squares) with
//              |Z^T w - v| < 1/(2 sqrt d); then every theta in Theta has
//              +-theta_k = w^T Z theta + (v - Z^T w)^T theta >= -|Z^T w - v| |theta|, so
//              |theta|^2 <= d max_k theta_k^2 < |theta|^2 / 4 unless theta = 0.
// A member must also give some x_i a non-zero output (Z theta != 0): theta in the null space of
// the inputs (or of a net's features) is the analogue of theta = 0.
// Candidates for a member: the direction of logistic ERM (full-batch gradient descent, which on
// separable data tends to the hard-margin separator through the origin, a strict member), the
// sum of the normalised NNLS residuals Z^T w - v (each is in Theta up to rounding by the NNLS
// optimality conditions), and the residuals themselves.
struct LinearThetaCone {
  bool nonempty = false;
  bool certified_empty = false;
  Eigen::VectorXd member;           // a member != 0, unit norm (size 0 when none was found)
  bool strict = false;              // member satisfies every constraint strictly
  double max_residual = 0.0;        // max over +-e_k of min_{w >= 0} |Z^T w - v|
  double largest_angular_gap = -1;  // d = 2: the largest gap between the signed inputs' angles
  std::vector<Eigen::VectorXd> boundary_members;  // NNLS residuals accepted by in_theta
  std::vector<Eigen::VectorXd> residuals;         // every NNLS residual above rounding
};
LinearThetaCone analyze_linear_theta(const Dataset& data);
nlohmann::json cone_json(const LinearThetaCone& cone);

// Lawson-Hanson non-negative least squares: w >= 0 minimising |A w - v|.  A is d x n.
Eigen::VectorXd nonnegative_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& v);

Eigen::MatrixXd signed_inputs(const Dataset& data);
// theta != 0 and in_theta(LinearModel(theta), X, y); strictly: (Z theta)_i > 0 on every
// non-zero row z_i (zero rows, a net's features all off, constrain nothing).
bool in_theta_linear(const Dataset& data, const Eigen::VectorXd& theta);
bool strictly_in_theta(const Dataset& data, const Eigen::VectorXd& theta);

// Hit-and-run in {theta : Z theta >= 0, |theta| <= 1} (uniform there in the limit, so its
// directions are uniform on the cone's part of the sphere) from a strict member: 200 burn-in
// steps, then one point every 5 d steps; returns up to `count` points that in_theta accepts
// (rounding can put a chord's end a hair outside), unit-ball scaled.
std::vector<Eigen::VectorXd> hit_and_run_theta(const Dataset& data, const Eigen::VectorXd& start,
                                               int count, Engine& engine);
// lo (hi / lo)^U, U ~ U[0, 1): log-uniform on [lo, hi].
double log_uniform(Engine& engine, double lo, double hi);
nlohmann::json vector_json(const Eigen::VectorXd& v);

// ---- Recording --------------------------------------------------------------------------------

// The two checks of one data set (one per inequality), with per-source counts, the number of
// instances with R = 0 (where the right-hand side drops to L_std and the second inequality is
// trivial), and the least relative slack seen.
class ChainRecorder {
 public:
  ChainRecorder(const std::string& dataset, const std::string& rhs_label);

  // Records one member of Theta; `witness` names the instance (source, law, model...).
  void record(const ChainEvaluation& evaluation, const std::string& source, nlohmann::json witness);
  // Records `model` at every law in turn, each witness with its "law".
  void record_laws(const Model& model, const Dataset& data, const std::vector<MixingLaw>& laws,
                   const std::string& source, const nlohmann::json& witness);
  // A source that ran and how many candidates it tried (in Theta or not).
  void note_source(const std::string& source, long candidates, long in_theta);
  // Extra measurements reported with the first inequality's check (e.g. per-model cone data).
  void add_measured(const std::string& key, nlohmann::json value);
  // Marks the data set as vacuous (Theta \ {0} empty, with the reason) before any record.
  void mark_vacuous(const std::string& reason);

  long instances() const { return first_.instances; }
  // Appends the two checks (with summaries) to the report.
  void finish(ClaimReport& report);

 private:
  std::string dataset_;
  Check first_;
  Check second_;
  long r_zero_ = 0;
  long degenerate_ = 0;
  double least_slack_ = std::numeric_limits<double>::infinity();
  double least_R_ = std::numeric_limits<double>::infinity();
  nlohmann::json least_slack_witness_ = nullptr;
  nlohmann::json sources_ = nlohmann::json::object();
  nlohmann::json extra_ = nlohmann::json::object();
  std::string vacuous_reason_;
};

// Evaluation summary for witnesses: the two sides, R, eps_mix, margins.
nlohmann::json evaluation_json(const ChainEvaluation& evaluation);

// Audit::record, also keeping the least-margin instance (held or not) in
// measured["least_margin_instance"]: Audit keeps a witness only for violations.
void record_audit(Audit& audit, double margin, double tolerance, const nlohmann::json& instance);

// Records the first inequality of the chain into an audit (the hypotheses dropped make it a
// question; the second inequality holds for any theta since eps_i >= eps_mix).
void record_chain_audit(Audit& audit, const ChainEvaluation& evaluation, nlohmann::json instance);

// What an audit records from construction on (the audits report it per data variant).
class AuditTally {
 public:
  explicit AuditTally(const Audit& audit);
  long instances() const { return audit_.instances - instances_; }
  long violations() const { return audit_.violations - violations_; }
  nlohmann::json json() const;  // {"instances", "violations"}

 private:
  const Audit& audit_;
  long instances_;
  long violations_;
};

// The exact analogue of the chain, exact L_mix (Eq. 1) against the exact adversarial loss at
// radius eps_mix sqrt d (or a bound on it): margin (mix - adv) / max(|mix|, |adv|), 0 when both
// are 0.  Exact L_mix is computed to about 1e-10 relative (core/mixup.hpp: piecewise rules
// targeting 1e-15 per pair, DESIGN.md promises 1e-10 overall); the adversarial side (the closed
// form for linear models, PGD's value and the interval bound for nets) is a plain loss
// evaluation, exact to a few eps.  1e-9 relative keeps a 10x margin over the quadrature.
inline constexpr double kExactTolerance = 1e-9;
double exact_margin(double mix, double adv);

// The audits both claims run beside the chain (each claim sets outside.drop and exact.drop, the
// hypotheses it drops there, and may add audits of its own), and the identity check of the two
// computations of L~_mix.
struct ChainAudits {
  // Sets uncentered.drop (centred data) and the consistency check's name, kind and tolerance.
  ChainAudits();

  Audit uncentered;
  Audit outside;
  Audit exact;
  Check consistency;

  // The identity at one instance: the pair-by-pair L~_mix of `evaluation` (model at law on
  // data) against core's approximate_mixup_loss (Eq. 3), relative to the chain's scale.
  // `label` names the instance (data set, source, model...).
  void record_consistency(const Model& model, const Dataset& data, MixingLaw law,
                          const ChainEvaluation& evaluation, nlohmann::json label);
  // Sets the consistency check's summary (the largest relative difference).
  void summarize_consistency();
};

// The report's note on the data, the same for both claims.
inline constexpr char kCentredDataNote[] =
    "Data are centred before use (the proof uses E_r[r_x] = 0); c_x = min_i |x_i| / sqrt(d).";

// ---- Search -----------------------------------------------------------------------------------

// (1+1) evolution strategy with the 1/5th success rule, minimising `objective` over the points
// where `feasible` holds.  Proposal: x' = x + sigma |x| / sqrt(P) z, z ~ N(0, I_P), from stream
// `engine`; infeasible proposals, and proposals whose objective is NaN, count as failures.  On a
// success sigma grows by e^(1/3), on a failure it shrinks by e^(-1/12) (a stationary 1/5 success
// rate), clamped to [1e-6, 4].  `visit` is called with every feasible evaluated point and its
// objective.  Returns the best point.
struct EvolutionOptions {
  int iterations = 200;
  double initial_sigma = 0.3;
};
Eigen::VectorXd evolution_search(const Eigen::VectorXd& start,
                                 const std::function<bool(const Eigen::VectorXd&)>& feasible,
                                 const std::function<double(const Eigen::VectorXd&)>& objective,
                                 const EvolutionOptions& options, Engine& engine,
                                 const std::function<void(const Eigen::VectorXd&, double)>& visit);

// The adversarial search of both claims: evolution_search (default options but `iterations`)
// minimising the first inequality's relative slack, evaluate(theta).relative_slack(), over the
// points where `feasible` holds (members of Theta).  `visit` gets every feasible point it
// evaluates with that point's evaluation.  Returns the best point.
Eigen::VectorXd search_least_slack(
    const Eigen::VectorXd& start, const std::function<bool(const Eigen::VectorXd&)>& feasible,
    const std::function<ChainEvaluation(const Eigen::VectorXd&)>& evaluate, int iterations,
    Engine& engine,
    const std::function<void(const Eigen::VectorXd&, const ChainEvaluation&)>& visit);

// One-line summary helpers.
std::string format_short(double x);

}  // namespace mixup::robustness
