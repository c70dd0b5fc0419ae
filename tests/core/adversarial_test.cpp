// Specification of core/adversarial (Section 3.2, Lemma 3.2, Eq. 5 and Eq. 6):
//  * the closed-form adversarial loss of a linear model is the maximum over the ball: PGD (an
//    independent method going through Model::f and grad_x) reproduces it to 1e-8 relative and
//    never exceeds it; a dense scan of the circle (d = 2) confirms it for every GLM loss;
//  * its maximizer is sgn(g(x^T theta) - y) eta theta / |theta| (appendix A.2.1);
//  * every PGD and FGSM iterate lies in its ball (computed norm <= radius, exactly);
//  * radius 0 gives the clean loss bit for bit;
//  * Eq. (5)'s error against the exact loss is third order in eta, with the leading coefficient
//    the Taylor expansion predicts;
//  * the ReLU upper bound brackets PGD and is exact where the ball holds no kink; the exact 2-d
//    maximum (line-arrangement enumeration) lies between them and matches a dense grid;
//  * results are bit-for-bit the same at 1 and 2 OpenMP threads; bad input throws DomainError.

#include <omp.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <Eigen/Core>

#include "core/adversarial.hpp"
#include "core/data.hpp"
#include "core/errors.hpp"
#include "core/input_geometry.hpp"
#include "core/losses.hpp"
#include "core/mixing.hpp"
#include "core/models.hpp"
#include "core/random.hpp"
#include "tests/support/derivative_check.hpp"

