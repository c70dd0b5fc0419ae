// The exact mixup loss for nets: two-layer ReLU, deep ReLU (no biases) and two-layer nets with a
// smooth activation.
//
// ReLU nets.  On the segment x(lam) = lam x_i + (1-lam) x_j the first layer's pre-activations
// are the mix of two precomputed vectors, z(lam) = Z_j + lam (Z_i - Z_j); unit k switches at
// lam_k = Z_jk / (Z_jk - Z_ik) when the two signs differ.  Between switches the output is
// affine in lam: for the two-layer net u = theta0 + sum_{k active} theta1_k z_k(lam), updated in
// O(1) per switch.  For the deep net the pieces are found layer by layer: within a piece of
// layer l the activations are affine, so layer l+1's pre-activations are affine there and their
// sign changes cut it further.  Every piece is then integrated as in
// core/mixup_exact_internal.hpp (exact for the affine structure, graded about the turn of h).
//
// Gradients.  With g(lam) = h'(u(lam)) - mixed label and W(lam) the summed weight of the two
// orderings, each piece contributes its moments m0 = int g W and m1 = int g lam W, and the
// parameter gradient of f on the piece is affine in lam:
//   two-layer:  d/dW_k = theta1_k x(lam) [k active],  d/db_k = theta1_k [k active],
//               d/dtheta1_k = relu(z_k(lam)),  d/dtheta0 = 1;
//   deep:       d/dW_l = delta_l a_{l-1}(lam)^T,  d/dbeta = a_L(lam), delta_l the (piecewise
//               constant) back-propagated output weights.
// A unit's active set on the segment is one interval, so its moments are prefix sums of the
// piece moments.  Contributions to W through x(lam) = lam x_i + (1-lam) x_j are collected per
// point (A_i) and multiplied by X once at the end.
//
// Smooth nets.  f(x(lam)) is analytic but not affine; each pair is integrated adaptively:
// a piece is accepted when its kAdaptiveLow- and kAdaptiveHigh-node results agree to
// kAdaptiveTolerance of the pair's scale, otherwise bisected.

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/mixup_exact_internal.hpp"

namespace mixup::exact_detail {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// Adaptive rule sizes for smooth nets, and the acceptance threshold: the two rule results agree
// to this fraction of the pair's scale (the integral of |integrand|).  The higher rule's own
// error is then far smaller (Gauss rules converge geometrically).
constexpr int kAdaptiveLow = 12;
constexpr int kAdaptiveHigh = 20;
constexpr double kAdaptiveTolerance = 1e-14;
// Bisection depth limit (a 2^-50 piece); never reached for these analytic integrands, and a
// piece at the limit is accepted with its higher-rule value.
constexpr int kAdaptiveMaxDepth = 50;

double nn_of(Index n) {
  return static_cast<double>(n) * static_cast<double>(n);
}

// ---- Two-layer ReLU -------------------------------------------------------------------------

struct Kink {
  double lam;
  int unit;
  bool operator<(const Kink& other) const { return lam < other.lam; }
};

// The pieces of one pair of a two-layer ReLU net.
class Relu2Segment {
 public:
  Relu2Segment(const ReluTwoLayer& net, const MatrixXd& Zt)
      : theta1_(net.theta1().data()),
        theta0_(net.theta0()),
        Zt_(Zt),
        active0_(static_cast<std::size_t>(Zt.rows())),
        on_(static_cast<std::size_t>(Zt.rows())),
        kinks_(static_cast<std::size_t>(Zt.rows())) {}

  // Emits the pieces of the segment from x_lo (lam = 0) to x_hi (lam = 1), one affine piece
  // between consecutive switches, and records the switches in lam order (kink(s)) and which
  // units are active at lam = 0+ (active0()); piece s ends at kink(s).
  void emit(Index hi, Index lo, PieceEmitter& emitter) {
    emit_points(Zt_.col(hi).data(), Zt_.col(lo).data(), emitter);
  }

