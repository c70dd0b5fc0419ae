// Specification of core/complexity: Rademacher estimates of linear classes and the retentiveness
// constant of Theorem 3.4 (appendix A.3.2).
//
// References are independent of the code under test:
//  * ellipsoid suprema: a brute-force maximum over a fine grid of boundary points in 2D;
//  * l2 ball: B |g| and the Jensen bound B sqrt(sum |x_i|^2) / n, two lines of algebra;
//  * psi(s) = E sigmoid'(s Z): Boost.Math's exp_sinh quadrature in 50 decimal digits;
//  * derivatives: central differences (tests/support/derivative_check.hpp).
#include "core/complexity.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>
#include <omp.h>
#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include <boost/math/constants/constants.hpp>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "core/data.hpp"
#include "core/errors.hpp"
#include "core/random.hpp"
#include "tests/support/derivative_check.hpp"

namespace mixup {
namespace {

using Real50 = boost::multiprecision::cpp_bin_float_50;

// The ascent stops when the tangential part of g is below 1e-10 |g| (AscentOptions), i.e. at an
// angle ~1e-10 from the optimum: the value then errs by ~angle^2 * condition number (<= 100
// here) ~ 1e-18, and the ray search by 1e-13 relative.  1e-9 relative leaves a wide margin.
constexpr double kAscentRelTolerance = 1e-9;
// Brute force over M boundary angles in 2D misses the optimum by at most half a grid step,
// pi / M, costing a relative (pi / M)^2 / 2 * kappa; M = 2e5, kappa <= 10: 1.2e-9.  2e-9.
constexpr int kBruteForceAngles = 200000;
constexpr double kBruteForceRelTolerance = 2e-9;
// Closed forms against each other (a handful of flops on O(1) numbers): 1e-12 relative.
constexpr double kClosedFormRelTolerance = 1e-12;
// The composite Gauss-Legendre profile targets ~1e-15 (complexity.cpp); 1e-13 relative, 100x.
constexpr double kProfileRelTolerance = 1e-13;
// Monte Carlo comparisons: 5 standard errors (a false alarm has probability 6e-7).
constexpr double kMonteCarloSigmas = 5.0;

constexpr std::uint64_t kSeed = 20210501;

double relative_difference(double x, double y) {
  const double scale = std::max(std::abs(x), std::abs(y));
  return scale > 0.0 ? std::abs(x - y) / scale : 0.0;
}

Eigen::MatrixXd random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t index) {
  Engine engine = make_stream(kSeed, "complexity-test/matrix", index);
  return standard_normal_matrix(engine, rows, cols);
}

// A symmetric positive definite matrix with eigenvalues spread over [1, kappa].
Eigen::MatrixXd random_spd(Eigen::Index d, double kappa, std::uint64_t index) {
  Engine engine = make_stream(kSeed, "complexity-test/spd", index);
  const Eigen::MatrixXd A = standard_normal_matrix(engine, d, d);
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(A);
  const Eigen::MatrixXd Q = qr.householderQ();
  Eigen::VectorXd eigenvalues(d);
  for (Eigen::Index k = 0; k < d; ++k) {
    eigenvalues(k) = d == 1 ? 1.0 : std::pow(kappa, static_cast<double>(k) / (d - 1));
  }
  return Q * eigenvalues.asDiagonal() * Q.transpose();
}

ConstraintSet ball_by_cap(Eigen::Index d, double radius) {
  ConstraintSet set;
  set.dim = d;
  set.norm_cap = radius;
  set.value = [](const Eigen::VectorXd&) { return -1.0; };
  set.gradient = [d](const Eigen::VectorXd&) { return Eigen::VectorXd(Eigen::VectorXd::Zero(d)); };
  return set;
}

ConstraintSet ellipsoid_set(const Eigen::MatrixXd& sigma, double radius, double cap) {
  ConstraintSet set;
  set.dim = sigma.rows();
  set.norm_cap = cap;
  set.value = [sigma, radius](const Eigen::VectorXd& t) {
    return t.dot(sigma * t) - radius * radius;
  };
  set.gradient = [sigma](const Eigen::VectorXd& t) { return Eigen::VectorXd(2.0 * sigma * t); };
  return set;
}

// ---------------------------------------------------------------------------------------------
// Sign vectors and Monte Carlo means.

TEST(Rademacher, SignsArePlusMinusOneReproducibleAndBalanced) {
  const Eigen::Index n = 20000;
  const Eigen::VectorXd a = rademacher_signs(n, kSeed, 3);
  const Eigen::VectorXd b = rademacher_signs(n, kSeed, 3);
  const Eigen::VectorXd c = rademacher_signs(n, kSeed, 4);
  EXPECT_TRUE((a.array().abs() == 1.0).all());
  EXPECT_EQ(a, b) << "the same (seed, draw) must give the same signs";
  EXPECT_NE(a, c) << "different draws must differ";
  // Mean of n fair signs: standard error 1 / sqrt(n).
  EXPECT_LE(std::abs(a.mean()), kMonteCarloSigmas / std::sqrt(static_cast<double>(n)));
  EXPECT_EQ(rademacher_sign_matrix(n, 5, kSeed).col(3), a);
}

TEST(Rademacher, MonteCarloMeanHasTheSampleStandardError) {
  const std::vector<double> values = {1.0, 2.0, 3.0, 4.0};
  const MonteCarloMean m = monte_carlo_mean(values);
  // Sample variance (1/(k-1)) sum (v - 2.5)^2 = 5/3; standard error sqrt(5/3 / 4).
  EXPECT_DOUBLE_EQ(m.mean, 2.5);
  EXPECT_NEAR(m.standard_error, std::sqrt(5.0 / 12.0), 1e-15);
  EXPECT_TRUE(std::isinf(monte_carlo_mean({1.0}).standard_error));
  EXPECT_THROW(monte_carlo_mean({}), DomainError);
}

TEST(Rademacher, ControlVariateIsExactForALinearRelationAndShrinksTheError) {
  // y = 3 + 2 c exactly: the estimate is 3 + 2 E[c] whatever the sample, with no residual.
  Engine engine = make_stream(kSeed, "complexity-test/control-variate");
  std::vector<double> c(200);
  std::vector<double> y(200);
  std::vector<double> noisy(200);
  for (std::size_t k = 0; k < c.size(); ++k) {
    c[k] = standard_normal(engine);
    y[k] = 3.0 + 2.0 * c[k];
    noisy[k] = y[k] + 0.1 * standard_normal(engine);
  }
  const MonteCarloMean exact = control_variate_mean(y, c, 0.0);
  EXPECT_NEAR(exact.mean, 3.0, 1e-13);
  EXPECT_LE(exact.standard_error, 1e-13);
  // With noise of sd 0.1 the error falls from ~2/sqrt(200) to ~0.1/sqrt(200), and the
  // estimate stays within 5 of its standard errors of the truth, 3.
  const MonteCarloMean plain = monte_carlo_mean(noisy);
  const MonteCarloMean controlled = control_variate_mean(noisy, c, 0.0);
  EXPECT_LT(controlled.standard_error, 0.1 * plain.standard_error);
  EXPECT_LE(std::abs(controlled.mean - 3.0), kMonteCarloSigmas * controlled.standard_error);
}

// ---------------------------------------------------------------------------------------------
// The l2 ball.

TEST(Rademacher, AscentReachesTheL2BallClosedForm) {
  const double radius = 1.7;
  const Eigen::MatrixXd X = random_matrix(30, 5, 1);
  for (std::uint64_t k = 0; k < 5; ++k) {
    const Eigen::VectorXd g = rademacher_correlation(X, rademacher_signs(30, kSeed, k));
    const double closed_form = l2_ball_supremum(g, radius);
    // Two descriptions of the same ball: the norm cap alone, and |theta|^2 - B^2 <= 0 inside a
    // larger cap.
    for (const ConstraintSet& set :
         {ball_by_cap(5, radius), ellipsoid_set(Eigen::MatrixXd::Identity(5, 5), radius, 3.0)}) {
      const AscentResult result = maximize_linear(set, g, random_unit_vector(5, kSeed, k));
      EXPECT_TRUE(set.contains(result.theta));
      EXPECT_LE(relative_difference(result.value, closed_form), kAscentRelTolerance)
          << "draw " << k << ": ascent " << result.value << " vs B|g| = " << closed_form;
    }
  }
}

TEST(Rademacher, L2BallMonteCarloMeanLiesBelowTheJensenBound) {
  // Small n and d: E|g| is well below sqrt(E|g|^2) (for d = 2, n = 10 by about 10%), so the
  // Jensen gap is many standard errors wide.
  const double radius = 2.0;
  const Eigen::MatrixXd X = random_matrix(10, 2, 2);
  const EllipsoidGeometry identity(Eigen::MatrixXd::Identity(2, 2));
  const WhitenedCorrelations draws = whitened_correlations(X, identity, 4000, kSeed);
  std::vector<double> values;
  for (const double norm : draws.norms) values.push_back(radius * norm);
  const MonteCarloMean mean = monte_carlo_mean(values);
  const double jensen = l2_ball_jensen_bound(X, radius);
  EXPECT_LT(mean.mean_plus(kMonteCarloSigmas), jensen)
      << "mean " << mean.mean << " +- " << mean.standard_error << ", Jensen " << jensen;
  // And the per-draw closed form is the same number the sup formula gives.
  const Eigen::VectorXd g = rademacher_correlation(X, rademacher_signs(10, kSeed, 7));
  EXPECT_LE(relative_difference(radius * draws.norms[7], l2_ball_supremum(g, radius)),
            kClosedFormRelTolerance);
}

// ---------------------------------------------------------------------------------------------
// Ellipsoids.

TEST(Ellipsoid, ClosedFormSupremumAgreesWithBruteForceIn2D) {
  const double radius = 1.3;
  for (std::uint64_t k = 0; k < 4; ++k) {
    const Eigen::MatrixXd sigma = random_spd(2, 10.0, k);
    const EllipsoidGeometry geometry(sigma);
    const Eigen::VectorXd g = random_matrix(2, 1, 10 + k).col(0);
    // Boundary points theta = r Sigma^{-1/2} (cos phi, sin phi).
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(sigma);
    const Eigen::MatrixXd inverse_root = solver.operatorInverseSqrt();
    double best = -std::numeric_limits<double>::infinity();
    for (int m = 0; m < kBruteForceAngles; ++m) {
      const double phi = 2.0 * M_PI * m / kBruteForceAngles;
      const Eigen::Vector2d w(std::cos(phi), std::sin(phi));
      best = std::max(best, g.dot(radius * inverse_root * w));
    }
    const double closed_form = geometry.supremum(g, radius);
    EXPECT_LE(relative_difference(closed_form, best), kBruteForceRelTolerance)
        << "closed form " << closed_form << ", brute force " << best;
    EXPECT_LE(relative_difference(g.dot(geometry.maximizer(g, radius)), closed_form),
              kClosedFormRelTolerance);
    EXPECT_LE(relative_difference(geometry.quadratic_form(geometry.maximizer(g, radius)),
                                  radius * radius),
              kClosedFormRelTolerance);
  }
}

TEST(Ellipsoid, AscentFromRandomStartsReachesTheClosedForm) {
  const double radius = 0.8;
  for (std::uint64_t k = 0; k < 4; ++k) {
    const Eigen::MatrixXd sigma = random_spd(6, 10.0, 20 + k);
    const EllipsoidGeometry geometry(sigma);
    const Eigen::VectorXd g = random_matrix(6, 1, 30 + k).col(0);
    const ConstraintSet set = ellipsoid_set(sigma, radius, 100.0);
    const AscentResult result = maximize_linear_multistart(
        set, g, {random_unit_vector(6, kSeed, 100 + k), random_unit_vector(6, kSeed, 200 + k)});
    EXPECT_TRUE(set.contains(result.theta));
    EXPECT_LE(relative_difference(result.value, geometry.supremum(g, radius)), kAscentRelTolerance)
        << "ascent " << result.value << " vs closed form " << geometry.supremum(g, radius);
  }
}

TEST(Ellipsoid, SingularSigmaIsInfiniteOffItsRangeAndRestrictedOnIt) {
  // Sigma = U diag(2, 0.5) U^T in R^4: rank 2.
  Engine engine = make_stream(kSeed, "complexity-test/basis");
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(standard_normal_matrix(engine, 4, 2));
  const Eigen::MatrixXd U = qr.householderQ() * Eigen::MatrixXd::Identity(4, 2);
  const Eigen::Vector2d lambda(2.0, 0.5);
  const Eigen::MatrixXd sigma = U * lambda.asDiagonal() * U.transpose();
  const EllipsoidGeometry geometry(sigma);
  EXPECT_EQ(geometry.rank(), 2);
  const Eigen::Vector2d c(0.3, -1.1);
  const Eigen::VectorXd in_range = U * c;
  // On the range: sup = r |Lambda^{-1/2} c| (the 2D problem in U coordinates).
  const double expected = 1.5 * std::sqrt(c(0) * c(0) / 2.0 + c(1) * c(1) / 0.5);
  EXPECT_LE(relative_difference(geometry.supremum(in_range, 1.5), expected),
            kClosedFormRelTolerance);
  EXPECT_LE(relative_difference(geometry.pseudo_inverse_quadratic(in_range),
                                c(0) * c(0) / 2.0 + c(1) * c(1) / 0.5),
            kClosedFormRelTolerance);
  // Off the range: theta can grow along null(Sigma) for free.
  const Eigen::VectorXd null_direction =
      Eigen::VectorXd::Ones(4) - U * (U.transpose() * Eigen::VectorXd::Ones(4));
  EXPECT_TRUE(std::isinf(geometry.supremum(in_range + 1e-3 * null_direction, 1.5)));
  EXPECT_FALSE(geometry.in_range(in_range + 1e-3 * null_direction));
}

TEST(Ellipsoid, RefusesMatricesThatAreNotPositiveSemiDefinite) {
  Eigen::MatrixXd indefinite(2, 2);
  indefinite << 1.0, 0.0, 0.0, -1.0;
  EXPECT_THROW(EllipsoidGeometry{indefinite}, DomainError);
  Eigen::MatrixXd asymmetric(2, 2);
  asymmetric << 1.0, 0.5, 0.0, 1.0;
  EXPECT_THROW(EllipsoidGeometry{asymmetric}, DomainError);
  EXPECT_THROW(EllipsoidGeometry(Eigen::MatrixXd::Identity(2, 2))
                   .supremum(Eigen::VectorXd::Unit(2, 0), -1.0),
               DomainError);
}

// ---------------------------------------------------------------------------------------------
// GLM populations.

double reference_logistic_profile(double s) {
  // 2 int_0^inf sigmoid'(s z) phi(z) dz in 50 digits.
  boost::math::quadrature::exp_sinh<Real50> integrator;
  const Real50 S(s);
  const auto integrand = [&](const Real50& z) {
    const Real50 e = exp(-S * z);
    return e / ((1 + e) * (1 + e)) * exp(-z * z / 2) /
           boost::math::constants::root_two_pi<Real50>();
  };
  Real50 error;
  const Real50 value = 2 * integrator.integrate(integrand, Real50(1e-40), &error);
  EXPECT_LE(static_cast<double>(error / value), 1e-20) << "reference at s = " << s;
  return static_cast<double>(value);
}

TEST(GlmPopulation, LogisticGaussianProfileMatchesA50DigitReference) {
  for (const double s : {0.01, 0.3, 1.0, 2.5, 7.0, 30.0}) {
    const double value = gaussian_curvature_profile(LossKind::kLogistic, s).value;
    EXPECT_LE(relative_difference(value, reference_logistic_profile(s)), kProfileRelTolerance)
        << "psi(" << s << ") = " << value;
  }
  EXPECT_EQ(gaussian_curvature_profile(LossKind::kLogistic, 0.0).value, 0.25);
}

TEST(GlmPopulation, ProfileDerivativesAgreeWithFiniteDifferences) {
  for (const LossKind kind : {LossKind::kLogistic, LossKind::kPoisson, LossKind::kGaussian}) {
    for (const double s : {0.2, 1.0, 3.0, 9.0}) {
      const auto psi = [kind](const Eigen::VectorXd& x) {
        return Eigen::VectorXd::Constant(1, gaussian_curvature_profile(kind, x(0)).value);
      };
      const Eigen::MatrixXd analytic =
          Eigen::MatrixXd::Constant(1, 1, gaussian_curvature_profile(kind, s).derivative);
      EXPECT_TRUE(testing::derivatives_agree(
          testing::check_jacobian(psi, Eigen::VectorXd::Constant(1, s), analytic)))
          << to_string(kind) << " at s = " << s;
    }
  }
}

TEST(GlmPopulation, ThirdDerivativeIsTheDerivativeOfTheSecond) {
  for (const LossKind kind : {LossKind::kLogistic, LossKind::kPoisson, LossKind::kGaussian}) {
    for (const double u : {-30.0, -2.0, -0.1, 0.0, 0.4, 3.0, 25.0}) {
      const auto d2h = [kind](const Eigen::VectorXd& x) {
        return Eigen::VectorXd::Constant(1, loss_d2h(kind, x(0)));
      };
      const Eigen::MatrixXd analytic =
          Eigen::MatrixXd::Constant(1, 1, glm_third_derivative(kind, u));
      EXPECT_TRUE(testing::derivatives_agree(
          testing::check_jacobian(d2h, Eigen::VectorXd::Constant(1, u), analytic)))
          << to_string(kind) << " at u = " << u;
    }
  }
}

TEST(GlmPopulation, CurvatureAndWGammaGradientsAgreeWithFiniteDifferences) {
  const Eigen::MatrixXd sigma = random_spd(4, 5.0, 40);
  const Dataset moons = make_two_moons(300, 0.2, kSeed);
  const std::vector<GlmPopulation> populations = {
      gaussian_glm_population(LossKind::kLogistic, sigma),
      empirical_glm_population(LossKind::kLogistic, moons.X)};
  for (const GlmPopulation& population : populations) {
    const ConstraintSet set = w_gamma_set(population, 0.3, 10.0);
    for (std::uint64_t k = 0; k < 3; ++k) {
      const Eigen::VectorXd theta = 1.5 * random_unit_vector(population.dim(), kSeed, 300 + k);
      const auto a = [&](const Eigen::VectorXd& v) {
        return Eigen::VectorXd::Constant(1, population.mean_curvature(v));
      };
      const auto c = [&](const Eigen::VectorXd& v) {
        return Eigen::VectorXd::Constant(1, set.value(v));
      };
      EXPECT_TRUE(testing::derivatives_agree(
          testing::check_jacobian(a, theta, population.mean_curvature_gradient(theta).transpose())))
          << population.description;
      EXPECT_TRUE(testing::derivatives_agree(
          testing::check_jacobian(c, theta, set.gradient(theta).transpose())))
          << population.description;
    }
  }
}

TEST(GlmPopulation, EmpiricalAndGaussianPopulationsAgreeOnALargeSample) {
  const Eigen::MatrixXd sigma = random_spd(3, 4.0, 50);
  const Eigen::LLT<Eigen::MatrixXd> llt(sigma);
  Engine engine = make_stream(kSeed, "complexity-test/gaussian-sample");
  const Eigen::MatrixXd X = standard_normal_matrix(engine, 200000, 3) * llt.matrixU();
  const GlmPopulation gaussian = gaussian_glm_population(LossKind::kLogistic, sigma);
  const GlmPopulation empirical = empirical_glm_population(LossKind::kLogistic, X);
  for (std::uint64_t k = 0; k < 3; ++k) {
    const Eigen::VectorXd v = random_unit_vector(3, kSeed, 400 + k);
    // A'' in [0, 1/4]: its sample mean has standard error <= 1/8 / sqrt(N).
    const double standard_error = 0.125 / std::sqrt(200000.0);
    EXPECT_LE(std::abs(gaussian.mean_curvature(v) - empirical.mean_curvature(v)),
              kMonteCarloSigmas * standard_error);
  }
}

// ---------------------------------------------------------------------------------------------
// Retentiveness and the relaxation of appendix A.3.2.

TEST(Retentiveness, GaussianLogisticInfimumSitsAtTheLargestNorm) {
  // x ~ N(0, I_3): a(v) = psi(|v|) decreases in |v|, and psi^2 / min{1, |v|^2} with it, so the
  // infimum over {0 < |v| <= T} is psi(T)^2 / min{1, T^2}.
  const GlmPopulation population =
      gaussian_glm_population(LossKind::kLogistic, Eigen::MatrixXd::Identity(3, 3));
  for (const double max_norm : {0.5, 2.0, 6.0}) {
    const RetentivenessEstimate estimate = estimate_retentiveness(
        population, retentiveness_directions(population.second_moment, 8, kSeed),
        retentiveness_norms(max_norm, 30));
    const double psi = gaussian_curvature_profile(LossKind::kLogistic, max_norm).value;
    const double expected = psi * psi / std::min(1.0, max_norm * max_norm);
    EXPECT_LE(relative_difference(estimate.min_ratio, expected), 1e-12) << "T = " << max_norm;
    EXPECT_DOUBLE_EQ(estimate.rho, std::min(0.5, expected));
    EXPECT_LE(relative_difference(estimate.witness.norm(), max_norm), 1e-15);
  }
}

TEST(Retentiveness, UnboundedNormsDriveTheLogisticRatioToZero) {
  // Why the set must be bounded: psi(t) ~ 1 / (t sqrt(2 pi)), so no rho > 0 works for all v.
  const GlmPopulation population =
      gaussian_glm_population(LossKind::kLogistic, Eigen::MatrixXd::Identity(2, 2));
  double previous = std::numeric_limits<double>::infinity();
  for (const double t : {1.0, 10.0, 100.0, 1000.0}) {
    const double ratio =
        estimate_retentiveness(population, Eigen::MatrixXd::Identity(2, 1), {t}).min_ratio;
    EXPECT_LT(ratio, previous);
    previous = ratio;
  }
  EXPECT_LT(previous, 1e-6);
}

TEST(Retentiveness, SquaredLossIsRetentiveWithRhoOneHalf) {
  // A'' = 1: the ratio 1 / min{1, E (v^T x)^2} >= 1 everywhere, so rho = 1/2 (the cap).
  const GlmPopulation population =
      gaussian_glm_population(LossKind::kGaussian, random_spd(3, 3.0, 60));
  const RetentivenessEstimate estimate = estimate_retentiveness(
      population, retentiveness_directions(population.second_moment, 4, kSeed),
      retentiveness_norms(5.0, 10));
  EXPECT_EQ(estimate.rho, 0.5);
  EXPECT_GE(estimate.min_ratio, 1.0);
}

TEST(Retentiveness, RefusesBadSets) {
  const GlmPopulation population =
      gaussian_glm_population(LossKind::kLogistic, Eigen::MatrixXd::Identity(2, 2));
  EXPECT_THROW(estimate_retentiveness(population, Eigen::MatrixXd::Zero(2, 1), {1.0}), DomainError);
  EXPECT_THROW(estimate_retentiveness(population, Eigen::MatrixXd::Identity(2, 2), {}),
               DomainError);
  EXPECT_THROW(estimate_retentiveness(population, Eigen::MatrixXd::Identity(2, 2), {-1.0}),
               DomainError);
  EXPECT_THROW(estimate_retentiveness(population, Eigen::MatrixXd::Identity(3, 2), {1.0}),
               DomainError);
  EXPECT_THROW(w_gamma_relaxation_radius(1.0, 0.6), DomainError);
  EXPECT_THROW(w_gamma_relaxation_radius(1.0, 0.0), DomainError);
  EXPECT_THROW(w_gamma_relaxation_radius(-1.0, 0.1), DomainError);
}

TEST(Retentiveness, EveryPointOfWGammaLiesInTheRelaxationEllipsoid) {
  // The algebra of appendix A.3.2 at each point: with theta's own ratio
  // rho_theta = min(1/2, a(theta)^2 / min{1, q}), a(theta) q <= gamma implies
  // q <= r(gamma, rho_theta)^2.  Checked on boundary points of W_gamma of a non-Gaussian
  // (two-moons) population, where W_gamma is not an ellipsoid.
  const Dataset moons = make_two_moons(400, 0.1, kSeed);
  const GlmPopulation population = empirical_glm_population(LossKind::kLogistic, moons.X);
  for (const double gamma : {0.01, 0.2, 3.0}) {
    const ConstraintSet set = w_gamma_set(population, gamma, 1e3);
    for (std::uint64_t k = 0; k < 20; ++k) {
      const Eigen::VectorXd g = random_unit_vector(2, kSeed, 500 + k);
      const Eigen::VectorXd theta = maximize_linear(set, g, g).theta;
      ASSERT_TRUE(set.contains(theta));
      const double q = theta.dot(population.second_moment * theta);
      const double a = population.mean_curvature(theta);
      const double rho = std::min(0.5, a * a / std::min(1.0, q));
      const double r = w_gamma_relaxation_radius(gamma, rho);
      EXPECT_LE(q, r * r * (1.0 + kClosedFormRelTolerance))
          << "gamma " << gamma << ", theta " << theta.transpose();
    }
  }
}

TEST(Retentiveness, LowerEstimateNeverExceedsTheUpperEstimate) {
  // W_gamma of a two-moons population (non-convex in general), capped at |theta| <= T; rho
  // estimated over {0 < |v| <= T} on 2D directions dense enough (1 degree) that the grid's
  // minimum is the infimum to within the ratio's variation over one degree.
  const Dataset moons = make_two_moons(300, 0.1, kSeed);
  const Eigen::MatrixXd X = centered(moons.X);
  const GlmPopulation population = empirical_glm_population(LossKind::kLogistic, X);
  const double cap = 4.0;
  Eigen::MatrixXd directions(2, 360);
  for (int k = 0; k < 360; ++k)
    directions.col(k) << std::cos(k * M_PI / 180), std::sin(k * M_PI / 180);
  const RetentivenessEstimate rho =
      estimate_retentiveness(population, directions, retentiveness_norms(cap, 80));
  const Dataset sample = make_two_moons(40, 0.1, kSeed + 1);
  const EllipsoidGeometry geometry(population.second_moment);
  for (const double gamma : {0.05, 0.5}) {
    const double r = w_gamma_relaxation_radius(gamma, rho.rho);
    RademacherOptions options;
    options.draws = 30;
    options.seed = kSeed;
    const RademacherEstimates estimates = estimate_rademacher(
        centered(sample.X), w_gamma_set(population, gamma, cap), geometry, r, options);
    for (std::size_t k = 0; k < estimates.lower_values.size(); ++k) {
      EXPECT_LE(estimates.lower_values[k],
                estimates.upper_values[k] * (1.0 + kClosedFormRelTolerance))
          << "gamma " << gamma << ", draw " << k;
    }
    EXPECT_LE(estimates.lower.mean, estimates.upper.mean);
  }
}

TEST(Rademacher, EstimatesDoNotDependOnTheThreadCount) {
  const Eigen::MatrixXd X = random_matrix(50, 3, 70);
  const GlmPopulation population =
      gaussian_glm_population(LossKind::kLogistic, Eigen::MatrixXd::Identity(3, 3));
  const ConstraintSet set = w_gamma_set(population, 0.3, 5.0);
  const EllipsoidGeometry geometry(population.second_moment);
  RademacherOptions options;
  options.draws = 16;
  options.seed = kSeed;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const RademacherEstimates one = estimate_rademacher(X, set, geometry, 2.0, options);
  omp_set_num_threads(2);
  const RademacherEstimates two = estimate_rademacher(X, set, geometry, 2.0, options);
  omp_set_num_threads(saved);
  EXPECT_EQ(one.lower_values, two.lower_values);
  EXPECT_EQ(one.upper_values, two.upper_values);
}

}  // namespace
}  // namespace mixup
