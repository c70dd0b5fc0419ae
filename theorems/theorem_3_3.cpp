// Theorem 3.3 (appendix A.2.4; identities in appendix B.2): the Theorem 3.1 chain for ReLU nets.
//
// Hypotheses: f(x_i) = grad f(x_i)^T x_i and hess f(x_i) = 0 (bias-free ReLU nets);
// |x_i| >= c_x sqrt(d) (c_x = min_i |x_i| / sqrt(d)); theta in Theta (the net's outputs have the
// labels' signs, zeros allowed); and, used by the proof though not stated, centred data.  Claim:
//   L~_mix >= (1/n) sum_i l~_adv(eps_i sqrt d) >= (1/n) sum_i l~_adv(eps_mix sqrt d)
// with Eq. (6)'s l~_adv, R_i = |cos(grad f(x_i), x_i)|, eps_i = R_i c_x m1, eps_mix = R c_x m1.
// L~_mix = L_std + R1 + R2 + R3 is evaluated pair by pair (theorems/robustness_chain.hpp); R3
// comes out 0 because hess_x of a ReLU net is 0 off kinks, which the identity check confirms
// from f alone (second differences).
//
// Checks:
//   1. identities (kind "identity"), on random bias-free nets (ReluTwoLayer with b = 0,
//      theta0 = 0; one- and two-hidden-layer ReluDeep) and on trained members of Theta:
//      f(x_i) = grad f(x_i)^T x_i, and hess f(x_i) = 0 through second differences of f along
//      segments that cross no kink (probe_identities);
//   2. per data set, each inequality of the chain over instances of theta in Theta:
//      (i)   mixup-training trajectories (sampled mixup, SGD with momentum), every epoch in Theta;
//      (ii)  random nets: He initialisations at scales 0.1, 1, 10 (kept when in Theta); nets
//            with random He lower layers whose output layer is sampled by hit-and-run from its
//            Theta cone (f = H beta is linear in beta); and a random walk inside Theta from each
//            law's first member (proposal theta + 0.1 |theta| / sqrt(P) z, z ~ N(0, I_P),
//            accepted iff still in Theta);
//      (iii) an adversarial search: a (1+1) evolution strategy minimising the first inequality's
//            relative slack over Theta (proposals outside Theta rejected), started from
//            members spread over the trajectory, cone and random-walk members of each law.
//   Members of Theta with f(x_i) = 0 for every i (all units off) are the nets' theta = 0: both
//   sides equal L_std there; they are counted, not recorded.
// Audits: biases added (f = grad f^T x fails, hess f = 0 still holds off kinks, and the chain
// on mixup-trained biased nets in Theta); uncentred data (as generated, shifted, and the
// constructed equal-norm set); theta outside Theta; the exact analogue (exact L_mix against
// PGD's LOWER bound on the exact adversarial loss at radius eps_mix sqrt d, and for relu2 also
// the certified interval UPPER bound).
#include "theorems/theorem_3_3.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/adversarial.hpp"
#include "core/errors.hpp"
#include "core/input_geometry.hpp"
#include "core/mixup.hpp"
#include "core/random.hpp"
#include "core/training.hpp"
#include "theorems/robustness_chain.hpp"

