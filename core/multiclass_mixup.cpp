// The exact multi-class mixup loss (Eq. 1, Eq. 9) and its quadratic approximation; see
// core/multiclass_mixup.hpp.  The quadrature machinery (channels, Gauss rules with the Beta
// weight's end singularities absorbed, adaptive bisection, fixed tiles) is the exact engine's
// (core/mixup_exact_internal.hpp).

#include "core/multiclass_mixup.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/mixing.hpp"
#include "core/mixup_exact_internal.hpp"
#include "core/parallel.hpp"

namespace mixup {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using exact_detail::AdaptiveRule;
using exact_detail::MixupForm;
using exact_detail::NodeSet;
using exact_detail::QuadraturePlan;
using exact_detail::Tile;

// Gauss rule sizes compared on each piece, the agreement asked for (relative to max(1, |logits|)
// at the pair's ends: the rounding floor of logsumexp(u) - t^T u is a few ulps of |u|), and the
// bisection limit.
constexpr int kLowNodes = 6;
constexpr int kHighNodes = 12;
constexpr double kPairTolerance = 1e-14;
constexpr int kMaxDepth = 40;

void require_supported(const Classifier& model, const MulticlassDataset& data, const char* what) {
  model.require_inputs(data.d(), what);
  if (model.hidden_layers() > 1) {
    throw DomainError(std::string(what) + ": supports softmax regression and one hidden layer; " +
                      model.describe() + " has " + std::to_string(model.hidden_layers()));
  }
  if (data.classes != model.classes()) {
    throw DomainError(std::string(what) + ": the data has " + std::to_string(data.classes) +
                      " classes, the model " + std::to_string(model.classes()) + " outputs");
  }
  if (data.n() < 1) throw DomainError(std::string(what) + ": no data");
}

// logsumexp(u) - lam u[hi_label] - oml u[lo_label]  (lam + oml = 1): the loss at logits u with
// the mixed one-hot label lam e_hi + oml e_lo, in the shifted form that avoids cancellation.
double mixed_cross_entropy(const double* u, Index K, double lam, double oml, int hi_label,
                           int lo_label) {
  double m = u[0];
  for (Index k = 1; k < K; ++k) m = std::max(m, u[k]);
  double sum = 0.0;
  for (Index k = 0; k < K; ++k) sum += std::exp(u[k] - m);
  return std::log(sum) + lam * (m - u[hi_label]) + oml * (m - u[lo_label]);
}

// The logits along one pair's segment, piece by piece: u(lam) = C + lam D on each piece.
// Layer 1 pre-activations run from z_lo (lam = 0) to z_hi (lam = 1); the pieces end where a
// hidden unit changes sign.
class MulticlassSegment {
 public:
  explicit MulticlassSegment(const Classifier& model) : model_(model) {
    const Index K = model.classes();
    C_.resize(K);
    D_.resize(K);
  }

  // Softmax regression: one piece, from the logits at both ends.
  template <class PieceFn>
  void walk_linear(const double* f_hi, const double* f_lo, const PieceFn& piece) {
    const Index K = C_.size();
    for (Index k = 0; k < K; ++k) {
      C_(k) = f_lo[k];
      D_(k) = f_hi[k] - f_lo[k];
    }
    piece(0.0, 1.0, C_, D_);
  }

