// Piecewise Gauss quadrature against Beta weights for the exact mixup engine: rule cache, node
// counts from Bernstein ellipses, and the emission of the nodes of a piece (see
// core/mixup_exact_internal.hpp for the scheme).
//
// Node counts.  For a piece [lo, hi] normalized to t in [-1, 1], a singularity at the complex
// point z (normalized) bounds the ellipse parameter by
//   rho(z) = A + sqrt(A^2 - 1),   A = (|z - 1| + |z + 1|) / 2,
// and K follows from the Gauss error bound (nodes_needed below).
// For logistic h the branch points closest to the real axis are u = +-i pi, i.e.
// z = (i pi - u_mid) / u_half.  The weight factor lam^(p-1) is singular at lam = 0, normalized
// z0 = -(lo + hi) / (hi - lo), and (1-lam)^(q-1) at z1 = (2 - lo - hi) / (hi - lo).  For Poisson,
// e^u = e^(u_mid) e^(c t) with c = u_half is entire, and the Taylor remainder of the K-node
// Gauss rule sets K (see thresholds()).

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include <boost/math/constants/constants.hpp>
#include <boost/math/special_functions/beta.hpp>

#include "core/errors.hpp"
#include "core/mixup_exact_internal.hpp"

namespace mixup::exact_detail {
namespace {

constexpr double kPi = boost::math::constants::pi<double>();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Logistic u-breaks: a mesh graded away from the real part (0) of the branch points +-i pi.
// Every piece between consecutive breaks has rho >= 4.5 (at most 14 nodes at kRuleTolerance).
constexpr double kLogisticBreaks[] = {-kFarU, -6.25 * kPi, -2.5 * kPi, -kPi, 0.0,
                                      kPi,    2.5 * kPi,   6.25 * kPi, kFarU};
// Poisson: pieces 4 pi wide in u need 16 nodes (see thresholds()).
constexpr double kPoissonBreakStep = 4.0 * kPi;
// Below this u, e^u underflows to 0 in double: no breaks needed there.
constexpr double kPoissonUnderflowU = -746.0;

// K(rho) = ceil( (ln(1/tol) + ln(4 M / (rho'^2 - 1))) / (2 ln rho') ),  rho' = rho^kRuleSafety:
// the Gauss error bound (64/15) M rho'^(-2K) / (rho'^2 - 1) (Trefethen, ATAP Thm 19.3) with
// (64/15) ~ 4 and M the integrand's size on the ellipse E_rho'.  The integrands are h(u) or
// h'(u) (of size kEllipseBound on E_rho' relative to the piece) times polynomials in lam of
// degree <= kIntegrandDegree (mixed label times lam, lam^2, ...), which grow like
// |lam| <= (rho' + 3) / 4 on E_rho': M = kEllipseBound ((rho' + 3) / 4)^kIntegrandDegree.
// (Without that factor, pieces whose u-range is ~0.07 would get 3 nodes and err by 1e-12.)
constexpr double kEllipseBound = 16.0;
constexpr int kIntegrandDegree = 2;

double nodes_needed(double rho) {
  const double r = std::pow(rho, kRuleSafety);
  const double log_r = std::log(r);
  const double M = kEllipseBound * std::pow((r + 3.0) / 4.0, kIntegrandDegree);
  return (std::log(1.0 / kRuleTolerance) + std::log(4.0 * M / (r * r - 1.0))) / (2.0 * log_r);
}

// A_K: the smallest ellipse parameter A = (rho + 1/rho) / 2 for which K nodes suffice, found by
// bisection in rho once.  Comparing A with the table avoids a logarithm per piece.
struct NodeThresholds {
  double A[kMaxNodes + 1];
  double poisson_half[kMaxNodes + 1];  // largest u-half-width for which K nodes suffice
};

const NodeThresholds& thresholds() {
  static const NodeThresholds table = [] {
    NodeThresholds t{};
    for (int K = 0; K <= kMaxNodes; ++K) {
      if (K < kMinNodes) {
        t.A[K] = kInf;
        t.poisson_half[K] = 0.0;
        continue;
      }
      double lo = 1.0 + 1e-12;
      double hi = 1e300;
      if (nodes_needed(lo) <= K) hi = lo;
      for (int it = 0; it < 400 && hi > lo * (1.0 + 1e-15); ++it) {
        const double mid = std::sqrt(lo * hi);
        (nodes_needed(mid) <= K ? hi : lo) = mid;
      }
      t.A[K] = 0.5 * (hi + 1.0 / hi);
      // e^(c t) p(t) on [-1, 1], p of degree kIntegrandDegree: the (2K)-th derivative is at most
      // ~ (2K)^2 c^(2K-2) e^c (|p| + |p'| + |p''|) for c <= 2, and the K-node Gauss error below
      // 4 (2K)^2 (c/2)^(2K-2) / (2K)! of the integrand's size.
      const double two_k = 2.0 * K;
      t.poisson_half[K] =
          2.0 *
          std::exp((std::log(kRuleTolerance / (4.0 * two_k * two_k)) + std::lgamma(two_k + 1.0)) /
                   (two_k - kIntegrandDegree));
    }
    return t;
  }();
  return table;
}

// Nodes for an integrand analytic inside the ellipse with parameter A = (|z-1| + |z+1|) / 2.
int nodes_for_A(double A) {
  if (!(A < kInf)) return kMinNodes;
  const NodeThresholds& t = thresholds();
  for (int K = kMinNodes; K <= kMaxNodes; ++K) {
    if (A >= t.A[K]) return K;
  }
  return kMaxNodes + 1;
}

// A for a singularity at x + i y (normalized coordinates).
double ellipse_A(double x, double y) {
  const double y2 = y * y;
  return 0.5 * (std::sqrt((x - 1.0) * (x - 1.0) + y2) + std::sqrt((x + 1.0) * (x + 1.0) + y2));
}

int exp_nodes(double c) {
  if (!(c > 0.0)) return kMinNodes;
  const NodeThresholds& t = thresholds();
  for (int K = kMinNodes; K <= kMaxNodes; ++K) {
    if (c <= t.poisson_half[K]) return K;
  }
  return kMaxNodes + 1;
}

bool is_polynomial_exponent(double e) {
  return e >= 0.0 && e == std::floor(e);
}

}  // namespace

// ---- Channels -----------------------------------------------------------------------------

std::vector<Channel> eq1_unordered_channels(MixingLaw law) {
  return {{law.a, law.b, 1.0}, {law.b, law.a, 1.0}};
}

std::vector<Channel> eq9_ordered_channels(MixingLaw law) {
  const double s = law.a + law.b;
  return {{law.a + 1.0, law.b, law.a / s}, {law.b + 1.0, law.a, law.b / s}};
}

// ---- Rule cache ---------------------------------------------------------------------------

RuleCache::RuleCache()
    : table_(std::make_unique<std::atomic<const QuadratureRule*>[]>(kMaxSlots * (kMaxNodes + 1))) {
  for (std::size_t k = 0; k < kMaxSlots * (kMaxNodes + 1); ++k) table_[k].store(nullptr);
}

RuleCache::~RuleCache() = default;

int RuleCache::add(double p, double q) {
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s].p == p && slots_[s].q == q) return static_cast<int>(s);
  }
  if (slots_.size() == kMaxSlots) {
    throw DomainError("exact mixup loss: too many distinct quadrature weights");
  }
  slots_.push_back({p, q});
  return static_cast<int>(slots_.size()) - 1;
}