namespace mixup {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// ---- The identities (appendix B.2) --------------------------------------------------------------

double absolute_output(const Model& model, const VectorXd& x) {
  const VectorXd ax = x.cwiseAbs();
  if (const auto* deep = dynamic_cast<const ReluDeep*>(&model)) {
    VectorXd a = ax;
    for (const auto& W : deep->weights()) a = W.cwiseAbs() * a;
    return deep->beta().cwiseAbs().dot(a);
  }
  if (const auto* two = dynamic_cast<const ReluTwoLayer*>(&model)) {
    const VectorXd a = two->W().cwiseAbs() * ax + two->b().cwiseAbs();
    return two->theta1().cwiseAbs().dot(a) + std::abs(two->theta0());
  }
  if (const auto* smooth = dynamic_cast<const SmoothTwoLayer*>(&model)) {
    // softplus(z) <= |z| + log 2 and |tanh(z)| <= |z|.
    const VectorXd a =
        (smooth->W().cwiseAbs() * ax + smooth->b().cwiseAbs()).array() + 0.6931471805599453;
    return smooth->theta1().cwiseAbs().dot(a) + std::abs(smooth->theta0());
  }
  if (const auto* linear = dynamic_cast<const LinearModel*>(&model)) {
    return linear->theta().cwiseAbs().dot(ax) + std::abs(linear->bias());
  }
  throw DomainError("absolute_output: unsupported model type '" + model.type() + "'");
}

namespace {

// Signs (+1, -1, 0) of every ReLU pre-activation at x, layer by layer; empty for models without
// ReLU units.
std::vector<signed char> relu_signs(const Model& model, const VectorXd& x) {
  std::vector<signed char> signs;
  const auto append = [&](const VectorXd& z) {
    for (Index k = 0; k < z.size(); ++k) signs.push_back(z(k) > 0.0 ? 1 : (z(k) < 0.0 ? -1 : 0));
  };
  if (const auto* deep = dynamic_cast<const ReluDeep*>(&model)) {
    VectorXd a = x;
    for (const auto& W : deep->weights()) {
      const VectorXd z = W * a;
      append(z);
      a = z.cwiseMax(0.0);
    }
  } else if (const auto* two = dynamic_cast<const ReluTwoLayer*>(&model)) {
    append(two->W() * x + two->b());
  }
  return signs;
}

// The segment [x0, x1] crosses no kink when the sign patterns at its ends are equal and have no
// zero: layer 1's pre-activations are affine along it and keep their signs, so layer 1's outputs
// are affine, so layer 2's pre-activations are, and so on.
bool kink_free_segment(const Model& model, const VectorXd& x0, const VectorXd& x1) {
  const auto s0 = relu_signs(model, x0);
  const auto s1 = relu_signs(model, x1);
  for (std::size_t k = 0; k < s0.size(); ++k) {
    if (s0[k] == 0 || s0[k] != s1[k]) return false;
  }
  return true;
}

}  // namespace

IdentityProbe probe_identities(const Model& model, const VectorXd& x, double step,
                               int random_directions, std::uint64_t seed, std::uint64_t index) {
  IdentityProbe probe;
  const double scale = absolute_output(model, x);
  const double fx = model.f_at(x);
  const double linear_part = model.grad_x_at(x).dot(x);
  const auto relative = [&](double defect) {
    return scale > 0.0 ? defect / scale : (defect == 0.0 ? 0.0 : std::nan(""));
  };
  probe.homogeneity_defect = relative(std::abs(fx - linear_part));
  const Index d = x.size();
  const double h = step * std::max(x.norm(), std::numeric_limits<double>::min());
  MatrixXd directions(d + random_directions, d);
  directions.topRows(d).setIdentity();
  Engine engine = make_stream(seed, "theorem-3.3/hessian-probe", index);
  for (int k = 0; k < random_directions; ++k) {
    VectorXd u = standard_normal_vector(engine, d);
    directions.row(d + k) = u.transpose() / u.norm();
  }
  MatrixXd points(2 * directions.rows(), d);
  for (Index k = 0; k < directions.rows(); ++k) {
    points.row(2 * k) = x.transpose() + h * directions.row(k);
    points.row(2 * k + 1) = x.transpose() - h * directions.row(k);
  }
  const VectorXd values = model.f(points);
  for (Index k = 0; k < directions.rows(); ++k) {
    if (!kink_free_segment(model, points.row(2 * k).transpose(),
                           points.row(2 * k + 1).transpose())) {
      ++probe.directions_skipped;
      continue;
    }
    ++probe.directions_probed;
    const double second = relative(std::abs(values(2 * k) - 2.0 * fx + values(2 * k + 1)));
    // Written so that a NaN defect is kept (and later counted as a violation).
    if (!(second <= probe.curvature_defect)) probe.curvature_defect = second;
  }
  return probe;
}

namespace {

using robustness::AuditTally;
using robustness::ChainEvaluation;
using robustness::ChainRecorder;
using robustness::evaluate_chain;
using robustness::first;
using robustness::format_short;
using robustness::law_json;

// f and grad f^T x are both sums over the net's paths, taken in different orders; each carries
// at most (d + sum of widths) eps of absolute_output (one rounding per addition along the
// longest accumulation), and a second difference 4 such errors.  With d + widths <= 1000 that is
// below 4000 eps = 9e-13 of absolute_output; 1e-12 is the acceptance bound.  A bias breaks the
// first identity by |b-terms| / absolute_output, orders of magnitude above it.
constexpr double kIdentityTolerance = 1e-12;
// Second-difference step h = kHessianStep |x|: for a C^2 function the second difference is
// h^2 u^T hess f u ~ 1e-6 |x|^2 |hess f|, far above the rounding floor, so curvature shows
// (tests/claims/theorem_3_3_test.cpp checks that a softplus net fails the probe).
constexpr double kHessianStep = 1e-3;
constexpr int kRandomDirections = 2;
// The random walk inside Theta: relative step of each proposal.
constexpr double kWalkStep = 0.1;
// He initialisations tried as random nets, at these multiples of the default scale.
constexpr double kInitScales[] = {0.1, 1.0, 10.0};

// The keys shared with Theorem 3.1 (robustness::ChainSettings) and these.
struct Settings : robustness::ChainSettings {
  std::vector<std::string> models;
  Index hidden = 0;
  int random_inits = 0;
  int cone_nets = 0;
  int cone_points = 0;
  int walk_steps = 0;
  int identity_nets = 0;
  int pgd_steps = 0;
  int pgd_restarts = 0;
};

Settings read_settings(const RunContext& context) {
  const nlohmann::json& c = context.config;
  Settings s;
  s.read(c);
  s.models = c["models"].get<std::vector<std::string>>();
  s.hidden = c["hidden"].get<Index>();
  s.random_inits = c["random_inits"].get<int>();
  s.cone_nets = c["cone_nets"].get<int>();
  s.cone_points = c["cone_points"].get<int>();
  s.walk_steps = c["walk_steps"].get<int>();
  s.identity_nets = c["identity_nets"].get<int>();
  s.pgd_steps = c["pgd_steps"].get<int>();
  s.pgd_restarts = c["pgd_restarts"].get<int>();
  if (context.quick) {
    s.n = std::min<Index>(s.n, 40);
    s.hidden = std::min<Index>(s.hidden, 16);
    s.alphas = first(s.alphas, 2);
    s.betas = first(s.betas, 1);
    s.epochs = std::min(s.epochs, 25);
    s.random_inits = std::min(s.random_inits, 4);
    s.cone_nets = std::min(s.cone_nets, 1);
    s.cone_points = std::min(s.cone_points, 6);
    s.walk_steps = std::min(s.walk_steps, 8);
    s.search_starts = std::min(s.search_starts, 1);
    s.search_iterations = std::min(s.search_iterations, 30);
    s.shifts = first(s.shifts, 1);
    s.identity_nets = std::min(s.identity_nets, 1);
    s.exact_points = std::min(s.exact_points, 2);
    s.pgd_steps = std::min(s.pgd_steps, 20);
    s.pgd_restarts = std::min(s.pgd_restarts, 2);
  }
  s.finish("theorem-3.3");
  return s;
}

std::unique_ptr<Model> make_bias_free_net(const std::string& name, Index d, Index hidden,
                                          std::uint64_t seed) {
  if (name == "relu2") return std::make_unique<ReluDeep>(random_relu_deep(d, {hidden}, seed));
  if (name == "relu_deep") {
    return std::make_unique<ReluDeep>(random_relu_deep(d, {hidden, hidden}, seed));
  }
  throw DomainError("theorem-3.3: unknown model '" + name + "' (expected relu2 or relu_deep)");
}

// A two-layer net with biases: b ~ 0.1 N(0, 1) from random_relu_two_layer, theta0 = 0.1.
std::unique_ptr<Model> make_biased_net(Index d, Index hidden, std::uint64_t seed) {
  ReluTwoLayer net = random_relu_two_layer(d, hidden, seed, true);
  return std::make_unique<ReluTwoLayer>(net.W(), net.b(), net.theta1(), 0.1);
}

// The bias-free two-layer net beta^T relu(W x) as a ReluTwoLayer (for the interval bound).
std::unique_ptr<ReluTwoLayer> as_two_layer(const Model& model) {
  const auto* deep = dynamic_cast<const ReluDeep*>(&model);
  if (deep == nullptr || deep->weights().size() != 1) return nullptr;
  const MatrixXd& W = deep->weights().front();
  return std::make_unique<ReluTwoLayer>(W, VectorXd::Zero(W.rows()), deep->beta(), 0.0);
}

// The net f(x) = t (relu(x_2) - relu(-x_2)) = t x_2 on 2-d inputs, as a one-hidden-layer ReluDeep.
std::unique_ptr<Model> linear_as_relu_net(double t) {
  MatrixXd W(2, 2);
  W << 0.0, 1.0, 0.0, -1.0;
  VectorXd beta(2);
  beta << t, -t;
  return std::make_unique<ReluDeep>(std::vector<MatrixXd>{W}, beta);
}

// The last hidden layer's activations relu(W_L ... relu(W_1 x)), one row per sample: f = H beta.
MatrixXd last_hidden(const ReluDeep& net, const MatrixXd& X) {
  MatrixXd a = X;
  for (const auto& W : net.weights()) a = (a * W.transpose()).cwiseMax(0.0);
  return a;
}

// kTrivial: in Theta with f(x_i) = 0 for every i (every unit off, or an output layer orthogonal
// to every feature row): the nets' analogue of theta = 0, where both sides of the chain equal
// L_std = log 2.  Such nets are counted, not recorded.
enum class Membership { kOutside, kTrivial, kMember };

Membership membership(const Model& model, const Dataset& data) {
  if (!in_theta(model, data.X, data.y)) return Membership::kOutside;
  return model.f(data.X).isZero(0.0) ? Membership::kTrivial : Membership::kMember;
}

bool net_in_theta(const Model& model, const Dataset& data) {
  return membership(model, data) == Membership::kMember;
}

std::uint64_t key(std::size_t a, std::size_t b, std::size_t c = 0, std::size_t d = 0) {
  return ((static_cast<std::uint64_t>(a) * 64 + b) * 1024 + c) * 1024 + d;
}

struct Member {
  std::shared_ptr<Model> model;
  MixingLaw law;
  std::string source;
  std::string model_name;
};

// The trajectories' training: sampled mixup, the configured SGD.
TrainOptions mixup_options(const Settings& s, MixingLaw law, std::uint64_t seed, Index n) {
  return s.train_options(Objective::kSampledMixup, law, seed, n);
}

// ---- Identity checks ------------------------------------------------------------------------

struct IdentityChecks {
  Check homogeneity;
  Check curvature;
  Audit biased_homogeneity;
  Audit biased_curvature;
  long samples = 0;
  long directions_probed = 0;
  long directions_skipped = 0;
};

// Probes every sample of `data` for one net; records the worst sample per net.
void probe_net(const Model& model, const Dataset& data, const nlohmann::json& label, bool biased,
               std::uint64_t seed, std::uint64_t index, IdentityChecks& checks) {
  double worst_homogeneity = 0.0;
  double worst_curvature = 0.0;
  Index worst_h = 0;
  Index worst_c = 0;
  for (Index i = 0; i < data.n(); ++i) {
    const IdentityProbe probe = probe_identities(model, data.X.row(i).transpose(), kHessianStep,
                                                 kRandomDirections, seed, index * 100000 + i);
    checks.samples += 1;
    checks.directions_probed += probe.directions_probed;
    checks.directions_skipped += probe.directions_skipped;
    if (!(probe.homogeneity_defect <= worst_homogeneity)) {
      worst_homogeneity = probe.homogeneity_defect;
      worst_h = i;
    }
    if (!(probe.curvature_defect <= worst_curvature)) {
      worst_curvature = probe.curvature_defect;
      worst_c = i;
    }
  }
  nlohmann::json h_witness = label;
  h_witness.update({{"sample", worst_h}, {"relative_defect", worst_homogeneity}});
  nlohmann::json c_witness = label;
  c_witness.update({{"sample", worst_c}, {"relative_second_difference", worst_curvature}});
  if (biased) {
    robustness::record_audit(checks.biased_homogeneity, -worst_homogeneity, kIdentityTolerance,
                             h_witness);
    robustness::record_audit(checks.biased_curvature, -worst_curvature, kIdentityTolerance,
                             c_witness);
  } else {
    checks.homogeneity.record(-worst_homogeneity, h_witness);
    checks.curvature.record(-worst_curvature, c_witness);
  }
}

void random_identity_nets(const Dataset& data, const std::string& name, std::size_t index,
                          const Settings& s, IdentityChecks& checks) {
  for (int k = 0; k < s.identity_nets; ++k) {
    const std::uint64_t seed = stream_seed(s.seed, "theorem-3.3/identity-nets", key(index, k));
    // relu2 as ReluTwoLayer with b = 0, theta0 = 0, the class the paper's appendix B.2 names.
    const ReluTwoLayer two = random_relu_two_layer(data.d(), s.hidden, seed, false);
    probe_net(two, data,
              {{"dataset", name}, {"net", "relu2 (ReluTwoLayer, b = 0)"}, {"seed", seed}}, false,
              s.seed, key(index, k, 0), checks);
    for (std::size_t m = 0; m < s.models.size(); ++m) {
      const auto net = make_bias_free_net(s.models[m], data.d(), s.hidden, seed);
      probe_net(*net, data, {{"dataset", name}, {"net", s.models[m]}, {"seed", seed}}, false,
                s.seed, key(index, k, m + 1), checks);
    }
    const auto biased = make_biased_net(data.d(), s.hidden, seed);
    probe_net(*biased, data, {{"dataset", name}, {"net", "relu2 with biases"}, {"seed", seed}},
              true, s.seed, key(index, k, 9), checks);
  }
}

// ---- Audits -------------------------------------------------------------------------------------

// The audits of robustness::ChainAudits (uncentred data, outside Theta, the exact analogue, and
// the identity check of L~_mix), plus biases and the exact analogue's bound counts.
struct Audits : robustness::ChainAudits {
  Audit biased_chain;
  long exact_confirmed = 0;  // L_mix >= certified upper bound (relu2)
  long exact_undecided = 0;  // PGD <= L_mix < upper bound, or no upper bound
};

void record_outside(Audit& audit, const Model& model, const Dataset& data, MixingLaw law,
                    nlohmann::json instance) {
  instance["law"] = law_json(law);
  robustness::record_chain_audit(audit, evaluate_chain(model, data, law), instance);
}

// The chain on mixup-trained nets over a (possibly uncentred, possibly biased) data set, first
// law only, plus a search from the last member: used by the uncentred and biased audits.
void audit_trained(const Dataset& data, const Settings& s, const std::string& model_name,
                   bool biased, std::uint64_t stream_index, const nlohmann::json& label,
                   Audit& audit) {
  const MixingLaw law = s.laws.front();
  const std::uint64_t seed = stream_seed(s.seed, "theorem-3.3/audit-train", stream_index);
  std::unique_ptr<Model> net = biased ? make_biased_net(data.d(), s.hidden, seed)
                                      : make_bias_free_net(model_name, data.d(), s.hidden, seed);
  std::shared_ptr<Model> last;
  train(*net, data, mixup_options(s, law, seed, data.n()), [&](int epoch, const Model& current) {
    if (!net_in_theta(current, data)) return;
    last = current.clone();
    nlohmann::json instance = label;
    instance.update({{"source", "trajectories"}, {"epoch", epoch}, {"law", law_json(law)}});
    robustness::record_chain_audit(audit, evaluate_chain(current, data, law), instance);
  });
  if (!last || s.search_starts < 1) return;
  Engine engine = make_stream(s.seed, "theorem-3.3/audit-search", stream_index);
  std::unique_ptr<Model> probe = last->clone();
  robustness::search_least_slack(
      last->parameters(),
      [&](const VectorXd& theta) {
        probe->set_parameters(theta);
        return net_in_theta(*probe, data);
      },
      [&](const VectorXd& theta) {
        probe->set_parameters(theta);
        return evaluate_chain(*probe, data, law);
      },
      s.search_iterations, engine,
      [&](const VectorXd& theta, const ChainEvaluation& evaluation) {
        nlohmann::json instance = label;
        instance.update(
            {{"source", "search"}, {"law", law_json(law)}, {"parameter_norm", theta.norm()}});
        robustness::record_chain_audit(audit, evaluation, instance);
      });
}

void audit_uncentered(const std::string& name, const Dataset& data, std::size_t index,
                      const Settings& s, Audit& audit) {
  nlohmann::json measured = nlohmann::json::object();
  const Dataset raw = robustness::make_raw_chain_dataset(name, s.n, s.gaussian_d, s.seed);
  measured["as_generated_mean_norm"] = sample_mean(raw.X).norm();
  std::vector<std::pair<std::string, Dataset>> variants;
  if (sample_mean(raw.X).norm() > 0.0) variants.emplace_back("as generated", raw);
  Engine engine = make_stream(s.seed, "theorem-3.3/shift", index);
  VectorXd u = standard_normal_vector(engine, data.d());
  u /= u.norm();
  for (const double shift : s.shifts) {
    variants.emplace_back("shifted " + format_short(shift) + " rms",
                          robustness::shifted(data, shift * robustness::rms_radius(data.X) * u));
  }
  for (std::size_t v = 0; v < variants.size(); ++v) {
    for (std::size_t m = 0; m < s.models.size(); ++m) {
      const AuditTally tally(audit);
      audit_trained(variants[v].second, s, s.models[m], false, key(index, v, m, 1),
                    {{"dataset", name}, {"uncentred", variants[v].first}, {"model", s.models[m]}},
                    audit);
      measured[variants[v].first + " / " + s.models[m]] = tally.json();
    }
  }
  audit.measured[name] = measured;
}

// The constructed equal-norm uncentred set (robustness_chain.hpp) with the net t x_2 written as
// relu(t x_2) - relu(-t x_2), and a search over Theta from it.
void audit_constructed_uncentered(const Settings& s, Audit& audit) {
  const Dataset data = robustness::make_constructed_uncentered(s.n);
  const AuditTally tally(audit);
  for (const MixingLaw law : s.laws) {
    for (const double t : {0.01, 0.1, 1.0}) {
      const auto net = linear_as_relu_net(t);
      robustness::record_chain_audit(audit, evaluate_chain(*net, data, law),
                                     {{"dataset", "constructed-uncentered"},
                                      {"model", "relu(t x_2) - relu(-t x_2)"},
                                      {"t", t},
                                      {"law", law_json(law)}});
    }
  }
  nlohmann::json counts = tally.json();
  counts["mean"] = std::vector<double>{sample_mean(data.X)(0), sample_mean(data.X)(1)};
  audit.measured["constructed-uncentered"] = counts;
}

// The exact analogue on a spread of members: exact L_mix (Eq. 1) against PGD (a lower bound on
// the exact adversarial loss at radius eps_mix sqrt d) and, for relu2, the certified interval
// upper bound.  PGD > L_mix refutes L_mix >= L_adv; L_mix >= the upper bound confirms it; in
// between nothing is concluded.  Also the identity of the two computations of L~_mix.
void audit_exact(const Dataset& data, const std::vector<Member>& members, const Settings& s,
                 const std::string& name, Audits& audits) {
  if (members.empty() || s.exact_points < 1) return;
  const std::size_t count =
      std::min<std::size_t>(members.size(), static_cast<std::size_t>(s.exact_points));
  for (std::size_t k = 0; k < count; ++k) {
    const Member& member = members[k * members.size() / count];
    const Model& model = *member.model;
    const MixingLaw law = member.law;
    const ChainEvaluation e = evaluate_chain(model, data, law);
    audits.record_consistency(
        model, data, law, e,
        {{"dataset", name}, {"model", member.model_name}, {"source", member.source}});
    const double eta = e.eps_mix * std::sqrt(static_cast<double>(data.d()));
    const double mix = exact_mixup_loss(model, LossKind::kLogistic, data, law);
    PgdOptions options;
    options.steps = s.pgd_steps;
    options.restarts = s.pgd_restarts;
    options.seed = stream_seed(s.seed, "theorem-3.3/pgd", k);
    const double lower = pgd_adversarial_loss(model, LossKind::kLogistic, data, eta, options).loss;
    nlohmann::json instance = {{"dataset", name},
                               {"model", member.model_name},
                               {"source", member.source},
                               {"law", law_json(law)},
                               {"exact_mixup_loss", mix},
                               {"pgd_adversarial_loss", lower},
                               {"approx_mixup_loss", e.mixup_approx},
                               {"approx_adv_loss_eps_mix", e.adv_at_eps_mix},
                               {"eps_mix", e.eps_mix},
                               {"radius", eta}};
    bool confirmed = false;
    if (const auto two = as_two_layer(model)) {
      const double upper =
          relu_two_layer_adversarial_upper_bound(*two, LossKind::kLogistic, data, eta).loss;
      instance["certified_upper_bound"] = upper;
      confirmed = mix >= upper;
    }
    robustness::record_audit(audits.exact, robustness::exact_margin(mix, lower),
                             robustness::kExactTolerance, instance);
    if (confirmed) {
      ++audits.exact_confirmed;
    } else if (mix >= lower) {
      ++audits.exact_undecided;
    }
  }
}

// ---- The chain on one data set ------------------------------------------------------------

// One (data set, model) pair: the sources of instances, each a member function, sharing the
// recorder, the audits, and the per-law starting points of the random walk and the search.
class ModelRun {
 public:
  ModelRun(const Dataset& data, const std::string& dataset, std::size_t dataset_index,
           std::size_t model_index, const Settings& s, ChainRecorder& recorder,
           IdentityChecks& identities, Audits& audits, std::vector<Member>& members)
      : data_(data),
        dataset_(dataset),
        index_(dataset_index),
        model_index_(model_index),
        model_name_(s.models[model_index]),
        s_(s),
        recorder_(recorder),
        identities_(identities),
        audits_(audits),
        members_(members),
        starts_(s.laws.size()) {}