  // The same for the segment whose first-layer pre-activations are z0 at lam = 0 and z1 at
  // lam = 1.
  void emit_points(const double* z1, const double* z0, PieceEmitter& emitter) {
    const Index m = Zt_.rows();
    const double* th = theta1_;
    // alpha + beta lam = theta0 + sum_{k active near 0} theta1_k z_k(lam), accumulated in two
    // interleaved partial sums (even and odd k) to halve the dependency chain.
    double alpha_sum[2] = {theta0_, 0.0};
    double beta_sum[2] = {0.0, 0.0};
    std::size_t count = 0;
    // Branch-free: the signs are random, so branches would mispredict half the time.
    for (Index k = 0; k < m; ++k) {
      const double a = z0[k];
      const double b = z1[k];
      const double d = b - a;
      const bool on = (a > 0.0) | ((a == 0.0) & (d > 0.0));
      const double weight = on ? th[k] : 0.0;
      active0_[static_cast<std::size_t>(k)] = static_cast<char>(on);
      alpha_sum[k & 1] += weight * a;
      beta_sum[k & 1] += weight * d;
      const bool switches = ((a > 0.0) & (b < 0.0)) | ((a < 0.0) & (b > 0.0));
      kinks_[count] = {a / (a - b), static_cast<int>(k)};
      count += static_cast<std::size_t>(switches);
    }
    double alpha = alpha_sum[0] + alpha_sum[1];
    double beta = beta_sum[0] + beta_sum[1];
    kink_count_ = count;
    sort_kinks(count);
    std::copy(active0_.begin(), active0_.end(), on_.begin());
    double from = 0.0;
    for (std::size_t s = 0; s < count; ++s) {
      const Kink& kink = kinks_[s];
      emitter.affine_piece(from, kink.lam, Affine{alpha, alpha + beta, beta});
      const auto k = static_cast<std::size_t>(kink.unit);
      const double sign = on_[k] ? -1.0 : 1.0;
      alpha += sign * th[k] * z0[k];
      beta += sign * th[k] * (z1[k] - z0[k]);
      on_[k] = static_cast<char>(!on_[k]);
      from = kink.lam;
    }
    emitter.affine_piece(from, 1.0, Affine{alpha, alpha + beta, beta});
  }

  // Sorts kinks_[0, count) by lam: a counting sort into kBuckets buckets of [0, 1) followed by
  // an insertion sort of the nearly sorted result (few, predictable branches; std::sort's
  // comparisons on random switch points mispredict about half the time).
  void sort_kinks(std::size_t count) {
    constexpr int kBuckets = 64;
    int start[kBuckets + 1] = {};
    bucket_.resize(kinks_.size());
    for (std::size_t s = 0; s < count; ++s) {
      const int b = std::min(kBuckets - 1, static_cast<int>(kinks_[s].lam * kBuckets));
      bucket_[s] = b;
      ++start[b + 1];
    }
    for (int b = 0; b < kBuckets; ++b) start[b + 1] += start[b];
    sorted_.resize(kinks_.size());
    for (std::size_t s = 0; s < count; ++s) {
      sorted_[static_cast<std::size_t>(start[bucket_[s]]++)] = kinks_[s];
    }
    for (std::size_t s = 1; s < count; ++s) {
      const Kink moving = sorted_[s];
      std::size_t t = s;
      for (; t > 0 && moving.lam < sorted_[t - 1].lam; --t) sorted_[t] = sorted_[t - 1];
      sorted_[t] = moving;
    }
    std::copy(sorted_.begin(), sorted_.begin() + static_cast<std::ptrdiff_t>(count),
              kinks_.begin());
  }

  std::size_t kink_count() const { return kink_count_; }
  const Kink& kink(std::size_t s) const { return kinks_[s]; }
  const std::vector<char>& active0() const { return active0_; }

