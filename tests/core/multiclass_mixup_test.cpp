// Specification of the multi-class mixup engine (core/multiclass_mixup.hpp): the exact Eq. (1)
// and Eq. (9) against an independent long-double tanh_sinh reference, their equality (Lemma 3.1's
// identity for softmax cross-entropy), the quadratic approximation's terms against brute-force
// pair sums built on the model's own input Jacobian, the remainder's order, and the switch scale.

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <vector>

#include <gtest/gtest.h>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>

#include "core/classifier.hpp"
#include "core/errors.hpp"
#include "core/mixing.hpp"
#include "core/multiclass_mixup.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using Real = long double;

constexpr std::uint64_t kSeed = 20210504;
// Engine against the reference, relative (the exact engine's acceptance bound).
constexpr double kReferenceRelTol = 1e-10;
// Eq. (1) against Eq. (9): two different integrals of ~n^2 pieces, each good to ~1e-14 of the
// pair's logit scale; 1e-12 relative.
constexpr double kFormsRelTol = 1e-12;

double rel_diff(double a, double b) {
  const double scale = std::max(std::abs(a), std::abs(b));
  return scale > 0.0 ? std::abs(a - b) / scale : 0.0;
}

MulticlassDataset small_data(Index n, Index d, int classes, std::uint64_t seed) {
  MulticlassDataset data;
  data.classes = classes;
  Engine engine = make_stream(seed, "test/multiclass-mixup");
  data.X = 1.5 * standard_normal_matrix(engine, n, d);
  for (Index i = 0; i < n; ++i) data.label.push_back(static_cast<int>(i % classes));
  return data;
}

// ---- Independent reference: the model in long double, every pair by tanh_sinh ----------------

struct ReferenceModel {
  std::vector<std::vector<std::vector<Real>>> W;  // per layer, rows
  std::vector<std::vector<Real>> b;

  explicit ReferenceModel(const Classifier& model) {
    for (const auto& layer : model.layers()) {
      std::vector<std::vector<Real>> rows;
      for (Index r = 0; r < layer.W.rows(); ++r) {
        std::vector<Real> row;
        for (Index c = 0; c < layer.W.cols(); ++c) row.push_back(layer.W(r, c));
        rows.push_back(row);
      }
      W.push_back(rows);
      b.push_back(std::vector<Real>(layer.b.data(), layer.b.data() + layer.b.size()));
    }
  }
  // Logits at x; every hidden pre-activation appended to pre.
  std::vector<Real> logits(const std::vector<Real>& x, std::vector<Real>* pre) const {
    std::vector<Real> a = x;
    for (std::size_t l = 0; l < W.size(); ++l) {
      std::vector<Real> z(W[l].size());
      for (std::size_t r = 0; r < z.size(); ++r) {
        Real s = b[l][r];
        for (std::size_t c = 0; c < a.size(); ++c) s += W[l][r][c] * a[c];
        z[r] = s;
      }
      if (l + 1 < W.size()) {
        if (pre) pre->insert(pre->end(), z.begin(), z.end());
        for (Real& v : z) v = v > 0 ? v : Real(0);
      }
      a = z;
    }
    return a;
  }
};

Real reference_cross_entropy(const std::vector<Real>& u, const std::vector<Real>& t) {
  const Real m = *std::max_element(u.begin(), u.end());
  Real sum = 0;
  Real label = 0;
  for (std::size_t k = 0; k < u.size(); ++k) {
    sum += std::exp(u[k] - m);
    label += t[k] * (m - u[k]);
  }
  return std::log(sum) + label;
}