namespace mixup {
namespace {

constexpr std::uint64_t kSeed = 20210132;
constexpr double kEps = std::numeric_limits<double>::epsilon();
const double kPi = std::acos(-1.0);

// --- Tolerances ----------------------------------------------------------------------------

// PGD against the closed form, relative (the acceptance bound).  On a linear model the boundary
// probe lands on +/- eta theta / |theta| up to the rounding of g / |g| (a few eps per
// coordinate); the loss there differs from the closed form's l(u +/- eta |theta|) only by the
// rounding of (x + delta)^T theta, ~d eps (|x| + eta) |theta| |l'| ~ 1e-15 relative here.
constexpr double kPgdMatchesClosedForm = 1e-8;
// Relative agreement of two evaluations of the same formula by different code (a few roundings
// of O(1) terms, no cancellation): 64 eps ~ 1.4e-14.
constexpr double kSameFormula = 64 * kEps;
// Eq. (5)'s error slope in eta is 3 plus the next term's share, ~ t |phi''''/(4 phi''')| at
// t = eta |theta|.  With w = 1 - 2g, phi''''/phi''' = (1.5 w^2 - 0.5) / w, at most 2.2 in size
// for |g - 1/2| >= 0.1 (the samples kept below), so over the fitted t in [2^-10, 2^-5] the local
// slope is within 2.2 * 2^-5 / 4 ~ 0.017 of 3 at the top of the range and less below it; 0.05
// leaves a 3x margin.
constexpr double kSlopeTolerance = 0.05;
// The leading coefficient (exact - approx) / t^3 at t = 2^-9 against sgn(phi') phi''' / 6:
// relative truncation ~ t |phi''''/(4 phi''')| <= 2^-9 * 0.5 / 4 ~ 2.4e-4 for the test's four
// samples (|phi''''/phi'''| <= 0.5 at u = 1.5, -1.4, 1.5, -2); cancellation of the O(1) losses
// in a difference of ~1e-10 costs ~1e-16 / 1e-10 ~ 1e-6.  1e-3 leaves a 4x margin.
constexpr double kLeadingCoefficientTolerance = 1e-3;

// Upper rounding allowance for comparing a loss evaluated at x + delta (through f) with the
// closed form at u +/- eta |theta|: both compute an inner product of d terms plus the shift, each
// within (d + 2) eps (|x| + eta) |theta| of exact, and l is Lipschitz in u with constant
// `slope` on the segment; plus 4 eps |l| for the loss evaluations themselves.
double rounding_allowance(Eigen::Index d, double x_norm, double eta, double theta_norm,
                          double slope, double loss) {
  return 2.0 * static_cast<double>(d + 2) * kEps * (x_norm + eta) * theta_norm * slope +
         4.0 * kEps * std::abs(loss);
}

// --- Data and models -----------------------------------------------------------------------

Dataset gaussian_labelled_data(Eigen::Index n, Eigen::Index d, LossKind loss, std::uint64_t seed) {
  Engine engine = make_stream(seed, "test/adversarial/data");
  Dataset data;
  data.X = standard_normal_matrix(engine, n, d).array() + 0.2;
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

LinearModel linear_model(Eigen::Index d, std::uint64_t seed, double scale = 1.0) {
  LinearModel model = random_linear(d, seed);
  model.set_parameters(scale * model.parameters());
  return model;
}

double sigmoid(double u) {
  return 1.0 / (1.0 + std::exp(-u));
}

class ThreadCountGuard {
 public:
  ThreadCountGuard() : saved_(omp_get_max_threads()) {}
  ~ThreadCountGuard() { omp_set_num_threads(saved_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int saved_;
};

void expect_domain_error(const std::function<void()>& call, const std::string& fragment) {
  try {
    call();
    ADD_FAILURE() << "no DomainError; expected one mentioning '" << fragment << "'";
  } catch (const DomainError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

// --- Closed form against PGD ----------------------------------------------------------------

TEST(Adversarial, ClosedFormAgreesWithPgdOnLinearLogisticAndGaussianModels) {
  for (const LossKind loss : {LossKind::kLogistic, LossKind::kGaussian}) {
    for (const Eigen::Index d : {2, 7}) {
      const Dataset data = gaussian_labelled_data(60, d, loss, kSeed + static_cast<unsigned>(d));
      const LinearModel model = linear_model(d, kSeed, 1.5);
      for (const double eta : {0.05, 0.5, 2.0}) {
        const AdversarialResult exact = exact_adversarial_loss_linear(model, loss, data, eta);
        const AdversarialResult pgd = pgd_adversarial_loss(model, loss, data, eta);
        for (Eigen::Index i = 0; i < data.n(); ++i) {
          EXPECT_NEAR(pgd.per_sample(i), exact.per_sample(i),
                      kPgdMatchesClosedForm * std::abs(exact.per_sample(i)))
              << to_string(loss) << " d = " << d << " eta = " << eta << " sample " << i << " seed "
              << kSeed;
        }
        EXPECT_NEAR(pgd.loss, exact.loss, kPgdMatchesClosedForm * exact.loss);
      }
    }
  }
}

TEST(Adversarial, PgdNeverExceedsTheClosedFormForAnyGlmLoss) {
  for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson, LossKind::kGaussian}) {
    const Eigen::Index d = 4;
    const Dataset data = gaussian_labelled_data(80, d, loss, kSeed + 11);
    const LinearModel model = linear_model(d, kSeed + 1, 0.8);
    const double theta_norm = model.theta().norm();
    for (const double eta : {0.1, 0.7, 1.5}) {
      const AdversarialResult exact = exact_adversarial_loss_linear(model, loss, data, eta);
      PgdOptions options;
      options.restarts = 6;
      options.seed = kSeed;
      const AdversarialResult pgd = pgd_adversarial_loss(model, loss, data, eta, options);
      const Eigen::VectorXd u = model.f(data.X);
      for (Eigen::Index i = 0; i < data.n(); ++i) {
        const double s = eta * theta_norm;
        const double slope = std::max(std::abs(loss_dh(loss, u(i) + s) - data.y(i)),
                                      std::abs(loss_dh(loss, u(i) - s) - data.y(i)));
        const double allowance = rounding_allowance(d, data.X.row(i).norm(), eta, theta_norm, slope,
                                                    exact.per_sample(i));
        EXPECT_LE(pgd.per_sample(i), exact.per_sample(i) + allowance)
            << to_string(loss) << " eta = " << eta << " sample " << i << " seed " << kSeed;
      }
    }
  }
}

// Independent of PGD: on the circle of radius eta (d = 2), a dense scan of the loss through
// Model::f never exceeds the closed form, and its maximum comes within the scan's resolution.
TEST(Adversarial, ClosedFormIsTheMaximumOverADenseScanOfTheCircle) {
  constexpr int kAngles = 20000;
  for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson, LossKind::kGaussian}) {
    const Dataset data = gaussian_labelled_data(12, 2, loss, kSeed + 3);
    const LinearModel model = linear_model(2, kSeed + 2, 1.3);
    const double eta = 0.6;
    const AdversarialResult exact = exact_adversarial_loss_linear(model, loss, data, eta);
    const double theta_norm = model.theta().norm();
    for (Eigen::Index i = 0; i < data.n(); ++i) {
      Eigen::MatrixXd ring(kAngles, 2);
      for (int k = 0; k < kAngles; ++k) {
        const double t = 2.0 * kPi * k / kAngles;
        ring.row(k) = data.X.row(i) + eta * Eigen::RowVector2d(std::cos(t), std::sin(t));
      }
      const Eigen::VectorXd u = model.f(ring);
      double best = -std::numeric_limits<double>::infinity();
      double slope = 0.0;
      for (int k = 0; k < kAngles; ++k) {
        best = std::max(best, loss_value(loss, u(k), data.y(i)));
        slope = std::max(slope, std::abs(loss_dh(loss, u(k)) - data.y(i)));
      }
      const double allowance =
          rounding_allowance(2, data.X.row(i).norm(), eta, theta_norm, slope, best);
      EXPECT_LE(best, exact.per_sample(i) + allowance) << to_string(loss) << " sample " << i;
      // The grid misses the maximizing angle by at most pi / kAngles, which lowers
      // u's excursion by eta |theta| (1 - cos(pi / kAngles)) <= eta |theta| (pi / kAngles)^2 / 2.
      const double resolution = slope * eta * theta_norm * 0.5 * std::pow(kPi / kAngles, 2);
      EXPECT_GE(best, exact.per_sample(i) - resolution - allowance)
          << to_string(loss) << " sample " << i;
    }
  }
}

// Appendix A.2.1: the maximum is taken at delta = sgn(g(x^T theta) - y) eta theta / |theta|.
TEST(Adversarial, LogisticMaximizerIsSignOfResidualTimesTheta) {
  const Dataset data = make_two_moons(50, 0.1, kSeed);
  const LinearModel model = linear_model(2, kSeed + 4, 2.0);
  const double eta = 0.5;
  const AdversarialResult exact =
      exact_adversarial_loss_linear(model, LossKind::kLogistic, data, eta);
  const Eigen::VectorXd u = model.f(data.X);
  const Eigen::RowVectorXd unit = model.theta().transpose() / model.theta().norm();
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    const double side = sigmoid(u(i)) - data.y(i) > 0.0 ? 1.0 : -1.0;
    const Eigen::RowVectorXd expected = side * eta * unit;
    EXPECT_LE((exact.delta.row(i) - expected).norm(), kSameFormula * eta) << "sample " << i;
  }
}

// For a linear model grad_x l is parallel to theta, so one FGSM-l2 step is the maximizer.
TEST(Adversarial, FgsmL2IsTheMaximizerOfALinearLogisticModel) {
  const Dataset data = make_two_moons(40, 0.1, kSeed + 1);
  const LinearModel model = linear_model(2, kSeed + 5, 1.7);
  const double eta = 0.4;
  const AdversarialResult exact =
      exact_adversarial_loss_linear(model, LossKind::kLogistic, data, eta);
  const Eigen::MatrixXd delta = fgsm_l2_perturbation(model, LossKind::kLogistic, data, eta);
  EXPECT_LE((delta - exact.delta).cwiseAbs().maxCoeff(), kSameFormula * eta);
}

// --- Iterates stay in their balls ----------------------------------------------------------

TEST(Adversarial, EveryPgdIterateLiesInTheBall) {
  const Dataset data = make_two_moons(64, 0.1, kSeed + 2);
  const ReluTwoLayer net = random_relu_two_layer(2, 12, kSeed);
  const LinearModel linear = linear_model(2, kSeed + 6);
  for (const Model* model : std::vector<const Model*>{&net, &linear}) {
    for (const double eta : {1e-3, 0.5, 3.0}) {
      PgdOptions options;
      options.steps = 20;
      options.restarts = 3;
      options.seed = kSeed;
      long calls = 0;
      double largest = 0.0;
      options.on_iterate = [&](int, int, const Eigen::MatrixXd& delta) {
        ++calls;
        for (Eigen::Index i = 0; i < delta.rows(); ++i) {
          largest = std::max(largest, delta.row(i).norm());
          ASSERT_LE(delta.row(i).norm(), eta) << model->type() << " row " << i;
        }
      };
      const AdversarialResult pgd =
          pgd_adversarial_loss(*model, LossKind::kLogistic, data, eta, options);
      EXPECT_EQ(calls, options.restarts * (options.steps + 2)) << "start, steps and probe";
      EXPECT_GT(largest, 0.9 * eta) << "the iterates reach the boundary";
      for (Eigen::Index i = 0; i < data.n(); ++i) {
        EXPECT_LE(pgd.delta.row(i).norm(), eta) << model->type() << " returned delta " << i;
      }
    }
  }
}

TEST(Adversarial, FgsmPerturbationsLieInTheirBalls) {
  const Dataset data = make_two_moons(64, 0.1, kSeed + 3);
  const ReluTwoLayer net = random_relu_two_layer(2, 12, kSeed + 1);
  for (const double radius : {1e-6, 0.3, 2.0}) {
    const Eigen::MatrixXd linf = fgsm_linf_perturbation(net, LossKind::kLogistic, data, radius);
    const Eigen::MatrixXd l2 = fgsm_l2_perturbation(net, LossKind::kLogistic, data, radius);
    const Eigen::MatrixXd gradient = loss_input_gradients(net, LossKind::kLogistic, data);
    for (Eigen::Index i = 0; i < data.n(); ++i) {
      EXPECT_LE(linf.row(i).cwiseAbs().maxCoeff(), radius);
      EXPECT_LE(l2.row(i).norm(), radius);
      if (gradient.row(i).norm() > 0.0) {
        EXPECT_NEAR(l2.row(i).norm(), radius, 4 * kEps * radius) << "on the sphere";
      } else {
        EXPECT_EQ(l2.row(i).norm(), 0.0) << "x unchanged where the gradient is 0";
      }
    }
    EXPECT_EQ(fgsm_linf(net, LossKind::kLogistic, data, radius), data.X + linf);
    EXPECT_EQ(fgsm_l2(net, LossKind::kLogistic, data, radius), data.X + l2);
  }
}

// --- Radius 0 ------------------------------------------------------------------------------

TEST(Adversarial, RadiusZeroGivesTheCleanLossExactly) {
  const Dataset data = make_two_moons(150, 0.1, kSeed + 4);
  const LinearModel linear = linear_model(2, kSeed + 7, 1.2);
  const ReluTwoLayer net = random_relu_two_layer(2, 10, kSeed + 2);
  const ReluDeep deep = random_relu_deep(2, {6, 5}, kSeed + 3);
  const double clean_linear = standard_loss(linear, LossKind::kLogistic, data.X, data.y);
  EXPECT_EQ(exact_adversarial_loss_linear(linear, LossKind::kLogistic, data, 0.0).loss,
            clean_linear);
  for (const Model* model : std::vector<const Model*>{&linear, &net, &deep}) {
    const double clean = standard_loss(*model, LossKind::kLogistic, data.X, data.y);
    EXPECT_EQ(pgd_adversarial_loss(*model, LossKind::kLogistic, data, 0.0).loss, clean)
        << model->type();
    EXPECT_EQ(approx_adversarial_loss(*model, LossKind::kLogistic, data, 0.0), clean)
        << model->type();
    EXPECT_TRUE(fgsm_l2_perturbation(*model, LossKind::kLogistic, data, 0.0).isZero(0.0));
    EXPECT_TRUE(fgsm_linf_perturbation(*model, LossKind::kLogistic, data, 0.0).isZero(0.0));
  }
  EXPECT_EQ(relu_two_layer_adversarial_upper_bound(net, LossKind::kLogistic, data, 0.0).loss,
            standard_loss(net, LossKind::kLogistic, data.X, data.y));
}

// --- Eq. (5) and Eq. (6) -------------------------------------------------------------------

TEST(Adversarial, Eq6ReducesToEq5ForLogisticRegression) {
  const Dataset data = make_two_moons(40, 0.1, kSeed + 5);
  const LinearModel model = linear_model(2, kSeed + 8, 1.4);
  Eigen::VectorXd eta(data.n());
  for (Eigen::Index i = 0; i < data.n(); ++i) eta(i) = 0.01 * static_cast<double>(i + 1);
  const Eigen::VectorXd terms =
      approx_adversarial_loss_terms(model, LossKind::kLogistic, data, eta);
  const double theta_norm = model.theta().norm();
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    const double u = data.X.row(i).dot(model.theta());
    const double g = sigmoid(u);
    const double clean = std::log1p(std::exp(u)) - data.y(i) * u;
    const double eq5 = clean + eta(i) * std::abs(g - data.y(i)) * theta_norm +
                       0.5 * eta(i) * eta(i) * g * (1.0 - g) * theta_norm * theta_norm;
    EXPECT_NEAR(terms(i), eq5, kSameFormula * eq5) << "sample " << i;
  }
}

struct ErrorCurve {
  std::vector<double> t;      // eta |theta|
  std::vector<double> error;  // mean_i |exact_i - approx_i|
};

double fitted_slope(const ErrorCurve& curve) {
  double mx = 0.0;
  double my = 0.0;
  const double count = static_cast<double>(curve.t.size());
  for (std::size_t k = 0; k < curve.t.size(); ++k) {
    mx += std::log(curve.t[k]) / count;
    my += std::log(curve.error[k]) / count;
  }
  double sxy = 0.0;
  double sxx = 0.0;
  for (std::size_t k = 0; k < curve.t.size(); ++k) {
    sxy += (std::log(curve.t[k]) - mx) * (std::log(curve.error[k]) - my);
    sxx += (std::log(curve.t[k]) - mx) * (std::log(curve.t[k]) - mx);
  }
  return sxy / sxx;
}

TEST(Adversarial, Eq5ErrorIsThirdOrderInEtaForLogisticRegression) {
  const Dataset data = make_two_moons(60, 0.1, kSeed + 6);
  const LinearModel model = linear_model(2, kSeed + 9, 2.0);
  const double theta_norm = model.theta().norm();
  // The tolerance's derivation assumes |g - 1/2| >= 0.1 for every sample (phi''' away from 0).
  const Eigen::VectorXd u = model.f(data.X);
  Dataset kept;
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    if (std::abs(sigmoid(u(i)) - 0.5) >= 0.1) rows.push_back(i);
  }
  ASSERT_GE(rows.size(), 20u);
  kept.X.resize(static_cast<Eigen::Index>(rows.size()), 2);
  kept.y.resize(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t k = 0; k < rows.size(); ++k) {
    kept.X.row(static_cast<Eigen::Index>(k)) = data.X.row(rows[k]);
    kept.y(static_cast<Eigen::Index>(k)) = data.y(rows[k]);
  }
  ErrorCurve curve;
  for (int k = 10; k <= 20; ++k) {  // t = 2^-5 ... 2^-10, two points per octave
    const double t = std::exp2(-0.5 * k);
    const double eta = t / theta_norm;
    const AdversarialResult exact =
        exact_adversarial_loss_linear(model, LossKind::kLogistic, kept, eta);
    const Eigen::VectorXd approx = approx_adversarial_loss_terms(
        model, LossKind::kLogistic, kept, Eigen::VectorXd::Constant(kept.n(), eta));
    curve.t.push_back(t);
    curve.error.push_back((exact.per_sample - approx).cwiseAbs().mean());
  }
  const double slope = fitted_slope(curve);
  EXPECT_NEAR(slope, 3.0, kSlopeTolerance) << "seed " << kSeed;
}