 private:
  const double* theta1_;
  double theta0_;
  const MatrixXd& Zt_;
  std::vector<char> active0_;
  std::vector<char> on_;
  std::vector<Kink> kinks_;  // the first kink_count_ entries are this segment's switches
  std::size_t kink_count_ = 0;
  std::vector<int> bucket_;
  std::vector<Kink> sorted_;
};

// Per-piece moments m0 = sum w g, m1 = sum w g lam of the residual g over a pair's nodes.
void piece_moments(const QuadraturePlan& plan, NodeSet& nodes, double y_hi, double y_lo,
                   std::vector<double>& m0, std::vector<double>& m1) {
  nodes.resolve(plan);
  const LossKind loss = plan.loss();
  m0.assign(nodes.piece_end.size(), 0.0);
  m1.assign(nodes.piece_end.size(), 0.0);
  Index k = 0;
  for (std::size_t p = 0; p < nodes.piece_end.size(); ++p) {
    for (; k < nodes.piece_end[p]; ++k) {
      const auto s = static_cast<std::size_t>(k);
      const double lam = nodes.lam[s];
      const double oml = nodes.oml[s];
      const double yt = y_hi * lam + y_lo * oml;
      const double omy = (1.0 - y_hi) * lam + (1.0 - y_lo) * oml;
      const double g = nodes.w[s] * residual_at(loss, nodes.u[s], yt, omy);
      m0[p] += g;
      m1[p] += g * lam;
    }
  }
}

// The start (lam = 0) of the Eq. (9) segment of the ordered pair (i, j) at perturbation scale s:
// x_i + s (x_j - x_i), so that lam x_i + (1-lam) start = x_i + s (1-lam) (x_j - x_i).  At s = 1 it
// is x_j itself (no rounding).
VectorXd scaled_start(const double* own, const double* other, Index size, double scale) {
  VectorXd start(size);
  for (Index k = 0; k < size; ++k) {
    start(k) = scale == 1.0 ? other[k] : own[k] + scale * (other[k] - own[k]);
  }
  return start;
}

double fixed_label_integral(const QuadraturePlan& plan, NodeSet& nodes, double y) {
  nodes.resolve(plan);
  const LossKind loss = plan.loss();
  double s = 0.0;
  for (Index k = 0; k < nodes.size(); ++k) {
    const auto q = static_cast<std::size_t>(k);
    s += nodes.w[q] * loss_value(loss, nodes.u[q], y);
  }
  return s;
}

// ---- Deep ReLU ----------------------------------------------------------------------------------

// Splits the segment into pieces on which the net is affine, layer by layer, and calls
// piece(lo, hi, f_lo, f_hi) for each, in increasing lam.
class DeepSegment {
 public:
  explicit DeepSegment(const ReluDeep& net) : net_(net) {}

  template <class PieceFn>
  void run(const VectorXd& x_hi, const VectorXd& x_lo, const PieceFn& piece) const {
    recurse(0, 0.0, 1.0, x_lo, x_hi, piece);
  }

