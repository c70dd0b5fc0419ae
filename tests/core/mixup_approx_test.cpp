// Specification of approximate_mixup_loss and its gradient (Lemma 3.1, Eq. 3):
//  * each of L_std, R1, R2, R3 equals a brute-force evaluation that loops over all n^2 pairs
//    (r = x_j explicitly, through Model::f, grad_x and hess_x, in long double), for every model
//    type and the logistic, Poisson and Gaussian losses, at mixing laws with a < 1 and a != b;
//  * the parameter gradient agrees with central finite differences of the value (1e-6 relative,
//    tests/support/derivative_check.hpp), away from ReLU kinks;
//  * the results are bit-for-bit the same at 1 and 2 OpenMP threads;
//  * bad inputs throw DomainError naming the problem.

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <Eigen/Core>

#include "core/data.hpp"
#include "core/errors.hpp"
#include "core/losses.hpp"
#include "core/mixing.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"
#include "core/random.hpp"
#include "tests/support/derivative_check.hpp"

namespace mixup {
namespace {

using testing::check_jacobian;
using testing::derivatives_agree;

constexpr std::uint64_t kSeed = 20210131;

// --- Tolerances ----------------------------------------------------------------------------

// L_std, R1, R2, R3 against the pairwise brute force, relative.  The engine replaces the n^2
// pair loop by Sigma + delta delta^T (and, for two-layer nets, centred pre-activations
// W (x_i - xbar) instead of W x_j - W x_i); both sides are sums of <= n^2 = 144 products of a few
// correctly rounded numbers, each moved by a few eps by the reordering, and no sum here is
// cancellation-dominated (the data are fixed by kSeed), so agreement to ~1e-14 is expected.
// Measured worst over all models, losses and laws: 5.7e-15.  1e-12 is the brief's bound.
constexpr double kPairwiseRelTol = 1e-12;

// ReLU samples closer than this to a kink are dropped before a finite-difference gradient
// check (and counted): a probe step h = cbrt(eps) max(1, |theta_j|) <~ 2e-5 (|theta_j| < 3
// here) moves a first-layer pre-activation by at most h max(1, |x_k|) <~ 1e-4 (|x_k| < 5),
// and a deeper one by that times a row of |W_l| (~1.5), so 1e-3 leaves a >= 5x margin and no
// difference straddles a kink (one that did would fail the check by orders of magnitude).
constexpr double kMinKinkDistance = 1e-3;

// --- Data and models -----------------------------------------------------------------------

// Inputs N(0.3, 1) (not centred, so E_r[r - x_i] != -x_i), labels drawn for the loss's family.
Dataset random_data(Eigen::Index n, Eigen::Index d, LossKind loss, std::uint64_t seed) {
  Engine engine = make_stream(seed, "test/mixup-approx/data");
  Dataset data;
  data.X = standard_normal_matrix(engine, n, d).array() + 0.3;
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double z = standard_normal(engine);
    switch (loss) {
      case LossKind::kLogistic:
        data.y(i) = z > 0.0 ? 1.0 : 0.0;
        break;
      case LossKind::kPoisson:
        data.y(i) = std::floor(std::abs(2.0 * z));
        break;
      case LossKind::kGaussian:
        data.y(i) = z;
        break;
    }
  }
  return data;
}

// A model type unknown to the engine (forwards to a smooth net): exercises the generic path
// that goes through Model::grad_x and hess_x.
class ForwardingModel final : public Model {
 public:
  explicit ForwardingModel(SmoothTwoLayer inner) : inner_(std::move(inner)) {}
  std::string type() const override { return "forwarding"; }
  Eigen::Index input_dim() const override { return inner_.input_dim(); }
  Eigen::Index parameter_count() const override { return inner_.parameter_count(); }
  Eigen::VectorXd parameters() const override { return inner_.parameters(); }
  void set_parameters(const Eigen::VectorXd& theta) override { inner_.set_parameters(theta); }
  std::unique_ptr<Model> clone() const override { return std::make_unique<ForwardingModel>(*this); }
  Eigen::VectorXd f(const Eigen::MatrixXd& X) const override { return inner_.f(X); }
  Eigen::MatrixXd grad_x(const Eigen::MatrixXd& X) const override { return inner_.grad_x(X); }
  Eigen::MatrixXd hess_x(const Eigen::VectorXd& x) const override { return inner_.hess_x(x); }
  Eigen::MatrixXd grad_theta(const Eigen::MatrixXd& X) const override {
    return inner_.grad_theta(X);
  }
  bool is_positively_homogeneous() const override { return false; }