// exact - approx = sgn(phi'(u)) phi'''(u) t^3 / 6 + O(t^4), phi''' = g (1 - g)(1 - 2g).
TEST(Adversarial, Eq5ErrorHasTheTaylorLeadingCoefficient) {
  const LinearModel model(Eigen::Vector2d(0.6, -0.8));  // |theta| = 1, so t = eta
  Dataset data;
  data.X = Eigen::MatrixXd(4, 2);
  data.X << 2.5, 0.0, -1.0, 1.0, 0.5, -1.5, 0.0, 2.5;  // u = 1.5, -1.4, 1.5, -2
  data.y = Eigen::Vector4d(1.0, 1.0, 0.0, 0.0);
  const double t = std::exp2(-9.0);
  const AdversarialResult exact =
      exact_adversarial_loss_linear(model, LossKind::kLogistic, data, t);
  const Eigen::VectorXd approx = approx_adversarial_loss_terms(model, LossKind::kLogistic, data,
                                                               Eigen::VectorXd::Constant(4, t));
  const Eigen::VectorXd u = model.f(data.X);
  for (Eigen::Index i = 0; i < 4; ++i) {
    const double g = sigmoid(u(i));
    const double side = g - data.y(i) > 0.0 ? 1.0 : -1.0;
    const double predicted = side * g * (1.0 - g) * (1.0 - 2.0 * g) / 6.0;
    const double measured = (exact.per_sample(i) - approx(i)) / (t * t * t);
    EXPECT_NEAR(measured, predicted, kLeadingCoefficientTolerance * std::abs(predicted))
        << "sample " << i << " u = " << u(i);
  }
}

