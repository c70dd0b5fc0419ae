#include "core/data.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/QR>
#include <boost/math/constants/constants.hpp>

#include "core/errors.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

constexpr double kPi = boost::math::constants::pi<double>();

// "name: what must hold, got value" -- the message of every DomainError of this file.
template <class Value>
[[noreturn]] void throw_domain(const char* function, const char* parameter, const char* requirement,
                               const Value& value) {
  std::ostringstream message;
  message.precision(17);
  message << function << ": " << parameter << " must be " << requirement << ", got " << value;
  throw DomainError(message.str());
}

void require_rows(const char* function, const Eigen::MatrixXd& X) {
  if (X.rows() < 1) {
    throw_domain(function, "X.rows()", "at least 1", X.rows());
  }
}

// c_x and b_x divide by sqrt(d).
void require_rows_and_columns(const char* function, const Eigen::MatrixXd& X) {
  require_rows(function, X);
  if (X.cols() < 1) {
    throw_domain(function, "X.cols()", "at least 1", X.cols());
  }
}

// numpy.linspace(0, pi, count)[k]: step = pi / (count - 1), t_k = k * step, and the last angle
// is exactly pi (numpy writes the endpoint), linspace(0, pi, 1) = [0].
double linspace_angle(Eigen::Index k, Eigen::Index count) {
  if (count < 2) {
    return 0.0;
  }
  if (k == count - 1) {
    return kPi;
  }
  const double step = kPi / static_cast<double>(count - 1);
  return static_cast<double>(k) * step;
}

// The noiseless, unshuffled moons, rows ordered as make_moons stacks them: outer, then inner.
Dataset noiseless_moons(Eigen::Index n) {
  const Eigen::Index n_out = n / 2;
  const Eigen::Index n_in = n - n_out;
  Dataset data{Eigen::MatrixXd(n, 2), Eigen::VectorXd(n)};
  for (Eigen::Index k = 0; k < n_out; ++k) {
    const double t = linspace_angle(k, n_out);
    data.X(k, 0) = std::cos(t);
    data.X(k, 1) = std::sin(t);
    data.y(k) = 0.0;
  }
  for (Eigen::Index k = 0; k < n_in; ++k) {
    const double t = linspace_angle(k, n_in);
    // Same operation order as scikit-learn: 1 - sin(t) - 0.5.
    data.X(n_out + k, 0) = 1.0 - std::cos(t);
    data.X(n_out + k, 1) = 1.0 - std::sin(t) - 0.5;
    data.y(n_out + k) = 1.0;
  }
  return data;
}

// The rows of data in the order given: row i of the result is row order[i] of data.
Dataset select_rows(const Dataset& data, const std::vector<Eigen::Index>& order, std::size_t begin,
                    std::size_t end) {
  const auto count = static_cast<Eigen::Index>(end - begin);
  Dataset out{Eigen::MatrixXd(count, data.d()), Eigen::VectorXd(count)};
  for (Eigen::Index i = 0; i < count; ++i) {
    const Eigen::Index source = order[begin + static_cast<std::size_t>(i)];
    out.X.row(i) = data.X.row(source);
    out.y(i) = data.y(source);
  }
  return out;
}

// y_i = 1{x_i^T theta > 0}, one row at a time.
Eigen::VectorXd half_space_labels(const Eigen::MatrixXd& X, const Eigen::VectorXd& theta) {
  Eigen::VectorXd y(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    y(i) = X.row(i).dot(theta) > 0.0 ? 1.0 : 0.0;
  }
  return y;
}

// A d x r matrix with orthonormal columns, uniformly (Haar) distributed: the thin Q of the QR
// factorization of a Gaussian matrix, each column's sign chosen so that diag(R) > 0 (without
// the sign fix Q would depend on Householder's sign convention and not be Haar distributed).
Eigen::MatrixXd random_orthonormal_basis(Engine& engine, Eigen::Index d, Eigen::Index r) {
  const Eigen::MatrixXd G = standard_normal_matrix(engine, d, r);
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(G);
  Eigen::MatrixXd U = qr.householderQ() * Eigen::MatrixXd::Identity(d, r);
  const Eigen::MatrixXd& R = qr.matrixQR();
  for (Eigen::Index j = 0; j < r; ++j) {
    if (R(j, j) < 0.0) {
      U.col(j) = -U.col(j);
    }
  }
  return U;
}

// Sum of v by Neumaier's compensated summation: error about 2 eps sum|v_i| + O(n eps^2),
// independent of n to first order, and the same bits on every platform.
double compensated_sum(const Eigen::Ref<const Eigen::VectorXd>& v) {
  double sum = 0.0;
  double compensation = 0.0;
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    const double t = sum + v(i);
    if (std::abs(sum) >= std::abs(v(i))) {
      compensation += (sum - t) + v(i);
    } else {
      compensation += (v(i) - t) + sum;
    }
    sum = t;
  }
  return sum + compensation;
}

}  // namespace

