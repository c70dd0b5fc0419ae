#include "core/losses.hpp"

#include <cmath>
#include <limits>

#include "core/errors.hpp"

namespace mixup {
namespace {

// log(1 + e^u) = max(u, 0) + log1p(e^{-|u|}): exp never sees a positive argument, and log1p
// keeps full relative accuracy when e^{-|u|} is tiny.
double log1p_exp(double u) {
  return std::max(u, 0.0) + std::log1p(std::exp(-std::abs(u)));
}

// sigmoid(u) = 1 / (1 + e^{-u}) for u >= 0 and e^u / (1 + e^u) for u < 0.
double sigmoid(double u) {
  if (u >= 0.0) return 1.0 / (1.0 + std::exp(-u));
  const double e = std::exp(u);
  return e / (1.0 + e);
}

// sigmoid(u) sigmoid(-u) = e^{-|u|} / (1 + e^{-|u|})^2: symmetric, no cancellation.
double sigmoid_derivative(double u) {
  const double e = std::exp(-std::abs(u));
  const double s = 1.0 + e;
  return e / (s * s);
}

}  // namespace

LossKind parse_loss_kind(std::string_view name) {
  if (name == "logistic") return LossKind::kLogistic;
  if (name == "poisson") return LossKind::kPoisson;
  if (name == "gaussian" || name == "squared") return LossKind::kGaussian;
  throw DomainError("unknown loss '" + std::string(name) +
                    "': expected one of logistic, poisson, gaussian");
}

std::string to_string(LossKind kind) {
  switch (kind) {
    case LossKind::kLogistic:
      return "logistic";
    case LossKind::kPoisson:
      return "poisson";
    case LossKind::kGaussian:
      return "gaussian";
  }
  return "unknown";
}

double loss_h(LossKind kind, double u) {
  switch (kind) {
    case LossKind::kLogistic:
      return log1p_exp(u);
    case LossKind::kPoisson:
      return std::exp(u);
    case LossKind::kGaussian:
      return 0.5 * u * u;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double loss_dh(LossKind kind, double u) {
  switch (kind) {
    case LossKind::kLogistic:
      return sigmoid(u);
    case LossKind::kPoisson:
      return std::exp(u);
    case LossKind::kGaussian:
      return u;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double loss_d2h(LossKind kind, double u) {
  switch (kind) {
    case LossKind::kLogistic:
      return sigmoid_derivative(u);
    case LossKind::kPoisson:
      return std::exp(u);
    case LossKind::kGaussian:
      return 1.0;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double loss_value(LossKind kind, double u, double y) {
  if (kind == LossKind::kLogistic) {
    // h(u) - y u = y h(-u) + (1 - y) h(u), since h(u) - u = h(-u): no cancellation between h(u)
    // and y u when u is large, for any label y in [0, 1] (mixed labels included).
    double value = 0.0;
    if (y != 0.0) value += y * log1p_exp(-u);
    if (y != 1.0) value += (1.0 - y) * log1p_exp(u);
    return value;
  }
  return loss_h(kind, u) - y * u;
}

bool label_is_valid(LossKind kind, double y) {
  switch (kind) {
    case LossKind::kLogistic:
      return y == 0.0 || y == 1.0;
    case LossKind::kPoisson:
      return std::isfinite(y) && y >= 0.0 && y == std::floor(y);
    case LossKind::kGaussian:
      return std::isfinite(y);
  }
  return false;
}

std::string allowed_labels(LossKind kind) {
  switch (kind) {
    case LossKind::kLogistic:
      return "0 or 1";
    case LossKind::kPoisson:
      return "a non-negative integer";
    case LossKind::kGaussian:
      return "a finite number";
  }
  return "";
}

double log_sum_exp(const Eigen::VectorXd& u) {
  const double top = u.maxCoeff();
  if (!std::isfinite(top)) return top;
  // The largest term contributes exactly e^0 = 1; adding the rest through log1p keeps relative
  // accuracy when they are tiny.
  double rest = 0.0;
  bool skipped_top = false;
  for (Eigen::Index k = 0; k < u.size(); ++k) {
    if (!skipped_top && u(k) == top) {
      skipped_top = true;
      continue;
    }
    rest += std::exp(u(k) - top);
  }
  return top + std::log1p(rest);
}

Eigen::VectorXd softmax(const Eigen::VectorXd& u) {
  // std::exp, not Eigen's vectorised exp: the latter clamps very negative arguments and returns
  // a tiny non-zero number where e^{u_k - max} underflows to 0.
  const double top = u.maxCoeff();
  Eigen::VectorXd e(u.size());
  for (Eigen::Index k = 0; k < u.size(); ++k) e(k) = std::exp(u(k) - top);
  return e / e.sum();
}

Eigen::MatrixXd softmax_hessian(const Eigen::VectorXd& u) {
  const Eigen::VectorXd p = softmax(u);
  Eigen::MatrixXd hessian = -p * p.transpose();
  hessian.diagonal() += p;
  return hessian;
}

}  // namespace mixup