// --- Networks ------------------------------------------------------------------------------

TEST(Adversarial, ReluUpperBoundBracketsPgdAndIsExactWhereTheBallHasNoKink) {
  const Dataset data = make_two_moons(120, 0.1, kSeed + 7);
  const ReluTwoLayer net = random_relu_two_layer(2, 16, kSeed + 4);
  int kink_free = 0;
  int with_kinks = 0;
  for (const double eta : {0.02, 0.5}) {
    const AdversarialUpperBound upper =
        relu_two_layer_adversarial_upper_bound(net, LossKind::kLogistic, data, eta);
    const AdversarialResult pgd = pgd_adversarial_loss(net, LossKind::kLogistic, data, eta);
    for (Eigen::Index i = 0; i < data.n(); ++i) {
      // Rounding of f through the two layers: relative ~ m d eps on O(1) terms; 1e-13 relative.
      EXPECT_LE(pgd.per_sample(i), upper.per_sample(i) * (1.0 + 1e-13)) << "sample " << i;
      if (upper.kink_free[static_cast<std::size_t>(i)]) {
        ++kink_free;
        EXPECT_NEAR(pgd.per_sample(i), upper.per_sample(i),
                    kPgdMatchesClosedForm * upper.per_sample(i))
            << "eta = " << eta << " sample " << i << ": f is affine on this ball";
      } else {
        ++with_kinks;
      }
    }
  }
  EXPECT_GT(kink_free, 0);
  EXPECT_GT(with_kinks, 0);
}

