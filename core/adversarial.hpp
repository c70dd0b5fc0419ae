#pragma once
// Adversarial losses of Section 3.2.
//
//   L_adv(theta, S) = (1/n) sum_i max_{|delta_i|_2 <= eta} l(theta, (x_i + delta_i, y_i))
//   (Lemma 3.2) with eta = eps sqrt(d) in the paper's notation.
//
//   Eq. (5), logistic regression:  l~_adv(eta, (x, y)) = l(theta, (x, y))
//        + eta |g(x^T theta) - y| |theta| + (eta^2 / 2) g(x^T theta)(1 - g(x^T theta)) |theta|^2
//   Eq. (6), networks (Theorem 3.3): l~_adv(eta, (x, y)) = l(theta, (x, y))
//        + eta |g(f(x)) - y| |grad f(x)| + (eta^2 / 2) |h''(f(x))| |grad f(x)|^2
//   (g = h'; for a linear model grad f = theta, so Eq. (6) reduces to Eq. (5)).
//
// For a linear model the loss depends on x only through u = x^T theta (+ bias), and
// h(u) - y u is convex in u, so the inner maximum over the l2 ball is attained at one of the two
// ends u -/+ eta |theta|, with delta = -/+ eta theta / |theta|: the exact adversarial loss is
// available in closed form.  For networks, projected gradient ascent (PGD) with restarts gives
// a LOWER bound on the inner maximum, never more.
//
// Every function throws DomainError for a radius that is negative or not finite (naming the
// parameter), for data whose width differs from the model's input dimension, and for a label
// vector whose length differs from the number of rows.  Per-sample work runs over the rows with
// independent writes and sums in fixed blocks (core/parallel.hpp): results do not depend on the
// thread count.

#include <cstdint>
#include <functional>
#include <vector>

#include <Eigen/Core>

#include "core/data.hpp"
#include "core/losses.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"

