// Lemma 3.1's quadratic approximation of the mixup loss (Eq. 3) and its gradient in the model's
// parameters, without a loop over pairs.
//
// ---- The value --------------------------------------------------------------------------------
// Write u_i = f(x_i), r_i = h'(u_i) - y_i, h''_i = h''(u_i), g_i = grad_x f(x_i),
// H_i = hess_x f(x_i), xbar = (1/n) sum_j x_j, delta_i = xbar - x_i and
// Sigma = (1/n) sum_j (x_j - xbar)(x_j - xbar)^T.  With r uniform over the training inputs,
// E_r[r - x_i] = delta_i and E_r[(r - x_i)(r - x_i)^T] = Sigma + delta_i delta_i^T, so with the
// per-sample numbers
//   s_i = g_i^T delta_i,   q_i = g_i^T Sigma g_i,   t_i = tr(H_i Sigma) + delta_i^T H_i delta_i
// Eq. (3) reads
//   L_std = (1/n) sum_i [h(u_i) - y_i u_i]
//   R1    = (m1/n)     sum_i r_i s_i
//   R2    = (m2/(2n))  sum_i h''_i (q_i + s_i^2)
//   R3    = (m2/(2n))  sum_i r_i t_i
// with m1 = E[1 - lam], m2 = E[(1 - lam)^2] under D~(a, b) (core/mixing.hpp).
//
// ---- The gradient (chain rule through the per-sample numbers) ----------------------------------
// L~ is a function of (u_i, s_i, q_i, t_i); its partial derivatives are, with h'''_i = h'''(u_i):
//   alpha_i = dL~/du_i = (1/n) [r_i + m1 h''_i s_i + (m2/2) h'''_i (q_i + s_i^2)
//                               + (m2/2) h''_i t_i]
//   beta_i  = dL~/ds_i = (1/n) [m1 r_i + m2 h''_i s_i]
//   gamma_i = dL~/dq_i = (1/n) (m2/2) h''_i   (>= 0: h'' >= 0 for every loss here)
//   rho_i   = dL~/dt_i = (1/n) (m2/2) r_i
// so grad_theta L~ = sum_i alpha_i grad u_i + beta_i grad s_i + gamma_i grad q_i + rho_i grad t_i.
// Sigma, xbar and delta_i depend on the data only.
//
// Linear model, u = theta^T x + c: g_i = theta, so with v = Xc theta (Xc the centred inputs),
// s_i = -v_i, q_i = |v|^2 / n, t_i = 0, and
//   d/dtheta = X^T alpha - Xc^T beta + 2 (sum_i gamma_i) Sigma theta,   d/dc = sum_i alpha_i.
//
// Two-layer nets, u = theta1^T s(W x + b) + theta0 (ReLU: s = relu, s'' = s''' = 0 off kinks;
// SmoothTwoLayer: softplus or tanh).  With Z = X W^T + 1 b^T, S_k = s^(k)(Z) (n x m),
// D1 = S_1 diag(theta1), D2 = S_2 diag(theta1), P = delta W^T (P_ik = w_k^T delta_i = -Zc_ik,
// Zc = Xc W^T the centred pre-activations), M = W Sigma W^T:
//   g_i = W^T D1_i,  s_i = D1_i . P_i,  q_i = D1_i M D1_i^T,
//   H_i = W^T diag(D2_i) W,  t_i = sum_k D2_ik (M_kk + P_ik^2)     (no d x d matrix per sample).
// The parameters enter through Z, P and M, and directly through theta1:
//   E_ik  = dL~/dZ_ik = theta1_k [alpha_i S1_ik + beta_i S2_ik P_ik + 2 gamma_i S2_ik (D1 M)_ik
//                                  + rho_i S3_ik (M_kk + P_ik^2)]
//   F_ik  = dL~/dP_ik = beta_i D1_ik + 2 rho_i D2_ik P_ik
//   Mbar  = dL~/dM    = D1^T diag(gamma) D1 + diag(D2^T rho)        (symmetric)
//   d/dtheta1_k = sum_i [alpha_i S0_ik + beta_i S1_ik P_ik + 2 gamma_i S1_ik (D1 M)_ik
//                        + rho_i S2_ik (M_kk + P_ik^2)]
//   d/dtheta0   = sum_i alpha_i
// and since Z = X W^T + 1 b^T, P = -Xc W^T, M = W Sigma W^T (dM = dW Sigma W^T + W Sigma dW^T):
//   d/dW = E^T X - F^T Xc + 2 Mbar W Sigma = (E - F)^T Xc + (E^T 1) xbar^T + 2 Mbar (W Sigma)
//   d/db = E^T 1.
// For ReLU (S2 = S3 = 0): E = diag(alpha) D1, F = diag(beta) D1, Mbar = D1^T diag(gamma) D1.
// Cost: Sigma (n d^2 / 2), Z (n m d), D1 M (n m^2); the gradient adds (E - F)^T Xc (n m d) and
// Mbar (n m^2 / 2).
//
// Deep ReLU net (no biases), u = beta^T relu(W_L ... relu(W_1 x)): with the activation masks
// frozen (they are locally constant in theta) f is linear in its input, f(x) = beta^T M(theta) x,
// and both u_i and V . g_i = beta^T M(theta) V are that masked linear network applied to an
// input.  Hence
//   sum_i alpha_i grad u_i + beta_i grad s_i + gamma_i grad q_i
//     = grad_theta sum_i beta^T M_i(theta) c_i,
//   c_i = alpha_i x_i + beta_i delta_i + 2 gamma_i Sigma g_i
// (grad s_i = J_i^T delta_i and grad q_i = 2 J_i^T Sigma g_i with J_i = d g_i / d theta): a
// forward pass of C_0 = (c_i) through the masked layers, C_l = (C_{l-1} W_l^T) .* 1{Z_l > 0},
// with the primal pass's backward deltas Delta_l = df/dZ_l, gives d/dW_l = Delta_l^T C_{l-1} and
// d/dbeta = C_L^T 1 (forward mode on the linear regions, no second-order backprop).
//
// Other models: the value goes through Model::f, grad_x and hess_x (R3 from hess_x, d^2 per
// sample); the gradient is not available and throws DomainError.
//
// ---- Order of summation and threads ------------------------------------------------------------
// The rows are cut into tasks of kTaskRows rows, each processed in blocks of kRowBlock rows, both
// fixed (never derived from the thread count).  Each task accumulates its blocks in order into
// its own partial sums; the partials are added in task order: the same bits at any thread count.
// Eigen does not parallelise inside products (EIGEN_DONT_PARALLELIZE); the tasks are what runs
// on the OpenMP threads, and a single task runs without opening a parallel region.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/errors.hpp"
#include "core/losses.hpp"
#include "core/mixing.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"