// The arrangement enumeration (d = 2) against PGD, the interval bound and the local closed form.
TEST(Adversarial, ExactReluMaximumIn2dLiesBetweenPgdAndTheUpperBound) {
  const Dataset data = make_two_moons(100, 0.1, kSeed + 13);
  const ReluTwoLayer net = random_relu_two_layer(2, 16, kSeed + 8);
  int kink_free = 0;
  int pgd_below = 0;
  for (const double eta : {0.02, 0.5, 1.5}) {
    const AdversarialResult exact =
        relu_two_layer_exact_adversarial_loss_2d(net, LossKind::kLogistic, data, eta);
    const AdversarialResult pgd = pgd_adversarial_loss(net, LossKind::kLogistic, data, eta);
    const AdversarialUpperBound upper =
        relu_two_layer_adversarial_upper_bound(net, LossKind::kLogistic, data, eta);
    for (Eigen::Index i = 0; i < data.n(); ++i) {
      // Rounding of f through two layers of O(1) terms: 1e-13 relative is ~500 eps.
      const double allowance = 1e-13 * exact.per_sample(i);
      EXPECT_LE(exact.delta.row(i).norm(), eta);
      EXPECT_GE(exact.per_sample(i), pgd.per_sample(i) - allowance) << "eta " << eta << " " << i;
      EXPECT_LE(exact.per_sample(i), upper.per_sample(i) + allowance) << "eta " << eta << " " << i;
      if (upper.kink_free[static_cast<std::size_t>(i)]) {
        ++kink_free;
        EXPECT_NEAR(exact.per_sample(i), upper.per_sample(i), kPgdMatchesClosedForm)
            << "f affine on the ball: the local closed form is exact";
      }
      if (pgd.per_sample(i) < exact.per_sample(i) * (1.0 - 1e-6)) ++pgd_below;
    }
  }
  EXPECT_GT(kink_free, 0);
  std::cout << "[ info ] samples where PGD stays > 1e-6 below the exact maximum: " << pgd_below
            << " of " << 3 * data.n() << "\n";
}

