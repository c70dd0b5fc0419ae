// Specification of core/losses: h, h', h'' of Eq. (2) are finite and accurate to 1e-14 relative
// over |u| <= 1000, against references computed at 50 decimal digits from the naive formulas.
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "core/errors.hpp"
#include "core/losses.hpp"

namespace mixup {
namespace {

using Real50 = boost::multiprecision::cpp_bin_float_50;

// 1e-14 relative: each function is a handful of correctly rounded operations (exp, log1p, one
// division), each contributing <= 1 ulp ~ 1.1e-16, so the error stays below ~10 ulps = 1.1e-15;
// 1e-14 leaves a 10x margin and is what the acceptance criterion asks.
constexpr double kLossRelTolerance = 1e-14;

const std::vector<double> kProbePoints = {-1000.0, -40.0, -1e-8, 0.0, 1e-8, 40.0, 1000.0};

// Relative error against a reference rounded to double; a reference that rounds to 0 (below the
// smallest subnormal, e.g. e^-1000) demands exactly 0.
double relative_error(double value, const Real50& reference) {
  const double r = static_cast<double>(reference);
  if (r == 0.0) return value == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return std::abs(value - r) / std::abs(r);
}

Real50 naive_log1p_exp(const Real50& u) {
  return log(1 + exp(u));
}
Real50 naive_sigmoid(const Real50& u) {
  return exp(u) / (1 + exp(u));
}
Real50 naive_sigmoid_derivative(const Real50& u) {
  return exp(u) / ((1 + exp(u)) * (1 + exp(u)));
}

TEST(Losses, LogisticIsFiniteAndAccurateOverTheWholeRange) {
  for (const double u : kProbePoints) {
    const Real50 U(u);
    const double h = loss_h(LossKind::kLogistic, u);
    const double dh = loss_dh(LossKind::kLogistic, u);
    const double d2h = loss_d2h(LossKind::kLogistic, u);
    EXPECT_TRUE(std::isfinite(h) && std::isfinite(dh) && std::isfinite(d2h)) << "u = " << u;
    EXPECT_LE(relative_error(h, naive_log1p_exp(U)), kLossRelTolerance) << "h at u = " << u;
    EXPECT_LE(relative_error(dh, naive_sigmoid(U)), kLossRelTolerance) << "h' at u = " << u;
    EXPECT_LE(relative_error(d2h, naive_sigmoid_derivative(U)), kLossRelTolerance)
        << "h'' at u = " << u;
  }
}

TEST(Losses, GaussianIsExact) {
  for (const double u : kProbePoints) {
    const Real50 U(u);
    EXPECT_LE(relative_error(loss_h(LossKind::kGaussian, u), U * U / 2), kLossRelTolerance);
    EXPECT_EQ(loss_dh(LossKind::kGaussian, u), u);
    EXPECT_EQ(loss_d2h(LossKind::kGaussian, u), 1.0);
  }
}

// Poisson's h = e^u is not representable in double above log(DBL_MAX) ~ 709.78 (e^1000 ~
// 2e434): there the honest answer is +infinity.  Below it, e^u is correctly rounded.
TEST(Losses, PoissonIsAccurateWhereRepresentableAndInfiniteBeyond) {
  const double overflow_threshold = std::log(std::numeric_limits<double>::max());
  for (const double u : kProbePoints) {
    const Real50 reference = exp(Real50(u));
    for (const double value : {loss_h(LossKind::kPoisson, u), loss_dh(LossKind::kPoisson, u),
                               loss_d2h(LossKind::kPoisson, u)}) {
      if (u < overflow_threshold) {
        EXPECT_LE(relative_error(value, reference), kLossRelTolerance) << "u = " << u;
      } else {
        EXPECT_EQ(value, std::numeric_limits<double>::infinity()) << "u = " << u;
      }
    }
  }
  EXPECT_TRUE(std::isfinite(loss_h(LossKind::kPoisson, 709.0)));
}

TEST(Losses, SoftmaxCrossEntropyIsAccurateForLargeLogits) {
  for (const double u : kProbePoints) {
    const Eigen::VectorXd logits = u * Eigen::Vector4d(1.0, 0.0, -1.0, 0.5);
    Real50 sum = 0;
    for (Eigen::Index k = 0; k < logits.size(); ++k) sum += exp(Real50(logits(k)));
    EXPECT_LE(relative_error(log_sum_exp(logits), log(sum)), kLossRelTolerance) << "u = " << u;
    const Eigen::VectorXd p = softmax(logits);
    for (Eigen::Index k = 0; k < logits.size(); ++k) {
      EXPECT_LE(relative_error(p(k), exp(Real50(logits(k))) / sum), kLossRelTolerance)
          << "softmax_" << k << " at u = " << u;
    }
    const Eigen::MatrixXd H = softmax_hessian(logits);
    EXPECT_TRUE(H.allFinite());
    EXPECT_LE((H - H.transpose()).cwiseAbs().maxCoeff(), 0.0);
  }
}

TEST(Losses, SoftmaxWithTwoClassesIsTheLogisticLoss) {
  for (const double u : kProbePoints) {
    EXPECT_LE(std::abs(log_sum_exp(Eigen::Vector2d(u, 0.0)) - loss_h(LossKind::kLogistic, u)),
              kLossRelTolerance * std::max(1.0, std::abs(u)));
  }
}

TEST(Losses, LossValueIsHMinusYTimesUWithoutCancellation) {
  for (const double u : kProbePoints) {
    for (const double y : {0.0, 0.3, 1.0}) {
      const Real50 U(u);
      // h(u) - y u = log(e^{-y u} + e^{(1-y) u}), a two-term log-sum-exp: at 50 digits the
      // naive difference would cancel (log(1 + e^1000) - 1000 ~ 5e-435), so factor out the max.
      const Real50 a = -Real50(y) * U;
      const Real50 b = (1 - Real50(y)) * U;
      const Real50 top = a > b ? a : b;
      const Real50 reference = top + log1p(exp(a - top) + exp(b - top) - 1);
      EXPECT_LE(relative_error(loss_value(LossKind::kLogistic, u, y), reference), kLossRelTolerance)
          << "u = " << u << ", y = " << y;
    }
  }
  EXPECT_DOUBLE_EQ(loss_value(LossKind::kGaussian, 3.0, 1.0), 4.5 - 3.0);
}

TEST(Losses, LabelDomainsMatchTheirFamilies) {
  EXPECT_TRUE(label_is_valid(LossKind::kLogistic, 0.0));
  EXPECT_TRUE(label_is_valid(LossKind::kLogistic, 1.0));
  EXPECT_FALSE(label_is_valid(LossKind::kLogistic, 0.5));
  EXPECT_FALSE(label_is_valid(LossKind::kLogistic, 2.0));
  EXPECT_TRUE(label_is_valid(LossKind::kPoisson, 3.0));
  EXPECT_FALSE(label_is_valid(LossKind::kPoisson, -1.0));
  EXPECT_FALSE(label_is_valid(LossKind::kGaussian, std::numeric_limits<double>::quiet_NaN()));
}

TEST(Losses, UnknownLossNameIsADomainError) {
  EXPECT_THROW(parse_loss_kind("hinge"), DomainError);
  EXPECT_EQ(parse_loss_kind("squared"), LossKind::kGaussian);
}

}  // namespace
}  // namespace mixup