 private:
  template <class PieceFn>
  void recurse(std::size_t layer, double lo, double hi, const VectorXd& a_lo, const VectorXd& a_hi,
               const PieceFn& piece) const {
    const MatrixXd& W = net_.weights()[layer];
    const VectorXd z_lo = W * a_lo;
    const VectorXd z_hi = W * a_hi;
    std::vector<double> cuts = {lo};
    for (Index k = 0; k < z_lo.size(); ++k) {
      if ((z_lo(k) > 0.0 && z_hi(k) < 0.0) || (z_lo(k) < 0.0 && z_hi(k) > 0.0)) {
        const double t = z_lo(k) / (z_lo(k) - z_hi(k));
        const double at = lo + (hi - lo) * t;
        if (at > lo && at < hi) cuts.push_back(at);
      }
    }
    std::sort(cuts.begin() + 1, cuts.end());
    cuts.push_back(hi);
    const bool last = layer + 1 == net_.weights().size();
    for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
      const double p = cuts[c];
      const double q = cuts[c + 1];
      if (!(q > p)) continue;
      const double tp = (p - lo) / (hi - lo);
      const double tq = (q - lo) / (hi - lo);
      const VectorXd zp = (1.0 - tp) * z_lo + tp * z_hi;
      const VectorXd zq = (1.0 - tq) * z_lo + tq * z_hi;
      const auto mask = ((zp + zq).array() > 0.0).cast<double>();
      const VectorXd ap = (zp.array() * mask).matrix();
      const VectorXd aq = (zq.array() * mask).matrix();
      if (last) {
        piece(p, q, net_.beta().dot(ap), net_.beta().dot(aq));
      } else {
        recurse(layer + 1, p, q, ap, aq, piece);
      }
    }
  }

  const ReluDeep& net_;
};

// Gradient of f at lam = mid of a piece and its slope in lam, accumulated with the piece's
// moments: grad += d f / d theta (x(mid)) m0 + (d/dlam of it) (m1 - mid m0).
void add_deep_piece_gradient(const ReluDeep& net, const VectorXd& x_hi, const VectorXd& x_lo,
                             double mid, double m0, double m1, double* grad) {
  const auto& weights = net.weights();
  const std::size_t L = weights.size();
  std::vector<VectorXd> act(L + 1), slope(L + 1), mask(L);
  act[0] = mid * x_hi + (1.0 - mid) * x_lo;
  slope[0] = x_hi - x_lo;
  for (std::size_t l = 0; l < L; ++l) {
    const VectorXd z = weights[l] * act[l];
    mask[l] = (z.array() > 0.0).cast<double>().matrix();
    act[l + 1] = z.cwiseProduct(mask[l]);
    slope[l + 1] = (weights[l] * slope[l]).cwiseProduct(mask[l]);
  }
  const double m1c = m1 - mid * m0;
  // delta_L = beta .* mask_L; delta_{l-1} = (W_l^T delta_l) .* mask_{l-1}.
  std::vector<VectorXd> delta(L);
  delta[L - 1] = net.beta().cwiseProduct(mask[L - 1]);
  for (std::size_t l = L - 1; l > 0; --l) {
    delta[l - 1] = (weights[l].transpose() * delta[l]).cwiseProduct(mask[l - 1]);
  }
  Index at = 0;
  for (std::size_t l = 0; l < L; ++l) {
    const Index rows = weights[l].rows();
    const Index cols = weights[l].cols();
    const VectorXd coef = act[l] * m0 + slope[l] * m1c;
    Eigen::Map<MatrixXd> G(grad + at, rows, cols);
    G.noalias() += delta[l] * coef.transpose();
    at += rows * cols;
  }
  Eigen::Map<VectorXd> g_beta(grad + at, net.beta().size());
  g_beta += act[L] * m0 + slope[L] * m1c;
}

// ---- Smooth two-layer ---------------------------------------------------------------------------

struct SmoothActivationValues {
  double s;
  double ds;
};

SmoothActivationValues activate(SmoothActivation kind, double z) {
  if (kind == SmoothActivation::kTanh) {
    const double t = std::tanh(z);
    return {t, 1.0 - t * t};
  }
  const double e = std::exp(-std::abs(z));
  const double s = std::max(z, 0.0) + std::log1p(e);
  const double ds = z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  return {s, ds};
}