  void run() {
    trajectories();
    random_initialisations();
    output_layer_cone_samples();
    random_walk();
    search();
    recorder_.add_measured("trivial_members_skipped/" + model_name_, trivial_);
  }

 private:
  nlohmann::json label(nlohmann::json j) const {
    j["model"] = model_name_;
    return j;
  }

  std::uint64_t seed_for(const char* purpose, std::size_t a, std::size_t b = 0) const {
    return stream_seed(s_.seed, purpose, key(index_, model_index_, a, b));
  }

  // Classifies a net; nets outside Theta go to the "outside" audit at `law`.
  bool admit(const Model& net, MixingLaw law, const nlohmann::json& where) {
    const Membership status = membership(net, data_);
    if (status == Membership::kTrivial) ++trivial_;
    if (status == Membership::kOutside) {
      nlohmann::json instance = label(where);
      instance["dataset"] = dataset_;
      record_outside(audits_.outside, net, data_, law, instance);
    }
    return status == Membership::kMember;
  }

  // (i) mixup-training trajectories, one per law, every epoch in Theta.
  void trajectories() {
    long seen = 0, in_theta = 0;
    for (std::size_t k = 0; k < s_.laws.size(); ++k) {
      const MixingLaw law = s_.laws[k];
      const std::uint64_t seed = seed_for("theorem-3.3/train", k);
      auto net = make_bias_free_net(model_name_, data_.d(), s_.hidden, seed);
      std::shared_ptr<Model> last;
      train(*net, data_, mixup_options(s_, law, seed, data_.n()),
            [&](int epoch, const Model& current) {
              ++seen;
              if (!admit(current, law, {{"source", "trajectories"}, {"epoch", epoch}})) return;
              ++in_theta;
              last = current.clone();
              recorder_.record(evaluate_chain(current, data_, law), "trajectories",
                               label({{"law", law_json(law)}, {"epoch", epoch}}));
            });
      if (!last) continue;
      starts_[k].push_back(last);
      members_.push_back({last, law, "trajectories", model_name_});
      probe_net(*last, data_,
                label({{"dataset", dataset_}, {"source", "trained"}, {"law", law_json(law)}}),
                false, s_.seed, key(index_, model_index_, k, 7), identities_);
    }
    recorder_.note_source("trajectories", seen, in_theta);
  }