namespace {

// The Gauss-Jacobi rule of Beta(p, q) with K nodes, built once per process.  A rule depends on
// (p, q, K) only, so sharing it changes no result.
std::shared_ptr<const QuadratureRule> shared_rule(double p, double q, int K) {
  static std::mutex mutex;
  static std::map<std::tuple<double, double, int>, std::shared_ptr<const QuadratureRule>> rules;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& rule = rules[{p, q, K}];
  if (!rule) rule = std::make_shared<const QuadratureRule>(gauss_jacobi_beta(K, p, q));
  return rule;
}

}  // namespace

const QuadratureRule& RuleCache::build(int slot_index, int K) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  auto& entry =
      table_[static_cast<std::size_t>(slot_index) * (kMaxNodes + 1) + static_cast<std::size_t>(K)];
  const QuadratureRule* found = entry.load(std::memory_order_relaxed);
  if (found != nullptr) return *found;
  const Slot& slot = slots_[static_cast<std::size_t>(slot_index)];
  owned_.push_back(shared_rule(slot.p, slot.q, K));
  found = owned_.back().get();
  entry.store(found, std::memory_order_release);
  return *found;
}

// ---- Plan ---------------------------------------------------------------------------------

QuadraturePlan::QuadraturePlan(LossKind loss, const std::vector<Channel>& channels)
    : loss_(loss), min_nodes_A_(thresholds().A[kMinNodes]), rules_(std::make_shared<RuleCache>()) {
  // Merge channels with the same (p, q).
  std::vector<Channel> merged;
  for (const Channel& c : channels) {
    auto same = std::find_if(merged.begin(), merged.end(),
                             [&](const Channel& m) { return m.p == c.p && m.q == c.q; });
    if (same != merged.end()) {
      same->scale += c.scale;
    } else {
      merged.push_back(c);
    }
  }
  legendre_slot_ = rules_->add(1.0, 1.0);
  for (const Channel& c : merged) {
    const double B = boost::math::beta(c.p, c.q);
    ChannelData data{};
    data.p = c.p;
    data.q = c.q;
    data.e0 = c.p - 1.0;
    data.e1 = c.q - 1.0;
    data.scale = c.scale;
    data.interior = c.scale / B;
    data.left = c.scale / (c.p * B);
    data.right = c.scale / (c.q * B);
    channels_.push_back(data);
    const int d0 = is_polynomial_exponent(data.e0) ? static_cast<int>(data.e0) : 0;
    const int d1 = is_polynomial_exponent(data.e1) ? static_cast<int>(data.e1) : 0;
    degree0_ = std::max(degree0_, d0);
    degree1_ = std::max(degree1_, d1);
    degree01_ = std::max(degree01_, d0 + d1);
    if (!is_polynomial_exponent(data.e0)) singular_at0_ = true;
    if (!is_polynomial_exponent(data.e1)) singular_at1_ = true;
    full_slots_.push_back(rules_->add(c.p, c.q));
    if (data.e0 != 0.0 || data.e1 != 0.0) constant_interior_ = false;
    interior_constant_ += data.interior;
  }
  for (std::size_t c = 0; c < channels_.size(); ++c) {
    const auto add_to = [&](std::vector<Group>& groups, double exponent) {
      auto group = std::find_if(groups.begin(), groups.end(),
                                [&](const Group& g) { return g.exponent == exponent; });
      if (group == groups.end()) {
        groups.push_back({exponent, rules_->add(exponent, 1.0), {}});
        group = groups.end() - 1;
      }
      group->channels.push_back(static_cast<int>(c));
    };
    add_to(left_groups_, channels_[c].p);
    add_to(right_groups_, channels_[c].q);
  }
  interior_degree_nodes_ = degree_nodes(true, true);
}

