// Theorem 3.1 (appendix A.2.2): mixup bounds the second-order adversarial loss of logistic
// regression.
//
// Hypotheses: f(x) = x^T theta; |x_i| >= c_x sqrt(d) (c_x = min_i |x_i| / sqrt(d), so it holds
// by construction); theta in Theta = {theta : y_i f(x_i) + (y_i - 1) f(x_i) >= 0 for all i},
// theta != 0; and, used by the proof though not stated, centred data (E_r[r_x] = 0).  Claim:
//   L~_mix(theta, S) >= (1/n) sum_i l~_adv(eps_i sqrt d) >= (1/n) sum_i l~_adv(eps_mix sqrt d)
// with R_i = |cos(theta, x_i)|, eps_i = R_i c_x m1, eps_mix = (min_i R_i) c_x m1 (Eq. 5).
//
// Both sides come from their definitions (theorems/robustness_chain.hpp: L~_mix pair by pair,
// l~_adv sample by sample), never from the proof's intermediate bounds.  Per data set (centred):
//   0. Is Theta \ {0} empty?  Decided with certificates (analyze_linear_theta): a member that
//      in_theta accepts, or non-negative least-squares combinations of the signed inputs that
//      reach every +-e_k (then Theta = {0}).  Empty: the data set's checks are "vacuous".
//      Centring can empty Theta: appendix B.1's data (labels from a hyperplane through the
//      ORIGIN of the uncentred data) is separable through the origin only before centring, and
//      at n = 100, d = 10 its centred version has Theta = {0}.  "gaussian-symmetric" (B.1's law
//      in antipodal pairs) meets both hypotheses.
//   1. Instances of theta in Theta \ {0}, at every (a, b) of the grid:
//      (i)   mixup-training trajectories (core/training.hpp, logistic loss), every epoch that is
//            in Theta;
//      (ii)  random points of Theta: hit-and-run in Theta intersected with the unit ball (uniform
//            there, so its directions are uniform on the cone's part of the sphere), started
//            from a strict member, each rescaled to a log-uniform norm in [norm_min, norm_max];
//            and points next to the cone's boundary (NNLS residuals nudged inside), where R -> 0;
//      (iii) an adversarial search: a (1+1) evolution strategy minimising the first
//            inequality's relative slack over Theta (proposals outside Theta rejected), from
//            several random members, per law; every feasible point it evaluates is an instance.
//      Instances with R = 0 (some x_i^T theta = 0) are counted apart: there eps_mix = 0.
//   2. Each inequality is a check; margin = (lhs - rhs) / scale, tolerance kChainTolerance.
//   3. Audits: uncentred data (the data as generated; shifts orthogonal to a member, so that
//      Theta stays non-empty; and a constructed equal-norm set, robustness_chain.hpp, where the
//      chain fails); theta outside Theta; the exact analogue (exact L_mix of Eq. 1 against the
//      exact adversarial loss at radius eps_mix sqrt d, closed form for linear models, on a
//      spread of members and by a search over Theta minimising its margin).
//   Also an identity check: the pair-by-pair L~_mix equals core's approximate_mixup_loss.
//
// Decisions (paper text garbled): m1 = E[1 - lam] with lam ~ D~ (the proof's E_lam comes from
// Lemma 3.1 in its D~ form), c_x = min_i |x_i| / sqrt(d) (the largest admissible constant).
#include "theorems/theorem_3_1.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/adversarial.hpp"
#include "core/errors.hpp"
#include "core/input_geometry.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"
#include "core/random.hpp"
#include "core/training.hpp"
#include "theorems/robustness_chain.hpp"