  // (ii) He initialisations at three scales, kept when in Theta.
  void random_initialisations() {
    long tried = 0, in_theta = 0;
    for (std::size_t c = 0; c < std::size(kInitScales); ++c) {
      for (int k = 0; k < s_.random_inits; ++k) {
        auto net = make_bias_free_net(model_name_, data_.d(), s_.hidden,
                                      seed_for("theorem-3.3/random-init", c, k));
        net->set_parameters(kInitScales[c] * net->parameters());
        ++tried;
        const MixingLaw law = s_.laws[static_cast<std::size_t>(k) % s_.laws.size()];
        if (!admit(*net, law, {{"source", "random-init"}, {"scale", kInitScales[c]}})) continue;
        ++in_theta;
        recorder_.record_laws(*net, data_, s_.laws, "random-init",
                              label({{"scale", kInitScales[c]}}));
      }
    }
    recorder_.note_source("random-init", tried, in_theta);
  }

  // (ii) random nets in Theta through the output layer: with the lower layers fixed (He
  // initialisation) f = H beta is linear in beta, Theta is the cone {beta : (2 y_i - 1) H_i beta
  // >= 0}, and its members are sampled by hit-and-run (robustness_chain.hpp) at log-uniform
  // norms in [norm_min, norm_max].  A cone with a member but no strict one (hit-and-run needs an
  // interior) contributes that member at the sampled norms.
  void output_layer_cone_samples() {
    long candidates = 0, in_theta = 0;
    nlohmann::json cones = nlohmann::json::array();
    for (int c = 0; c < s_.cone_nets; ++c) {
      const std::uint64_t seed = seed_for("theorem-3.3/cone-net", static_cast<std::size_t>(c));
      const auto base = make_bias_free_net(model_name_, data_.d(), s_.hidden, seed);
      const auto& deep = static_cast<const ReluDeep&>(*base);
      const Dataset features{last_hidden(deep, data_.X), data_.y};
      const robustness::LinearThetaCone cone = robustness::analyze_linear_theta(features);
      cones.push_back({{"seed", seed},
                       {"nonempty", cone.nonempty},
                       {"strict_member", cone.strict},
                       {"certified_empty", cone.certified_empty}});
      if (!cone.nonempty) continue;
      Engine engine = make_stream(s_.seed, "theorem-3.3/cone-hit-and-run",
                                  key(index_, model_index_, static_cast<std::size_t>(c)));
      const auto directions =
          cone.strict
              ? robustness::hit_and_run_theta(features, cone.member, s_.cone_points, engine)
              : std::vector<VectorXd>(static_cast<std::size_t>(s_.cone_points), cone.member);
      bool first_member = true;
      for (const VectorXd& direction : directions) {
        const VectorXd beta = direction *
                              robustness::log_uniform(engine, s_.norm_min, s_.norm_max) /
                              direction.norm();
        auto net = std::make_shared<ReluDeep>(deep.weights(), beta);
        ++candidates;
        if (!net_in_theta(*net, data_)) continue;
        ++in_theta;
        recorder_.record_laws(*net, data_, s_.laws, "random-cone",
                              label({{"cone_net", c}, {"beta_norm", beta.norm()}}));
        if (first_member) {
          for (auto& starts : starts_) starts.push_back(net);
          members_.push_back({net, s_.laws[static_cast<std::size_t>(c) % s_.laws.size()],
                              "random-cone", model_name_});
        }
        first_member = false;
      }
    }
    recorder_.note_source("random-cone", candidates, in_theta);
    recorder_.add_measured("output_layer_cones/" + model_name_, cones);
  }