int QuadraturePlan::h_nodes_general(double u_lo, double u_hi) const {
  const double lo = std::min(u_lo, u_hi);
  const double hi = std::max(u_lo, u_hi);
  const double half = 0.5 * (hi - lo);
  switch (loss_) {
    case LossKind::kGaussian:
      return kMinNodes;
    case LossKind::kPoisson:
      if (hi < kPoissonUnderflowU) return kMinNodes;
      return exp_nodes(half);
    case LossKind::kLogistic: {
      if (lo >= kFarU || hi <= -kFarU) return kMinNodes;
      if (!(half > 0.0)) return kMinNodes;
      // The branch point i pi sits at z = (i pi - mid) / half.  A = (|z-1| + |z+1|) / 2 >= |z|,
      // so comparing |z|^2 = (mid^2 + pi^2) / half^2 with A_K^2 gives a safe K without square
      // roots; it is exact to 1 / (2 |z|^2) relative, used when |z| >= kFarPole.
      constexpr double kFarPole = 10.0;
      const double mid = 0.5 * (hi + lo);
      const double radius2 = mid * mid + kPi * kPi;
      const double half2 = half * half;
      if (radius2 >= kFarPole * kFarPole * half2) {
        const NodeThresholds& t = thresholds();
        for (int K = kMinNodes; K <= kMaxNodes; ++K) {
          if (radius2 >= t.A[K] * t.A[K] * half2) return K;
        }
      }
      return nodes_for_A(ellipse_A(-mid / half, kPi / half));
    }
  }
  return kMaxNodes + 1;
}