// Eq. (1) (eq9 = false) or Eq. (9) at scale s, over all ordered pairs; each pair split where a
// hidden pre-activation changes sign (a scan of 2000 points, then bisection).
double reference_loss(const Classifier& model, const MulticlassDataset& data, MixingLaw law,
                      bool eq9, double s) {
  const ReferenceModel ref(model);
  static boost::math::quadrature::tanh_sinh<Real> rule;
  const Index n = data.n();
  const Index d = data.d();
  const Real a = law.a;
  const Real b = law.b;
  const Real log_beta = std::log(boost::math::beta(a, b));
  Real total = 0;
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) {
      const int yi = data.label[std::size_t(i)];
      const int yj = data.label[std::size_t(j)];
      const auto point = [&](Real lam, Real oml) {
        std::vector<Real> x(static_cast<std::size_t>(d));
        for (Index k = 0; k < d; ++k) {
          const Real xi = data.X(i, k);
          const Real xj = data.X(j, k);
          x[std::size_t(k)] = eq9 ? xi + Real(s) * oml * (xj - xi) : lam * xi + oml * xj;
        }
        return x;
      };
      const auto target = [&](Real lam, Real oml) {
        std::vector<Real> t(static_cast<std::size_t>(data.classes), Real(0));
        if (eq9) {
          t[std::size_t(yi)] = 1;
        } else {
          t[std::size_t(yi)] += lam;
          t[std::size_t(yj)] += oml;
        }
        return t;
      };
      if (i == j) {
        total += reference_cross_entropy(ref.logits(point(1, 0), nullptr), target(1, 0));
        continue;
      }
      const auto signs = [&](Real lam) {
        std::vector<Real> pre;
        ref.logits(point(lam, 1 - lam), &pre);
        return pre;
      };
      std::vector<Real> cuts = {0, 1};
      constexpr int kScan = 2000;
      std::vector<Real> previous = signs(0);
      for (int g = 1; g <= kScan; ++g) {
        const Real lam = Real(g) / kScan;
        const std::vector<Real> current = signs(lam);
        for (std::size_t c = 0; c < current.size(); ++c) {
          if ((previous[c] > 0) == (current[c] > 0)) continue;
          Real lo = Real(g - 1) / kScan;
          Real hi = lam;
          const bool rising = current[c] > 0;
          for (int it = 0; it < 100; ++it) {
            const Real mid = (lo + hi) / 2;
            ((signs(mid)[c] > 0) == rising ? hi : lo) = mid;
          }
          cuts.push_back((lo + hi) / 2);
        }
        previous = current;
      }
      std::sort(cuts.begin(), cuts.end());
      for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
        const Real l = cuts[c];
        const Real r = cuts[c + 1];
        const auto integrand = [&](Real lam, Real xc) -> Real {
          const Real oml = (xc > 0 && r == 1) ? xc : Real(1 - lam);
          const Real lam_exact = (xc < 0 && l == 0) ? Real(-xc) : lam;
          const Real log_lam = std::log(lam_exact);
          const Real log_oml = std::log(oml);
          const Real weight = eq9 ? std::exp(a * log_lam + (b - 1) * log_oml - log_beta) +
                                        std::exp(b * log_lam + (a - 1) * log_oml - log_beta)
                                  : std::exp((a - 1) * log_lam + (b - 1) * log_oml - log_beta);
          return weight * reference_cross_entropy(ref.logits(point(lam_exact, oml), nullptr),
                                                  target(lam_exact, oml));
        };
        total += rule.integrate(integrand, l, r, Real(1e-17));
      }
    }
  }
  return static_cast<double>(total / (Real(n) * Real(n)));
}

class MulticlassModels : public ::testing::TestWithParam<std::vector<Index>> {};

TEST_P(MulticlassModels, ExactLossMatchesIndependentReference) {
  const MulticlassDataset data = small_data(5, 4, 3, kSeed);
  const Classifier model = random_classifier(4, GetParam(), 3, kSeed + 1);
  for (const MixingLaw law : {MixingLaw{0.2, 0.2}, MixingLaw{1.0, 1.0}, MixingLaw{5.0, 0.5}}) {
    const double eq1 = rel_diff(exact_multiclass_mixup_loss(model, data, law),
                                reference_loss(model, data, law, false, 1.0));
    const double eq9 = rel_diff(exact_multiclass_mixup_loss_dtilde(model, data, law, 0.5),
                                reference_loss(model, data, law, true, 0.5));
    EXPECT_LE(eq1, kReferenceRelTol) << "Eq. 1, Beta(" << law.a << ", " << law.b << ")";
    EXPECT_LE(eq9, kReferenceRelTol) << "Eq. 9 at s = 0.5, Beta(" << law.a << ", " << law.b << ")";
    std::cout << "[ measured ] Beta(" << law.a << ", " << law.b << ") relative error against the "
              << "reference: Eq. 1 " << eq1 << ", Eq. 9 (s = 0.5) " << eq9 << "\n";
  }
}

TEST_P(MulticlassModels, Eq1EqualsEq9ForSoftmaxCrossEntropy) {
  const MulticlassDataset data = small_data(40, 6, 4, kSeed + 2);
  const Classifier model = random_classifier(6, GetParam(), 4, kSeed + 3);
  for (const MixingLaw law : {MixingLaw{0.5, 0.5}, MixingLaw{2.0, 0.3}}) {
    const double eq1 = exact_multiclass_mixup_loss(model, data, law);
    const double eq9 = exact_multiclass_mixup_loss_dtilde(model, data, law);
    EXPECT_LE(rel_diff(eq1, eq9), kFormsRelTol) << eq1 << " vs " << eq9;
    std::cout << "[ measured ] |Eq. 1 - Eq. 9| / L = " << rel_diff(eq1, eq9) << "\n";
  }
}