// Adaptive integration over [0, 1] of a vector integrand eval(lam, oml, out[D]) against the
// plan's weights.  result[D] receives the integral.  The tolerance is kAdaptiveTolerance times
// the integral of |integrand| estimated by one kAdaptiveHigh-node rule.
template <class Eval>
void adaptive_integral(const QuadraturePlan& plan, int D, const Eval& eval, NodeSet& nodes,
                       std::vector<double>& result) {
  std::vector<double> high(static_cast<std::size_t>(D));
  std::vector<double> magnitude(static_cast<std::size_t>(D));
  integrate_fixed_rule(plan, 0.0, 1.0, kAdaptiveHigh, eval, nodes, high, &magnitude);
  double scale = 0.0;
  for (const double m : magnitude) scale = std::max(scale, m);
  result.assign(static_cast<std::size_t>(D), 0.0);
  const AdaptiveRule rule{kAdaptiveLow, kAdaptiveHigh, kAdaptiveTolerance * scale,
                          kAdaptiveMaxDepth};
  adaptive_integral_over(plan, 0.0, 1.0, rule, eval, nodes, result);
}

}  // namespace

// ---- Two-layer ReLU: value and gradient ---------------------------------------------------------

double relu2_mixup_loss(const ReluTwoLayer& net, LossKind loss, const Dataset& data, MixingLaw law,
                        MixupForm form, double scale) {
  const Index n = data.n();
  const MatrixXd Zt = net.pre_activations(data.X).transpose();
  const VectorXd f = net.f(data.X);
  const VectorXd& y = data.y;
  const bool eq1 = form == MixupForm::kEq1;
  const QuadraturePlan plan(loss, eq1 ? eq1_unordered_channels(law) : eq9_ordered_channels(law));
  const double pairs = sum_over_tiles(make_tiles(n, eq1), [&](const Tile& tile) {
    NodeSet nodes;
    Relu2Segment segment(net, Zt);
    double sum = 0.0;
    for (Index i = tile.i0; i < tile.i1; ++i) {
      for (Index j = (eq1 && tile.diagonal) ? i + 1 : tile.j0; j < tile.j1; ++j) {
        if (i == j) continue;
        nodes.clear();
        PieceEmitter emitter(plan, nodes);
        if (scale == 1.0) {
          segment.emit(i, j, emitter);
        } else {
          const VectorXd start = scaled_start(Zt.col(i).data(), Zt.col(j).data(), Zt.rows(), scale);
          segment.emit_points(Zt.col(i).data(), start.data(), emitter);
        }
        sum +=
            eq1 ? integrate_loss(plan, nodes, y(i), y(j)) : fixed_label_integral(plan, nodes, y(i));
      }
    }
    return sum;
  });
  return pairs / nn_of(n) + diagonal_loss_sum(loss, f, y);
}

