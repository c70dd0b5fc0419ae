#pragma once
// Internal machinery of the exact mixup engine (core/mixup_exact*.cpp).  Not part of the public
// interface (core/mixup.hpp): tests include it to force and inspect the engine's paths.
//
// ---- The integrals ----------------------------------------------------------------------------
// Every quantity is a sum over pairs (i, j) of integrals over lam in [0, 1] against Beta-type
// weights.  A *channel* is one weight  scale * lam^(p-1) (1-lam)^(q-1) / B(p, q).  For an
// unordered pair {i, j}, with lam the weight of x_i on the segment x(lam) = lam x_i + (1-lam) x_j,
// the two ordered pairs of Eq. (1) give the same integrand (the mixed label lam y_i + (1-lam) y_j
// is the same function of the point on the segment), against Beta(a, b) for (i, j) and, after
// lam -> 1 - lam, Beta(b, a) for (j, i): channels (a, b, 1) and (b, a, 1).  Eq. (9) runs over
// ordered pairs with D~ = a/(a+b) Beta(a+1, b) + b/(a+b) Beta(b+1, a): channels (a+1, b, a/(a+b))
// and (b+1, a, b/(a+b)).
//
// ---- Pieces -----------------------------------------------------------------------------------
// Along a segment the model output u(lam) = f(x(lam)) is affine between kinks for linear models
// and ReLU nets.  A piece [l, r] with affine u is integrated by a Gauss rule whose size K comes
// from the Bernstein ellipse E_rho (about the piece) in which the integrand is analytic: a K-node
// Gauss rule errs by at most (64/15) M rho^(-2K) / (rho^2 - 1), M the integrand's size on E_rho
// (Trefethen, Approximation Theory and Approximation Practice, Thm 19.3).  The singularities
// that bound rho are
//   * those of h: logistic h(u) = log(1 + e^u) (and h' = sigmoid) has branch points (poles) at
//     u = +-i pi (2k+1); Poisson h = e^u is entire and its K is set by the Taylor remainder of
//     e^(c t) on [-1, 1], c the half-width of the piece in u; the Gaussian h is a polynomial;
//   * the weight factor lam^(p-1) at lam = 0 and (1-lam)^(q-1) at lam = 1, when the exponent is
//     not a non-negative integer and the rule does not absorb it.
// M includes the growth on E_rho of the integrand's polynomial factors (mixed label, lam, lam^2:
// degree <= 2) and of integer-exponent weight factors; without it, short pieces got 3 nodes and
// erred by 1e-12.  Node counts come from a table of rho thresholds built once
// (mixup_exact_quadrature.cpp).  Measured on random segments against long double tanh_sinh, a
// rule errs by <= 3e-15 relative.
// Long pieces are cut at u in {0, +-pi, +-2.5 pi, +-6.25 pi, +-kFarU} (logistic: a mesh graded
// away from the branch points' real part 0, so every sub-piece has rho >= 4.5 and needs <= 14
// nodes) or at multiples of 4 pi (Poisson).  Beyond |u| >= kFarU the logistic integrand is a
// polynomial of degree 2 in lam plus log1p(e^{-|u|}) <= e^{-kFarU}, and only the weight sets K.
// Weight singularities: a piece touching lam = 0 takes the Gauss-Jacobi rule of Beta(p, 1)
// (weight lam^(p-1) exact, (1-lam)^(q-1) smooth there), touching 1 that of Beta(q, 1) in 1-lam,
// touching both that of Beta(p, q).  A piece [l, r] close to a singular end
// (l < kNearEnd (r - l)) is integrated as the difference of two end-anchored integrals,
// int_0^r - int_0^l, of the piece's own analytic formula continued to [0, l]; so no mesh graded
// towards a singular end is needed, and interior pieces see lam = 0 at normalized distance >= 5.
//
// ---- Order of summation -----------------------------------------------------------------------
// Pairs run in fixed tiles of kTile x kTile; each tile is summed sequentially and the tile
// results are added in tile order: the same bits at any thread count.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <vector>

#include <Eigen/Core>
#include <Eigen/StdVector>