// An independent reference: a dense polar grid of the disk.  Its maximum never exceeds the
// enumeration's, and comes within the grid's covering radius times the Lipschitz constant of
// l(f) in x (|l'| <= 1 for the logistic loss, |grad f| <= sum_j |theta1_j| |W_j|).
TEST(Adversarial, ExactReluMaximumIn2dMatchesADenseGridOfTheDisk) {
  constexpr int kRadii = 400;
  constexpr int kAngles = 2000;
  const Dataset data = make_two_moons(6, 0.1, kSeed + 14);
  const ReluTwoLayer net = random_relu_two_layer(2, 16, kSeed + 9);
  const double eta = 0.8;
  const AdversarialResult exact =
      relu_two_layer_exact_adversarial_loss_2d(net, LossKind::kLogistic, data, eta);
  double lipschitz = 0.0;
  for (Eigen::Index j = 0; j < net.W().rows(); ++j) {
    lipschitz += std::abs(net.theta1()(j)) * net.W().row(j).norm();
  }
  // Any point of the disk is within eta / kRadii radially and eta * pi / kAngles along the arc of
  // a grid point.
  const double covering = eta / kRadii + eta * kPi / kAngles;
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    Eigen::MatrixXd grid(kRadii * kAngles, 2);
    for (int r = 0; r < kRadii; ++r) {
      const double radius = eta * (r + 1) / kRadii;
      for (int k = 0; k < kAngles; ++k) {
        const double t = 2.0 * kPi * k / kAngles;
        grid.row(r * kAngles + k) =
            data.X.row(i) + radius * Eigen::RowVector2d(std::cos(t), std::sin(t));
      }
    }
    const Eigen::VectorXd u = net.f(grid);
    double best = -std::numeric_limits<double>::infinity();
    for (Eigen::Index k = 0; k < u.size(); ++k) {
      best = std::max(best, loss_value(LossKind::kLogistic, u(k), data.y(i)));
    }
    EXPECT_LE(best, exact.per_sample(i) * (1.0 + 1e-13)) << "sample " << i;
    EXPECT_GE(best, exact.per_sample(i) - lipschitz * covering) << "sample " << i;
  }
}

