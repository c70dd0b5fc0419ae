// The exact mixup loss when the output at a mixed point is a mix of two scalars,
// f(lam x_i + (1-lam) x_j) = lam f_i + (1-lam) f_j: linear models (with or without bias) and
// manifold mixup on the hidden layer of a two-layer net.
//
// ---- Direct path ------------------------------------------------------------------------------
// One affine piece per pair: u(lam) = f_j + lam (f_i - f_j), integrated by the piecewise Gauss
// scheme of core/mixup_exact_internal.hpp.  O(n^2) pairs.
//
// ---- Chebyshev path (logistic loss) -------------------------------------------------------------
// With labels in {0, 1} and the loss linear in y, the pair term of Eq. (1) is
//   E_ab[l(u, lam y_i + (1-lam) y_j)] = E_ab[lam l(u, y_i)] + E_ab[(1-lam) l(u, y_j)],
// and l(u, 0) = h(u), l(u, 1) = h(-u).  So with u(s, t) = lam s + (1-lam) t and the kernels
//   G_lam(s, t) = E_ab[lam h(u(s, t))],   G_oml(s, t) = E_ab[(1-lam) h(u(s, t))],
//   n^2 L = sum_ij (1-y_i) G_lam(f_i, f_j) + y_i G_lam(-f_i, -f_j)
//         + sum_ij (1-y_j) G_oml(f_i, f_j) + y_j G_oml(-f_i, -f_j).
// G(s, t) is analytic in each variable except at s, t in i pi (2Z + 1): for complex s the
// segment [t, s] may cross a branch point of h, but the lam-contour can be deformed around it
// unless the crossing is pinched at an end of [0, 1], i.e. unless s or t itself is a branch
// point.  (For a = b = 1, G = (H(s) - H(t)) / (s - t) with H = -Li2(-e^u), singular exactly
// there.)  So on a cell I = [lo, hi] the kernel is analytic in the Bernstein ellipse that
// excludes +-i pi, with parameter rho_I, and d Chebyshev points interpolate it with error
// <= 4 M rho^(-d+1) / (rho - 1) (Trefethen, ATAP Thm 8.2).  Cells: a central [-c, c] and
// geometric cells +-[c q^(k-1), c q^k] up to R = max |f_i| (away from 0, rho stays bounded below
// as the cells grow: about 2 ln(R / pi) cells instead of a single degree ~ 10 R).  The degree of
// each cell comes from rho_I and kChebyshevTolerance; q and the number of levels minimise the
// total number of points N: N = 107 for R = 10 (3 cells), 228 for R = 100 (5 cells), 357 for
// R = 1000, about 125 more per decade.
// Then with l^I_p the Lagrange basis of cell I and Omega[w](P) = sum_{i: v_i in I} w_i l^I_p(v_i),
//   sum_ij w_i w'_j G(v_i, v'_j) = Omega[w]^T G Omega'[w']      (G the N x N grid of kernel values)
// costs O(n d + N^2) after N^2 segment integrals: independent of n^2.  Eq. (9) uses the single
// kernel G_D(s, t) = E_{D~}[h(lam s + (1-lam) t)].
// Gradient: with yt the mixed label and h'(u) - y = (1-y) sigma(u) - y sigma(-u),
//   n^2 dL/df_k = sum_j E_ab[(h'(u_kj) - yt) lam] + sum_i E_ab[(h'(u_ik) - yt) (1-lam)],
// and with P2 = E_ab[lam^2 sigma(u)], P11 = E_ab[lam (1-lam) sigma(u)], P02 = E_ab[(1-lam)^2
// sigma(u)], Q(s, t) = P2(s, t) + P02(t, s) and S(s, t) = P11(s, t) + P11(t, s):
//   n^2 dL/df_k = (1-y_k) sum_j Q(f_k, f_j) - y_k sum_j Q(-f_k, -f_j)
//               + sum_j (1-y_j) S(f_k, f_j) - sum_j y_j S(-f_k, -f_j).
// Labels other than 0 and 1 enter through the weights 1 - y and y (the formulas are linear in y).

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>

#include <boost/math/constants/constants.hpp>

#include "core/errors.hpp"
#include "core/mixup_exact_internal.hpp"