TEST_P(MulticlassModels, QuadraticTermsEqualBruteForcePairSums) {
  const MulticlassDataset data = small_data(12, 5, 3, kSeed + 4);
  const Classifier model = random_classifier(5, GetParam(), 3, kSeed + 5);
  const MixingLaw law{0.7, 1.9};
  const QuadraticApproximation approx = approximate_multiclass_mixup_loss(model, data, law);
  // R1 = (m1/n^2) sum_ij (p_i - y_i)^T J_i (x_j - x_i),
  // R2 = (m2/(2 n^2)) sum_ij (x_j - x_i)^T J_i^T H_i J_i (x_j - x_i).
  const Index n = data.n();
  double r1 = 0.0;
  double r2 = 0.0;
  double standard = 0.0;
  for (Index i = 0; i < n; ++i) {
    const VectorXd xi = data.X.row(i).transpose();
    const MatrixXd J = model.input_jacobian(xi);
    RowMatrixXd z = model.logits(data.X.row(i));
    RowMatrixXd t = RowMatrixXd::Zero(1, 3);
    t(0, data.label[std::size_t(i)]) = 1.0;
    standard += softmax_rows_and_loss(z, t);
    const VectorXd p = z.row(0).transpose();
    const MatrixXd H = MatrixXd(p.asDiagonal()) - p * p.transpose();
    const VectorXd residual = p - t.row(0).transpose();
    for (Index j = 0; j < n; ++j) {
      const VectorXd delta = data.X.row(j).transpose() - xi;
      r1 += residual.dot(J * delta);
      r2 += (J * delta).dot(H * (J * delta));
    }
  }
  const double nn = double(n) * double(n);
  EXPECT_NEAR(approx.standard_loss, standard / double(n), 1e-14);
  EXPECT_NEAR(approx.R1, dtilde_m1(law.a, law.b) * r1 / nn, 1e-14);
  EXPECT_NEAR(approx.R2, dtilde_m2(law.a, law.b) * r2 / (2.0 * nn), 1e-14);
  EXPECT_EQ(approx.R3, 0.0);
}

TEST_P(MulticlassModels, SameBitsAtOneAndTwoThreads) {
  const MulticlassDataset data = small_data(150, 5, 3, kSeed + 6);
  const Classifier model = random_classifier(5, GetParam(), 3, kSeed + 7);
  std::vector<double> values;
  for (const int threads : {1, 2}) {
    omp_set_num_threads(threads);
    values.push_back(exact_multiclass_mixup_loss(model, data, {0.4, 0.4}));
    values.push_back(exact_multiclass_mixup_loss_dtilde(model, data, {0.4, 0.4}, 0.3));
  }
  omp_set_num_threads(2);
  EXPECT_EQ(values[0], values[2]);
  EXPECT_EQ(values[1], values[3]);
}

INSTANTIATE_TEST_SUITE_P(SoftmaxAndOneHiddenLayer, MulticlassModels,
                         ::testing::Values(std::vector<Index>{}, std::vector<Index>{6}));

TEST(MulticlassMixup, RemainderOfSoftmaxRegressionIsThirdOrderInTheScale) {
  const MulticlassDataset data = small_data(30, 4, 3, kSeed + 8);
  const Classifier model = random_classifier(4, {}, 3, kSeed + 9);
  const MixingLaw law{1.0, 1.0};
  const QuadraticApproximation q = approximate_multiclass_mixup_loss(model, data, law);
  const auto remainder = [&](double s) {
    return std::abs(exact_multiclass_mixup_loss_dtilde(model, data, law, s) -
                    (q.standard_loss + s * q.R1 + s * s * (q.R2 + q.R3)));
  };
  const double slope = std::log(remainder(0.04) / remainder(0.02)) / std::log(2.0);
  EXPECT_NEAR(slope, 3.0, 0.1);
}

TEST(MulticlassMixup, SwitchScaleIsTheFirstUnitSwitch) {
  const MulticlassDataset data = small_data(10, 4, 3, kSeed + 10);
  const Classifier model = random_classifier(4, {7}, 3, kSeed + 11);
  const double s_star = multiclass_switch_scale(model, data);
  ASSERT_TRUE(std::isfinite(s_star));
  const auto any_switch = [&](double s) {
    const DenseLayer& first = model.layers()[0];
    for (Index i = 0; i < data.n(); ++i) {
      for (Index j = 0; j < data.n(); ++j) {
        const VectorXd x0 = data.X.row(i).transpose();
        const VectorXd x1 = x0 + s * (data.X.row(j).transpose() - x0);
        const VectorXd z0 = first.W * x0 + first.b;
        const VectorXd z1 = first.W * x1 + first.b;
        for (Index k = 0; k < z0.size(); ++k) {
          if ((z0(k) > 0.0) != (z1(k) > 0.0)) return true;
        }
      }
    }
    return false;
  };
  EXPECT_FALSE(any_switch(0.999 * s_star));
  EXPECT_TRUE(any_switch(1.001 * s_star));
  EXPECT_EQ(multiclass_switch_scale(random_classifier(4, {}, 3, 1), data),
            std::numeric_limits<double>::infinity());
}

TEST(MulticlassMixup, RefusesDeepModelsAndMismatchedData) {
  const MulticlassDataset data = small_data(6, 4, 3, kSeed + 12);
  EXPECT_THROW(exact_multiclass_mixup_loss(random_classifier(4, {5, 5}, 3, 1), data, {1, 1}),
               DomainError);
  EXPECT_THROW(exact_multiclass_mixup_loss(random_classifier(4, {}, 4, 1), data, {1, 1}),
               DomainError);
  EXPECT_THROW(exact_multiclass_mixup_loss(random_classifier(5, {}, 3, 1), data, {1, 1}),
               DomainError);
  EXPECT_THROW(exact_multiclass_mixup_loss(random_classifier(4, {}, 3, 1), data, {-1, 1}),
               DomainError);
}

}  // namespace
}  // namespace mixup
