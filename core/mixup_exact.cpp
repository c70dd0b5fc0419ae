// The exact mixup losses of core/mixup.hpp: Eq. (1), its D~ form Eq. (9) (also at perturbation
// scale s, for Lemma 3.1's order experiment), the gradient of Eq. (1) in the model's
// parameters, and manifold mixup on the hidden layer of a two-layer net.  Deterministic
// integrals over lam (no sampling); see core/mixup_exact_internal.hpp for the quadrature and
// core/mixup_exact_scalar.cpp, core/mixup_exact_nets.cpp for the models.
//
// Accuracy.  Every pair integral is split where the integrand is not analytic (ReLU switches of
// every layer) and graded about the turn of h, and each piece takes a Gauss rule sized from the
// Bernstein ellipse of its integrand for a target of kRuleTolerance = 1e-15 (smooth nets:
// adaptive, 1e-14 of each pair's scale).  The logistic integrand beyond |u| >= 45 is integrated
// as its polynomial part: an absolute error below 3e-20 per unit of weight, which matters only
// if the whole loss is below ~1e-10 (every mixed point classified with margin >= 45).  Measured
// against an independent long double / 50-digit tanh_sinh reference: about 3e-16 relative for
// logistic regression with |f| up to 100, two-layer and deep ReLU nets, all (a, b) in
// {0.2, 1, 5}^2 (tests/core/mixup_exact_test.cpp).
//
// Squared loss.  LossKind::kGaussian is the GLM form l = u^2/2 - y u of Eq. (2), which is linear
// in y, so Eq. (1) and Eq. (9) agree for it as for logistic and Poisson.  The squared error
// (u - y)^2 / 2 = l + y^2 / 2 adds a label-only term, and the two forms then differ by
//   (1/2) [ (1/n^2) sum_ij E_Beta (lam y_i + (1-lam) y_j)^2 - (1/n) sum_i y_i^2 ]
//     = -E[lam (1-lam)] (1/n) sum_i (y_i - ybar)^2 = -ab / ((a+b)(a+b+1)) Var_n(y),
// which does not depend on theta (using E[lam^2] + E[(1-lam)^2] = 1 - 2 E[lam (1-lam)]).

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "core/errors.hpp"
#include "core/mixing.hpp"
#include "core/mixup.hpp"
#include "core/mixup_exact_internal.hpp"

namespace mixup {
namespace {

using Eigen::Index;
using Eigen::VectorXd;
using exact_detail::MixupForm;

std::string format_number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
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
  for (Index j = 0; j < data.d(); ++j) {
    for (Index i = 0; i < data.n(); ++i) {
      if (!std::isfinite(data.X(i, j))) {
        throw DomainError(what + ": data.X(" + std::to_string(i) + ", " + std::to_string(j) +
                          ") = " + format_number(data.X(i, j)) + " is not finite");
      }
    }
  }
  for (Index i = 0; i < data.n(); ++i) {
    if (!label_is_valid(loss, data.y(i))) {
      throw DomainError(what + ": data.y(" + std::to_string(i) + ") = " + format_number(data.y(i)) +
                        " is not a valid label for the " + to_string(loss) + " loss (expected " +
                        allowed_labels(loss) + ")");
    }
  }
  const VectorXd theta = model.parameters();
  for (Index k = 0; k < theta.size(); ++k) {
    if (!std::isfinite(theta(k))) {
      throw DomainError(what + ": model parameter " + std::to_string(k) + " = " +
                        format_number(theta(k)) + " is not finite");
    }
  }
}

[[noreturn]] void unsupported(const Model& model, const std::string& what) {
  throw DomainError(what + ": no exact engine for the model type '" + model.type() +
                    "' (supported: linear, relu2, relu_deep, smooth2)");
}

// Validates the inputs and runs the engine of the model's type.  For kEq9, scale s != 1 is the
// perturbation-scale form (exact_mixup_loss_dtilde_scaled).
double dispatch_loss(const Model& model, LossKind loss, const Dataset& data, MixingLaw law,
                     MixupForm form, double scale, const std::string& what) {
  require_inputs(model, loss, data, law, what);
  if (const auto* linear = dynamic_cast<const LinearModel*>(&model)) {
    const VectorXd f = linear->f(data.X);
    if (scale != 1.0) {
      return exact_detail::scalar_mixup_loss_dtilde_scaled(f, data.y, loss, law, scale);
    }
    return exact_detail::scalar_mixup_loss(f, data.y, loss, law, form);
  }
  if (const auto* relu2 = dynamic_cast<const ReluTwoLayer*>(&model)) {
    return exact_detail::relu2_mixup_loss(*relu2, loss, data, law, form, scale);
  }
  if (const auto* deep = dynamic_cast<const ReluDeep*>(&model)) {
    return exact_detail::relu_deep_mixup_loss(*deep, loss, data, law, form, scale);
  }
  if (const auto* smooth = dynamic_cast<const SmoothTwoLayer*>(&model)) {
    return exact_detail::smooth2_mixup_loss(*smooth, loss, data, law, form, scale);
  }
  unsupported(model, what);
}

// Poisson's e^u overflows to +infinity for u > 709.78 (core/losses.hpp).  Inputs and parameters
// are finite, so a NaN can only be +infinity minus +infinity between quadrature weights of
// opposite sign (end-anchored differences) at such nodes: the integral is +infinity.
double overflow_to_infinity(LossKind loss, double value) {
  if (loss == LossKind::kPoisson && std::isnan(value)) {
    return std::numeric_limits<double>::infinity();
  }
  return value;
}

double loss_of(const Model& model, LossKind loss, const Dataset& data, MixingLaw law,
               MixupForm form, double scale, const std::string& what) {
  return overflow_to_infinity(loss, dispatch_loss(model, loss, data, law, form, scale, what));
}

}  // namespace