int QuadraturePlan::weight_nodes(double lo, double hi, bool check0, bool check1) const {
  const double len = hi - lo;
  // A real singularity at normalized distance x >= 1 has A = x.
  double A = kInf;
  if (check0 && singular_at0_) A = std::min(A, (lo + hi) / len);
  if (check1 && singular_at1_) A = std::min(A, ((1.0 - lo) + (1.0 - hi)) / len);
  return nodes_for_A(A);
}

int QuadraturePlan::degree_nodes(bool check0, bool check1) const {
  const int degree = check0 && check1 ? degree01_ : check0 ? degree0_ : check1 ? degree1_ : 0;
  return (degree + 1) / 2;
}

std::vector<double> QuadraturePlan::u_breaks(double u_lo, double u_hi) const {
  std::vector<double> breaks;
  if (loss_ == LossKind::kLogistic) {
    for (const double b : kLogisticBreaks) {
      if (b > u_lo && b < u_hi) breaks.push_back(b);
    }
  } else if (loss_ == LossKind::kPoisson) {
    const double lo = std::max(u_lo, kPoissonUnderflowU);
    if (lo < u_hi) {
      const double first = std::floor(lo / kPoissonBreakStep) + 1.0;
      for (double k = first; k * kPoissonBreakStep < u_hi; k += 1.0) {
        breaks.push_back(k * kPoissonBreakStep);
      }
    }
  }
  return breaks;
}

// ---- Affine and nodes -----------------------------------------------------------------------

Affine Affine::from_piece(double lo, double hi, double u_lo, double u_hi) {
  Affine a;
  a.slope = (u_hi - u_lo) / (hi - lo);
  a.at0 = u_lo - a.slope * lo;
  a.at1 = u_hi + a.slope * (1.0 - hi);
  return a;
}

NodeSet::NodeSet() {
  constexpr std::size_t kInitialCapacity = 512;
  lam.resize(kInitialCapacity);
  oml.resize(kInitialCapacity);
  u.resize(kInitialCapacity);
  w.resize(kInitialCapacity);
  pending.resize(kInitialCapacity);
}

void NodeSet::grow() {
  const std::size_t capacity = 2 * lam.size();
  lam.resize(capacity);
  oml.resize(capacity);
  u.resize(capacity);
  w.resize(capacity);
  pending.resize(capacity);
}

void NodeSet::prepare_work() {
  const auto count = static_cast<std::size_t>(count_);
  if (work1.size() < count) {
    work1.resize(lam.size());
    work2.resize(lam.size());
    work3.resize(lam.size());
  }
}

void NodeSet::resolve(const QuadraturePlan& plan) {
  if (!any_pending) return;
  const Index count = size();
  prepare_work();
  const auto& channels = plan.channels();
  // Interior factors, the bulk: gathered into one contiguous batch (aligned work arrays), so the
  // vectorised log and exp run over long packets.
  gather_.clear();
  for (Index k = 0; k < count; ++k) {
    if (pending[static_cast<std::size_t>(k)] == kInteriorFactor) gather_.push_back(k);
  }
  if (!gather_.empty()) {
    const auto batch = static_cast<Index>(gather_.size());
    MutableNodeMap log_lam(work1.data(), batch);
    MutableNodeMap log_oml(work2.data(), batch);
    MutableNodeMap factor(work3.data(), batch);
    for (Index b = 0; b < batch; ++b) {
      const auto k = static_cast<std::size_t>(gather_[static_cast<std::size_t>(b)]);
      log_lam(b) = lam[k];
      log_oml(b) = oml[k];
    }
    log_lam = log_lam.log();
    log_oml = log_oml.log();
    factor.setZero();
    for (const QuadraturePlan::ChannelData& c : channels) {
      if (c.e0 == 0.0 && c.e1 == 0.0) {
        factor += c.interior;
      } else {
        factor += c.interior * (c.e0 * log_lam + c.e1 * log_oml).exp();
      }
    }
    for (Index b = 0; b < batch; ++b) {
      const auto k = static_cast<std::size_t>(gather_[static_cast<std::size_t>(b)]);
      w[k] *= factor(b);
      pending[k] = kFinal;
    }
  }
  // End-anchored factors, run by run (a run is one rule of one group).
  Index start = 0;
  while (start < count) {
    const unsigned char kind = pending[static_cast<std::size_t>(start)];
    Index end = start + 1;
    while (end < count && pending[static_cast<std::size_t>(end)] == kind) ++end;
    if (kind == kFinal) {
      start = end;
      continue;
    }
    // Left groups: the factor (1-lam)^(q-1); right groups: lam^(p-1).
    const bool is_left = kind % 2 == 0;
    const auto g = static_cast<std::size_t>((kind - 2) / 2);
    const QuadraturePlan::Group& group = is_left ? plan.left_groups()[g] : plan.right_groups()[g];
    const Index run = end - start;
    const Eigen::Map<const Eigen::ArrayXd> base(is_left ? oml.data() + start : lam.data() + start,
                                                run);
    MutableNodeMap logs(work1.data(), run);
    MutableNodeMap factor(work3.data(), run);
    logs = base.log();
    factor.setZero();
    for (const int index : group.channels) {
      const QuadraturePlan::ChannelData& c = channels[static_cast<std::size_t>(index)];
      const double coefficient = is_left ? c.left : c.right;
      const double exponent = is_left ? c.e1 : c.e0;
      if (exponent == 0.0) {
        factor += coefficient;
      } else {
        factor += coefficient * (exponent * logs).exp();
      }
    }
    for (Index k = start; k < end; ++k) {
      w[static_cast<std::size_t>(k)] *= factor(k - start);
      pending[static_cast<std::size_t>(k)] = kFinal;
    }
    start = end;
  }
  any_pending = false;
}