  // (ii) a random walk inside Theta from each law's first start (a trajectory's last member, or
  // else a cone sample): proposals theta + kWalkStep |theta| / sqrt(P) z, accepted iff in Theta.
  void random_walk() {
    long proposals = 0, accepted = 0;
    for (std::size_t k = 0; k < s_.laws.size(); ++k) {
      if (starts_[k].empty()) continue;
      Engine engine = make_stream(s_.seed, "theorem-3.3/walk", key(index_, model_index_, k));
      std::shared_ptr<Model> current = starts_[k].front()->clone();
      const double per_coordinate =
          1.0 / std::sqrt(static_cast<double>(current->parameter_count()));
      for (int step = 0; step < s_.walk_steps; ++step) {
        const VectorXd theta = current->parameters();
        std::shared_ptr<Model> proposal = current->clone();
        proposal->set_parameters(theta + kWalkStep * theta.norm() * per_coordinate *
                                             standard_normal_vector(engine, theta.size()));
        ++proposals;
        if (!net_in_theta(*proposal, data_)) continue;
        ++accepted;
        current = proposal;
        starts_[k].push_back(current);
        recorder_.record(evaluate_chain(*current, data_, s_.laws[k]), "random-walk",
                         label({{"law", law_json(s_.laws[k])}, {"step", step}}));
      }
      members_.push_back({current, s_.laws[k], "random-walk", model_name_});
    }
    recorder_.note_source("random-walk", proposals, accepted);
  }

