#pragma once
// Central finite-difference checks of analytic Jacobians (after Ceres' GradientChecker and Stan's
// test_ad): one call compares every entry, and the result carries the worst entry and a table.
//
// Step: h_j = cbrt(eps) max(1, |x_j|) ~ 6e-6 max(1, |x_j|).  A central difference has truncation
// error ~ h^2 |F'''| / 6 and rounding error ~ eps |F| / h; h ~ cbrt(eps) balances the two, so
// the expected error is about eps^(2/3) ~ 4e-11 relative, far inside rtol = 1e-6.
// An entry passes if |a - n| <= atol + rtol max(|a|, |n|), atol = atol_factor * scale, where
// scale = max(1, max |F(x)|, max |J|) absorbs entries that should be 0 up to rounding.

#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <Eigen/Core>

namespace mixup::testing {

struct DerivativeTolerance {
  double rtol = 1e-6;         // relative, as the acceptance criteria ask
  double atol_factor = 1e-8;  // absolute floor, in units of scale(F)
};

struct DerivativeEntry {
  Eigen::Index row = -1;
  Eigen::Index col = -1;
  double analytic = 0.0;
  double numeric = 0.0;
  double abs_error = 0.0;
  double rel_error = 0.0;
  double parameter = 0.0;  // x_col
};

struct DerivativeCheckResult {
  bool passed = true;
  int bad_entries = 0;
  double worst_rel_error = 0.0;
  DerivativeEntry worst;  // the entry with the largest excess over its tolerance
  Eigen::MatrixXd analytic;
  Eigen::MatrixXd numeric;
  std::string report;  // header plus one row per bad entry (at most 20)
};

using VectorFunction = std::function<Eigen::VectorXd(const Eigen::VectorXd&)>;

// The central-difference Jacobian of F at x (m x p).
Eigen::MatrixXd central_difference_jacobian(const VectorFunction& F, const Eigen::VectorXd& x);

// Compares an analytic m x p Jacobian of F at x with central differences.
DerivativeCheckResult check_jacobian(const VectorFunction& F, const Eigen::VectorXd& x,
                                     const Eigen::MatrixXd& analytic,
                                     const DerivativeTolerance& tolerance = {});

// For GoogleTest: EXPECT_TRUE(derivatives_agree(result)) prints the report on failure.
::testing::AssertionResult derivatives_agree(const DerivativeCheckResult& result);

}  // namespace mixup::testing