#include "core/data.hpp"
#include "core/losses.hpp"
#include "core/mixing.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"

namespace mixup::exact_detail {

using Eigen::Index;

// ---- Quadrature accuracy ----------------------------------------------------------------------

// Target error of one Gauss rule, relative to the size of its integrand on the piece.  With
// ~30 pieces per pair and n^2 pairs of positive terms (logistic) the total stays near this,
// five orders inside the 1e-10 the engine promises.
inline constexpr double kRuleTolerance = 1e-15;
// The error bound C M rho^(-2K) needs M, the size of the integrand on E_rho, finite: rho is
// taken to the power kRuleSafety (a slightly smaller ellipse) when choosing K.
inline constexpr double kRuleSafety = 0.9;
// Gauss rules have between kMinNodes and kMaxNodes nodes.  kMinNodes = 3 integrates the
// polynomial parts (degree <= 3 in lam: mixed label times affine u, u^2 / 2, times lam)
// exactly against Jacobi weights.
inline constexpr int kMinNodes = 3;
inline constexpr int kMaxNodes = 32;
// A piece whose h part needs more nodes than this is cut at the u-breaks above.
inline constexpr int kSplitNodes = 16;
// A piece [l, r] with l < kNearEnd (r - l) (or 1 - r < kNearEnd (r - l)) is integrated as a
// difference of end-anchored integrals; otherwise lam = 0 sits at normalized distance
// >= 1 + 2 kNearEnd = 5 from the piece: rho >= 9.9, about 9 nodes for the weight.
inline constexpr double kNearEnd = 2.0;
// Logistic: for |u| >= kFarU, log1p(e^{-|u|}) <= e^{-45} = 2.9e-20 (absolute, per unit mass).
inline constexpr double kFarU = 45.0;
// Pieces are bisected at most this many times when a rule would need more than kMaxNodes.
inline constexpr int kMaxBisections = 60;

// Pairs are summed in tiles of this many rows by this many columns.
inline constexpr Index kTile = 64;

// ---- Weights ----------------------------------------------------------------------------------

// scale * lam^(p-1) (1-lam)^(q-1) / B(p, q) on [0, 1].
struct Channel {
  double p;
  double q;
  double scale;
};

// Channels for the two forms of the loss.
std::vector<Channel> eq1_unordered_channels(MixingLaw law);  // (a, b, 1), (b, a, 1)
std::vector<Channel> eq9_ordered_channels(MixingLaw law);    // D~ as two Beta components

// Gauss rules on [0, 1] for Beta(p, q) probability weights, built on first use (thread safe).
// The rules themselves come from a process-wide store (mixup_exact_quadrature.cpp,
// shared_rule): a claim builds thousands of plans over the same few laws, and building a rule
// (Golub-Welsch plus Newton refinement) cost more than using it.
class RuleCache {
 public:
  RuleCache();
  ~RuleCache();
  RuleCache(const RuleCache&) = delete;
  RuleCache& operator=(const RuleCache&) = delete;
  // Registers (p, q) and returns its slot; only before the cache is shared between threads.
  int add(double p, double q);
  const QuadratureRule& rule(int slot, int K) const {
    const QuadratureRule* found =
        table_[static_cast<std::size_t>(slot) * (kMaxNodes + 1) + static_cast<std::size_t>(K)].load(
            std::memory_order_acquire);
    return found != nullptr ? *found : build(slot, K);
  }

 private:
  struct Slot {
    double p;
    double q;
  };
  const QuadratureRule& build(int slot, int K) const;
  std::vector<Slot> slots_;
  // Built rules by slot * (kMaxNodes + 1) + K; room for kMaxSlots slots.
  static constexpr std::size_t kMaxSlots = 16;
  std::unique_ptr<std::atomic<const QuadratureRule*>[]> table_;
  mutable std::vector<std::shared_ptr<const QuadratureRule>> owned_;  // from shared_rule()
  mutable std::mutex mutex_;
};

// One call's loss and channels, grouped for the end-anchored rules.
class QuadraturePlan {
 public:
  QuadraturePlan(LossKind loss, const std::vector<Channel>& channels);