Dataset make_two_moons(Eigen::Index n, double noise, std::uint64_t seed, bool shuffle) {
  if (n < 2) {
    throw_domain("make_two_moons", "n", "at least 2 (one point per moon)", n);
  }
  if (!std::isfinite(noise) || noise < 0.0) {
    throw_domain("make_two_moons", "noise", "a finite number >= 0", noise);
  }
  Dataset data = noiseless_moons(n);
  if (shuffle) {
    Engine engine = make_stream(seed, "two-moons/shuffle");
    const std::vector<Eigen::Index> order = random_permutation(engine, n);
    data = select_rows(data, order, 0, order.size());
  }
  if (noise > 0.0) {
    Engine engine = make_stream(seed, "two-moons/noise");
    data.X += noise * standard_normal_matrix(engine, n, 2);
  }
  return data;
}

Dataset make_gaussian_half_space(Eigen::Index n, Eigen::Index d, std::uint64_t seed,
                                 Eigen::VectorXd* theta_star_out) {
  if (n < 1) {
    throw_domain("make_gaussian_half_space", "n", "at least 1", n);
  }
  if (d < 1) {
    throw_domain("make_gaussian_half_space", "d", "at least 1", d);
  }
  Engine theta_engine = make_stream(seed, "half-space/theta-star");
  const Eigen::VectorXd theta_star = standard_normal_vector(theta_engine, d);
  Engine x_engine = make_stream(seed, "half-space/x");
  Dataset data{standard_normal_matrix(x_engine, n, d), Eigen::VectorXd()};
  data.y = half_space_labels(data.X, theta_star);
  if (theta_star_out != nullptr) {
    *theta_star_out = theta_star;
  }
  return data;
}

Dataset make_low_rank_gaussian(Eigen::Index n, Eigen::Index d, Eigen::Index r, std::uint64_t seed,
                               Eigen::MatrixXd* basis_out) {
  if (n < 1) {
    throw_domain("make_low_rank_gaussian", "n", "at least 1", n);
  }
  if (d < 1) {
    throw_domain("make_low_rank_gaussian", "d", "at least 1", d);
  }
  if (r < 1 || r > d) {
    const std::string range = "in [1, d] = [1, " + std::to_string(d) + "]";
    throw_domain("make_low_rank_gaussian", "r", range.c_str(), r);
  }
  Engine basis_engine = make_stream(seed, "low-rank/basis");
  const Eigen::MatrixXd U = random_orthonormal_basis(basis_engine, d, r);
  Engine theta_engine = make_stream(seed, "low-rank/theta-star");
  const Eigen::VectorXd theta_star = standard_normal_vector(theta_engine, d);
  Engine z_engine = make_stream(seed, "low-rank/z");
  Dataset data{Eigen::MatrixXd(n, d), Eigen::VectorXd()};
  Eigen::VectorXd z(r);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < r; ++j) {
      z(j) = standard_normal(z_engine);
    }
    data.X.row(i).noalias() = (U * z).transpose();
  }
  data.y = half_space_labels(data.X, theta_star);
  if (basis_out != nullptr) {
    *basis_out = U;
  }
  return data;
}

Eigen::VectorXd sample_mean(const Eigen::MatrixXd& X) {
  require_rows("sample_mean", X);
  Eigen::VectorXd mean(X.cols());
  const auto n = static_cast<double>(X.rows());
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    mean(j) = compensated_sum(X.col(j)) / n;
  }
  return mean;
}

Eigen::MatrixXd centered(const Eigen::MatrixXd& X) {
  require_rows("centered", X);
  return X.rowwise() - sample_mean(X).transpose();
}

bool is_centered(const Eigen::MatrixXd& X, double tolerance) {
  require_rows("is_centered", X);
  if (!(tolerance >= 0.0)) {
    throw_domain("is_centered", "tolerance", "a number >= 0", tolerance);
  }
  const double scale = std::max(1.0, X.rowwise().norm().maxCoeff());
  return sample_mean(X).norm() <= tolerance * scale;
}

double c_x(const Eigen::MatrixXd& X) {
  require_rows_and_columns("c_x", X);
  return X.rowwise().norm().minCoeff() / std::sqrt(static_cast<double>(X.cols()));
}

double b_x(const Eigen::MatrixXd& X) {
  require_rows_and_columns("b_x", X);
  return X.rowwise().norm().maxCoeff() / std::sqrt(static_cast<double>(X.cols()));
}

TrainTestSplit train_test_split(const Dataset& data, double test_fraction, std::uint64_t seed) {
  if (!(test_fraction >= 0.0 && test_fraction < 1.0)) {
    throw_domain("train_test_split", "test_fraction", "in [0, 1)", test_fraction);
  }
  if (data.y.size() != data.n()) {
    throw_domain("train_test_split", "data.y.size()",
                 ("equal to data.X.rows() = " + std::to_string(data.n())).c_str(), data.y.size());
  }
  if (data.n() < 1) {
    throw_domain("train_test_split", "data.X.rows()", "at least 1", data.n());
  }
  const Eigen::Index n = data.n();
  // floor(f n) <= n - 1 for f < 1 in exact arithmetic, but f n can round up to n (f = 1 - 2^-53,
  // n = 3), so clamp: the training set is never empty.
  const auto n_test = std::min(
      n - 1, static_cast<Eigen::Index>(std::floor(test_fraction * static_cast<double>(n))));
  Engine engine = make_stream(seed, "split");
  const std::vector<Eigen::Index> order = random_permutation(engine, n);
  const auto cut = static_cast<std::size_t>(n_test);
  return TrainTestSplit{select_rows(data, order, cut, order.size()),
                        select_rows(data, order, 0, cut)};
}

}  // namespace mixup
