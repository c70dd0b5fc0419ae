#pragma once
// Quantities of Theorems 3.1 and 3.3 that depend on a model and a dataset only:
//   Theta = {theta : y_i f(x_i) + (y_i - 1) f(x_i) >= 0 for all i}, i.e. f(x_i) >= 0 where
//           y_i = 1 and f(x_i) <= 0 where y_i = 0 (zero training error, boundary through 0);
//   R_i   = |cos(grad f(x_i), x_i)|, which is |cos(theta, x_i)| for a linear model.

#include <optional>
#include <vector>

#include <Eigen/Core>

#include "core/models.hpp"

namespace mixup {

// True when every sample satisfies y_i f(x_i) + (y_i - 1) f(x_i) >= 0 (labels in {0, 1}).
bool in_theta(const Model& model, const Eigen::MatrixXd& X, const Eigen::VectorXd& y);

// R_i = |cos(grad f(x_i), x_i)| for every row; std::nullopt where the cosine is undefined
// (grad f(x_i) = 0, e.g. every ReLU off, or x_i = 0).
std::vector<std::optional<double>> input_gradient_cosines(const Model& model,
                                                          const Eigen::MatrixXd& X);

struct CosineSummary {
  Eigen::Index defined = 0;
  Eigen::Index undefined = 0;
  std::optional<double> min;     // over the defined values
  std::optional<double> median;  // over the defined values (mean of the middle two if even)
};
CosineSummary summarize_cosines(const std::vector<std::optional<double>>& cosines);

}  // namespace mixup