// ---- Emission ---------------------------------------------------------------------------------

void PieceEmitter::interior(double l, double r, int K, double sign) {
  const QuadratureRule& rule = plan_.rules().rule(plan_.legendre_slot(), K);
  const double len = r - l;
  const double oml_r = 1.0 - r;
  const bool constant = plan_.constant_interior();
  const double scale = sign * len * (constant ? plan_.interior_constant() : 1.0);
  const unsigned char kind = constant ? NodeSet::kFinal : NodeSet::kInteriorFactor;
  for (int k = 0; k < K; ++k) {
    const double lam = l + len * rule.nodes(k);
    const double oml = oml_r + len * rule.one_minus_nodes(k);
    nodes_.push(lam, oml, scale * rule.weights(k), kind);
  }
}

void PieceEmitter::left(double x, int K, double sign) {
  const auto& groups = plan_.left_groups();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const QuadratureRule& rule = plan_.rules().rule(groups[g].slot, K);
    const double scale = sign * std::pow(x, groups[g].exponent);
    const auto kind = static_cast<unsigned char>(2 + 2 * g);
    for (int k = 0; k < K; ++k) {
      const double lam = x * rule.nodes(k);
      nodes_.push(lam, 1.0 - lam, scale * rule.weights(k), kind);
    }
  }
}

void PieceEmitter::right(double x, int K, double sign) {
  const double span = 1.0 - x;
  const auto& groups = plan_.right_groups();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const QuadratureRule& rule = plan_.rules().rule(groups[g].slot, K);
    const double scale = sign * std::pow(span, groups[g].exponent);
    const auto kind = static_cast<unsigned char>(3 + 2 * g);
    for (int k = 0; k < K; ++k) {
      const double oml = span * rule.nodes(k);
      nodes_.push(1.0 - oml, oml, scale * rule.weights(k), kind);
    }
  }
}

void PieceEmitter::full(int K, double sign) {
  const auto& channels = plan_.channels();
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const QuadratureRule& rule = plan_.rules().rule(plan_.full_slots()[c], K);
    for (int k = 0; k < K; ++k) {
      nodes_.push(rule.nodes(k), rule.one_minus_nodes(k),
                  sign * rule.weights(k) * channels[c].scale);
    }
  }
}

void PieceEmitter::fill_u(Index from, const Affine& u) {
  for (Index k = from; k < nodes_.size(); ++k) {
    const auto s = static_cast<std::size_t>(k);
    nodes_.u[s] = u(nodes_.lam[s], nodes_.oml[s]);
  }
}

void PieceEmitter::affine_piece_general(double l, double r, const Affine& u) {
  if (!(r > l)) {
    nodes_.end_piece();
    return;
  }
  const Index start = nodes_.size();
  const double u_l = u(l, 1.0 - l);
  const double u_r = u(r, 1.0 - r);
  const int K_h = plan_.h_nodes(u_l, u_r);
  if (K_h > kSplitNodes) {
    const bool increasing = u_r > u_l;
    std::vector<double> breaks = plan_.u_breaks(std::min(u_l, u_r), std::max(u_l, u_r));
    if (!increasing) std::reverse(breaks.begin(), breaks.end());
    double from = l;
    for (const double b : breaks) {
      const double at = l + (r - l) * ((b - u_l) / (u_r - u_l));
      if (at > from && at < r) {
        weighted_piece(from, at, u, 0);
        from = at;
      }
    }
    weighted_piece(from, r, u, 0);
  } else {
    weighted_piece(l, r, u, 0, K_h);
  }
  fill_u(start, u);
  nodes_.end_piece();
}