namespace mixup::exact_detail {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kPi = boost::math::constants::pi<double>();

// Target interpolation error of a cell, relative to the kernel's size there.  The grid values
// carry ~1e-16 relative error themselves; the Lebesgue constant of d <= 60 first-kind
// Chebyshev points is below 4, so the interpolant is good to a few 1e-16.
constexpr double kChebyshevTolerance = 1e-16;
// Use rho^kChebyshevSafety in the bound (a slightly smaller ellipse keeps M finite); M is taken
// as kChebyshevM times the kernel's size on the cell (the kernels grow at most linearly, and the
// ellipses that matter reach a few cell widths).  Verified by tests/core/mixup_exact_test.cpp:
// the Chebyshev and direct paths agree to 3e-15 for max |f_i| from 0.3 to 1000.
constexpr double kChebyshevSafety = 0.95;
constexpr double kChebyshevM = 4.0;
constexpr int kMinChebyshevPoints = 2;
// Ratios and depths searched for the geometric cells.
constexpr double kCellRatios[] = {2.0, 2.5, 3.0, 4.0, 5.0, 6.0};
constexpr int kMaxCellLevels = 24;
// Take the Chebyshev path when its N^2 grid integrals are fewer than this fraction of the
// n (n - 1) / 2 pair integrals of the direct path.
constexpr double kChebyshevAdvantage = 0.5;

int cell_degree(double lo, double hi) {
  const double half = 0.5 * (hi - lo);
  const double mid = 0.5 * (hi + lo);
  if (!(half > 0.0)) return kMinChebyshevPoints;
  const std::complex<double> z(-mid / half, kPi / half);
  const double A = 0.5 * (std::abs(z - 1.0) + std::abs(z + 1.0));
  const double rho = A + std::sqrt(std::max(A * A - 1.0, 0.0));
  const double log_rho = kChebyshevSafety * std::log(rho);
  const double need = std::log(kChebyshevM * 4.0 / ((rho - 1.0) * kChebyshevTolerance));
  const double points = std::ceil(need / log_rho) + 1.0;
  return std::max(kMinChebyshevPoints, static_cast<int>(std::min(points, 1e6)));
}

std::vector<ChebyshevCell> graded_cells(double R, double ratio, int levels) {
  const double c = R / std::pow(ratio, levels);
  std::vector<ChebyshevCell> positive;
  double lo = c;
  for (int k = 1; k <= levels; ++k) {
    const double hi = k == levels ? R : lo * ratio;
    positive.push_back({lo, hi, cell_degree(lo, hi)});
    lo = hi;
  }
  std::vector<ChebyshevCell> cells;
  for (auto it = positive.rbegin(); it != positive.rend(); ++it) {
    cells.push_back({-it->hi, -it->lo, it->degree});
  }
  cells.push_back({-c, c, cell_degree(-c, c)});
  cells.insert(cells.end(), positive.begin(), positive.end());
  return cells;
}

long total_points(const std::vector<ChebyshevCell>& cells) {
  long total = 0;
  for (const ChebyshevCell& cell : cells) total += cell.degree;
  return total;
}

// The interpolation grid on the cells that hold some +-f_i.
struct ChebyshevGrid {
  std::vector<ChebyshevCell> cells;
  std::vector<Index> offset;
  std::vector<VectorXd> bary;
  VectorXd points;

  Index size() const { return points.size(); }

  int cell_of(double v) const {
    const auto it = std::lower_bound(cells.begin(), cells.end(), v,
                                     [](const ChebyshevCell& c, double x) { return c.hi < x; });
    return static_cast<int>(std::min<std::ptrdiff_t>(
        it - cells.begin(), static_cast<std::ptrdiff_t>(cells.size()) - 1));
  }