  // One hidden layer: z_hi, z_lo are the hidden pre-activations at the two ends.
  template <class PieceFn>
  void walk_relu(const double* z_hi, const double* z_lo, const PieceFn& piece) {
    const DenseLayer& out = model_.layers()[1];
    const Index m = out.W.cols();
    C_ = out.b;
    D_.setZero();
    kinks_.clear();
    on_.assign(static_cast<std::size_t>(m), 0);
    for (Index k = 0; k < m; ++k) {
      const double a = z_lo[k];
      const double d = z_hi[k] - a;
      const bool on = a > 0.0 || (a == 0.0 && d > 0.0);
      on_[static_cast<std::size_t>(k)] = on;
      if (on) {
        C_ += out.W.col(k) * a;
        D_ += out.W.col(k) * d;
      }
      if ((a > 0.0 && z_hi[k] < 0.0) || (a < 0.0 && z_hi[k] > 0.0)) {
        kinks_.push_back({a / (a - z_hi[k]), k});
      }
    }
    std::sort(kinks_.begin(), kinks_.end());
    double from = 0.0;
    for (const auto& [lam, k] : kinks_) {
      piece(from, lam, C_, D_);
      const double sign = on_[static_cast<std::size_t>(k)] ? -1.0 : 1.0;
      C_ += sign * z_lo[k] * out.W.col(k);
      D_ += sign * (z_hi[k] - z_lo[k]) * out.W.col(k);
      on_[static_cast<std::size_t>(k)] = !on_[static_cast<std::size_t>(k)];
      from = lam;
    }
    piece(from, 1.0, C_, D_);
  }

 private:
  const Classifier& model_;
  VectorXd C_, D_;
  std::vector<std::pair<double, Index>> kinks_;
  std::vector<char> on_;
};

// What the pair loops need: per point the logits and (with a hidden layer) the hidden
// pre-activations, row-major so a point's values are contiguous.
struct PointValues {
  RowMatrixXd logits;  // n x K
  RowMatrixXd hidden;  // n x m (empty for softmax regression)
};

PointValues point_values(const Classifier& model, const MulticlassDataset& data) {
  PointValues values;
  values.logits = model.logits(data.X);
  if (model.hidden_layers() == 1) values.hidden = model.first_layer_pre_activations(data.X);
  return values;
}

// The integral over lam of one pair (hi = the point at lam = 1, lo = the point at lam = 0).
// hi_label / lo_label are the labels mixed with lam / 1 - lam (equal for Eq. 9).
double pair_integral(const Classifier& model, const QuadraturePlan& plan, MulticlassSegment& walk,
                     NodeSet& nodes, const double* f_hi, const double* f_lo, const double* z_hi,
                     const double* z_lo, int hi_label, int lo_label) {
  const Index K = model.classes();
  double scale = 1.0;
  for (Index k = 0; k < K; ++k) scale = std::max({scale, std::abs(f_hi[k]), std::abs(f_lo[k])});
  const AdaptiveRule rule{kLowNodes, kHighNodes, kPairTolerance * scale, kMaxDepth};
  std::vector<double> result(1, 0.0);
  thread_local std::vector<double> u;
  u.resize(static_cast<std::size_t>(K));
  const auto on_piece = [&](double l, double r, const VectorXd& C, const VectorXd& D) {
    if (!(r > l)) return;
    const auto eval = [&](double lam, double oml, double* out) {
      for (Index k = 0; k < K; ++k) u[std::size_t(k)] = C(k) + lam * D(k);
      out[0] = mixed_cross_entropy(u.data(), K, lam, oml, hi_label, lo_label);
    };
    exact_detail::adaptive_integral_over(plan, l, r, rule, eval, nodes, result);
  };
  if (model.hidden_layers() == 0) {
    walk.walk_linear(f_hi, f_lo, on_piece);
  } else {
    walk.walk_relu(z_hi, z_lo, on_piece);
  }
  return result[0];
}

// (1/n^2) sum_i l(f(x_i), y_i): the i = j terms of both forms.
double diagonal_term(const PointValues& values, const MulticlassDataset& data) {
  const Index n = data.n();
  const Index K = values.logits.cols();
  const double sum = ordered_sum(n, [&](Index i) {
    const int y = data.label[static_cast<std::size_t>(i)];
    return mixed_cross_entropy(values.logits.row(i).data(), K, 1.0, 0.0, y, y);
  });
  return sum / (static_cast<double>(n) * static_cast<double>(n));
}

double multiclass_mixup_loss(const Classifier& model, const MulticlassDataset& data, MixingLaw law,
                             MixupForm form, double s) {
  const Index n = data.n();
  const PointValues values = point_values(model, data);
  const bool eq1 = form == MixupForm::kEq1;
  const QuadraturePlan plan(LossKind::kGaussian, eq1 ? exact_detail::eq1_unordered_channels(law)
                                                     : exact_detail::eq9_ordered_channels(law));
  const bool hidden = model.hidden_layers() == 1;
  const Index K = model.classes();
  const Index m = hidden ? values.hidden.cols() : 0;
  const double pairs =
      exact_detail::sum_over_tiles(exact_detail::make_tiles(n, eq1), [&](const Tile& tile) {
        NodeSet nodes;
        MulticlassSegment walk(model);
        VectorXd f_start(K);
        VectorXd z_start(m);
        double sum = 0.0;
        for (Index i = tile.i0; i < tile.i1; ++i) {
          for (Index j = (eq1 && tile.diagonal) ? i + 1 : tile.j0; j < tile.j1; ++j) {
            if (i == j) continue;
            const int yi = data.label[static_cast<std::size_t>(i)];
            const int yj = data.label[static_cast<std::size_t>(j)];
            const double* fi = values.logits.row(i).data();
            const double* zi = hidden ? values.hidden.row(i).data() : nullptr;
            if (eq1) {
              const double* zj = hidden ? values.hidden.row(j).data() : nullptr;
              sum += pair_integral(model, plan, walk, nodes, fi, values.logits.row(j).data(), zi,
                                   zj, yi, yj);
              continue;
            }
            // Eq. (9): from x_i + s (x_j - x_i) at lam = 0 to x_i at lam = 1, label y_i.  The
            // logits of softmax regression and layer 1's pre-activations are affine in x.
            for (Index k = 0; k < K; ++k) {
              f_start(k) =
                  s == 1.0 ? values.logits(j, k) : fi[k] + s * (values.logits(j, k) - fi[k]);
            }
            for (Index k = 0; k < m; ++k) {
              z_start(k) =
                  s == 1.0 ? values.hidden(j, k) : zi[k] + s * (values.hidden(j, k) - zi[k]);
            }
            sum += pair_integral(model, plan, walk, nodes, fi, f_start.data(), zi, z_start.data(),
                                 yi, yi);
          }
        }
        return sum;
      });
  return pairs / (static_cast<double>(n) * static_cast<double>(n)) + diagonal_term(values, data);
}

}  // namespace