TEST(Adversarial, ExactReluMaximumIn2dRefusesOtherDimensions) {
  const ReluTwoLayer net = random_relu_two_layer(3, 4, kSeed);
  Dataset data;
  data.X = Eigen::MatrixXd::Zero(2, 3);
  data.y = Eigen::VectorXd::Zero(2);
  expect_domain_error(
      [&] { relu_two_layer_exact_adversarial_loss_2d(net, LossKind::kLogistic, data, 0.1); },
      "dimension 2");
}

TEST(Adversarial, PgdImprovesOnTheCleanLossOfANet) {
  const Dataset data = make_two_moons(80, 0.1, kSeed + 8);
  const ReluTwoLayer net = random_relu_two_layer(2, 16, kSeed + 5);
  const double clean = standard_loss(net, LossKind::kLogistic, data.X, data.y);
  const AdversarialResult pgd = pgd_adversarial_loss(net, LossKind::kLogistic, data, 0.3);
  EXPECT_GT(pgd.loss, clean);
  // Per sample at least the clean value: the first restart starts at delta = 0.
  const Eigen::VectorXd u = net.f(data.X);
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    EXPECT_GE(pgd.per_sample(i), loss_value(LossKind::kLogistic, u(i), data.y(i)));
  }
}

TEST(Adversarial, LossInputGradientsMatchFiniteDifferences) {
  const Dataset data = make_two_moons(10, 0.1, kSeed + 9);
  const ReluTwoLayer net = random_relu_two_layer(2, 8, kSeed + 6);
  const SmoothTwoLayer smooth = random_smooth_two_layer(SmoothActivation::kSoftplus, 2, 8, kSeed);
  for (const Model* model : std::vector<const Model*>{&net, &smooth}) {
    for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson}) {
      const Eigen::MatrixXd gradient = loss_input_gradients(*model, loss, data);
      for (Eigen::Index i = 0; i < data.n(); ++i) {
        if (model->kink_distance(data.X.row(i).transpose()) < 1e-3) continue;  // see models_test
        const double y = data.y(i);
        const auto F = [&](const Eigen::VectorXd& x) {
          return Eigen::VectorXd::Constant(1, loss_value(loss, model->f_at(x), y));
        };
        EXPECT_TRUE(testing::derivatives_agree(
            testing::check_jacobian(F, data.X.row(i).transpose(), gradient.row(i))))
            << model->type() << " " << to_string(loss) << " sample " << i;
      }
    }
  }
}

// --- eps_mix -------------------------------------------------------------------------------

TEST(Adversarial, EpsMixIsMinCosineTimesCxTimesM1) {
  const Dataset data = make_two_moons(30, 0.1, kSeed + 10);
  const LinearModel model = linear_model(2, kSeed + 10);
  double min_cos = std::numeric_limits<double>::infinity();
  double min_norm = std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    const Eigen::VectorXd x = data.X.row(i).transpose();
    min_cos = std::min(min_cos, std::abs(x.dot(model.theta())) / (x.norm() * model.theta().norm()));
    min_norm = std::min(min_norm, x.norm());
  }
  const MixingLaw law{2.0, 0.5};
  const double expected = min_cos * (min_norm / std::sqrt(2.0)) * dtilde_m1(2.0, 0.5);
  EXPECT_NEAR(eps_mix(model, data, law), expected, kSameFormula * expected);
}