namespace mixup {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using robustness::analyze_linear_theta;
using robustness::AuditTally;
using robustness::ChainEvaluation;
using robustness::ChainRecorder;
using robustness::cone_json;
using robustness::evaluate_chain;
using robustness::first;
using robustness::format_short;
using robustness::in_theta_linear;
using robustness::law_json;
using robustness::LinearThetaCone;
using robustness::log_uniform;
using robustness::vector_json;

// Boundary members are nudged by this fraction of their norm towards a strict member.
constexpr double kBoundaryNudge = 1e-9;

// The keys shared with Theorem 3.3 (robustness::ChainSettings) and these.
struct Settings : robustness::ChainSettings {
  Objective objective = Objective::kSampledMixup;
  std::string objective_name;
  int random_points = 0;
  int outside_points = 0;
  int exact_search_iterations = 0;
};

Objective parse_objective(const std::string& name) {
  if (name == "sampled-mixup") return Objective::kSampledMixup;
  if (name == "exact-mixup") return Objective::kExactMixup;
  if (name == "approximate-mixup") return Objective::kApproximateMixup;
  if (name == "erm") return Objective::kErm;
  throw DomainError("theorem-3.1: train_objective: unknown objective '" + name + "'");
}

Settings read_settings(const RunContext& context) {
  const nlohmann::json& c = context.config;
  Settings s;
  s.read(c);
  s.objective_name = c["train_objective"].get<std::string>();
  s.objective = parse_objective(s.objective_name);
  s.random_points = c["random_points"].get<int>();
  s.outside_points = c["outside_points"].get<int>();
  s.exact_search_iterations = c["exact_search_iterations"].get<int>();
  if (context.quick) {
    // The same work at a small size: fewer samples, laws, epochs and search steps.
    s.n = std::min<Index>(s.n, 40);
    s.alphas = first(s.alphas, 2);
    s.betas = first(s.betas, 2);
    s.epochs = std::min(s.epochs, 30);
    s.random_points = std::min(s.random_points, 16);
    s.search_starts = std::min(s.search_starts, 2);
    s.search_iterations = std::min(s.search_iterations, 40);
    s.outside_points = std::min(s.outside_points, 32);
    s.exact_points = std::min(s.exact_points, 6);
    s.exact_search_iterations = std::min(s.exact_search_iterations, 10);
  }
  s.finish("theorem-3.1");
  return s;
}

// ---- Instances ----------------------------------------------------------------------------------

struct Member {
  VectorXd theta;
  std::string source;
};

// Records every law's evaluation of theta; `source` names where theta came from.
void record_all_laws(ChainRecorder& recorder, const Dataset& data, const Settings& s,
                     const VectorXd& theta, const std::string& source) {
  recorder.record_laws(LinearModel(theta), data, s.laws, source,
                       {{"theta", vector_json(theta)}, {"theta_norm", theta.norm()}});
}

// (i) mixup-training trajectories, one per law, evaluated at their own law.
void trajectories(const Dataset& data, const Settings& s, ChainRecorder& recorder,
                  std::vector<Member>& members) {
  long epochs_seen = 0;
  long epochs_in_theta = 0;
  for (std::size_t k = 0; k < s.laws.size(); ++k) {
    const MixingLaw law = s.laws[k];
    const std::uint64_t seed = stream_seed(s.seed, "theorem-3.1/train", k);
    LinearModel model = random_linear(data.d(), seed);
    VectorXd last_member;
    train(model, data, s.train_options(s.objective, law, seed, data.n()),
          [&](int epoch, const Model& current) {
            ++epochs_seen;
            const auto& linear = static_cast<const LinearModel&>(current);
            if (!in_theta_linear(data, linear.theta())) return;
            ++epochs_in_theta;
            last_member = linear.theta();
            recorder.record(evaluate_chain(current, data, law), "trajectories",
                            {{"law", law_json(law)},
                             {"epoch", epoch},
                             {"theta", vector_json(linear.theta())},
                             {"theta_norm", linear.theta().norm()}});
          });
    if (last_member.size() > 0) members.push_back({last_member, "trajectories"});
  }
  recorder.note_source("trajectories", epochs_seen, epochs_in_theta);
}

// (ii) random members by hit-and-run, with log-uniform norms.
std::vector<VectorXd> random_members(const Dataset& data, const VectorXd& start, const Settings& s,
                                     std::size_t dataset_index, const std::string& purpose) {
  Engine engine = make_stream(s.seed, purpose, dataset_index);
  std::vector<VectorXd> points =
      robustness::hit_and_run_theta(data, start, s.random_points, engine);
  for (auto& p : points) p *= log_uniform(engine, s.norm_min, s.norm_max) / p.norm();
  return points;
}

// (iii) the adversarial search over Theta, per law, from the first random members.
void search(const Dataset& data, const Settings& s, const std::vector<VectorXd>& starts,
            std::size_t dataset_index, ChainRecorder& recorder, std::vector<Member>& members) {
  long evaluated = 0;
  long feasible_count = 0;
  for (std::size_t k = 0; k < s.laws.size(); ++k) {
    const MixingLaw law = s.laws[k];
    for (int start = 0; start < s.search_starts && start < static_cast<int>(starts.size());
         ++start) {
      Engine engine =
          make_stream(s.seed, "theorem-3.1/search",
                      (dataset_index * 1000 + k) * 1000 + static_cast<std::size_t>(start));
      const auto feasible = [&](const VectorXd& theta) {
        ++evaluated;
        const bool ok = in_theta_linear(data, theta);
        feasible_count += ok ? 1 : 0;
        return ok;
      };
      const auto evaluate = [&](const VectorXd& theta) {
        return evaluate_chain(LinearModel(theta), data, law);
      };
      const auto visit = [&](const VectorXd& theta, const ChainEvaluation& evaluation) {
        recorder.record(evaluation, "search",
                        {{"law", law_json(law)},
                         {"start", start},
                         {"theta", vector_json(theta)},
                         {"theta_norm", theta.norm()}});
      };
      const VectorXd best =
          robustness::search_least_slack(starts[static_cast<std::size_t>(start)], feasible,
                                         evaluate, s.search_iterations, engine, visit);
      members.push_back({best, "search"});
    }
  }
  recorder.note_source("search", evaluated, feasible_count);
}

// ---- Audits -------------------------------------------------------------------------------------

// The uncentred, outside-Theta and exact-analogue audits and the identity check of L~_mix.
using Audits = robustness::ChainAudits;

// The chain on one uncentred data set, from a strict member theta_0 of its Theta: hit-and-run
// members and the search minimising the relative slack.
void audit_uncentered_data(const Dataset& moved, const VectorXd& member, const Settings& s,
                           std::size_t stream_index, const nlohmann::json& label, Audit& audit) {
  const std::vector<VectorXd> points =
      random_members(moved, member, s, stream_index, "theorem-3.1/uncentred-hit-and-run");
  for (const auto& theta : points) {
    for (const MixingLaw law : s.laws) {
      nlohmann::json instance = label;
      instance.update(
          {{"source", "random"}, {"law", law_json(law)}, {"theta", vector_json(theta)}});
      robustness::record_chain_audit(audit, evaluate_chain(LinearModel(theta), moved, law),
                                     instance);
    }
  }
  for (std::size_t k = 0; k < s.laws.size(); ++k) {
    const MixingLaw law = s.laws[k];
    for (int start = 0; start < s.search_starts && start < static_cast<int>(points.size());
         ++start) {
      Engine engine =
          make_stream(s.seed, "theorem-3.1/uncentred-search",
                      (stream_index * 1000 + k) * 1000 + static_cast<std::size_t>(start));
      robustness::search_least_slack(
          points[static_cast<std::size_t>(start)],
          [&](const VectorXd& theta) { return in_theta_linear(moved, theta); },
          [&](const VectorXd& theta) { return evaluate_chain(LinearModel(theta), moved, law); },
          s.search_iterations, engine,
          [&](const VectorXd& theta, const ChainEvaluation& evaluation) {
            nlohmann::json instance = label;
            instance.update(
                {{"source", "search"}, {"law", law_json(law)}, {"theta", vector_json(theta)}});
            robustness::record_chain_audit(audit, evaluation, instance);
          });
    }
  }
}

// Uncentred data, two ways: (a) the data set as generated, when it is not centred and its Theta
// has a strict member (appendix B.1's data: mean ~ N(0, I/n)); (b) the centred data shifted by
// v = shift * rms * u, u a fixed random unit vector orthogonal to a member theta_0 of the centred
// data's Theta (theta_0^T x is unchanged, so theta_0 stays in Theta).
void audit_uncentered(const std::string& name, const Dataset& data, const VectorXd& member,
                      const Settings& s, std::size_t dataset_index, Audit& audit) {
  nlohmann::json measured = nlohmann::json::object();
  const Dataset raw = robustness::make_raw_chain_dataset(name, s.n, s.gaussian_d, s.seed);
  const double raw_offset = sample_mean(raw.X).norm();
  measured["as_generated_mean_norm"] = raw_offset;
  if (raw_offset > 0.0) {
    const LinearThetaCone cone = analyze_linear_theta(raw);
    measured["as_generated_theta"] = cone_json(cone);
    if (cone.strict) {
      const AuditTally tally(audit);
      audit_uncentered_data(raw, cone.member, s, dataset_index,
                            {{"dataset", name}, {"uncentred", "as generated"}}, audit);
      measured["as_generated_instances"] = tally.instances();
      measured["as_generated_violations"] = tally.violations();
    }
  }
  if (member.size() > 0) {
    Engine engine = make_stream(s.seed, "theorem-3.1/shift", dataset_index);
    VectorXd u = standard_normal_vector(engine, data.d());
    const VectorXd m = member / member.norm();
    u -= u.dot(m) * m;
    if (u.norm() > 0.0) {
      u /= u.norm();
      nlohmann::json shifted_counts = nlohmann::json::array();
      for (std::size_t k = 0; k < s.shifts.size(); ++k) {
        const VectorXd v = s.shifts[k] * robustness::rms_radius(data.X) * u;
        const Dataset moved = robustness::shifted(data, v);
        const AuditTally tally(audit);
        audit_uncentered_data(
            moved, member, s, 1000 * (dataset_index + 1) + k,
            {{"dataset", name}, {"uncentred", "shifted"}, {"shift", vector_json(v)}}, audit);
        nlohmann::json counts = tally.json();
        counts["shift_norm"] = v.norm();
        shifted_counts.push_back(counts);
      }
      measured["shifted"] = shifted_counts;
    }
  }
  audit.measured[name] = measured;
}

// The audit's constructed data set (robustness_chain.hpp): equal norms, imbalanced labels, not
// centred, Theta containing theta = (0, 1) strictly.
void audit_constructed_uncentered(const Settings& s, Audit& audit) {
  const Dataset data = robustness::make_constructed_uncentered(s.n);
  const AuditTally tally(audit);
  audit_uncentered_data(data, VectorXd::Unit(2, 1), s, 999999,
                        {{"dataset", "constructed-uncentered"}, {"uncentred", "constructed"}},
                        audit);
  nlohmann::json counts = tally.json();
  counts["mean"] = vector_json(sample_mean(data.X));
  audit.measured["constructed-uncentered"] = counts;
}

// theta outside Theta: uniform directions with log-uniform norms, kept when not in Theta.
void audit_outside(const Dataset& data, const Settings& s, std::size_t dataset_index,
                   const std::string& name, Audit& audit) {
  Engine engine = make_stream(s.seed, "theorem-3.1/outside", dataset_index);
  int kept = 0;
  for (int attempt = 0; attempt < 20 * s.outside_points && kept < s.outside_points; ++attempt) {
    VectorXd theta = standard_normal_vector(engine, data.d());
    theta *= log_uniform(engine, s.norm_min, s.norm_max) / theta.norm();
    if (in_theta_linear(data, theta)) continue;
    ++kept;
    for (const MixingLaw law : s.laws) {
      robustness::record_chain_audit(
          audit, evaluate_chain(LinearModel(theta), data, law),
          {{"dataset", name}, {"law", law_json(law)}, {"theta", vector_json(theta)}});
    }
  }
}

// The exact analogue, and the identity of the two computations of L~_mix, on a spread of members.
// Exact L_mix (Eq. 1) and the closed-form exact adversarial loss at radius eps_mix sqrt d.
struct ExactPair {
  double mix = 0.0;
  double adv = 0.0;
  double eps_mix = 0.0;
  double margin() const { return robustness::exact_margin(mix, adv); }
};

ExactPair exact_pair(const LinearModel& model, const Dataset& data, MixingLaw law,
                     const ChainEvaluation& e) {
  ExactPair pair;
  pair.eps_mix = e.eps_mix;
  const double eta = e.eps_mix * std::sqrt(static_cast<double>(data.d()));
  pair.mix = exact_mixup_loss(model, LossKind::kLogistic, data, law);
  pair.adv = exact_adversarial_loss_linear(model, LossKind::kLogistic, data, eta).loss;
  return pair;
}

nlohmann::json exact_json(const ExactPair& pair, const ChainEvaluation& e) {
  return {{"exact_mixup_loss", pair.mix},
          {"exact_adversarial_loss", pair.adv},
          {"approx_mixup_loss", e.mixup_approx},
          {"approx_adv_loss_eps_mix", e.adv_at_eps_mix},
          {"eps_mix", e.eps_mix}};
}

// The exact analogue on a spread of members and by a search over Theta minimising its margin
// (one start per law, the first random member), plus the identity of the two computations of
// L~_mix on the spread.
void audit_exact(const Dataset& data, const std::vector<Member>& members,
                 const std::vector<VectorXd>& starts, const Settings& s, std::size_t dataset_index,
                 const std::string& name, Audits& audits) {
  if (members.empty()) return;
  const std::size_t count =
      std::min<std::size_t>(members.size(), static_cast<std::size_t>(s.exact_points));
  for (std::size_t k = 0; k < count; ++k) {
    const Member& member = members[k * members.size() / count];
    const LinearModel model(member.theta);
    for (const MixingLaw law : s.laws) {
      const ChainEvaluation e = evaluate_chain(model, data, law);
      audits.record_consistency(model, data, law, e,
                                {{"dataset", name}, {"source", member.source}});
      const ExactPair pair = exact_pair(model, data, law, e);
      nlohmann::json instance = {{"dataset", name},
                                 {"source", member.source},
                                 {"law", law_json(law)},
                                 {"theta", vector_json(member.theta)}};
      instance.update(exact_json(pair, e));
      robustness::record_audit(audits.exact, pair.margin(), robustness::kExactTolerance, instance);
    }
  }
  if (starts.empty() || s.exact_search_iterations < 1) return;
  for (std::size_t k = 0; k < s.laws.size(); ++k) {
    const MixingLaw law = s.laws[k];
    Engine engine = make_stream(s.seed, "theorem-3.1/exact-search", dataset_index * 1000 + k);
    ExactPair last;
    ChainEvaluation last_chain;
    robustness::EvolutionOptions options;
    options.iterations = s.exact_search_iterations;
    robustness::evolution_search(
        starts.front(), [&](const VectorXd& theta) { return in_theta_linear(data, theta); },
        [&](const VectorXd& theta) {
          const LinearModel model(theta);
          last_chain = evaluate_chain(model, data, law);
          last = exact_pair(model, data, law, last_chain);
          return last.margin();
        },
        options, engine,
        [&](const VectorXd& theta, double) {
          nlohmann::json instance = {{"dataset", name},
                                     {"source", "exact-search"},
                                     {"law", law_json(law)},
                                     {"theta", vector_json(theta)}};
          instance.update(exact_json(last, last_chain));
          robustness::record_audit(audits.exact, last.margin(), robustness::kExactTolerance,
                                   instance);
        });
  }
}

std::string cone_summary(const std::string& name, const LinearThetaCone& cone) {
  if (cone.nonempty) return name + ": non-empty" + (cone.strict ? " (strict member)" : "");
  if (cone.certified_empty) {
    return name + ": empty (NNLS residual " + format_short(cone.max_residual) + ")";
  }
  return name + ": undecided";
}

void run_dataset(const std::string& name, std::size_t index, const Settings& s, ClaimReport& report,
                 Check& theta_check, Audits& audits) {
  const Dataset data = robustness::make_chain_dataset(name, s.n, s.gaussian_d, s.seed);
  const LinearThetaCone cone = analyze_linear_theta(data);
  theta_check.measured[name] = cone_json(cone);
  theta_check.summary += (theta_check.summary.empty() ? "" : "; ") + cone_summary(name, cone);
  ChainRecorder recorder(name, "l~_adv");
  std::vector<Member> members;
  if (!cone.nonempty) {
    recorder.mark_vacuous(
        cone.certified_empty
            ? "Theta \\ {0} is empty: every +-e_k is a non-negative combination of the signed "
              "inputs (2 y_i - 1) x_i up to " +
                  format_short(cone.max_residual) + " < 1/(2 sqrt d)" +
                  (cone.largest_angular_gap >= 0.0
                       ? "; largest angular gap between them " +
                             format_short(cone.largest_angular_gap) + " rad < pi"
                       : "")
            : "no member of Theta \\ {0} found and emptiness not certified");
  } else {
    // Near the cone's boundary, where some x_i^T theta is 0 or nearly so (R -> 0): the NNLS
    // residuals, each nudged by kBoundaryNudge of its norm towards the strict member so that the
    // rounding of its zero margins cannot put it outside.
    long boundary_candidates = 0, boundary_in_theta = 0;
    for (const auto& r : cone.residuals) {
      const VectorXd theta = r + kBoundaryNudge * r.norm() * cone.member;
      ++boundary_candidates;
      if (!in_theta_linear(data, theta)) continue;
      ++boundary_in_theta;
      record_all_laws(recorder, data, s, theta, "cone-boundary");
    }
    recorder.note_source("cone-boundary", boundary_candidates, boundary_in_theta);
    trajectories(data, s, recorder, members);
    std::vector<VectorXd> points;
    if (cone.strict) {
      points = random_members(data, cone.member, s, index, "theorem-3.1/hit-and-run");
      for (const auto& theta : points) {
        record_all_laws(recorder, data, s, theta, "random");
        members.push_back({theta, "random"});
      }
      recorder.note_source("random", s.random_points, static_cast<long>(points.size()));
    } else {
      points.push_back(cone.member);
      report.notes.push_back(name +
                             ": Theta has no strict member found; random sampling skipped, the "
                             "search starts from a boundary member");
    }
    search(data, s, points, index, recorder, members);
    audit_exact(data, members, points, s, index, name, audits);
  }
  audit_uncentered(name, data, cone.member, s, index, audits.uncentered);
  audit_outside(data, s, index, name, audits.outside);
  recorder.finish(report);
}

}  // namespace