  // (iii) the adversarial search, from starts spread over each law's list.
  void search() {
    long evaluated = 0, feasible_count = 0;
    for (std::size_t k = 0; k < s_.laws.size(); ++k) {
      const MixingLaw law = s_.laws[k];
      const std::size_t count =
          std::min<std::size_t>(starts_[k].size(), static_cast<std::size_t>(s_.search_starts));
      for (std::size_t start = 0; start < count; ++start) {
        const auto& origin = starts_[k][start * starts_[k].size() / count];
        std::unique_ptr<Model> probe = origin->clone();
        Engine engine =
            make_stream(s_.seed, "theorem-3.3/search", key(index_, model_index_, k, start));
        const VectorXd best = robustness::search_least_slack(
            origin->parameters(),
            [&](const VectorXd& theta) {
              ++evaluated;
              probe->set_parameters(theta);
              const bool ok = net_in_theta(*probe, data_);
              feasible_count += ok ? 1 : 0;
              return ok;
            },
            [&](const VectorXd& theta) {
              probe->set_parameters(theta);
              return evaluate_chain(*probe, data_, law);
            },
            s_.search_iterations, engine,
            [&](const VectorXd& theta, const ChainEvaluation& evaluation) {
              recorder_.record(evaluation, "search",
                               label({{"law", law_json(law)},
                                      {"start", start},
                                      {"parameter_norm", theta.norm()}}));
            });
        std::shared_ptr<Model> found = origin->clone();
        found->set_parameters(best);
        members_.push_back({found, law, "search", model_name_});
      }
    }
    recorder_.note_source("search", evaluated, feasible_count);
  }

