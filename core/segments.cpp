#include "core/segments.hpp"

#include <limits>
#include <vector>

namespace mixup {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The first t > 0 where some z_k + t dz_k changes sign (z_k = 0 counts as t = 0 when the unit
// would move, since the ReLU convention relu'(0) = 0 makes the pattern change there).
double first_sign_change(const Eigen::VectorXd& z, const Eigen::VectorXd& dz) {
  double first = kInfinity;
  for (Eigen::Index k = 0; k < z.size(); ++k) {
    if (dz(k) == 0.0) continue;
    if (z(k) == 0.0) return 0.0;
    const double t = -z(k) / dz(k);
    if (t > 0.0) first = std::min(first, t);
  }
  return first;
}

double relu_two_layer_switch(const ReluTwoLayer& net, const Eigen::VectorXd& x,
                             const Eigen::VectorXd& v) {
  const Eigen::VectorXd z = net.W() * x + net.b();
  const Eigen::VectorXd dz = net.W() * v;
  return first_sign_change(z, dz);
}

double relu_deep_switch(const ReluDeep& net, const Eigen::VectorXd& x, const Eigen::VectorXd& v) {
  Eigen::VectorXd a = x;
  Eigen::VectorXd da = v;
  double first = kInfinity;
  for (const auto& W : net.weights()) {
    const Eigen::VectorXd z = W * a;
    const Eigen::VectorXd dz = W * da;
    first = std::min(first, first_sign_change(z, dz));
    const Eigen::ArrayXd on = (z.array() > 0.0).cast<double>();  // pattern frozen at t = 0
    a = (z.array() * on).matrix();
    da = (dz.array() * on).matrix();
  }
  return first;
}

}  // namespace

double first_switch_time(const Model& model, const Eigen::VectorXd& x, const Eigen::VectorXd& v) {
  if (const auto* relu2 = dynamic_cast<const ReluTwoLayer*>(&model)) {
    return relu_two_layer_switch(*relu2, x, v);
  }
  if (const auto* deep = dynamic_cast<const ReluDeep*>(&model)) {
    return relu_deep_switch(*deep, x, v);
  }
  return kInfinity;
}

double critical_perturbation_scale(const Model& model, const Eigen::MatrixXd& X) {
  if (model.kink_distance(X.row(0).transpose()) == kInfinity) return kInfinity;
  const Eigen::Index n = X.rows();
  // A min is exact in any order; the blocks only spread the work.
  std::vector<double> per_row(static_cast<std::size_t>(n), kInfinity);
#pragma omp parallel for schedule(dynamic, 4)
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::VectorXd xi = X.row(i).transpose();
    double first = kInfinity;
    for (Eigen::Index j = 0; j < n; ++j) {
      if (j == i) continue;
      first = std::min(first, first_switch_time(model, xi, X.row(j).transpose() - xi));
    }
    per_row[static_cast<std::size_t>(i)] = first;
  }
  double s_star = kInfinity;
  for (const double t : per_row) s_star = std::min(s_star, t);
  return s_star;
}

}  // namespace mixup