namespace mixup {

struct AdversarialResult {
  double loss = 0.0;           // (1/n) sum_i of the per-sample maxima (or PGD's best)
  Eigen::VectorXd per_sample;  // the n inner maxima
  Eigen::MatrixXd delta;       // n x d: the maximizing (or best found) perturbations
};

// Closed form for a linear model (any GLM loss of core/losses): exact, with its maximizers.
// Per sample, with u = f(x_i) and s = eta |theta|: the maximum is max(l(u - s), l(u + s)) at
// delta = -/+ eta theta / |theta|.  Ties (both ends equal) go to the end that the gradient
// sign(h'(u) - y) points to, and to + when that is 0; theta = 0 gives delta = 0.  At eta = 0
// per_sample is bit for bit the clean loss (f is evaluated on data.X itself).
AdversarialResult exact_adversarial_loss_linear(const LinearModel& model, LossKind loss,
                                                const Dataset& data, double eta);

// Eq. (5) / Eq. (6) per sample, at per-sample radii eta_i (size n), and averaged at one radius.
// Eq. (6) is the maximum over the ball of the second-order Taylor model of the loss when
// hess f(x) = 0 (linear models, ReLU nets away from kinks); for models with hess f != 0 (smooth2)
// it omits the term (h'(f) - y) delta^T hess f delta / 2 and is the paper's formula, not the
// second-order maximum.  At eta_i = 0 the term is bit for bit the clean loss.
Eigen::VectorXd approx_adversarial_loss_terms(const Model& model, LossKind loss,
                                              const Dataset& data, const Eigen::VectorXd& eta);
double approx_adversarial_loss(const Model& model, LossKind loss, const Dataset& data, double eta);

// Projected gradient ascent in the l2 ball of radius eta around each x_i: `restarts` starts (the
// first at delta = 0, the others uniform in the ball from stream (seed, "pgd", i)), `steps`
// normalized-gradient steps of size step_factor * eta / steps each, projected back onto the
// ball; the best value seen is kept.  A lower bound on the exact inner maximum.
//
// Each restart ends with a boundary probe: delta' = eta grad / |grad| at the last iterate (x_i
// left where the gradient is 0), evaluated and kept if better.  On a linear model grad_x l is
// parallel to theta everywhere, so the probe is exactly an end of the closed form's segment;
// from the start delta = 0 the ascent follows sign(h'(u) - y), which for the logistic and
// Gaussian losses is the maximizing end (for Poisson it need not be: PGD is local).  Hence PGD
// reproduces the closed form on linear logistic/Gaussian models up to rounding.
// Iterates are projected so that their computed norm is <= eta exactly (not merely up to
// rounding).  Every function evaluation is on the whole perturbed matrix X + Delta, so at eta = 0
// the result is bit for bit the clean loss.
struct PgdOptions {
  int steps = 50;            // >= 0
  int restarts = 4;          // >= 1
  double step_factor = 2.5;  // > 0
  std::uint64_t seed = 0;
  // Test hook: called with (restart, iterate, Delta) for every point evaluated: iterate 0 is
  // the start, 1..steps the projected steps, steps + 1 the boundary probe.  Delta is n x d.
  std::function<void(int restart, int iterate, const Eigen::MatrixXd& delta)> on_iterate;
};
AdversarialResult pgd_adversarial_loss(const Model& model, LossKind loss, const Dataset& data,
                                       double eta, const PgdOptions& options = {});

// FGSM: the one-step attacks.  l_inf: x + eps sign(grad_x l); l2: x + eta grad_x l / |grad_x l|
// (x unchanged where the gradient is 0).  Returns the perturbed inputs.  The *_perturbation
// forms return Delta itself (n x d), with max_j |Delta_ij| <= eps and |Delta_i|_2 <= eta exactly;
// the perturbed inputs are X + Delta (whose difference from X carries the addition's rounding).
Eigen::MatrixXd fgsm_linf_perturbation(const Model& model, LossKind loss, const Dataset& data,
                                       double eps);
Eigen::MatrixXd fgsm_l2_perturbation(const Model& model, LossKind loss, const Dataset& data,
                                     double eta);
Eigen::MatrixXd fgsm_linf(const Model& model, LossKind loss, const Dataset& data, double eps);
Eigen::MatrixXd fgsm_l2(const Model& model, LossKind loss, const Dataset& data, double eta);

// grad_x l(theta, (x_i, y_i)) = (h'(f(x_i)) - y_i) grad_x f(x_i), one row per sample.
Eigen::MatrixXd loss_input_gradients(const Model& model, LossKind loss, const Dataset& data);

// Two-layer ReLU nets: a certified UPPER bound on each inner maximum, to bracket PGD.  With
// z = W x + b and r_j = eta |W_j|_2, unit j's output on the ball lies in [relu(z_j - r_j),
// relu(z_j + r_j)] (interval bound propagation), so f(x + delta) lies in [u_lo, u_hi] and, the
// loss being convex in f, the maximum is at most max(l(u_lo), l(u_hi)).  Where no unit can switch
// on the ball (|z_j| >= r_j for all j) f is affine there and the bound is replaced by the exact
// local closed form max(l(f - eta |grad f|), l(f + eta |grad f|)); `kink_free` says where.
struct AdversarialUpperBound {
  Eigen::VectorXd per_sample;
  std::vector<bool> kink_free;  // per sample: the value is exact (the ball holds no kink)
  double loss = 0.0;            // (1/n) sum_i per_sample
};
AdversarialUpperBound relu_two_layer_adversarial_upper_bound(const ReluTwoLayer& model,
                                                             LossKind loss, const Dataset& data,
                                                             double eta);

// Two-layer ReLU nets on 2-d inputs (two-moons): the EXACT inner maximum, by enumerating the
// line arrangement.  In delta coordinates unit j switches on the line w_j^T delta + z_j = 0; the
// lines cut the disk |delta| <= eta into convex cells on each of which f is affine, so l(f) is
// convex there and its maximum over (cell and disk) sits at an extreme point: a vertex (two
// lines crossing inside the disk), a line meeting the circle, or the point of the cell's arc
// where the affine f is extremal, delta = +/- eta a / |a| with a = the cell's gradient.  Every
// cell meeting the disk touches a vertex or a line-circle point or holds the whole disk, so the
// cells (activation patterns) are enumerated from those points (each side of each line through
// them).  Candidates: all vertices, line-circle points, and +/- eta a/|a| for every cell's a; the
// maximum of l(f(x + candidate)) over them (f evaluated directly, every candidate projected into
// the ball) is the inner maximum up to rounding, assuming no three lines meet in one point
// (probability 0 for continuous weights).  O(m^2) cells per sample.  Throws DomainError unless
// d = 2.
AdversarialResult relu_two_layer_exact_adversarial_loss_2d(const ReluTwoLayer& model, LossKind loss,
                                                           const Dataset& data, double eta);

// Theorem 3.1: eps_mix = R c_x m1 with R = min_i |cos(grad f(x_i), x_i)|, c_x = min_i |x_i| /
// sqrt(d) and m1 = E_{D~}[1 - lam].  NaN when every cosine is undefined.
double eps_mix(const Model& model, const Dataset& data, MixingLaw law);

}  // namespace mixup