 private:
  SmoothTwoLayer inner_;
};

struct NamedModel {
  std::string name;
  std::shared_ptr<Model> model;
};

std::vector<NamedModel> all_models(Eigen::Index d, bool with_generic) {
  std::vector<NamedModel> models = {
      {"linear", std::make_shared<LinearModel>(random_linear(d, kSeed))},
      {"linear+bias", std::make_shared<LinearModel>(random_linear(d, kSeed, true))},
      {"relu2", std::make_shared<ReluTwoLayer>(random_relu_two_layer(d, 6, kSeed))},
      {"relu_deep", std::make_shared<ReluDeep>(random_relu_deep(d, {5, 4}, kSeed))},
      {"smooth2/softplus", std::make_shared<SmoothTwoLayer>(
                               random_smooth_two_layer(SmoothActivation::kSoftplus, d, 5, kSeed))},
      {"smooth2/tanh", std::make_shared<SmoothTwoLayer>(
                           random_smooth_two_layer(SmoothActivation::kTanh, d, 5, kSeed))},
  };
  if (with_generic) {
    models.push_back(
        {"forwarding(smooth2/tanh)", std::make_shared<ForwardingModel>(random_smooth_two_layer(
                                         SmoothActivation::kTanh, d, 5, kSeed + 1))});
  }
  return models;
}

const std::vector<LossKind> kLosses = {LossKind::kLogistic, LossKind::kPoisson,
                                       LossKind::kGaussian};
// a < 1 with a != b, a > 1 with b < 1, and the common symmetric choice.
const std::vector<MixingLaw> kLaws = {{0.5, 2.0}, {3.0, 0.7}, {1.0, 1.0}};

// --- The brute-force reference -------------------------------------------------------------

// Eq. (3) with E_r an explicit average over r = x_j, j = 1..n, per pair, in long double.
struct PairwiseTerms {
  long double standard_loss = 0, R1 = 0, R2 = 0, R3 = 0;
};

PairwiseTerms pairwise_reference(const Model& model, LossKind loss, const Dataset& data,
                                 MixingLaw law) {
  const Eigen::Index n = data.n();
  const long double m1 = dtilde_m1(law.a, law.b);
  const long double m2 = dtilde_m2(law.a, law.b);
  const long double nn = static_cast<long double>(n) * n;
  PairwiseTerms out;
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::VectorXd x_i = data.X.row(i).transpose();
    const double u = model.f_at(x_i);
    const Eigen::VectorXd g = model.grad_x_at(x_i);
    const Eigen::MatrixXd H = model.hess_x(x_i);
    const long double r = loss_dh(loss, u) - data.y(i);
    const long double h2 = loss_d2h(loss, u);
    out.standard_loss += static_cast<long double>(loss_value(loss, u, data.y(i))) / n;
    for (Eigen::Index j = 0; j < n; ++j) {
      const Eigen::VectorXd v = data.X.row(j).transpose() - x_i;  // r_x - x_i with r_x = x_j
      long double gv = 0, vHv = 0;
      for (Eigen::Index k = 0; k < v.size(); ++k) {
        gv += static_cast<long double>(g(k)) * v(k);
        for (Eigen::Index k2 = 0; k2 < v.size(); ++k2) {
          vHv += static_cast<long double>(v(k)) * H(k, k2) * v(k2);
        }
      }
      out.R1 += m1 / nn * r * gv;
      out.R2 += m2 / (2 * nn) * h2 * gv * gv;
      out.R3 += m2 / (2 * nn) * r * vHv;
    }
  }
  return out;
}

// |value - reference| / |reference|, with 0/0 = 0 (R3 of a ReLU net: both exactly 0).
double relative_error(double value, long double reference) {
  const long double diff = std::abs(static_cast<long double>(value) - reference);
  if (reference == 0) return diff == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  return static_cast<double>(diff / std::abs(reference));
}

std::string describe(const std::string& model, LossKind loss, MixingLaw law) {
  return model + ", " + to_string(loss) + " loss, Beta(" + std::to_string(law.a) + ", " +
         std::to_string(law.b) + "), seed " + std::to_string(kSeed);
}

// Samples closer than kMinKinkDistance to a ReLU kink removed; *dropped counts them.
Dataset away_from_kinks(const Model& model, const Dataset& data, int* dropped) {
  std::vector<Eigen::Index> keep;
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    if (model.kink_distance(data.X.row(i).transpose()) >= kMinKinkDistance) keep.push_back(i);
  }
  *dropped = static_cast<int>(data.n()) - static_cast<int>(keep.size());
  Dataset out;
  out.X.resize(static_cast<Eigen::Index>(keep.size()), data.d());
  out.y.resize(static_cast<Eigen::Index>(keep.size()));
  for (std::size_t k = 0; k < keep.size(); ++k) {
    out.X.row(static_cast<Eigen::Index>(k)) = data.X.row(keep[k]);
    out.y(static_cast<Eigen::Index>(k)) = data.y(keep[k]);
  }
  return out;
}