namespace mixup {
namespace {

using Eigen::ArrayXd;
using Eigen::ArrayXXd;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Rows per block: a block's n x m and n x d panels (256 x 100 doubles = 200 KB each) stay in L2,
// and GEMMs at this height run at full speed (measured: same GFLOP/s as one n = 10^4 product).
constexpr Index kRowBlock = 256;
// Rows per task (4 blocks): n = 10^4 gives 10 tasks, which balance over 2 threads, while the
// per-task partial gradients (m x d + m x m doubles each) stay few.
constexpr Index kTaskRows = 4 * kRowBlock;

Index task_count(Index n) {
  return (n + kTaskRows - 1) / kTaskRows;
}

// Calls body(begin, count) for the blocks of `task`, in row order.
template <class Body>
void for_each_block(Index n, Index task, const Body& body) {
  const Index end = std::min(n, (task + 1) * kTaskRows);
  for (Index begin = task * kTaskRows; begin < end; begin += kRowBlock) {
    body(begin, std::min(kRowBlock, end - begin));
  }
}

// ---- Input validation ---------------------------------------------------------------------

std::string format_number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

// A non-finite input makes its column's mean non-finite, so the mean (needed anyway) screens
// for them; only then are the entries scanned to name the first one.
void require_finite_inputs(const Dataset& data, const VectorXd& xbar, const std::string& what) {
  if (xbar.allFinite()) return;
  for (Index j = 0; j < data.d(); ++j) {
    for (Index i = 0; i < data.n(); ++i) {
      if (!std::isfinite(data.X(i, j))) {
        throw DomainError(what + ": data.X(" + std::to_string(i) + ", " + std::to_string(j) +
                          ") = " + format_number(data.X(i, j)) + " is not finite");
      }
    }
  }
  throw DomainError(what + ": the inputs are finite but their column sums overflow");
}

void require_inputs(const Model& model, LossKind loss, const Dataset& data, MixingLaw law,
                    const std::string& what) {
  require_beta_parameters(law.a, law.b, (what + ": mixing law Beta(a, b)").c_str());
  if (data.n() < 1) throw DomainError(what + ": data has no rows");
  if (data.y.size() != data.n()) {
    throw DomainError(what + ": data has " + std::to_string(data.n()) + " rows but " +
                      std::to_string(data.y.size()) + " labels");
  }
  if (data.d() != model.input_dim()) {
    throw DomainError(what + ": the " + model.type() + " model takes inputs of dimension " +
                      std::to_string(model.input_dim()) + ", but data has " +
                      std::to_string(data.d()) + " feature columns");
  }
  for (Index i = 0; i < data.n(); ++i) {
    if (!label_is_valid(loss, data.y(i))) {
      throw DomainError(what + ": data.y(" + std::to_string(i) + ") = " + format_number(data.y(i)) +
                        " is not a valid label for the " + to_string(loss) + " loss (expected " +
                        allowed_labels(loss) + ")");
    }
  }
}

// ---- Loss derivatives ---------------------------------------------------------------------

// h'''(u): logistic sigma (1 - sigma) (1 - 2 sigma) = h''(u) * (-tanh(u / 2)) (no cancellation
// in 1 - 2 sigma); Poisson e^u; Gaussian 0.
double loss_d3h(LossKind kind, double u) {
  switch (kind) {
    case LossKind::kLogistic:
      return -loss_d2h(kind, u) * std::tanh(0.5 * u);
    case LossKind::kPoisson:
      return std::exp(u);
    case LossKind::kGaussian:
      return 0.0;
  }
  return 0.0;
}

// ---- Per-sample numbers and their chain-rule weights ----------------------------------------

// u_i, s_i, q_i, t_i of the header comment (t = 0 for models with hess_x = 0).  Every evaluation
// path writes all of u, s, q, so only t starts at zero.
struct SampleTerms {
  VectorXd u, s, q, t;
  explicit SampleTerms(Index n) : u(n), s(n), q(n), t(VectorXd::Zero(n)) {}
};

struct MixupMoments {
  double m1;
  double m2;
};

// alpha, beta, gamma, rho of the header comment for the rows [begin, begin + count).
struct ChainWeights {
  ArrayXd alpha, beta, gamma, rho;
};

ChainWeights chain_weights(LossKind loss, const VectorXd& y, const SampleTerms& terms, Index begin,
                           Index count, MixupMoments mm) {
  const double inv_n = 1.0 / static_cast<double>(y.size());
  ChainWeights w{ArrayXd(count), ArrayXd(count), ArrayXd(count), ArrayXd(count)};
  for (Index k = 0; k < count; ++k) {
    const Index i = begin + k;
    const double u = terms.u(i);
    const double s = terms.s(i);
    const double r = loss_dh(loss, u) - y(i);
    const double h2 = loss_d2h(loss, u);
    const double h3 = loss_d3h(loss, u);
    w.alpha(k) = inv_n * (r + mm.m1 * h2 * s + 0.5 * mm.m2 * h3 * (terms.q(i) + s * s) +
                          0.5 * mm.m2 * h2 * terms.t(i));
    w.beta(k) = inv_n * (mm.m1 * r + mm.m2 * h2 * s);
    w.gamma(k) = inv_n * 0.5 * mm.m2 * h2;
    w.rho(k) = inv_n * 0.5 * mm.m2 * r;
  }
  return w;
}

// Eq. (3) from the per-sample numbers: the four sums over samples in one pass over the tasks,
// added in task order.
QuadraticApproximation assemble(LossKind loss, const VectorXd& y, const SampleTerms& terms,
                                MixupMoments mm) {
  const Index n = y.size();
  const Index tasks = task_count(n);
  MatrixXd partial(4, tasks);  // rows: l_i, r_i s_i, h''_i (q_i + s_i^2), r_i t_i
#pragma omp parallel for schedule(static) if (tasks > 1)
  for (Index task = 0; task < tasks; ++task) {
    double sums[4] = {0.0, 0.0, 0.0, 0.0};
    const Index end = std::min(n, (task + 1) * kTaskRows);
    for (Index i = task * kTaskRows; i < end; ++i) {
      const double u = terms.u(i);
      const double s = terms.s(i);
      const double r = loss_dh(loss, u) - y(i);
      sums[0] += loss_value(loss, u, y(i));
      sums[1] += r * s;
      sums[2] += loss_d2h(loss, u) * (terms.q(i) + s * s);
      sums[3] += r * terms.t(i);
    }
    for (int k = 0; k < 4; ++k) partial(k, task) = sums[k];
  }
  Eigen::Vector4d total = Eigen::Vector4d::Zero();
  for (Index task = 0; task < tasks; ++task) total += partial.col(task);
  const double inv_n = 1.0 / static_cast<double>(n);
  QuadraticApproximation out;
  out.standard_loss = inv_n * total(0);
  out.R1 = mm.m1 * inv_n * total(1);
  out.R2 = 0.5 * mm.m2 * inv_n * total(2);
  out.R3 = 0.5 * mm.m2 * inv_n * total(3);
  return out;
}

// ---- Input moments ------------------------------------------------------------------------

struct InputMoments {
  VectorXd xbar;   // (1/n) sum_i x_i
  MatrixXd sigma;  // (1/n) sum_i (x_i - xbar)(x_i - xbar)^T, full symmetric
};

// Column sums by task, added in task order.
VectorXd column_mean(const MatrixXd& X) {
  const Index n = X.rows();
  const Index tasks = task_count(n);
  MatrixXd partial(X.cols(), tasks);
#pragma omp parallel for schedule(static) if (tasks > 1)
  for (Index task = 0; task < tasks; ++task) {
    const Index begin = task * kTaskRows;
    partial.col(task) = X.middleRows(begin, std::min(kTaskRows, n - begin)).colwise().sum();
  }
  VectorXd total = VectorXd::Zero(X.cols());
  for (Index task = 0; task < tasks; ++task) total += partial.col(task);
  return total / static_cast<double>(n);
}

// Sigma by rank-k updates of the lower triangle, block by block within a task, tasks added in
// order.
InputMoments input_moments(const MatrixXd& X, const VectorXd& xbar) {
  const Index n = X.rows();
  const Index d = X.cols();
  InputMoments out;
  out.xbar = xbar;
  const Index tasks = task_count(n);
  std::vector<MatrixXd> partial(static_cast<std::size_t>(tasks), MatrixXd::Zero(d, d));
#pragma omp parallel if (tasks > 1)
  {
    MatrixXd Xc;  // one per thread
#pragma omp for schedule(static)
    for (Index task = 0; task < tasks; ++task) {
      for_each_block(n, task, [&](Index begin, Index count) {
        Xc = X.middleRows(begin, count).rowwise() - out.xbar.transpose();
        partial[static_cast<std::size_t>(task)].selfadjointView<Eigen::Lower>().rankUpdate(
            Xc.transpose());
      });
    }
  }
  MatrixXd lower = MatrixXd::Zero(d, d);
  for (const MatrixXd& S : partial) lower += S;
  lower /= static_cast<double>(n);
  out.sigma = lower.selfadjointView<Eigen::Lower>();
  return out;
}

struct Evaluation {
  SampleTerms terms;
  VectorXd gradient;  // empty unless asked for
};

// ---- Linear model -------------------------------------------------------------------------

Evaluation evaluate_linear(const LinearModel& model, LossKind loss, const Dataset& data,
                           const VectorXd& xbar, MixupMoments mm, bool want_gradient) {
  const Index n = data.n();
  const MatrixXd Xc = data.X.rowwise() - xbar.transpose();
  const VectorXd v = Xc * model.theta();                      // v_i = theta^T (x_i - xbar)
  const double q = v.squaredNorm() / static_cast<double>(n);  // theta^T Sigma theta
  Evaluation ev{SampleTerms(n), VectorXd()};
  ev.terms.u = model.f(data.X);
  ev.terms.s = -v;
  ev.terms.q.setConstant(q);
  if (!want_gradient) return ev;
  const ChainWeights w = chain_weights(loss, data.y, ev.terms, 0, n, mm);
  const double alpha_sum = w.alpha.sum();
  const double gamma_sum = w.gamma.sum();
  // X^T alpha - Xc^T beta + 2 (sum gamma) Sigma theta, with X = Xc + 1 xbar^T and
  // Sigma theta = Xc^T v / n.
  const VectorXd combined =
      (w.alpha - w.beta).matrix() + (2.0 * gamma_sum / static_cast<double>(n)) * v;
  ev.gradient = VectorXd(model.parameter_count());
  ev.gradient.head(data.d()) = Xc.transpose() * combined + alpha_sum * xbar;
  if (model.has_bias()) ev.gradient(data.d()) = alpha_sum;
  return ev;
}

// ---- Two-layer nets (ReLU and smooth) -----------------------------------------------------

struct TwoLayerNet {
  const MatrixXd& W;
  const VectorXd& b;
  const VectorXd& theta1;
  double theta0;
  const SmoothTwoLayer* smooth;  // nullptr: ReLU
};

struct TwoLayerShared {  // data-wide quantities every block reads
  VectorXd xbar;
  VectorXd zbar;  // W xbar + b
  MatrixXd M;     // W Sigma W^T
  VectorXd m_diag;
};

// One task's contribution to the gradient pieces that are sums over samples.
struct TwoLayerPartial {
  MatrixXd dW_centered;  // (E - F)^T Xc, m x d
  VectorXd e_sum;        // E^T 1 (= d/db)
  MatrixXd m_bar;        // lower triangle of Mbar = D1^T diag(gamma) D1 + diag(D2^T rho)
  VectorXd dtheta1;
  double dtheta0 = 0.0;