VectorXd relu2_mixup_loss_gradient(const ReluTwoLayer& net, LossKind loss, const Dataset& data,
                                   MixingLaw law) {
  const Index n = data.n();
  const Index m = net.W().rows();
  const MatrixXd Zt = net.pre_activations(data.X).transpose();
  const VectorXd f = net.f(data.X);
  const VectorXd& y = data.y;
  const VectorXd& theta1 = net.theta1();
  const QuadraturePlan plan(loss, eq1_unordered_channels(law));
  // global: [d/db (m); d/dtheta1 (m); d/dtheta0 (1)].
  MatrixXd A;  // m x n: the coefficients of x_i in d/dW
  VectorXd global;
  accumulate_over_tiles(
      make_tiles(n, true), m, 2 * m + 1, n,
      [&](const Tile& tile, TileGradient& part) {
        NodeSet nodes;
        Relu2Segment segment(net, Zt);
        std::vector<double> m0, m1, prefix0, prefix1;
        for (Index i = tile.i0; i < tile.i1; ++i) {
          for (Index j = tile.diagonal ? i + 1 : tile.j0; j < tile.j1; ++j) {
            nodes.clear();
            PieceEmitter emitter(plan, nodes);
            segment.emit(i, j, emitter);
            piece_moments(plan, nodes, y(i), y(j), m0, m1);
            const std::size_t pieces = m0.size();
            prefix0.assign(pieces + 1, 0.0);
            prefix1.assign(pieces + 1, 0.0);
            for (std::size_t p = 0; p < pieces; ++p) {
              prefix0[p + 1] = prefix0[p] + m0[p];
              prefix1[p + 1] = prefix1[p] + m1[p];
            }
            const double total0 = prefix0[pieces];
            const double total1 = prefix1[pieces];
            // Per unit: moments over its active interval.
            std::vector<double> unit0(static_cast<std::size_t>(m), 0.0);
            std::vector<double> unit1(static_cast<std::size_t>(m), 0.0);
            for (Index k = 0; k < m; ++k) {
              if (segment.active0()[static_cast<std::size_t>(k)]) {
                unit0[static_cast<std::size_t>(k)] = total0;
                unit1[static_cast<std::size_t>(k)] = total1;
              }
            }
            for (std::size_t s = 0; s < segment.kink_count(); ++s) {
              const auto k = static_cast<std::size_t>(segment.kink(s).unit);
              // The switch closes piece s: pieces 0..s lie before it.
              const double before0 = prefix0[s + 1];
              const double before1 = prefix1[s + 1];
              if (segment.active0()[k]) {
                unit0[k] = before0;
                unit1[k] = before1;
              } else {
                unit0[k] = total0 - before0;
                unit1[k] = total1 - before1;
              }
            }
            const double* z0 = Zt.col(j).data();
            const double* z1 = Zt.col(i).data();
            for (Index k = 0; k < m; ++k) {
              const auto s = static_cast<std::size_t>(k);
              if (unit0[s] == 0.0 && unit1[s] == 0.0) continue;
              part.rows(k, i - tile.i0) += theta1(k) * unit1[s];
              part.cols(k, j - tile.j0) += theta1(k) * (unit0[s] - unit1[s]);
              part.global(k) += theta1(k) * unit0[s];
              part.global(m + k) += z0[k] * unit0[s] + (z1[k] - z0[k]) * unit1[s];
            }
            part.global(2 * m) += total0;
          }
        }
      },
      A, global);
  // The i = j terms: (h'(f_i) - y_i) grad_theta f(x_i).
  VectorXd residual(n);
  for (Index i = 0; i < n; ++i) residual(i) = loss_dh(loss, f(i)) - y(i);
  VectorXd grad = net.grad_theta(data.X).transpose() * residual;
  const Index w_size = net.W().size();
  Eigen::Map<MatrixXd>(grad.data(), m, data.d()) += A * data.X;
  grad.segment(w_size, 2 * m + 1) += global;
  return grad / nn_of(n);
}

// ---- Deep ReLU ----------------------------------------------------------------------------------

double relu_deep_mixup_loss(const ReluDeep& net, LossKind loss, const Dataset& data, MixingLaw law,
                            MixupForm form, double scale) {
  const Index n = data.n();
  const VectorXd f = net.f(data.X);
  const MatrixXd Xt = data.X.transpose();
  const VectorXd& y = data.y;
  const bool eq1 = form == MixupForm::kEq1;
  const QuadraturePlan plan(loss, eq1 ? eq1_unordered_channels(law) : eq9_ordered_channels(law));
  const DeepSegment segment(net);
  const double pairs = sum_over_tiles(make_tiles(n, eq1), [&](const Tile& tile) {
    NodeSet nodes;
    double sum = 0.0;
    for (Index i = tile.i0; i < tile.i1; ++i) {
      for (Index j = (eq1 && tile.diagonal) ? i + 1 : tile.j0; j < tile.j1; ++j) {
        if (i == j) continue;
        nodes.clear();
        PieceEmitter emitter(plan, nodes);
        const VectorXd start = scaled_start(Xt.col(i).data(), Xt.col(j).data(), Xt.rows(), scale);
        segment.run(Xt.col(i), start, [&](double lo, double hi, double f_lo, double f_hi) {
          emitter.affine_piece(lo, hi, Affine::from_piece(lo, hi, f_lo, f_hi));
        });
        sum +=
            eq1 ? integrate_loss(plan, nodes, y(i), y(j)) : fixed_label_integral(plan, nodes, y(i));
      }
    }
    return sum;
  });
  return pairs / nn_of(n) + diagonal_loss_sum(loss, f, y);
}