double exact_mixup_loss(const Model& model, LossKind loss, const Dataset& data, MixingLaw law) {
  return loss_of(model, loss, data, law, MixupForm::kEq1, 1.0, "exact_mixup_loss");
}

double exact_mixup_loss_dtilde(const Model& model, LossKind loss, const Dataset& data,
                               MixingLaw law) {
  return loss_of(model, loss, data, law, MixupForm::kEq9, 1.0, "exact_mixup_loss_dtilde");
}

// Lemma 3.1's perturbation-scale experiment: the ordered pair (i, j) integrates over the
// segment from x_i + s (x_j - x_i) (lam = 0) to x_i (lam = 1) against D~ with label y_i, i.e.
// l(theta, (x_i + s (1-lam)(x_j - x_i), y_i)).  s = 1 is Eq. (9) (the same code path); s > 1
// extrapolates beyond x_j, which the piecewise integration handles like any segment.
double exact_mixup_loss_dtilde_scaled(const Model& model, LossKind loss, const Dataset& data,
                                      MixingLaw law, double s) {
  const std::string what = "exact_mixup_loss_dtilde_scaled";
  if (!(std::isfinite(s) && s >= 0.0)) {
    throw DomainError(what + ": the perturbation scale s must be a finite number >= 0, got " +
                      format_number(s));
  }
  return loss_of(model, loss, data, law, MixupForm::kEq9, s, what);
}

Eigen::VectorXd exact_mixup_loss_gradient(const Model& model, LossKind loss, const Dataset& data,
                                          MixingLaw law) {
  const std::string what = "exact_mixup_loss_gradient";
  require_inputs(model, loss, data, law, what);
  if (const auto* linear = dynamic_cast<const LinearModel*>(&model)) {
    // f_i = theta^T x_i (+ bias): dL/dtheta = X^T dL/df, dL/dbias = sum_i dL/df_i.
    const VectorXd df = exact_detail::scalar_mixup_loss_df(linear->f(data.X), data.y, loss, law);
    VectorXd grad(linear->parameter_count());
    grad.head(data.d()) = data.X.transpose() * df;
    if (linear->has_bias()) grad(data.d()) = df.sum();
    return grad;
  }
  if (const auto* relu2 = dynamic_cast<const ReluTwoLayer*>(&model)) {
    return exact_detail::relu2_mixup_loss_gradient(*relu2, loss, data, law);
  }
  if (const auto* deep = dynamic_cast<const ReluDeep*>(&model)) {
    return exact_detail::relu_deep_mixup_loss_gradient(*deep, loss, data, law);
  }
  if (const auto* smooth = dynamic_cast<const SmoothTwoLayer*>(&model)) {
    return exact_detail::smooth2_mixup_loss_gradient(*smooth, loss, data, law);
  }
  unsupported(model, what);
}

// Manifold mixup: the hidden vectors H_i = relu(W x_i + b) are mixed, and the output
// theta1^T (lam H_i + (1-lam) H_j) + theta0 = lam f_i + (1-lam) f_j is linear in the mixed
// hidden vector: the linear-model engine on the scalars f_i = theta1^T H_i + theta0.
double exact_manifold_mixup_loss(const ReluTwoLayer& net, LossKind loss, const Dataset& data,
                                 MixingLaw law) {
  require_inputs(net, loss, data, law, "exact_manifold_mixup_loss");
  return overflow_to_infinity(
      loss, exact_detail::scalar_mixup_loss(net.f(data.X), data.y, loss, law, MixupForm::kEq1));
}

double exact_manifold_mixup_loss_dtilde(const ReluTwoLayer& net, LossKind loss, const Dataset& data,
                                        MixingLaw law) {
  require_inputs(net, loss, data, law, "exact_manifold_mixup_loss_dtilde");
  return overflow_to_infinity(
      loss, exact_detail::scalar_mixup_loss(net.f(data.X), data.y, loss, law, MixupForm::kEq9));
}

}  // namespace mixup