// Restores the OpenMP thread count when a test ends, even on failure.
class ThreadCountGuard {
 public:
  ThreadCountGuard() : saved_(omp_get_max_threads()) {}
  ~ThreadCountGuard() { omp_set_num_threads(saved_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int saved_;
};

// --- Tests -----------------------------------------------------------------------------------

// Compares the four terms with the pairwise brute force; returns the worst relative error.
double expect_matches_pairwise(const NamedModel& named, LossKind loss, const Dataset& data,
                               MixingLaw law) {
  const char* const names[] = {"L_std", "R1", "R2", "R3"};
  const QuadraticApproximation approx = approximate_mixup_loss(*named.model, loss, data, law);
  const PairwiseTerms ref = pairwise_reference(*named.model, loss, data, law);
  const double values[] = {approx.standard_loss, approx.R1, approx.R2, approx.R3};
  const long double refs[] = {ref.standard_loss, ref.R1, ref.R2, ref.R3};
  double worst = 0.0;
  for (int k = 0; k < 4; ++k) {
    const double error = relative_error(values[k], refs[k]);
    worst = std::max(worst, error);
    EXPECT_LE(error, kPairwiseRelTol)
        << names[k] << " of " << describe(named.name, loss, law) << ", n = " << data.n()
        << ": engine " << values[k] << ", pairwise " << static_cast<double>(refs[k]);
  }
  return worst;
}

TEST(Lemma3p1, QuadraticApproximationEqualsPairwiseBruteForce) {
  double worst = 0.0;
  for (const LossKind loss : kLosses) {
    const Dataset data = random_data(12, 3, loss, kSeed);
    for (const NamedModel& named : all_models(3, true)) {
      for (const MixingLaw law : kLaws) {
        worst = std::max(worst, expect_matches_pairwise(named, loss, data, law));
      }
    }
  }
  std::cout << "worst relative error against the pairwise brute force: " << worst << "\n";
}

// n = 1100 spans two tasks of 1024 rows and five blocks of 256: the blocked accumulation is
// checked for correctness here (the thread test below checks only its determinism).
TEST(Lemma3p1, QuadraticApproximationEqualsPairwiseBruteForceAcrossRowBlocks) {
  const Dataset data = random_data(1100, 3, LossKind::kPoisson, kSeed + 11);
  double worst = 0.0;
  for (const NamedModel& named : all_models(3, true)) {
    worst = std::max(worst, expect_matches_pairwise(named, LossKind::kPoisson, data, {0.5, 2.0}));
  }
  std::cout << "worst relative error against the pairwise brute force, n = 1100: " << worst << "\n";
}

TEST(Lemma3p1, QuadraticApproximationHasNoHessianTermForPiecewiseLinearModels) {
  const Dataset data = random_data(12, 3, LossKind::kLogistic, kSeed);
  for (const NamedModel& named : all_models(3, false)) {
    if (named.name.rfind("smooth2", 0) == 0) continue;
    const QuadraticApproximation approx =
        approximate_mixup_loss(*named.model, LossKind::kLogistic, data, {0.5, 2.0});
    EXPECT_EQ(approx.R3, 0.0) << named.name;
  }
}

// Checks the gradient against central differences of the value on the samples away from kinks;
// returns how many samples were dropped.
int expect_gradient_matches_differences(const NamedModel& named, LossKind loss, const Dataset& full,
                                        MixingLaw law) {
  int dropped = 0;
  const Dataset data = away_from_kinks(*named.model, full, &dropped);
  EXPECT_GE(data.n(), full.n() / 2) << named.name << ": too many samples near kinks";
  std::shared_ptr<Model> probe = named.model->clone();
  const auto value = [&](const Eigen::VectorXd& theta) {
    probe->set_parameters(theta);
    return Eigen::VectorXd::Constant(1, approximate_mixup_loss(*probe, loss, data, law).total());
  };
  const Eigen::MatrixXd analytic =
      approximate_mixup_loss_gradient(*named.model, loss, data, law).transpose();
  EXPECT_TRUE(derivatives_agree(check_jacobian(value, named.model->parameters(), analytic)))
      << describe(named.name, loss, law) << ", n = " << data.n() << " (" << dropped
      << " samples dropped near kinks)";
  return dropped;
}

TEST(Lemma3p1, QuadraticApproximationGradientMatchesFiniteDifferences) {
  int dropped = 0;
  for (const LossKind loss : kLosses) {
    const Dataset data = random_data(30, 3, loss, kSeed + 7);
    for (const NamedModel& named : all_models(3, false)) {
      for (const MixingLaw law : kLaws) {
        dropped += expect_gradient_matches_differences(named, loss, data, law);
      }
    }
  }
  std::cout << "samples dropped near ReLU kinks (summed over checks): " << dropped << "\n";
}

// The two-layer nets are the models evaluated in row blocks; n = 1100 gives two tasks and five
// blocks.  Run on one thread: the property is the correctness of the blocked sums (their thread
// independence is the next test), and ~2P parallel regions per check would only measure
// scheduler noise on a loaded machine.
TEST(Lemma3p1, QuadraticApproximationGradientMatchesFiniteDifferencesAcrossRowBlocks) {
  const ThreadCountGuard guard;
  omp_set_num_threads(1);
  const Dataset data = random_data(1100, 3, LossKind::kLogistic, kSeed + 13);
  int dropped = 0;
  for (const NamedModel& named : all_models(3, false)) {
    if (named.name.rfind("relu2", 0) != 0 && named.name.rfind("smooth2", 0) != 0) continue;
    dropped += expect_gradient_matches_differences(named, LossKind::kLogistic, data, {3.0, 0.7});
  }
  std::cout << "samples dropped near ReLU kinks (summed over checks): " << dropped << "\n";
}

TEST(Lemma3p1, QuadraticApproximationIsIdenticalAtOneAndTwoThreads) {
  // n = 3000 spans three tasks of 1024 rows, so the task-ordered reductions are exercised.
  const ThreadCountGuard guard;
  const Dataset data = random_data(3000, 6, LossKind::kLogistic, kSeed + 3);
  for (const NamedModel& named : all_models(6, false)) {
    omp_set_num_threads(1);
    const QuadraticApproximation one =
        approximate_mixup_loss(*named.model, LossKind::kLogistic, data, {0.5, 2.0});
    const Eigen::VectorXd grad_one =
        approximate_mixup_loss_gradient(*named.model, LossKind::kLogistic, data, {0.5, 2.0});
    omp_set_num_threads(2);
    const QuadraticApproximation two =
        approximate_mixup_loss(*named.model, LossKind::kLogistic, data, {0.5, 2.0});
    const Eigen::VectorXd grad_two =
        approximate_mixup_loss_gradient(*named.model, LossKind::kLogistic, data, {0.5, 2.0});
    EXPECT_EQ(one.standard_loss, two.standard_loss) << named.name;
    EXPECT_EQ(one.R1, two.R1) << named.name;
    EXPECT_EQ(one.R2, two.R2) << named.name;
    EXPECT_EQ(one.R3, two.R3) << named.name;
    EXPECT_TRUE(grad_one == grad_two) << named.name;
  }
}

TEST(Lemma3p1, QuadraticApproximationGradientIsUnavailableForUnknownModels) {
  const Dataset data = random_data(5, 2, LossKind::kLogistic, kSeed);
  const ForwardingModel model(random_smooth_two_layer(SmoothActivation::kTanh, 2, 3, kSeed));
  EXPECT_THROW(approximate_mixup_loss_gradient(model, LossKind::kLogistic, data, {1.0, 1.0}),
               DomainError);
}

// Runs f, expects DomainError whose message contains `needle`.
template <class F>
void expect_domain_error(const F& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected DomainError containing '" << needle << "'";
  } catch (const DomainError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Lemma3p1, QuadraticApproximationRejectsInvalidInputs) {
  const Dataset data = random_data(5, 2, LossKind::kLogistic, kSeed);
  const LinearModel model = random_linear(2, kSeed);
  const LossKind logistic = LossKind::kLogistic;
  expect_domain_error([&] { approximate_mixup_loss(model, logistic, data, {0.0, 1.0}); }, "a");
  expect_domain_error([&] { approximate_mixup_loss(model, logistic, data, {1.0, -2.0}); }, "b");
  Dataset wrong_dim = data;
  wrong_dim.X.conservativeResize(5, 3);
  wrong_dim.X.col(2).setZero();
  expect_domain_error(
      [&] {
        approximate_mixup_loss(model, logistic, wrong_dim, {1, 1});
      },
      "dimension 2");
  Dataset bad_label = data;
  bad_label.y(3) = 0.5;
  expect_domain_error(
      [&] {
        approximate_mixup_loss_gradient(model, logistic, bad_label, {1, 1});
      },
      "data.y(3)");
  Dataset nan_input = data;
  nan_input.X(4, 1) = std::numeric_limits<double>::quiet_NaN();
  expect_domain_error(
      [&] {
        approximate_mixup_loss(model, logistic, nan_input, {1, 1});
      },
      "data.X(4, 1)");
  Dataset short_labels = data;
  short_labels.y.conservativeResize(4);
  expect_domain_error(
      [&] {
        approximate_mixup_loss(model, logistic, short_labels, {1, 1});
      },
      "4 labels");
  Dataset empty;
  empty.X.resize(0, 2);
  expect_domain_error([&] { approximate_mixup_loss(model, logistic, empty, {1, 1}); }, "no rows");
}

}  // namespace
}  // namespace mixup