void PieceEmitter::weighted_piece(double l, double r, const Affine& u, int depth, int h_hint) {
  const double len = r - l;
  if (!(len > 0.0)) return;
  const bool near0 = plan_.singular_at0() && l < kNearEnd * len;
  const bool near1 = plan_.singular_at1() && (1.0 - r) < kNearEnd * len;
  const double u0 = u.at0;
  const double u1 = u.at1;
  const double u_l = u(l, 1.0 - l);
  const double u_r = u(r, 1.0 - r);
  const auto left_nodes = [&](double x, double u_x) {
    return std::max(plan_.h_nodes(u0, u_x), plan_.weight_nodes(0.0, x, false, true)) +
           plan_.degree_nodes(false, true);
  };
  const auto right_nodes = [&](double x, double u_x) {
    return std::max(plan_.h_nodes(u_x, u1), plan_.weight_nodes(x, 1.0, true, false)) +
           plan_.degree_nodes(true, false);
  };
  if (!near0 && !near1) {
    const int K_h = h_hint >= 0 ? h_hint : plan_.h_nodes(u_l, u_r);
    const int K =
        std::max(K_h, plan_.weight_nodes(l, r, true, true)) + plan_.degree_nodes(true, true);
    if (K <= kMaxNodes) {
      interior(l, r, K, 1.0);
      return;
    }
  } else if (near0 && !near1) {
    const int K_r = left_nodes(r, u_r);
    const int K_l = l > 0.0 ? left_nodes(l, u_l) : kMinNodes;
    if (K_r <= kMaxNodes && K_l <= kMaxNodes) {
      left(r, K_r, 1.0);
      if (l > 0.0) left(l, K_l, -1.0);
      return;
    }
  } else if (near1 && !near0) {
    const int K_l = right_nodes(l, u_l);
    const int K_r = r < 1.0 ? right_nodes(r, u_r) : kMinNodes;
    if (K_l <= kMaxNodes && K_r <= kMaxNodes) {
      right(l, K_l, 1.0);
      if (r < 1.0) right(r, K_r, -1.0);
      return;
    }
  } else {
    const int K_f = plan_.h_nodes(u0, u1);
    const int K_l = l > 0.0 ? left_nodes(l, u_l) : kMinNodes;
    const int K_r = r < 1.0 ? right_nodes(r, u_r) : kMinNodes;
    if (K_f <= kMaxNodes && K_l <= kMaxNodes && K_r <= kMaxNodes) {
      full(K_f, 1.0);
      if (l > 0.0) left(l, K_l, -1.0);
      if (r < 1.0) right(r, K_r, -1.0);
      return;
    }
  }
  if (depth >= kMaxBisections) {
    throw DomainError("exact mixup loss: quadrature failed to resolve a piece of [" +
                      std::to_string(l) + ", " + std::to_string(r) + "]");
  }
  const double mid = l + 0.5 * len;
  weighted_piece(l, mid, u, depth + 1);
  weighted_piece(mid, r, u, depth + 1);
}

void PieceEmitter::fixed_piece(double l, double r, int K) {
  const double len = r - l;
  if (!(len > 0.0)) return;
  const bool near0 = plan_.singular_at0() && l < kNearEnd * len;
  const bool near1 = plan_.singular_at1() && (1.0 - r) < kNearEnd * len;
  if (!near0 && !near1) {
    interior(l, r, K, 1.0);
  } else if (near0 && !near1) {
    left(r, K, 1.0);
    if (l > 0.0) left(l, K, -1.0);
  } else if (near1 && !near0) {
    right(l, K, 1.0);
    if (r < 1.0) right(r, K, -1.0);
  } else {
    full(K, 1.0);
    if (l > 0.0) left(l, K, -1.0);
    if (r < 1.0) right(r, K, -1.0);
  }
}

// ---- Integrands -------------------------------------------------------------------------------