  LossKind loss() const { return loss_; }
  bool singular_at0() const { return singular_at0_; }
  bool singular_at1() const { return singular_at1_; }
  bool singular_any() const { return singular_at0_ || singular_at1_; }

  // Nodes needed for the h part of the integrand on a piece whose u runs from u_lo to u_hi.
  int h_nodes(double u_lo, double u_hi) const {
    // Logistic: the branch points +-i pi are at A >= pi / half-width; short pieces need only
    // kMinNodes (the common case on ReLU segments), decided without square roots.
    if (loss_ == LossKind::kLogistic && std::abs(u_hi - u_lo) * min_nodes_A_ <= 2.0 * kPiValue) {
      return kMinNodes;
    }
    return h_nodes_general(u_lo, u_hi);
  }
  // Nodes needed for the weight factors on [lo, hi] when the factor at lam = 0 (check0) and/or
  // at lam = 1 (check1) is not absorbed by the rule (from the singular factors' rho).
  int weight_nodes(double lo, double hi, bool check0, bool check1) const;
  // Extra nodes for the unabsorbed factors that are polynomials (integer exponents p - 1, q - 1):
  // ceil(degree / 2), since the rule integrates them on top of the integrand.
  int degree_nodes(bool check0, bool check1) const;
  int interior_degree_nodes() const { return interior_degree_nodes_; }  // degree_nodes(true, true)
  // The u-values at which long pieces are cut, ascending (empty for the Gaussian loss).
  std::vector<double> u_breaks(double u_lo, double u_hi) const;

  struct ChannelData {
    double p, q;
    double e0, e1;    // p - 1, q - 1
    double interior;  // scale / B(p, q)
    double left;      // scale / (p B(p, q))
    double right;     // scale / (q B(p, q))
    double scale;
  };
  struct Group {      // channels sharing one end-anchored rule
    double exponent;  // p (left) or q (right)
    int slot;         // RuleCache slot of Beta(exponent, 1)
    std::vector<int> channels;
  };
  const std::vector<ChannelData>& channels() const { return channels_; }
  const std::vector<Group>& left_groups() const { return left_groups_; }
  const std::vector<Group>& right_groups() const { return right_groups_; }
  const std::vector<int>& full_slots() const { return full_slots_; }  // per channel
  int legendre_slot() const { return legendre_slot_; }
  const RuleCache& rules() const { return *rules_; }

  bool constant_interior() const { return constant_interior_; }
  double interior_constant() const { return interior_constant_; }

