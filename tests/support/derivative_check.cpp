#include "tests/support/derivative_check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace mixup::testing {

Eigen::MatrixXd central_difference_jacobian(const VectorFunction& F, const Eigen::VectorXd& x) {
  const double root3_eps = std::cbrt(std::numeric_limits<double>::epsilon());
  const Eigen::Index m = F(x).size();
  Eigen::MatrixXd J(m, x.size());
  Eigen::VectorXd probe = x;
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    const double h = root3_eps * std::max(1.0, std::abs(x(j)));
    probe(j) = x(j) + h;
    const double step_up = probe(j) - x(j);  // the step actually taken, after rounding
    const Eigen::VectorXd up = F(probe);
    probe(j) = x(j) - h;
    const double step_down = x(j) - probe(j);
    const Eigen::VectorXd down = F(probe);
    probe(j) = x(j);
    J.col(j) = (up - down) / (step_up + step_down);
  }
  return J;
}

DerivativeCheckResult check_jacobian(const VectorFunction& F, const Eigen::VectorXd& x,
                                     const Eigen::MatrixXd& analytic,
                                     const DerivativeTolerance& tolerance) {
  DerivativeCheckResult result;
  result.analytic = analytic;
  result.numeric = central_difference_jacobian(F, x);
  std::ostringstream rows;
  if (result.numeric.rows() != analytic.rows() || result.numeric.cols() != analytic.cols()) {
    result.passed = false;
    rows << "shape mismatch: analytic " << analytic.rows() << " x " << analytic.cols()
         << ", numeric " << result.numeric.rows() << " x " << result.numeric.cols() << "\n";
    result.report = rows.str();
    return result;
  }
  const double scale = std::max(
      {1.0, F(x).cwiseAbs().maxCoeff(), analytic.size() ? analytic.cwiseAbs().maxCoeff() : 0.0});
  const double atol = tolerance.atol_factor * scale;
  double worst_excess = -std::numeric_limits<double>::infinity();
  rows.precision(17);
  for (Eigen::Index j = 0; j < analytic.cols(); ++j) {
    for (Eigen::Index i = 0; i < analytic.rows(); ++i) {
      const double a = analytic(i, j);
      const double n = result.numeric(i, j);
      const double abs_error = std::abs(a - n);
      const double magnitude = std::max(std::abs(a), std::abs(n));
      const double rel_error = magnitude > 0.0 ? abs_error / magnitude : 0.0;
      const double allowed = atol + tolerance.rtol * magnitude;
      const bool bad = !(abs_error <= allowed);  // NaN counts as bad
      if (magnitude > atol) result.worst_rel_error = std::max(result.worst_rel_error, rel_error);
      const double excess = abs_error - allowed;
      if (excess > worst_excess || std::isnan(excess)) {
        worst_excess = std::isnan(excess) ? std::numeric_limits<double>::infinity() : excess;
        result.worst = {i, j, a, n, abs_error, rel_error, x(j)};
      }
      if (bad) {
        ++result.bad_entries;
        if (result.bad_entries <= 20) {
          rows << "  (" << i << ", " << j << ")  analytic " << a << "  numeric " << n << "  abs "
               << abs_error << "  rel " << rel_error << "  x_j " << x(j) << "\n";
        }
      }
    }
  }
  result.passed = result.bad_entries == 0;
  std::ostringstream header;
  header.precision(6);
  header << result.bad_entries << " of " << analytic.size()
         << " entries outside |a - n| <= " << atol << " + " << tolerance.rtol
         << " max(|a|, |n|); worst relative error " << result.worst_rel_error << "\n";
  result.report = header.str() + rows.str();
  return result;
}

::testing::AssertionResult derivatives_agree(const DerivativeCheckResult& result) {
  if (result.passed) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << result.report;
}

}  // namespace mixup::testing