  const Dataset& data_;
  const std::string& dataset_;
  std::size_t index_;
  std::size_t model_index_;
  const std::string& model_name_;
  const Settings& s_;
  ChainRecorder& recorder_;
  IdentityChecks& identities_;
  Audits& audits_;
  std::vector<Member>& members_;
  std::vector<std::vector<std::shared_ptr<Model>>> starts_;  // per law
  long trivial_ = 0;  // members of Theta with f(x_i) = 0 for every i, skipped
};

void run_dataset(const std::string& name, std::size_t index, const Settings& s, ClaimReport& report,
                 IdentityChecks& identities, Audits& audits) {
  const Dataset data = robustness::make_chain_dataset(name, s.n, s.gaussian_d, s.seed);
  random_identity_nets(data, name, index, s, identities);
  ChainRecorder recorder(name, "l~_adv");
  std::vector<Member> members;
  for (std::size_t m = 0; m < s.models.size(); ++m) {
    ModelRun(data, name, index, m, s, recorder, identities, audits, members).run();
  }
  if (recorder.instances() == 0) {
    recorder.mark_vacuous(
        "no net in Theta with some f(x_i) != 0 found (trajectories, random initialisations, "
        "output-layer cones); for nets this is not a certificate that none exists");
  }
  // Biases added: the chain on mixup-trained biased two-layer nets in Theta.
  audit_trained(data, s, "relu2", true, key(index, 0, 0, 3),
                {{"dataset", name}, {"model", "relu2 with biases"}}, audits.biased_chain);
  audit_uncentered(name, data, index, s, audits.uncentered);
  audit_exact(data, members, s, name, audits);
  recorder.finish(report);
}

}  // namespace

ConfigSchema theorem_3_3_schema() {
  using T = ParamType;
  return ConfigSchema({
      param("seed", T::kInteger, 1, "seed of data, initialisations, training and search")
          .at_least(0),
      param("datasets", T::kStringList, {"two-moons", "gaussian", "gaussian-symmetric"},
            "data sets (centred before use)")
          .one_of(robustness::kChainDatasetNames),
      param("models", T::kStringList, {"relu2", "relu_deep"},
            "bias-free nets: relu2 = beta^T relu(W x), relu_deep = two hidden layers")
          .one_of({"relu2", "relu_deep"}),
      param("n", T::kInteger, 100, "samples per data set").at_least(8),
      param("gaussian_d", T::kInteger, 10, "dimension of the gaussian data sets").at_least(1),
      param("hidden", T::kInteger, 50, "units per hidden layer").at_least(1),
      param("alphas", T::kNumberList, {0.5, 1.0, 5.0}, "Beta(a, b): values of a").above(0.0),
      param("betas", T::kNumberList, {0.5, 2.0}, "Beta(a, b): values of b").above(0.0),
      param("train_epochs", T::kInteger, 100, "epochs per trajectory").at_least(0),
      param("learning_rate", T::kNumber, 0.1, "SGD learning rate").above(0.0),
      param("momentum", T::kNumber, 0.9, "SGD momentum").at_least(0.0).below(1.0),
      param("batch_size", T::kInteger, 10, "mini-batch size").at_least(1),
      param("random_inits", T::kInteger, 20, "He initialisations per scale (0.1, 1, 10)")
          .at_least(0),
      param("cone_nets", T::kInteger, 3,
            "random lower layers per model whose output layer is sampled from its Theta cone")
          .at_least(0),
      param("cone_points", T::kInteger, 20, "hit-and-run output layers per cone net").at_least(0),
      param("norm_min", T::kNumber, 0.1, "smallest |beta| of the cone samples").above(0.0),
      param("norm_max", T::kNumber, 100.0, "largest |beta| of the cone samples").above(0.0),
      param("walk_steps", T::kInteger, 40, "random-walk proposals inside Theta per trajectory")
          .at_least(0),
      param("search_starts", T::kInteger, 2, "adversarial search starts per law and model")
          .at_least(0),
      param("search_iterations", T::kInteger, 100, "(1+1)-ES steps per start").at_least(0),
      param("shifts", T::kNumberList, {0.1, 1.0},
            "uncentred audit: |shift| in units of the rms radius")
          .above(0.0),
      param("identity_nets", T::kInteger, 3, "random nets per architecture for the identities")
          .at_least(0),
      param("exact_audit_points", T::kInteger, 8, "members in the exact-analogue audit")
          .at_least(0),
      param("pgd_steps", T::kInteger, 50, "PGD steps (exact-analogue audit)").at_least(0),
      param("pgd_restarts", T::kInteger, 4, "PGD restarts (exact-analogue audit)").at_least(1),
  });
}

ClaimReport check_theorem_3_3(const RunContext& context) {
  ClaimReport report;
  report.claim = "theorem-3.3";
  report.paper_ref = "Theorem 3.3 (appendix A.2.4, B.2, Eq. 6)";
  report.statement =
      "For nets with f(x_i) = grad f(x_i)^T x_i and hess f(x_i) = 0 (bias-free ReLU nets), "
      "centred data with |x_i| >= c_x sqrt(d) and theta in Theta: L~_mix >= (1/n) sum_i "
      "l~_adv(eps_i sqrt d) >= (1/n) sum_i l~_adv(eps_mix sqrt d) (Eq. 6), R_i = "
      "|cos(grad f(x_i), x_i)|";
  const Settings s = read_settings(context);

  IdentityChecks identities;
  identities.homogeneity.name = "f(x_i) = grad f(x_i)^T x_i (bias-free ReLU nets)";
  identities.homogeneity.kind = "identity";
  identities.homogeneity.tolerance = kIdentityTolerance;
  identities.curvature.name =
      "hess f(x_i) = 0: second differences of f vanish on kink-free segments (bias-free ReLU nets)";
  identities.curvature.kind = "identity";
  identities.curvature.tolerance = kIdentityTolerance;
  identities.biased_homogeneity.drop = "no biases: f(x_i) = grad f(x_i)^T x_i on nets with biases";
  identities.biased_curvature.drop = "no biases: hess f(x_i) = 0 on nets with biases";
  Audits audits;  // uncentered.drop and the consistency check: robustness::ChainAudits
  audits.biased_chain.drop = "no biases: the chain on mixup-trained two-layer nets with biases";
  audits.outside.drop = "theta in Theta: nets outside Theta (initialisations, early epochs)";
  audits.exact.drop =
      "second-order approximations: exact L_mix (Eq. 1) against the exact adversarial loss at "
      "radius eps_mix sqrt d (PGD lower bound; interval upper bound for relu2)";

  for (std::size_t k = 0; k < s.datasets.size(); ++k) {
    run_dataset(s.datasets[k], k, s, report, identities, audits);
  }
  audit_constructed_uncentered(s, audits.uncentered);

  for (Check* check : {&identities.homogeneity, &identities.curvature}) {
    check->measured["samples_per_net"] = s.n;
    check->summary = "max relative defect " +
                     format_short(check->instances > 0 ? -check->min_margin : 0.0) + " over " +
                     std::to_string(check->instances) + " nets";
  }
  identities.curvature.measured["directions_probed"] = identities.directions_probed;
  identities.curvature.measured["directions_skipped_at_kinks"] = identities.directions_skipped;
  identities.curvature.summary += " (" + std::to_string(identities.directions_probed) +
                                  " segments, " + std::to_string(identities.directions_skipped) +
                                  " skipped at kinks)";
  identities.biased_homogeneity.note =
      "expected to fail: f(x) - grad f(x)^T x = theta1^T 1{Wx + b > 0} b + theta0";
  identities.biased_curvature.note = "expected to hold off kinks: biases leave f piecewise affine";
  audits.summarize_consistency();
  audits.exact.measured["confirmed_by_upper_bound"] = audits.exact_confirmed;
  audits.exact.measured["undecided"] = audits.exact_undecided;
  audits.exact.note =
      "violations are refutations (PGD's value is a lower bound on L_adv, so PGD > L_mix proves "
      "L_adv > L_mix); a pass is evidence only where L_mix also exceeds the certified upper bound "
      "(confirmed_by_upper_bound); the rest is undecided";
  report.checks.push_back(identities.homogeneity);
  report.checks.push_back(identities.curvature);
  report.checks.push_back(audits.consistency);
  report.audits = {identities.biased_homogeneity,
                   identities.biased_curvature,
                   audits.biased_chain,
                   audits.uncentered,
                   audits.outside,
                   audits.exact};
  report.notes.push_back(robustness::kCentredDataNote);
  report.notes.push_back(
      "relu2 is trained as a one-hidden-layer ReluDeep (no bias parameters to drift); it is the "
      "same function class as ReluTwoLayer with b = 0, theta0 = 0, on which the identities are "
      "also probed.");
  report.notes.push_back("Trajectories: sampled mixup, " + s.training_summary() +
                         ", He initialisation, one per law.");
  return report;
}

}  // namespace mixup