  TwoLayerPartial(Index m, Index d)
      : dW_centered(MatrixXd::Zero(m, d)),
        e_sum(VectorXd::Zero(m)),
        m_bar(MatrixXd::Zero(m, m)),
        dtheta1(VectorXd::Zero(m)) {}
};

// Buffers for one block of rows, reused across the blocks of a task.
struct BlockWorkspace {
  MatrixXd Xc;              // x_i - xbar
  MatrixXd Zc;              // W (x_i - xbar) = -P
  MatrixXd S0;              // s(Z)
  MatrixXd D1;              // s'(Z) diag(theta1)
  MatrixXd D1M;             // D1 M
  MatrixXd EF;              // E - F
  MatrixXd B;               // diag(sqrt(gamma)) D1
  ArrayXXd S1, S2, S3, PP;  // smooth nets: s', s'', s''' of Z and M_kk + P_ik^2
};

// sum_k A(i, k) B(i, k) for each row i, column by column (A, B column-major).
template <class DerivedA, class DerivedB>
VectorXd rowwise_dot(const Eigen::DenseBase<DerivedA>& A, const Eigen::DenseBase<DerivedB>& B) {
  VectorXd out = VectorXd::Zero(A.rows());
  for (Index k = 0; k < A.cols(); ++k) {
    out.array() += A.derived().col(k).array() * B.derived().col(k).array();
  }
  return out;
}

// ReLU: S0 = relu(Z) and D1 = 1{Z > 0} theta1 with Z = Zc + 1 zbar^T, and in the same pass
// u_i = theta1 . S0_i + theta0 and s_i = -D1_i . Zc_i (P = -Zc).
void relu_activate(const TwoLayerNet& net, const TwoLayerShared& shared, BlockWorkspace* ws,
                   Eigen::Ref<VectorXd> u, Eigen::Ref<VectorXd> s) {
  const Index rows = ws->Zc.rows();
  const Index m = ws->Zc.cols();
  ws->S0.resize(rows, m);
  ws->D1.resize(rows, m);
  u.setConstant(net.theta0);
  s.setZero();
  // Plain loops over raw columns: GCC turns the ternaries into vector blends (Eigen's select()
  // is not vectorised and measured 20% slower overall).
  double* u_out = u.data();
  double* s_out = s.data();
  for (Index k = 0; k < m; ++k) {
    const double zbar = shared.zbar(k);
    const double theta1 = net.theta1(k);
    const double* zc = ws->Zc.col(k).data();
    double* s0 = ws->S0.col(k).data();
    double* d1 = ws->D1.col(k).data();
    for (Index i = 0; i < rows; ++i) {
      const double z = zc[i] + zbar;
      const bool active = z > 0.0;  // relu'(0) = 0 (core/models.hpp)
      s0[i] = active ? z : 0.0;
      d1[i] = active ? theta1 : 0.0;
      u_out[i] += theta1 * s0[i];
      s_out[i] -= d1[i] * zc[i];
    }
  }
}

// Smooth nets: s, s', s'', s''' of Z, with the model's own s, s', s'' and
// s''' = s'' * (-tanh(z / 2)) for softplus (sigma (1 - sigma)(1 - 2 sigma)),
// s''' = -2 (1 - t^2)(1 - 3 t^2) for tanh.
void smooth_activate(const TwoLayerNet& net, const TwoLayerShared& shared, BlockWorkspace* ws) {
  const SmoothTwoLayer& smooth = *net.smooth;
  const ArrayXXd Z = ws->Zc.array().rowwise() + shared.zbar.transpose().array();
  ws->S0 = smooth.activate(Z).matrix();
  ws->S1 = smooth.activate_d1(Z);
  ws->S2 = smooth.activate_d2(Z);
  if (smooth.activation() == SmoothActivation::kTanh) {
    const ArrayXXd t2 = Z.tanh().square();
    ws->S3 = -2.0 * (1.0 - t2) * (1.0 - 3.0 * t2);
  } else {
    ws->S3 = -ws->S2 * (0.5 * Z).tanh();
  }
  ws->D1 = (ws->S1.rowwise() * net.theta1.transpose().array()).matrix();
}

// The GEMM-shaped gradient pieces, once E - F is in ws->EF and diag(sqrt(gamma)) D1 in ws->B.
void accumulate_products(BlockWorkspace* ws, TwoLayerPartial* partial) {
  partial->dW_centered.noalias() += ws->EF.transpose() * ws->Xc;
  // gamma >= 0 (h'' >= 0), so D1^T diag(gamma) D1 = B^T B with B = diag(sqrt(gamma)) D1.
  partial->m_bar.selfadjointView<Eigen::Lower>().rankUpdate(ws->B.transpose());
}

// ReLU (S2 = S3 = 0): E = diag(alpha) D1, F = diag(beta) D1, and
//   d/dtheta1_k gets sum_i [alpha_i S0_ik + 1{Z_ik > 0} (2 gamma_i (D1 M)_ik - beta_i Zc_ik)].
// The column loop does only elementwise work (vectorised by the compiler); the sums over rows
// are Eigen reductions and GEMVs (a scalar accumulation in the loop would not vectorise).
void relu_gradient(const ChainWeights& w, BlockWorkspace* ws, TwoLayerPartial* partial) {
  const Index rows = ws->Zc.rows();
  const Index m = ws->Zc.cols();
  const ArrayXd alpha_minus_beta = w.alpha - w.beta;
  const ArrayXd sqrt_gamma = w.gamma.sqrt();
  const ArrayXd two_gamma = 2.0 * w.gamma;
  ws->EF = ws->D1.array().colwise() * alpha_minus_beta;
  ws->B = ws->D1.array().colwise() * sqrt_gamma;
  ArrayXd through_s_and_q(rows);
  for (Index k = 0; k < m; ++k) {
    through_s_and_q = two_gamma * ws->D1M.col(k).array() - w.beta * ws->Zc.col(k).array();
    // 1{Z_ik > 0} = 1{S0_ik > 0}; a plain loop, which the compiler turns into vector blends.
    const double* h = ws->S0.col(k).data();
    double* t = through_s_and_q.data();
    for (Index i = 0; i < rows; ++i) t[i] = h[i] > 0.0 ? t[i] : 0.0;
    partial->dtheta1(k) += through_s_and_q.sum();
  }
  partial->e_sum.noalias() += ws->D1.transpose() * w.alpha.matrix();
  partial->dtheta1.noalias() += ws->S0.transpose() * w.alpha.matrix();
  partial->dtheta0 += w.alpha.sum();
  accumulate_products(ws, partial);
}

// Smooth nets: E, F, Mbar and d/dtheta1 of the header comment in full, with P = -Zc.
void smooth_gradient(const TwoLayerNet& net, const ChainWeights& w, BlockWorkspace* ws,
                     TwoLayerPartial* partial) {
  const auto theta1_row = net.theta1.transpose().array();
  const ArrayXXd Zc = ws->Zc.array();
  const ArrayXXd D1M = ws->D1M.array();
  const ArrayXXd D2 = ws->S2.rowwise() * theta1_row;
  // The bracket of E_ik before the factor theta1_k, and the terms of d/dtheta1 beyond alpha S0.
  const ArrayXXd E_bracket = ws->S1.colwise() * w.alpha - (ws->S2 * Zc).colwise() * w.beta +
                             (ws->S2 * D1M).colwise() * (2.0 * w.gamma) +
                             (ws->S3 * ws->PP).colwise() * w.rho;
  const ArrayXXd E = E_bracket.rowwise() * theta1_row;
  const ArrayXXd F = ws->D1.array().colwise() * w.beta - (D2 * Zc).colwise() * (2.0 * w.rho);
  ws->EF = (E - F).matrix();
  partial->e_sum += E.colwise().sum().transpose().matrix();
  partial->m_bar.diagonal() += D2.matrix().transpose() * w.rho.matrix();
  const ArrayXXd theta1_terms = (ws->S1 * Zc).colwise() * (-w.beta) +
                                (ws->S1 * D1M).colwise() * (2.0 * w.gamma) +
                                (ws->S2 * ws->PP).colwise() * w.rho;
  partial->dtheta1 += theta1_terms.colwise().sum().transpose().matrix();
  partial->dtheta1.noalias() += ws->S0.transpose() * w.alpha.matrix();
  partial->dtheta0 += w.alpha.sum();
  ws->B = ws->D1.array().colwise() * w.gamma.sqrt();
  accumulate_products(ws, partial);
}

// Rows [begin, begin + count): the per-sample numbers, and (if partial) the gradient pieces.
void two_layer_block(const TwoLayerNet& net, const TwoLayerShared& shared, LossKind loss,
                     const Dataset& data, MixupMoments mm, Index begin, Index count,
                     BlockWorkspace* ws, SampleTerms* terms, TwoLayerPartial* partial) {
  ws->Xc = data.X.middleRows(begin, count).rowwise() - shared.xbar.transpose();
  ws->Zc.resize(count, net.W.rows());
  ws->Zc.noalias() = ws->Xc * net.W.transpose();
  if (net.smooth == nullptr) {
    relu_activate(net, shared, ws, terms->u.segment(begin, count), terms->s.segment(begin, count));
  } else {
    smooth_activate(net, shared, ws);
    terms->u.segment(begin, count) = (ws->S0 * net.theta1).array() + net.theta0;
    terms->s.segment(begin, count) = -rowwise_dot(ws->D1, ws->Zc);
  }
  ws->D1M.resize(count, net.W.rows());
  ws->D1M.noalias() = ws->D1 * shared.M;
  terms->q.segment(begin, count) = rowwise_dot(ws->D1M, ws->D1);
  if (net.smooth != nullptr) {
    ws->PP = ws->Zc.array().square().rowwise() + shared.m_diag.transpose().array();
    terms->t.segment(begin, count) =
        rowwise_dot(ws->S2.rowwise() * net.theta1.transpose().array(), ws->PP);
  }
  if (partial == nullptr) return;
  const ChainWeights w = chain_weights(loss, data.y, *terms, begin, count, mm);
  if (net.smooth == nullptr) {
    relu_gradient(w, ws, partial);
  } else {
    smooth_gradient(net, w, ws, partial);
  }
}

VectorXd two_layer_gradient(const TwoLayerNet& net, const TwoLayerShared& shared,
                            const MatrixXd& W_sigma, const std::vector<TwoLayerPartial>& partial) {
  const Index m = net.W.rows();
  TwoLayerPartial total(m, net.W.cols());
  for (const TwoLayerPartial& p : partial) {  // task order
    total.dW_centered += p.dW_centered;
    total.e_sum += p.e_sum;
    total.m_bar += p.m_bar;
    total.dtheta1 += p.dtheta1;
    total.dtheta0 += p.dtheta0;
  }
  const MatrixXd m_bar = total.m_bar.selfadjointView<Eigen::Lower>();
  MatrixXd dW = total.dW_centered + total.e_sum * shared.xbar.transpose();
  dW.noalias() += 2.0 * m_bar * W_sigma;
  VectorXd grad(net.W.size() + 2 * m + 1);
  grad.head(net.W.size()) = dW.reshaped();  // column-major vec(W), as Model::parameters()
  grad.segment(net.W.size(), m) = total.e_sum;
  grad.segment(net.W.size() + m, m) = total.dtheta1;
  grad(net.W.size() + 2 * m) = total.dtheta0;
  return grad;
}

Evaluation evaluate_two_layer(const TwoLayerNet& net, LossKind loss, const Dataset& data,
                              const VectorXd& xbar, MixupMoments mm, bool want_gradient) {
  const Index n = data.n();
  const InputMoments moments = input_moments(data.X, xbar);
  TwoLayerShared shared;
  shared.xbar = moments.xbar;
  shared.zbar = net.W * moments.xbar + net.b;
  const MatrixXd W_sigma = net.W * moments.sigma;  // m x d
  shared.M.noalias() = W_sigma * net.W.transpose();
  shared.m_diag = shared.M.diagonal();
  Evaluation ev{SampleTerms(n), VectorXd()};
  const Index tasks = task_count(n);
  std::vector<TwoLayerPartial> partial;
  if (want_gradient) {
    partial.assign(static_cast<std::size_t>(tasks), TwoLayerPartial(net.W.rows(), net.W.cols()));
  }
#pragma omp parallel if (tasks > 1)
  {
    BlockWorkspace ws;  // one per thread, reused over its tasks' blocks
#pragma omp for schedule(static)
    for (Index task = 0; task < tasks; ++task) {
      TwoLayerPartial* p = want_gradient ? &partial[static_cast<std::size_t>(task)] : nullptr;
      for_each_block(n, task, [&](Index begin, Index count) {
        two_layer_block(net, shared, loss, data, mm, begin, count, &ws, &ev.terms, p);
      });
    }
  }
  if (want_gradient) ev.gradient = two_layer_gradient(net, shared, W_sigma, partial);
  return ev;
}

// ---- Deep ReLU net --------------------------------------------------------------------------

struct DeepPass {
  std::vector<ArrayXXd> mask;   // 1{Z_l > 0}, n x m_l, l = 1..L
  std::vector<MatrixXd> delta;  // df/dZ_l
  MatrixXd G;                   // grad_x f, n x d
  VectorXd u;
};

DeepPass deep_pass(const ReluDeep& net, const MatrixXd& X) {
  const auto& weights = net.weights();
  const std::size_t L = weights.size();
  DeepPass pass;
  MatrixXd A = X;
  for (const MatrixXd& W : weights) {
    MatrixXd Z(X.rows(), W.rows());
    Z.noalias() = A * W.transpose();
    pass.mask.push_back((Z.array() > 0.0).cast<double>());  // relu'(0) = 0
    A = Z.cwiseMax(0.0);
  }
  pass.u = A * net.beta();
  pass.delta.resize(L);
  pass.delta[L - 1] = (pass.mask[L - 1].rowwise() * net.beta().transpose().array()).matrix();
  for (std::size_t l = L - 1; l > 0; --l) {
    MatrixXd back(X.rows(), weights[l].cols());
    back.noalias() = pass.delta[l] * weights[l];
    pass.delta[l - 1] = (back.array() * pass.mask[l - 1]).matrix();
  }
  pass.G.noalias() = pass.delta[0] * weights[0];
  return pass;
}

Evaluation evaluate_relu_deep(const ReluDeep& net, LossKind loss, const Dataset& data,
                              const VectorXd& xbar, MixupMoments mm, bool want_gradient) {
  const Index n = data.n();
  const InputMoments moments = input_moments(data.X, xbar);
  const MatrixXd Xc = data.X.rowwise() - moments.xbar.transpose();
  const DeepPass pass = deep_pass(net, data.X);
  MatrixXd G_sigma(n, data.d());
  G_sigma.noalias() = pass.G * moments.sigma;
  Evaluation ev{SampleTerms(n), VectorXd()};
  ev.terms.u = pass.u;
  ev.terms.s = -rowwise_dot(pass.G, Xc);
  ev.terms.q = rowwise_dot(G_sigma, pass.G);
  if (!want_gradient) return ev;
  const ChainWeights w = chain_weights(loss, data.y, ev.terms, 0, n, mm);
  // C_0 rows c_i = alpha_i x_i + beta_i (xbar - x_i) + 2 gamma_i Sigma g_i.
  MatrixXd C = (data.X.array().colwise() * w.alpha - Xc.array().colwise() * w.beta +
                G_sigma.array().colwise() * (2.0 * w.gamma))
                   .matrix();
  const auto& weights = net.weights();
  ev.gradient = VectorXd(net.parameter_count());
  Index at = 0;
  for (std::size_t l = 0; l < weights.size(); ++l) {
    MatrixXd dW(weights[l].rows(), weights[l].cols());
    dW.noalias() = pass.delta[l].transpose() * C;
    ev.gradient.segment(at, dW.size()) = dW.reshaped();
    at += dW.size();
    MatrixXd next(n, weights[l].rows());
    next.noalias() = C * weights[l].transpose();
    C = (next.array() * pass.mask[l]).matrix();
  }
  ev.gradient.tail(net.beta().size()) = C.colwise().sum().transpose();
  return ev;
}

// ---- Any other model: Model's own derivatives, value only ----------------------------------

Evaluation evaluate_generic(const Model& model, const Dataset& data, const VectorXd& xbar) {
  const Index n = data.n();
  const Index d = data.d();
  const InputMoments moments = input_moments(data.X, xbar);
  const MatrixXd Xc = data.X.rowwise() - moments.xbar.transpose();
  const MatrixXd G = model.grad_x(data.X);
  MatrixXd G_sigma(n, d);
  G_sigma.noalias() = G * moments.sigma;
  Evaluation ev{SampleTerms(n), VectorXd()};
  ev.terms.u = model.f(data.X);
  ev.terms.s = -rowwise_dot(G, Xc);
  ev.terms.q = rowwise_dot(G_sigma, G);
  // t_i = tr(H_i Sigma) + delta_i^T H_i delta_i = sum(H_i .* Sigma) + Xc_i H_i Xc_i^T.
  for (Index i = 0; i < n; ++i) {
    const MatrixXd H = model.hess_x(data.X.row(i).transpose());
    const VectorXd c = Xc.row(i).transpose();
    ev.terms.t(i) = (H.array() * moments.sigma.array()).sum() + c.dot(H * c);
  }
  return ev;
}

// ---- Dispatch --------------------------------------------------------------------------------

Evaluation evaluate(const Model& model, LossKind loss, const Dataset& data, MixingLaw law,
                    bool want_gradient, const std::string& what) {
  require_inputs(model, loss, data, law, what);
  const VectorXd xbar = column_mean(data.X);
  require_finite_inputs(data, xbar, what);
  const MixupMoments mm{dtilde_m1(law.a, law.b), dtilde_m2(law.a, law.b)};
  if (const auto* linear = dynamic_cast<const LinearModel*>(&model)) {
    return evaluate_linear(*linear, loss, data, xbar, mm, want_gradient);
  }
  if (const auto* relu2 = dynamic_cast<const ReluTwoLayer*>(&model)) {
    const TwoLayerNet net{relu2->W(), relu2->b(), relu2->theta1(), relu2->theta0(), nullptr};
    return evaluate_two_layer(net, loss, data, xbar, mm, want_gradient);
  }
  if (const auto* smooth2 = dynamic_cast<const SmoothTwoLayer*>(&model)) {
    const TwoLayerNet net{smooth2->W(), smooth2->b(), smooth2->theta1(), smooth2->theta0(),
                          smooth2};
    return evaluate_two_layer(net, loss, data, xbar, mm, want_gradient);
  }
  if (const auto* deep = dynamic_cast<const ReluDeep*>(&model)) {
    return evaluate_relu_deep(*deep, loss, data, xbar, mm, want_gradient);
  }
  if (want_gradient) {
    throw DomainError(what + ": no analytic gradient for the model type '" + model.type() +
                      "' (implemented for linear, relu2, relu_deep, smooth2)");
  }
  return evaluate_generic(model, data, xbar);
}

}  // namespace

QuadraticApproximation approximate_mixup_loss(const Model& model, LossKind loss,
                                              const Dataset& data, MixingLaw law) {
  const Evaluation ev = evaluate(model, loss, data, law, false, "approximate_mixup_loss");
  return assemble(loss, data.y, ev.terms, {dtilde_m1(law.a, law.b), dtilde_m2(law.a, law.b)});
}

Eigen::VectorXd approximate_mixup_loss_gradient(const Model& model, LossKind loss,
                                                const Dataset& data, MixingLaw law) {
  return evaluate(model, loss, data, law, true, "approximate_mixup_loss_gradient").gradient;
}

}  // namespace mixup