  // The Lagrange basis of cell c at v (barycentric formula of the second kind).
  void basis(int c, double v, double* out) const {
    const ChebyshevCell& cell = cells[static_cast<std::size_t>(c)];
    const VectorXd& beta = bary[static_cast<std::size_t>(c)];
    const Index start = offset[static_cast<std::size_t>(c)];
    double sum = 0.0;
    for (int k = 0; k < cell.degree; ++k) {
      const double diff = v - points(start + k);
      if (diff == 0.0) {
        std::fill(out, out + cell.degree, 0.0);
        out[k] = 1.0;
        return;
      }
      out[k] = beta(k) / diff;
      sum += out[k];
    }
    for (int k = 0; k < cell.degree; ++k) out[k] /= sum;
  }
};

ChebyshevGrid make_grid(const VectorXd& f, double R) {
  const std::vector<ChebyshevCell> all = chebyshev_partition(R);
  std::vector<char> used(all.size(), 0);
  const auto locate = [&](double v) {
    const auto it = std::lower_bound(all.begin(), all.end(), v,
                                     [](const ChebyshevCell& c, double x) { return c.hi < x; });
    return std::min<std::size_t>(static_cast<std::size_t>(it - all.begin()), all.size() - 1);
  };
  for (Index i = 0; i < f.size(); ++i) {
    used[locate(f(i))] = 1;
    used[locate(-f(i))] = 1;
  }
  ChebyshevGrid grid;
  Index total = 0;
  for (std::size_t c = 0; c < all.size(); ++c) {
    if (!used[c]) continue;
    grid.cells.push_back(all[c]);
    grid.offset.push_back(total);
    total += all[c].degree;
  }
  grid.points.resize(total);
  for (std::size_t c = 0; c < grid.cells.size(); ++c) {
    const ChebyshevCell& cell = grid.cells[c];
    const double mid = 0.5 * (cell.lo + cell.hi);
    const double half = 0.5 * (cell.hi - cell.lo);
    VectorXd beta(cell.degree);
    for (int k = 0; k < cell.degree; ++k) {
      const double angle = kPi * (2.0 * k + 1.0) / (2.0 * cell.degree);
      grid.points(grid.offset[c] + k) = mid + half * std::cos(angle);
      beta(k) = (k % 2 == 0 ? 1.0 : -1.0) * std::sin(angle);
    }
    grid.bary.push_back(beta);
  }
  return grid;
}

// Omega[w] for the points v_i: sum_i w_i l(v_i) placed at the cell of v_i.
VectorXd omega(const ChebyshevGrid& grid, const VectorXd& v, const VectorXd& w) {
  VectorXd out = VectorXd::Zero(grid.size());
  std::vector<double> basis(static_cast<std::size_t>(grid.size()));
  for (Index i = 0; i < v.size(); ++i) {
    if (w(i) == 0.0) continue;
    const int c = grid.cell_of(v(i));
    const ChebyshevCell& cell = grid.cells[static_cast<std::size_t>(c)];
    grid.basis(c, v(i), basis.data());
    const Index start = grid.offset[static_cast<std::size_t>(c)];
    for (int k = 0; k < cell.degree; ++k)
      out(start + k) += w(i) * basis[static_cast<std::size_t>(k)];
  }
  return out;
}

// (l(v_i) . z[cell of v_i]) for every i.
VectorXd evaluate_rows(const ChebyshevGrid& grid, const VectorXd& v, const VectorXd& z) {
  VectorXd out(v.size());
  std::vector<double> basis(static_cast<std::size_t>(grid.size()));
  for (Index i = 0; i < v.size(); ++i) {
    const int c = grid.cell_of(v(i));
    const ChebyshevCell& cell = grid.cells[static_cast<std::size_t>(c)];
    grid.basis(c, v(i), basis.data());
    const Index start = grid.offset[static_cast<std::size_t>(c)];
    double s = 0.0;
    for (int k = 0; k < cell.degree; ++k) s += basis[static_cast<std::size_t>(k)] * z(start + k);
    out(i) = s;
  }
  return out;
}

// grids[m](P, Q) = sums[m] from evaluate(nodes, sums) over the nodes of the segment from
// u = points(Q) at lam = 0 to points(P) at lam = 1.
template <int M, class Evaluate>
std::vector<MatrixXd> kernel_grids(const ChebyshevGrid& grid, const QuadraturePlan& plan,
                                   const Evaluate& evaluate) {
  const Index N = grid.size();
  std::vector<MatrixXd> grids(M, MatrixXd(N, N));
#pragma omp parallel
  {
    NodeSet nodes;
#pragma omp for schedule(dynamic, 1)
    for (Index P = 0; P < N; ++P) {
      for (Index Q = 0; Q < N; ++Q) {
        nodes.clear();
        PieceEmitter(plan, nodes)
            .affine_piece(0.0, 1.0, Affine::through(grid.points(Q), grid.points(P)));
        nodes.resolve(plan);
        double sums[M];
        evaluate(nodes, sums);
        for (int m = 0; m < M; ++m) grids[static_cast<std::size_t>(m)](P, Q) = sums[m];
      }
    }
  }
  return grids;
}

struct NodeArrays {
  NodeMap lam, oml, u, w;
  explicit NodeArrays(const NodeSet& nodes)
      : lam(nodes.lam.data(), nodes.size()),
        oml(nodes.oml.data(), nodes.size()),
        u(nodes.u.data(), nodes.size()),
        w(nodes.w.data(), nodes.size()) {}
};

// work1 = log1p(e^{-|u|}) at the nodes; returns a map of it.
NodeMap remainder_at_nodes(NodeSet& nodes) {
  nodes.prepare_work();
  logistic_remainder(nodes.u.data(), nodes.size(), nodes.work1.data(), nodes.work2.data());
  return NodeMap(nodes.work1.data(), nodes.size());
}

NodeMap sigmoid_at_nodes(NodeSet& nodes) {
  nodes.prepare_work();
  logistic_sigmoid(nodes.u.data(), nodes.size(), nodes.work1.data(), nodes.work2.data());
  return NodeMap(nodes.work1.data(), nodes.size());
}

double max_abs(const VectorXd& f) {
  return f.size() > 0 ? f.cwiseAbs().maxCoeff() : 0.0;
}

// Half-range of the grid: max |f_i|, or 1 when every f_i is 0 (any cell then works).
double grid_radius(const VectorXd& f) {
  const double R = max_abs(f);
  return R > 0.0 ? R : 1.0;
}

// ---- Chebyshev path ---------------------------------------------------------------------------

double chebyshev_loss(const VectorXd& f, const VectorXd& y, MixingLaw law, MixupForm form) {
  const Index n = f.size();
  const ChebyshevGrid grid = make_grid(f, grid_radius(f));
  const VectorXd ones = VectorXd::Ones(n);
  const VectorXd not_y = ones - y;
  const VectorXd plus_all = omega(grid, f, ones);
  const VectorXd minus_all = omega(grid, -f, ones);
  const VectorXd plus_not_y = omega(grid, f, not_y);
  const VectorXd minus_y = omega(grid, -f, y);
  double total = 0.0;
  if (form == MixupForm::kEq1) {
    const QuadraturePlan plan(LossKind::kLogistic, {{law.a, law.b, 1.0}});
    const auto grids = kernel_grids<2>(grid, plan, [](NodeSet& nodes, double* sums) {
      const auto r = remainder_at_nodes(nodes);
      const NodeArrays a(nodes);
      const Eigen::ArrayXd wh = a.w * (a.u.max(0.0) + r);
      sums[0] = (wh * a.lam).sum();
      sums[1] = (wh * a.oml).sum();
    });
    total = plus_not_y.dot(grids[0] * plus_all) + minus_y.dot(grids[0] * minus_all) +
            plus_all.dot(grids[1] * plus_not_y) + minus_all.dot(grids[1] * minus_y);
  } else {
    const QuadraturePlan plan(LossKind::kLogistic, eq9_ordered_channels(law));
    const auto grids = kernel_grids<1>(grid, plan, [](NodeSet& nodes, double* sums) {
      const auto r = remainder_at_nodes(nodes);
      const NodeArrays a(nodes);
      sums[0] = (a.w * (a.u.max(0.0) + r)).sum();
    });
    total = plus_not_y.dot(grids[0] * plus_all) + minus_y.dot(grids[0] * minus_all);
  }
  return total / (static_cast<double>(n) * static_cast<double>(n));
}

VectorXd chebyshev_loss_df(const VectorXd& f, const VectorXd& y, MixingLaw law) {
  const Index n = f.size();
  const ChebyshevGrid grid = make_grid(f, grid_radius(f));
  const QuadraturePlan plan(LossKind::kLogistic, {{law.a, law.b, 1.0}});
  const auto grids = kernel_grids<3>(grid, plan, [](NodeSet& nodes, double* sums) {
    const auto s = sigmoid_at_nodes(nodes);
    const NodeArrays a(nodes);
    const Eigen::ArrayXd ws = a.w * s;
    sums[0] = (ws * a.lam * a.lam).sum();
    sums[1] = (ws * a.lam * a.oml).sum();
    sums[2] = (ws * a.oml * a.oml).sum();
  });
  const MatrixXd Q = grids[0] + grids[2].transpose();
  const MatrixXd S = grids[1] + grids[1].transpose();
  const VectorXd ones = VectorXd::Ones(n);
  const VectorXd not_y = ones - y;
  const VectorXd Q_plus = Q * omega(grid, f, ones);
  const VectorXd Q_minus = Q * omega(grid, -f, ones);
  const VectorXd S_plus = S * omega(grid, f, not_y);
  const VectorXd S_minus = S * omega(grid, -f, y);
  const VectorXd at_plus_Q = evaluate_rows(grid, f, Q_plus);
  const VectorXd at_minus_Q = evaluate_rows(grid, -f, Q_minus);
  const VectorXd at_plus_S = evaluate_rows(grid, f, S_plus);
  const VectorXd at_minus_S = evaluate_rows(grid, -f, S_minus);
  const VectorXd gamma =
      not_y.cwiseProduct(at_plus_Q) - y.cwiseProduct(at_minus_Q) + at_plus_S - at_minus_S;
  return gamma / (static_cast<double>(n) * static_cast<double>(n));
}

// ---- Direct path --------------------------------------------------------------------------------

double direct_loss_eq1(const VectorXd& f, const VectorXd& y, LossKind loss, MixingLaw law) {
  const Index n = f.size();
  const QuadraturePlan plan(loss, eq1_unordered_channels(law));
  const double pairs = sum_over_tiles(make_tiles(n, true), [&](const Tile& tile) {
    NodeSet nodes;
    double sum = 0.0;
    for (Index i = tile.i0; i < tile.i1; ++i) {
      for (Index j = tile.diagonal ? i + 1 : tile.j0; j < tile.j1; ++j) {
        nodes.clear();
        PieceEmitter(plan, nodes).affine_piece(0.0, 1.0, Affine::through(f(j), f(i)));
        sum += integrate_loss(plan, nodes, y(i), y(j));
      }
    }
    return sum;
  });
  const double nn = static_cast<double>(n) * static_cast<double>(n);
  return pairs / nn + diagonal_loss_sum(loss, f, y);
}

// scale s: the segment of (i, j) starts at f_i + s (f_j - f_i); s = 1 is Eq. (9) itself.
double direct_loss_eq9(const VectorXd& f, const VectorXd& y, LossKind loss, MixingLaw law,
                       double scale = 1.0) {
  const Index n = f.size();
  const QuadraturePlan plan(loss, eq9_ordered_channels(law));
  const double pairs = sum_over_tiles(make_tiles(n, false), [&](const Tile& tile) {
    NodeSet nodes;
    double sum = 0.0;
    for (Index i = tile.i0; i < tile.i1; ++i) {
      for (Index j = tile.j0; j < tile.j1; ++j) {
        if (i == j) continue;
        nodes.clear();
        const double start = scale == 1.0 ? f(j) : f(i) + scale * (f(j) - f(i));
        PieceEmitter(plan, nodes).affine_piece(0.0, 1.0, Affine::through(start, f(i)));
        nodes.resolve(plan);
        double s = 0.0;
        for (Index k = 0; k < nodes.size(); ++k) {
          const auto q = static_cast<std::size_t>(k);
          s += nodes.w[q] * loss_value(loss, nodes.u[q], y(i));
        }
        sum += s;
      }
    }
    return sum;
  });
  const double nn = static_cast<double>(n) * static_cast<double>(n);
  return pairs / nn + diagonal_loss_sum(loss, f, y);
}

VectorXd direct_loss_df(const VectorXd& f, const VectorXd& y, LossKind loss, MixingLaw law) {
  const Index n = f.size();
  const QuadraturePlan plan(loss, eq1_unordered_channels(law));
  MatrixXd per_point;
  VectorXd unused;
  accumulate_over_tiles(
      make_tiles(n, true), 1, 0, n,
      [&](const Tile& tile, TileGradient& part) {
        NodeSet nodes;
        for (Index i = tile.i0; i < tile.i1; ++i) {
          for (Index j = tile.diagonal ? i + 1 : tile.j0; j < tile.j1; ++j) {
            nodes.clear();
            PieceEmitter(plan, nodes).affine_piece(0.0, 1.0, Affine::through(f(j), f(i)));
            nodes.resolve(plan);
            double to_i = 0.0;
            double to_j = 0.0;
            for (Index k = 0; k < nodes.size(); ++k) {
              const auto q = static_cast<std::size_t>(k);
              const double lam = nodes.lam[q];
              const double oml = nodes.oml[q];
              const double yt = y(i) * lam + y(j) * oml;
              const double omy = (1.0 - y(i)) * lam + (1.0 - y(j)) * oml;
              const double g = nodes.w[q] * residual_at(loss, nodes.u[q], yt, omy);
              to_i += g * lam;
              to_j += g * oml;
            }
            part.rows(0, i - tile.i0) += to_i;
            part.cols(0, j - tile.j0) += to_j;
          }
        }
      },
      per_point, unused);
  VectorXd df = per_point.row(0).transpose();
  for (Index i = 0; i < n; ++i) df(i) += loss_dh(loss, f(i)) - y(i);
  return df / (static_cast<double>(n) * static_cast<double>(n));
}

}  // namespace