double loss_at(LossKind kind, double u, double yt, double omy) {
  switch (kind) {
    case LossKind::kLogistic: {
      const double r = std::log1p(std::exp(-std::abs(u)));
      const double h_plus = std::max(u, 0.0) + r;    // h(u)
      const double h_minus = std::max(-u, 0.0) + r;  // h(-u) = h(u) - u
      return yt * h_minus + omy * h_plus;
    }
    case LossKind::kPoisson:
      return std::exp(u) - yt * u;
    case LossKind::kGaussian:
      return 0.5 * u * u - yt * u;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double residual_at(LossKind kind, double u, double yt, double omy) {
  switch (kind) {
    case LossKind::kLogistic: {
      const double e = std::exp(-std::abs(u));
      const double big = 1.0 / (1.0 + e);  // sigmoid(|u|)
      const double small = e / (1.0 + e);  // sigmoid(-|u|)
      const double s_plus = u >= 0.0 ? big : small;
      const double s_minus = u >= 0.0 ? small : big;
      return omy * s_plus - yt * s_minus;
    }
    case LossKind::kPoisson:
      return std::exp(u) - yt;
    case LossKind::kGaussian:
      return u - yt;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

void logistic_remainder(const double* u, Index count, double* out, double* work) {
  const NodeMap U(u, count);
  MutableNodeMap t(work, count);
  MutableNodeMap r(out, count);
  t = (-U.abs()).exp();
  r = (1.0 + t).log() + (t - ((1.0 + t) - 1.0)) / (1.0 + t);
}

void logistic_sigmoid(const double* u, Index count, double* out, double* work) {
  const NodeMap U(u, count);
  MutableNodeMap t(work, count);
  MutableNodeMap s(out, count);
  t = (-U.abs()).exp();
  s = (U >= 0.0).select(1.0 / (1.0 + t), t / (1.0 + t));
}

double integrate_loss(const QuadraturePlan& plan, NodeSet& nodes, double y_hi, double y_lo) {
  nodes.resolve(plan);
  const LossKind kind = plan.loss();
  const Index count = nodes.size();
  if (kind == LossKind::kLogistic) {
    nodes.prepare_work();
    logistic_remainder(nodes.u.data(), count, nodes.work1.data(), nodes.work2.data());
    const NodeMap r(nodes.work1.data(), count);
    const NodeMap u(nodes.u.data(), count);
    const NodeMap lam(nodes.lam.data(), count);
    const NodeMap oml(nodes.oml.data(), count);
    const NodeMap w(nodes.w.data(), count);
    // yt h(-u) + (1 - yt) h(u), h(+-u) = max(+-u, 0) + r.
    return (w * ((y_hi * lam + y_lo * oml) * ((-u).max(0.0) + r) +
                 ((1.0 - y_hi) * lam + (1.0 - y_lo) * oml) * (u.max(0.0) + r)))
        .sum();
  }
  double total = 0.0;
  for (Index k = 0; k < count; ++k) {
    const auto s = static_cast<std::size_t>(k);
    const double lam = nodes.lam[s];
    const double oml = nodes.oml[s];
    const double yt = y_hi * lam + y_lo * oml;
    const double omy = (1.0 - y_hi) * lam + (1.0 - y_lo) * oml;
    total += nodes.w[s] * loss_at(kind, nodes.u[s], yt, omy);
  }
  return total;
}

// ---- Tiles ----------------------------------------------------------------------------------

std::vector<Tile> make_tiles(Index n, bool upper_only) {
  std::vector<Tile> tiles;
  const Index blocks = (n + kTile - 1) / kTile;
  for (Index bi = 0; bi < blocks; ++bi) {
    for (Index bj = upper_only ? bi : 0; bj < blocks; ++bj) {
      tiles.push_back({bi * kTile, std::min(n, (bi + 1) * kTile), bj * kTile,
                       std::min(n, (bj + 1) * kTile), bi == bj});
    }
  }
  return tiles;
}

double diagonal_loss_sum(LossKind loss, const Eigen::VectorXd& f, const Eigen::VectorXd& y) {
  const auto n = static_cast<double>(f.size());
  double total = 0.0;
  for (Index i = 0; i < f.size(); ++i) total += loss_value(loss, f(i), y(i));
  return total / (n * n);
}

}  // namespace mixup::exact_detail