 private:
  static constexpr double kPiValue = 3.141592653589793238462643383279502884;
  int h_nodes_general(double u_lo, double u_hi) const;
  LossKind loss_;
  double min_nodes_A_ = 0.0;  // the ellipse parameter A above which kMinNodes suffice
  std::vector<ChannelData> channels_;
  std::vector<Group> left_groups_;
  std::vector<Group> right_groups_;
  std::vector<int> full_slots_;
  int legendre_slot_ = 0;
  bool singular_at0_ = false;
  bool singular_at1_ = false;
  bool constant_interior_ = true;  // every channel has p = q = 1
  double interior_constant_ = 0.0;
  // Polynomial degree of each channel's weight factors: lam^(p-1) when p - 1 is an integer
  // (degree0), (1-lam)^(q-1) when q - 1 is (degree1), both (degree01); maxima over channels.
  int degree0_ = 0;
  int degree1_ = 0;
  int degree01_ = 0;
  int interior_degree_nodes_ = 0;
  std::shared_ptr<RuleCache> rules_;
};

// u(lam) = at0 + slope lam, also evaluated from the lam = 1 end (at1 - slope (1-lam)) near 1.
struct Affine {
  double at0 = 0.0;
  double at1 = 0.0;
  double slope = 0.0;
  static Affine through(double u_at0, double u_at1) { return {u_at0, u_at1, u_at1 - u_at0}; }
  // The affine function with u(lo) = u_lo, u(hi) = u_hi, hi > lo.
  static Affine from_piece(double lo, double hi, double u_lo, double u_hi);
  double operator()(double lam, double oml) const {
    return lam <= 0.5 ? at0 + slope * lam : at1 - slope * oml;
  }
};

// Quadrature nodes of one pair: position lam, 1 - lam (accurate near 1), the affine model
// output u there (when the pieces are affine) and the weight summed over the channels.
//
// Nodes are pushed with their rule weight and a pending factor kind; resolve() then multiplies in
// the weight factors, run by run (vectorised exp and log):
//   kInteriorFactor:   sum_c lam^(p_c - 1) (1-lam)^(q_c - 1) / B(p_c, q_c)
//   left group g:      sum_{c in g} (1-lam)^(q_c - 1) / (p_g B(p_g, q_c))   (kind 2 + 2g)
//   right group g:     sum_{c in g} lam^(p_c - 1) / (q_g B(p_c, q_g))       (kind 3 + 2g)
// Every integrator calls resolve() first.
//
// The arrays are aligned to EIGEN_MAX_ALIGN_BYTES and mapped with Eigen::AlignedMax: Eigen's
// vectorised loops then take the same path (packets from the first element) whichever thread's
// buffer holds the nodes.  With unaligned buffers Eigen peels a buffer-address-dependent number
// of leading elements into scalar code (std::exp instead of its packet exp, a different order of
// summation), and the result would depend on the thread that ran the pair.
using AlignedVector = std::vector<double, Eigen::aligned_allocator<double>>;
using NodeMap = Eigen::Map<const Eigen::ArrayXd, Eigen::AlignedMax>;
using MutableNodeMap = Eigen::Map<Eigen::ArrayXd, Eigen::AlignedMax>;

struct NodeSet {
  // Arrays of capacity >= size(); entries [0, size()) are the nodes.
  static constexpr unsigned char kFinal = 0;
  static constexpr unsigned char kInteriorFactor = 1;
  AlignedVector lam, oml, u, w;
  std::vector<unsigned char> pending;  // the factor w still lacks (kFinal: none)
  bool any_pending = false;
  std::vector<Index> piece_end;       // nodes[piece_end[p-1], piece_end[p]) belong to piece p
  AlignedVector work1, work2, work3;  // scratch for the integrand evaluation
  NodeSet();
  void clear() {
    count_ = 0;
    any_pending = false;
    piece_end.clear();
  }
  Index size() const { return count_; }
  void push(double lam_k, double oml_k, double w_k, unsigned char pending_k = kFinal) {
    if (static_cast<std::size_t>(count_) == lam.size()) grow();
    const auto s = static_cast<std::size_t>(count_++);
    lam[s] = lam_k;
    oml[s] = oml_k;
    u[s] = 0.0;
    w[s] = w_k;
    pending[s] = pending_k;
    any_pending = any_pending || pending_k != kFinal;
  }
  void end_piece() { piece_end.push_back(size()); }
  void resolve(const class QuadraturePlan& plan);
  // Sizes the scratch arrays to size().
  void prepare_work();

 private:
  void grow();
  Index count_ = 0;
  std::vector<Index> gather_;  // interior nodes awaiting their factor (resolve())
};

// Emits the nodes of pieces into a NodeSet.
class PieceEmitter {
 public:
  PieceEmitter(const QuadraturePlan& plan, NodeSet& nodes) : plan_(plan), nodes_(nodes) {}
  // An affine piece [l, r] of u: cut at the u-breaks if needed, end singularities handled;
  // fills u at the emitted nodes and closes the piece (NodeSet::end_piece).  The common case
  // (no singular weight, no cut) is inline: ReLU segments emit ~26 such pieces per pair.
  void affine_piece(double l, double r, const Affine& u) {
    if (r > l && !plan_.singular_any()) {
      const int K_h = plan_.h_nodes(u(l, 1.0 - l), u(r, 1.0 - r));
      if (K_h <= kSplitNodes) {
        interior_affine(l, r, K_h + plan_.interior_degree_nodes(), u);
        nodes_.end_piece();
        return;
      }
    }
    affine_piece_general(l, r, u);
  }