double exact_multiclass_mixup_loss(const Classifier& model, const MulticlassDataset& data,
                                   MixingLaw law) {
  require_supported(model, data, "exact_multiclass_mixup_loss");
  require_beta_parameters(law.a, law.b, "exact_multiclass_mixup_loss: Beta(a, b)");
  return multiclass_mixup_loss(model, data, law, MixupForm::kEq1, 1.0);
}

double exact_multiclass_mixup_loss_dtilde(const Classifier& model, const MulticlassDataset& data,
                                          MixingLaw law, double s) {
  require_supported(model, data, "exact_multiclass_mixup_loss_dtilde");
  require_beta_parameters(law.a, law.b, "exact_multiclass_mixup_loss_dtilde: Beta(a, b)");
  if (!(s >= 0.0) || !std::isfinite(s)) {
    throw DomainError("exact_multiclass_mixup_loss_dtilde: scale s must be finite and >= 0");
  }
  return multiclass_mixup_loss(model, data, law, MixupForm::kEq9, s);
}

QuadraticApproximation approximate_multiclass_mixup_loss(const Classifier& model,
                                                         const MulticlassDataset& data,
                                                         MixingLaw law) {
  require_supported(model, data, "approximate_multiclass_mixup_loss");
  require_beta_parameters(law.a, law.b, "approximate_multiclass_mixup_loss: Beta(a, b)");
  const Index n = data.n();
  const auto nd = static_cast<double>(n);
  const VectorXd mean = row_mean(data);
  RowMatrixXd centered = data.X;
  centered.rowwise() -= mean.transpose();
  // Inputs to the last layer's Jacobian: for softmax regression J_i = W and delta's image is
  // W delta; with a hidden layer J_i = W2 D_i W1 and W1 delta lives in the hidden space.
  const DenseLayer& first = model.layers().front();
  const bool hidden = model.hidden_layers() == 1;
  // Zc row i = W1 (x_i - xbar) (or x_i - xbar itself for softmax regression), G = Zc^T Zc / n:
  // the covariance of the first layer's linear image, so J Sigma^ J^T = A G A^T.
  const RowMatrixXd Zc = hidden ? RowMatrixXd(centered * first.W.transpose()) : centered;
  const MatrixXd G = (Zc.transpose() * Zc) / nd;
  // Softmax probabilities p_i (row i) and L_std in one pass.
  RowMatrixXd probabilities = model.logits(data.X);
  QuadraticApproximation result;
  result.standard_loss = softmax_rows_and_loss(probabilities, RowMatrixXd(one_hot(data)));
  const RowMatrixXd pre = hidden ? model.first_layer_pre_activations(data.X) : RowMatrixXd();
  const RowMatrixXd& W_last = model.layers().back().W;
  const double m1 = dtilde_m1(law.a, law.b);
  const double m2 = dtilde_m2(law.a, law.b);

  std::vector<double> r1(static_cast<std::size_t>(n)), r2(static_cast<std::size_t>(n));
#pragma omp parallel for schedule(static)
  for (Index i = 0; i < n; ++i) {
    const VectorXd p = probabilities.row(i).transpose();
    const int y = data.label[static_cast<std::size_t>(i)];
    // A = J_i restricted to the first layer's image: W (softmax) or W2 D_i (hidden).
    MatrixXd A = W_last;
    if (hidden) {
      for (Index k = 0; k < A.cols(); ++k) {
        if (!(pre(i, k) > 0.0)) A.col(k).setZero();
      }
    }
    const VectorXd v = -(A * Zc.row(i).transpose());  // J_i (xbar - x_i)
    const MatrixXd S = A * G * A.transpose();         // J_i Sigma^ J_i^T
    const MatrixXd H = MatrixXd(p.asDiagonal()) - p * p.transpose();
    VectorXd residual = p;
    residual(y) -= 1.0;
    r1[std::size_t(i)] = residual.dot(v);
    r2[std::size_t(i)] = (H.cwiseProduct(S)).sum() + v.dot(H * v);  // tr(H S) + v^T H v
  }
  for (Index i = 0; i < n; ++i) {
    result.R1 += r1[std::size_t(i)];
    result.R2 += r2[std::size_t(i)];
  }
  result.R1 *= m1 / nd;
  result.R2 *= m2 / (2.0 * nd);
  result.R3 = 0.0;
  return result;
}