ConfigSchema theorem_3_1_schema() {
  using T = ParamType;
  return ConfigSchema({
      param("seed", T::kInteger, 1, "seed of data, training, sampling and search").at_least(0),
      param("datasets", T::kStringList, {"two-moons", "gaussian", "gaussian-symmetric"},
            "data sets (centred before use); constructed-empty-theta has Theta = {0}")
          .one_of(robustness::kChainDatasetNames),
      param("n", T::kInteger, 100, "samples per data set").at_least(8),
      param("gaussian_d", T::kInteger, 10, "dimension of the gaussian data set").at_least(1),
      param("alphas", T::kNumberList, {0.5, 1.0, 2.0, 5.0}, "Beta(a, b): values of a").above(0.0),
      param("betas", T::kNumberList, {0.5, 1.0, 2.0}, "Beta(a, b): values of b").above(0.0),
      param("train_objective", T::kString, "sampled-mixup", "objective of the trajectories")
          .one_of({"sampled-mixup", "exact-mixup", "approximate-mixup", "erm"}),
      param("train_epochs", T::kInteger, 100, "epochs per trajectory").at_least(0),
      param("learning_rate", T::kNumber, 0.1, "SGD learning rate").above(0.0),
      param("momentum", T::kNumber, 0.9, "SGD momentum").at_least(0.0).below(1.0),
      param("batch_size", T::kInteger, 10, "mini-batch size (sampled objectives)").at_least(1),
      param("random_points", T::kInteger, 100, "hit-and-run members of Theta per data set")
          .at_least(0),
      param("norm_min", T::kNumber, 0.1, "smallest |theta| of the random members").above(0.0),
      param("norm_max", T::kNumber, 100.0, "largest |theta| of the random members").above(0.0),
      param("search_starts", T::kInteger, 3, "adversarial search starts per law").at_least(0),
      param("search_iterations", T::kInteger, 150, "(1+1)-ES steps per start").at_least(0),
      param("shifts", T::kNumberList, {0.1, 1.0},
            "uncentred audit: |shift| in units of the rms radius")
          .above(0.0),
      param("outside_points", T::kInteger, 100, "random theta outside Theta per data set")
          .at_least(0),
      param("exact_audit_points", T::kInteger, 24, "members of Theta in the exact-analogue audit")
          .at_least(0),
      param("exact_search_iterations", T::kInteger, 40,
            "(1+1)-ES steps per law minimising the exact analogue's margin over Theta")
          .at_least(0),
  });
}