  // Rules of a fixed size (no u): int_l^r (interior), int_0^x (left), int_x^1 (right),
  // int_0^1 (full), each with weights multiplied by sign.
  void interior(double l, double r, int K, double sign);
  void left(double x, int K, double sign);
  void right(double x, int K, double sign);
  void full(int K, double sign);
  // The decomposition of [l, r] into the rules above (near-end logic), with every rule of size
  // K: used by the adaptive integrator for non-affine integrands.
  void fixed_piece(double l, double r, int K);

 private:
  void affine_piece_general(double l, double r, const Affine& u);
  // h_hint: the h-node count of [l, r] if already known (else -1).
  void weighted_piece(double l, double r, const Affine& u, int depth, int h_hint = -1);
  // Interior rule with u filled in at once (the common case of an unsplit piece).
  void interior_affine(double l, double r, int K, const Affine& u) {
    const QuadratureRule& rule = plan_.rules().rule(plan_.legendre_slot(), K);
    const double len = r - l;
    const double oml_r = 1.0 - r;
    const bool constant = plan_.constant_interior();
    const double scale = len * (constant ? plan_.interior_constant() : 1.0);
    const unsigned char kind = constant ? NodeSet::kFinal : NodeSet::kInteriorFactor;
    const double* x = rule.nodes.data();
    const double* xc = rule.one_minus_nodes.data();
    const double* weight = rule.weights.data();
    for (int k = 0; k < K; ++k) {
      const double lam = l + len * x[k];
      const double oml = oml_r + len * xc[k];
      nodes_.push(lam, oml, scale * weight[k], kind);
      nodes_.u[static_cast<std::size_t>(nodes_.size() - 1)] = u(lam, oml);
    }
  }
  void fill_u(Index from, const Affine& u);

