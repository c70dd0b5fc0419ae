#include "core/input_geometry.hpp"

#include <algorithm>
#include <cmath>

namespace mixup {

bool in_theta(const Model& model, const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  const Eigen::VectorXd f = model.f(X);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    if (y(i) * f(i) + (y(i) - 1.0) * f(i) < 0.0) return false;
  }
  return true;
}

std::vector<std::optional<double>> input_gradient_cosines(const Model& model,
                                                          const Eigen::MatrixXd& X) {
  const Eigen::MatrixXd G = model.grad_x(X);
  std::vector<std::optional<double>> cosines(static_cast<std::size_t>(X.rows()));
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double norms = G.row(i).norm() * X.row(i).norm();
    if (norms > 0.0 && std::isfinite(norms)) {
      // Clamp rounding overshoot (|cos| can exceed 1 by an ulp for parallel vectors).
      cosines[static_cast<std::size_t>(i)] =
          std::min(1.0, std::abs(G.row(i).dot(X.row(i))) / norms);
    }
  }
  return cosines;
}

CosineSummary summarize_cosines(const std::vector<std::optional<double>>& cosines) {
  CosineSummary summary;
  std::vector<double> values;
  for (const auto& c : cosines) {
    if (c) {
      values.push_back(*c);
    } else {
      ++summary.undefined;
    }
  }
  summary.defined = static_cast<Eigen::Index>(values.size());
  if (values.empty()) return summary;
  std::sort(values.begin(), values.end());
  summary.min = values.front();
  const std::size_t mid = values.size() / 2;
  summary.median = values.size() % 2 == 1 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
  return summary;
}

}  // namespace mixup