VectorXd relu_deep_mixup_loss_gradient(const ReluDeep& net, LossKind loss, const Dataset& data,
                                       MixingLaw law) {
  const Index n = data.n();
  const Index P = net.parameter_count();
  const VectorXd f = net.f(data.X);
  const MatrixXd Xt = data.X.transpose();
  const VectorXd& y = data.y;
  const QuadraturePlan plan(loss, eq1_unordered_channels(law));
  const DeepSegment segment(net);
  MatrixXd unused;
  VectorXd pairs;
  accumulate_over_tiles(
      make_tiles(n, true), 0, P, n,
      [&](const Tile& tile, TileGradient& part) {
        NodeSet nodes;
        std::vector<std::pair<double, double>> bounds;
        std::vector<double> m0, m1;
        for (Index i = tile.i0; i < tile.i1; ++i) {
          for (Index j = tile.diagonal ? i + 1 : tile.j0; j < tile.j1; ++j) {
            nodes.clear();
            bounds.clear();
            PieceEmitter emitter(plan, nodes);
            segment.run(Xt.col(i), Xt.col(j), [&](double lo, double hi, double f_lo, double f_hi) {
              emitter.affine_piece(lo, hi, Affine::from_piece(lo, hi, f_lo, f_hi));
              bounds.emplace_back(lo, hi);
            });
            piece_moments(plan, nodes, y(i), y(j), m0, m1);
            for (std::size_t p = 0; p < bounds.size(); ++p) {
              const double mid = 0.5 * (bounds[p].first + bounds[p].second);
              add_deep_piece_gradient(net, Xt.col(i), Xt.col(j), mid, m0[p], m1[p],
                                      part.global.data());
            }
          }
        }
      },
      unused, pairs);
  VectorXd residual(n);
  for (Index i = 0; i < n; ++i) residual(i) = loss_dh(loss, f(i)) - y(i);
  const VectorXd grad = net.grad_theta(data.X).transpose() * residual + pairs;
  return grad / nn_of(n);
}

// ---- Smooth two-layer -------------------------------------------------------------------------

double smooth2_mixup_loss(const SmoothTwoLayer& net, LossKind loss, const Dataset& data,
                          MixingLaw law, MixupForm form, double scale) {
  const Index n = data.n();
  const Index m = net.W().rows();
  MatrixXd Zt = (data.X * net.W().transpose()).transpose();
  Zt.colwise() += net.b();
  const VectorXd f = net.f(data.X);
  const VectorXd& y = data.y;
  const VectorXd& theta1 = net.theta1();
  const double theta0 = net.theta0();
  const SmoothActivation kind = net.activation();
  const bool eq1 = form == MixupForm::kEq1;
  const QuadraturePlan plan(loss, eq1 ? eq1_unordered_channels(law) : eq9_ordered_channels(law));
  const double pairs = sum_over_tiles(make_tiles(n, eq1), [&](const Tile& tile) {
    NodeSet nodes;
    std::vector<double> result;
    double sum = 0.0;
    for (Index i = tile.i0; i < tile.i1; ++i) {
      for (Index j = (eq1 && tile.diagonal) ? i + 1 : tile.j0; j < tile.j1; ++j) {
        if (i == j) continue;
        const double* z1 = Zt.col(i).data();
        const VectorXd start = scaled_start(z1, Zt.col(j).data(), m, scale);
        const double* z0 = start.data();
        const auto eval = [&](double lam, double oml, double* out) {
          double u = theta0;
          for (Index k = 0; k < m; ++k)
            u += theta1(k) * activate(kind, oml * z0[k] + lam * z1[k]).s;
          if (eq1) {
            const double yt = y(i) * lam + y(j) * oml;
            const double omy = (1.0 - y(i)) * lam + (1.0 - y(j)) * oml;
            out[0] = loss_at(loss, u, yt, omy);
          } else {
            out[0] = loss_value(loss, u, y(i));
          }
        };
        adaptive_integral(plan, 1, eval, nodes, result);
        sum += result[0];
      }
    }
    return sum;
  });
  return pairs / nn_of(n) + diagonal_loss_sum(loss, f, y);
}