  const QuadraturePlan& plan_;
  NodeSet& nodes_;
};

// ---- Adaptive integration of smooth integrands ------------------------------------------------

// sum over the nodes of fixed_piece(l, r, K) of w_k eval(lam_k, oml_k) into out[D] (and, if
// given, of |w_k eval| into abs_out): one Gauss rule of K nodes, end singularities absorbed.
template <class Eval>
void integrate_fixed_rule(const QuadraturePlan& plan, double l, double r, int K, const Eval& eval,
                          NodeSet& nodes, std::vector<double>& out,
                          std::vector<double>* abs_out = nullptr) {
  thread_local std::vector<double> values;
  values.resize(out.size());
  nodes.clear();
  PieceEmitter(plan, nodes).fixed_piece(l, r, K);
  nodes.resolve(plan);
  std::fill(out.begin(), out.end(), 0.0);
  if (abs_out) std::fill(abs_out->begin(), abs_out->end(), 0.0);
  for (Index k = 0; k < nodes.size(); ++k) {
    const auto s = static_cast<std::size_t>(k);
    eval(nodes.lam[s], nodes.oml[s], values.data());
    for (std::size_t d = 0; d < values.size(); ++d) {
      out[d] += nodes.w[s] * values[d];
      if (abs_out) (*abs_out)[d] += std::abs(nodes.w[s] * values[d]);
    }
  }
}

// A piece is accepted when its `low`- and `high`-node results agree to `tolerance` (absolute,
// every component), otherwise bisected, at most `max_depth` times (then the high result is
// taken).  The high rule's own error is then far below the tolerance: Gauss rules converge
// geometrically on analytic integrands.
struct AdaptiveRule {
  int low;
  int high;
  double tolerance;
  int max_depth;
};

// Adds the integral over [l, r] of the vector integrand eval(lam, oml, out[result.size()])
// against the plan's weights to result.  Pieces are processed depth first, left to right: the
// order of the additions is fixed.
template <class Eval>
void adaptive_integral_over(const QuadraturePlan& plan, double l, double r,
                            const AdaptiveRule& rule, const Eval& eval, NodeSet& nodes,
                            std::vector<double>& result) {
  std::vector<double> low(result.size());
  std::vector<double> high(result.size());
  struct Interval {
    double l, r;
    int depth;
  };
  std::vector<Interval> stack = {{l, r, 0}};
  while (!stack.empty()) {
    const Interval piece = stack.back();
    stack.pop_back();
    integrate_fixed_rule(plan, piece.l, piece.r, rule.low, eval, nodes, low);
    integrate_fixed_rule(plan, piece.l, piece.r, rule.high, eval, nodes, high);
    double diff = 0.0;
    for (std::size_t d = 0; d < high.size(); ++d) diff = std::max(diff, std::abs(high[d] - low[d]));
    if (diff <= rule.tolerance || piece.depth >= rule.max_depth) {
      for (std::size_t d = 0; d < high.size(); ++d) result[d] += high[d];
      continue;
    }
    const double mid = piece.l + 0.5 * (piece.r - piece.l);
    stack.push_back({mid, piece.r, piece.depth + 1});
    stack.push_back({piece.l, mid, piece.depth + 1});
  }
}

// ---- Loss integrands at a node ---------------------------------------------------------------

// l(u, yt) with yt the mixed label and omy = 1 - yt (computed without cancellation by the
// caller).  Logistic uses the label form yt h(-u) + (1 - yt) h(u) (no cancellation).
double loss_at(LossKind kind, double u, double yt, double omy);
// h'(u) - yt, logistic as (1 - yt) sigmoid(u) - yt sigmoid(-u).
double residual_at(LossKind kind, double u, double yt, double omy);

// sum_k w_k l(u_k, lam_k y_hi + (1-lam_k) y_lo).  Logistic is evaluated with Eigen's
// vectorised exp and log (log1p(t) as log(s) + (t - (s - 1)) / s with s = 1 + t, exact to an
// ulp or two: s - 1 is exact by Sterbenz's lemma).
double integrate_loss(const QuadraturePlan& plan, NodeSet& nodes, double y_hi, double y_lo);
// out[k] = log1p(exp(-|u[k]|)) and out[k] = sigmoid(u[k]), vectorised as above.  All pointers
// must be aligned to EIGEN_MAX_ALIGN_BYTES (NodeSet arrays are).
void logistic_remainder(const double* u, Index count, double* out, double* work);
void logistic_sigmoid(const double* u, Index count, double* out, double* work);

// ---- Deterministic pair loops -----------------------------------------------------------------

struct Tile {
  Index i0, i1, j0, j1;  // rows [i0, i1) by columns [j0, j1)
  bool diagonal;         // i-block == j-block
};
// Tiles of the upper triangle (i-block <= j-block) or of the whole square, in a fixed order.
std::vector<Tile> make_tiles(Index n, bool upper_only);

// sum over tiles of tile_sum(tile), tiles in parallel, added in tile order.  A single tile runs
// without opening a parallel region (no idle threads spinning at its barrier).
template <class TileSum>
double sum_over_tiles(const std::vector<Tile>& tiles, const TileSum& tile_sum) {
  std::vector<double> partial(tiles.size(), 0.0);
  const auto count = static_cast<long>(tiles.size());
#pragma omp parallel for schedule(dynamic, 1) if (count > 1)
  for (long t = 0; t < count; ++t) partial[static_cast<std::size_t>(t)] = tile_sum(tiles[t]);
  double total = 0.0;
  for (const double s : partial) total += s;
  return total;
}

// Per-tile accumulators for gradients: `rows` (dim x (i1 - i0)) and `cols` (dim x (j1 - j0))
// are contributions to per-point vectors, `global` to the parameters directly.  After all tiles,
// per_point (dim x n) and global are the sums in tile order.
struct TileGradient {
  Eigen::MatrixXd rows, cols;
  Eigen::VectorXd global;
};
template <class TileFn>
void accumulate_over_tiles(const std::vector<Tile>& tiles, Index dim, Index global_dim, Index n,
                           const TileFn& tile_fn, Eigen::MatrixXd& per_point,
                           Eigen::VectorXd& global) {
  std::vector<TileGradient> parts(tiles.size());
  const auto count = static_cast<long>(tiles.size());
#pragma omp parallel for schedule(dynamic, 1) if (count > 1)
  for (long t = 0; t < count; ++t) {
    const Tile& tile = tiles[static_cast<std::size_t>(t)];
    TileGradient& part = parts[static_cast<std::size_t>(t)];
    part.rows = Eigen::MatrixXd::Zero(dim, tile.i1 - tile.i0);
    part.cols = Eigen::MatrixXd::Zero(dim, tile.j1 - tile.j0);
    part.global = Eigen::VectorXd::Zero(global_dim);
    tile_fn(tile, part);
  }
  per_point = Eigen::MatrixXd::Zero(dim, n);
  global = Eigen::VectorXd::Zero(global_dim);
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    const Tile& tile = tiles[t];
    per_point.middleCols(tile.i0, tile.i1 - tile.i0) += parts[t].rows;
    per_point.middleCols(tile.j0, tile.j1 - tile.j0) += parts[t].cols;
    global += parts[t].global;
  }
}