TEST(Adversarial, EpsMixIsNaNWhenEveryCosineIsUndefined) {
  const Dataset data = make_two_moons(20, 0.1, kSeed + 11);
  // Every unit's bias is -100: all ReLUs off on the data, grad f = 0 everywhere.
  const ReluTwoLayer dead(Eigen::MatrixXd::Ones(3, 2), Eigen::VectorXd::Constant(3, -100.0),
                          Eigen::VectorXd::Ones(3), 0.0);
  EXPECT_TRUE(std::isnan(eps_mix(dead, data, MixingLaw{1.0, 1.0})));
}

// --- Threads and input errors --------------------------------------------------------------

TEST(Adversarial, ResultsAreBitIdenticalAtOneAndTwoThreads) {
  const ThreadCountGuard guard;
  const Dataset data = make_two_moons(300, 0.1, kSeed + 12);  // several reduction blocks
  const ReluTwoLayer net = random_relu_two_layer(2, 16, kSeed + 7);
  const LinearModel linear = linear_model(2, kSeed + 11);
  PgdOptions options;
  options.seed = kSeed;
  omp_set_num_threads(1);
  const AdversarialResult pgd1 = pgd_adversarial_loss(net, LossKind::kLogistic, data, 0.5, options);
  const double approx1 = approx_adversarial_loss(net, LossKind::kLogistic, data, 0.5);
  const AdversarialResult exact1 =
      exact_adversarial_loss_linear(linear, LossKind::kLogistic, data, 0.5);
  const AdversarialResult arrangement1 =
      relu_two_layer_exact_adversarial_loss_2d(net, LossKind::kLogistic, data, 0.5);
  omp_set_num_threads(2);
  const AdversarialResult pgd2 = pgd_adversarial_loss(net, LossKind::kLogistic, data, 0.5, options);
  const double approx2 = approx_adversarial_loss(net, LossKind::kLogistic, data, 0.5);
  const AdversarialResult exact2 =
      exact_adversarial_loss_linear(linear, LossKind::kLogistic, data, 0.5);
  const AdversarialResult arrangement2 =
      relu_two_layer_exact_adversarial_loss_2d(net, LossKind::kLogistic, data, 0.5);
  EXPECT_EQ(pgd1.loss, pgd2.loss);
  EXPECT_EQ(pgd1.per_sample, pgd2.per_sample);
  EXPECT_EQ(pgd1.delta, pgd2.delta);
  EXPECT_EQ(approx1, approx2);
  EXPECT_EQ(exact1.loss, exact2.loss);
  EXPECT_EQ(arrangement1.per_sample, arrangement2.per_sample);
  EXPECT_EQ(arrangement1.delta, arrangement2.delta);
}

TEST(Adversarial, RefusesBadRadiiOptionsAndShapes) {
  const Dataset data = make_two_moons(10, 0.1, kSeed);
  const LinearModel model = linear_model(2, kSeed);
  const LinearModel wide = linear_model(3, kSeed);
  const double nan = std::nan("");
  const LossKind logistic = LossKind::kLogistic;
  expect_domain_error([&] { exact_adversarial_loss_linear(model, logistic, data, -0.1); }, "eta");
  expect_domain_error([&] { pgd_adversarial_loss(model, logistic, data, nan); }, "eta");
  expect_domain_error([&] { approx_adversarial_loss(model, logistic, data, -1.0); }, "eta");
  expect_domain_error([&] { fgsm_linf(model, logistic, data, -1.0); }, "eps");
  expect_domain_error(
      [&] { fgsm_l2(model, logistic, data, std::numeric_limits<double>::infinity()); }, "eta");
  PgdOptions no_restarts;
  no_restarts.restarts = 0;
  expect_domain_error([&] { pgd_adversarial_loss(model, logistic, data, 0.1, no_restarts); },
                      "restarts");
  expect_domain_error([&] { exact_adversarial_loss_linear(wide, logistic, data, 0.1); },
                      "dimension 3");
  expect_domain_error(
      [&] { approx_adversarial_loss_terms(model, logistic, data, Eigen::VectorXd::Zero(3)); },
      "3 radii");
  expect_domain_error([&] { eps_mix(model, data, MixingLaw{-1.0, 1.0}); }, "eps_mix");
}

}  // namespace
}  // namespace mixup