std::vector<ChebyshevCell> chebyshev_partition(double R) {
  std::vector<ChebyshevCell> best = {{-R, R, cell_degree(-R, R)}};
  long best_total = total_points(best);
  for (const double ratio : kCellRatios) {
    // Central cells much narrower than the distance pi to the branch points only add cells.
    for (int levels = 1; levels <= kMaxCellLevels && R / std::pow(ratio, levels) > 0.1; ++levels) {
      std::vector<ChebyshevCell> cells = graded_cells(R, ratio, levels);
      const long total = total_points(cells);
      if (total < best_total) {
        best_total = total;
        best = std::move(cells);
      }
    }
  }
  return best;
}

ScalarPath choose_scalar_path(Index n, double R, LossKind loss) {
  if (loss != LossKind::kLogistic || !std::isfinite(R) || n < 2) return ScalarPath::kDirect;
  const auto N = static_cast<double>(total_points(chebyshev_partition(R > 0.0 ? R : 1.0)));
  const double pairs = 0.5 * static_cast<double>(n) * static_cast<double>(n - 1);
  return N * N < kChebyshevAdvantage * pairs ? ScalarPath::kChebyshev : ScalarPath::kDirect;
}

namespace {

ScalarPath resolve_path(ScalarPath path, const VectorXd& f, LossKind loss) {
  if (path == ScalarPath::kAuto) return choose_scalar_path(f.size(), max_abs(f), loss);
  if (path == ScalarPath::kChebyshev && loss != LossKind::kLogistic) {
    throw DomainError("exact mixup loss: the Chebyshev path exists for the logistic loss only");
  }
  return path;
}

}  // namespace

double scalar_mixup_loss(const VectorXd& f, const VectorXd& y, LossKind loss, MixingLaw law,
                         MixupForm form, ScalarPath path) {
  if (resolve_path(path, f, loss) == ScalarPath::kChebyshev) {
    return chebyshev_loss(f, y, law, form);
  }
  return form == MixupForm::kEq1 ? direct_loss_eq1(f, y, loss, law)
                                 : direct_loss_eq9(f, y, loss, law);
}

double scalar_mixup_loss_dtilde_scaled(const VectorXd& f, const VectorXd& y, LossKind loss,
                                       MixingLaw law, double s) {
  return direct_loss_eq9(f, y, loss, law, s);
}

VectorXd scalar_mixup_loss_df(const VectorXd& f, const VectorXd& y, LossKind loss, MixingLaw law,
                              ScalarPath path) {
  if (resolve_path(path, f, loss) == ScalarPath::kChebyshev) return chebyshev_loss_df(f, y, law);
  return direct_loss_df(f, y, loss, law);
}

}  // namespace mixup::exact_detail
