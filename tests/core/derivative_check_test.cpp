// The finite-difference checker's own specification: it accepts correct derivatives and catches
// a planted fault of 10 x rtol (Ceres' gradient_checker_test does the same).
#include <cmath>

#include <gtest/gtest.h>

#include "tests/support/derivative_check.hpp"

namespace mixup::testing {
namespace {

Eigen::VectorXd smooth_map(const Eigen::VectorXd& x) {
  Eigen::VectorXd out(2);
  out(0) = std::sin(x(0)) * std::exp(x(1));
  out(1) = x(0) * x(0) * x(1) + std::log1p(x(1) * x(1));
  return out;
}

Eigen::MatrixXd smooth_map_jacobian(const Eigen::VectorXd& x) {
  Eigen::MatrixXd J(2, 2);
  J << std::cos(x(0)) * std::exp(x(1)), std::sin(x(0)) * std::exp(x(1)), 2 * x(0) * x(1),
      x(0) * x(0) + 2 * x(1) / (1 + x(1) * x(1));
  return J;
}

TEST(DerivativeCheck, AcceptsACorrectJacobian) {
  const Eigen::Vector2d x(0.7, -1.3);
  const DerivativeCheckResult result = check_jacobian(smooth_map, x, smooth_map_jacobian(x));
  EXPECT_TRUE(derivatives_agree(result));
  EXPECT_LT(result.worst_rel_error, 1e-8);
}

TEST(DerivativeCheck, CatchesAPlantedFaultOfTenTimesTheTolerance) {
  const Eigen::Vector2d x(0.7, -1.3);
  Eigen::MatrixXd wrong = smooth_map_jacobian(x);
  const DerivativeTolerance tolerance;
  wrong(1, 0) *= 1.0 + 10.0 * tolerance.rtol;
  const DerivativeCheckResult result = check_jacobian(smooth_map, x, wrong, tolerance);
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.bad_entries, 1);
  EXPECT_EQ(result.worst.row, 1);
  EXPECT_EQ(result.worst.col, 0);
  EXPECT_NE(result.report.find("(1, 0)"), std::string::npos) << result.report;
}

}  // namespace
}  // namespace mixup::testing