// ---- The scalar engine (linear models, manifold mixup) ---------------------------------------

enum class MixupForm { kEq1, kEq9 };
enum class ScalarPath { kAuto, kDirect, kChebyshev };

// L of Eq. (1) or (9) for a model whose output at a mixed point is lam f_i + (1-lam) f_j.
double scalar_mixup_loss(const Eigen::VectorXd& f, const Eigen::VectorXd& y, LossKind loss,
                         MixingLaw law, MixupForm form, ScalarPath path = ScalarPath::kAuto);
// Eq. (9) with the perturbation scaled by s (exact_mixup_loss_dtilde_scaled): the segment of
// the ordered pair (i, j) runs from f_i + s (f_j - f_i) (lam = 0) to f_i (lam = 1).  Direct path
// only: for s != 1 the kernel has singularities that move with the other point.
double scalar_mixup_loss_dtilde_scaled(const Eigen::VectorXd& f, const Eigen::VectorXd& y,
                                       LossKind loss, MixingLaw law, double s);
// dL/df_i of Eq. (1), i = 1..n.
Eigen::VectorXd scalar_mixup_loss_df(const Eigen::VectorXd& f, const Eigen::VectorXd& y,
                                     LossKind loss, MixingLaw law,
                                     ScalarPath path = ScalarPath::kAuto);

// The Chebyshev cells of the logistic kernel on [-R, R] (see mixup_exact_scalar.cpp).
struct ChebyshevCell {
  double lo;
  double hi;
  int degree;  // number of interpolation points
};
std::vector<ChebyshevCell> chebyshev_partition(double R);
// The path kAuto takes for n points with max |f_i| = R and this loss.
ScalarPath choose_scalar_path(Index n, double R, LossKind loss);

// ---- Nets ---------------------------------------------------------------------------------------

// For MixupForm::kEq9, scale s != 1 gives exact_mixup_loss_dtilde_scaled: the segment of the
// ordered pair (i, j) starts at x_i + s (x_j - x_i) instead of x_j.
double relu2_mixup_loss(const ReluTwoLayer& net, LossKind loss, const Dataset& data, MixingLaw law,
                        MixupForm form, double scale = 1.0);
Eigen::VectorXd relu2_mixup_loss_gradient(const ReluTwoLayer& net, LossKind loss,
                                          const Dataset& data, MixingLaw law);
double relu_deep_mixup_loss(const ReluDeep& net, LossKind loss, const Dataset& data, MixingLaw law,
                            MixupForm form, double scale = 1.0);
Eigen::VectorXd relu_deep_mixup_loss_gradient(const ReluDeep& net, LossKind loss,
                                              const Dataset& data, MixingLaw law);
double smooth2_mixup_loss(const SmoothTwoLayer& net, LossKind loss, const Dataset& data,
                          MixingLaw law, MixupForm form, double scale = 1.0);
Eigen::VectorXd smooth2_mixup_loss_gradient(const SmoothTwoLayer& net, LossKind loss,
                                            const Dataset& data, MixingLaw law);

// (1/n^2) sum_i l(f_i, y_i): the i = j terms of both forms.
double diagonal_loss_sum(LossKind loss, const Eigen::VectorXd& f, const Eigen::VectorXd& y);

}  // namespace mixup::exact_detail