VectorXd smooth2_mixup_loss_gradient(const SmoothTwoLayer& net, LossKind loss, const Dataset& data,
                                     MixingLaw law) {
  const Index n = data.n();
  const Index m = net.W().rows();
  MatrixXd Zt = (data.X * net.W().transpose()).transpose();
  Zt.colwise() += net.b();
  const VectorXd f = net.f(data.X);
  const VectorXd& y = data.y;
  const VectorXd& theta1 = net.theta1();
  const double theta0 = net.theta0();
  const SmoothActivation kind = net.activation();
  const QuadraturePlan plan(loss, eq1_unordered_channels(law));
  const int D = static_cast<int>(3 * m + 1);
  MatrixXd A;
  VectorXd global;
  accumulate_over_tiles(
      make_tiles(n, true), m, 2 * m + 1, n,
      [&](const Tile& tile, TileGradient& part) {
        NodeSet nodes;
        std::vector<double> result;
        std::vector<SmoothActivationValues> act(static_cast<std::size_t>(m));
        for (Index i = tile.i0; i < tile.i1; ++i) {
          for (Index j = tile.diagonal ? i + 1 : tile.j0; j < tile.j1; ++j) {
            const double* z1 = Zt.col(i).data();
            const double* z0 = Zt.col(j).data();
            // out = [g theta1 s' lam (m); g theta1 s' (1-lam) (m); g s (m); g]
            const auto eval = [&](double lam, double oml, double* out) {
              double u = theta0;
              for (Index k = 0; k < m; ++k) {
                act[static_cast<std::size_t>(k)] = activate(kind, oml * z0[k] + lam * z1[k]);
                u += theta1(k) * act[static_cast<std::size_t>(k)].s;
              }
              const double yt = y(i) * lam + y(j) * oml;
              const double omy = (1.0 - y(i)) * lam + (1.0 - y(j)) * oml;
              const double g = residual_at(loss, u, yt, omy);
              for (Index k = 0; k < m; ++k) {
                const SmoothActivationValues& a = act[static_cast<std::size_t>(k)];
                const double c = g * theta1(k) * a.ds;
                out[k] = c * lam;
                out[m + k] = c * oml;
                out[2 * m + k] = g * a.s;
              }
              out[3 * m] = g;
            };
            adaptive_integral(plan, D, eval, nodes, result);
            for (Index k = 0; k < m; ++k) {
              const double to_i = result[static_cast<std::size_t>(k)];
              const double to_j = result[static_cast<std::size_t>(m + k)];
              part.rows(k, i - tile.i0) += to_i;
              part.cols(k, j - tile.j0) += to_j;
              part.global(k) += to_i + to_j;
              part.global(m + k) += result[static_cast<std::size_t>(2 * m + k)];
            }
            part.global(2 * m) += result[static_cast<std::size_t>(3 * m)];
          }
        }
      },
      A, global);
  VectorXd residual(n);
  for (Index i = 0; i < n; ++i) residual(i) = loss_dh(loss, f(i)) - y(i);
  VectorXd grad = net.grad_theta(data.X).transpose() * residual;
  Eigen::Map<MatrixXd>(grad.data(), m, data.d()) += A * data.X;
  grad.segment(net.W().size(), 2 * m + 1) += global;
  return grad / nn_of(n);
}

}  // namespace mixup::exact_detail