ClaimReport check_theorem_3_1(const RunContext& context) {
  ClaimReport report;
  report.claim = "theorem-3.1";
  report.paper_ref = "Theorem 3.1 (appendix A.2.2, Eq. 5)";
  report.statement =
      "For logistic regression f = x^T theta on centred data with |x_i| >= c_x sqrt(d) and theta "
      "in Theta \\ {0}: L~_mix >= (1/n) sum_i l~_adv(eps_i sqrt d) >= (1/n) sum_i "
      "l~_adv(eps_mix sqrt d), eps_i = R_i c_x m1, eps_mix = min_i R_i c_x m1, R_i = |cos(theta, "
      "x_i)|";
  const Settings s = read_settings(context);

  Check theta_check;
  theta_check.name = "hypothesis: Theta \\ {0} non-empty (per data set)";
  theta_check.kind = "measurement";
  Audits audits;  // uncentered.drop and the consistency check: robustness::ChainAudits
  audits.outside.drop = "theta in Theta: random theta outside Theta";
  audits.exact.drop =
      "second-order approximations: exact L_mix (Eq. 1) >= exact L_adv at radius eps_mix sqrt d "
      "(closed form)";

  for (std::size_t k = 0; k < s.datasets.size(); ++k) {
    run_dataset(s.datasets[k], k, s, report, theta_check, audits);
  }
  audit_constructed_uncentered(s, audits.uncentered);
  audits.summarize_consistency();
  audits.uncentered.note =
      "three kinds: the data as generated; centred data shifted orthogonally to a member "
      "theta_0 (theta_0 stays in Theta); the constructed equal-norm set. R1 gains "
      "m1 (1/n) sum_i (g_i - y_i) theta^T xbar, of either sign; where |x_i| > c_x sqrt(d) "
      "leaves slack it can be absorbed";
  audits.outside.note = "R1's terms (y_i - g_i) x_i^T theta are negative on misclassified points";
  audits.exact.note =
      "exact losses on both sides, so a violation refutes the exact analogue and a pass supports "
      "it";
  report.checks.push_back(theta_check);
  report.checks.push_back(audits.consistency);
  report.audits = {audits.uncentered, audits.outside, audits.exact};
  report.notes.push_back(robustness::kCentredDataNote);
  report.notes.push_back(
      "Margins are (lhs - rhs) / scale, scale bounding every summand's magnitude; the least "
      "relative slack is (lhs - rhs) / (|R1| + |R2| + |R3| + adversarial terms), the fraction of "
      "the mixup regularizer left unused.");
  report.notes.push_back("Trajectories: " + s.objective_name + ", " + s.training_summary() +
                         ", one per law.");
  return report;
}

}  // namespace mixup