double multiclass_switch_scale(const Classifier& model, const MulticlassDataset& data) {
  require_supported(model, data, "multiclass_switch_scale");
  if (model.hidden_layers() == 0) return std::numeric_limits<double>::infinity();
  const RowMatrixXd Z = model.first_layer_pre_activations(data.X);
  const Index n = data.n();
  std::vector<double> per_row(static_cast<std::size_t>(n), std::numeric_limits<double>::infinity());
#pragma omp parallel for schedule(static)
  for (Index i = 0; i < n; ++i) {
    double best = std::numeric_limits<double>::infinity();
    for (Index j = 0; j < n; ++j) {
      for (Index k = 0; k < Z.cols(); ++k) {
        // z(t) = z_ik + t (z_jk - z_ik) reaches 0 at t = z_ik / (z_ik - z_jk) > 0.
        const double a = Z(i, k);
        const double d = Z(j, k) - a;
        if (a == 0.0) {
          if (d != 0.0) best = 0.0;
        } else if ((a > 0.0 && d < 0.0) || (a < 0.0 && d > 0.0)) {
          best = std::min(best, -a / d);
        }
      }
    }
    per_row[std::size_t(i)] = best;
  }
  return *std::min_element(per_row.begin(), per_row.end());
}

}  // namespace mixup
