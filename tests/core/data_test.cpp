// Specifications of core/data: the two-moons construction of scikit-learn's make_moons, the
// Gaussian half-space and low-rank Gaussian sets, centering, c_x and b_x, and the split.
//
// Statistical tests compare a statistic with its law's mean and pass within kZMax = 5 standard
// errors; each test records its z-score as a GoogleTest property (see --gtest_output=xml).  All
// seeds are fixed and printed on failure.

#include "core/data.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <Eigen/QR>
#include <Eigen/SVD>

#include "core/errors.hpp"

namespace mixup {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr long double kPiLong = 3.141592653589793238462643383279502884L;

// A Gaussian statistic beyond 5 standard errors has two-sided probability 5.7e-7: with a few
// dozen such tests per run and fixed seeds, a false alarm is not a concern.
constexpr double kZMax = 5.0;

// |hypot(cos t, sin t) - 1|: cos and sin are within 1 ulp, hypot within 1 ulp, and the inner
// moon's 1 - cos t and 1 - sin t - 0.5 add eps/2 absolute per operation: at most about 3 eps
// in all.  Unit: absolute (the radius is 1).
constexpr double kRadiusTolerance = 8 * kEps;

// An angle recovered with atan2 against k pi / (m - 1): the generator's angle is within 2 eps of
// the exact one (one rounding of the step, one of the product), sin and cos within 1 ulp, the
// inner moon's subtractions 2 eps, atan2 1 ulp of a result below 4 (2 eps): about 7 eps.
// Unit: absolute radians.
constexpr double kAngleTolerance = 16 * kEps;

// Reflection: (1 - cos t) + cos t and (1 - sin t - 0.5) + sin t carry at most three roundings
// of quantities below 2, i.e. 3 eps.  Unit: absolute.
constexpr double kReflectionTolerance = 8 * kEps;

std::string seed_note(std::uint64_t seed) {
  return "seed = " + std::to_string(seed);
}

// The message of the DomainError that call throws, or "" if it throws none.
template <class Call>
std::string domain_error_of(const Call& call) {
  try {
    call();
  } catch (const DomainError& error) {
    return error.what();
  }
  return "";
}

bool mentions(const std::string& message, const std::string& text) {
  return message.find(text) != std::string::npos;
}

// ---------------------------------------------------------------------------------------------
// Statistics, accumulated in long double (a different summation from the code under test).

struct Moments {
  double mean = 0.0;
  double variance = 0.0;  // unbiased
  double count = 0.0;
};

Moments moments_of(const std::vector<double>& values) {
  long double sum = 0.0L;
  for (const double v : values) {
    sum += v;
  }
  const long double mean = sum / static_cast<long double>(values.size());
  long double squares = 0.0L;
  for (const double v : values) {
    squares += (v - mean) * (v - mean);
  }
  const auto count = static_cast<double>(values.size());
  return Moments{static_cast<double>(mean), static_cast<double>(squares / (count - 1.0)), count};
}

std::vector<double> entries_of(const Eigen::MatrixXd& M) {
  return std::vector<double>(M.data(), M.data() + M.size());
}

// z of a sample mean against mu, for i.i.d. values with standard deviation sigma.
double z_of_mean(const Moments& m, double mu, double sigma) {
  return (m.mean - mu) / (sigma / std::sqrt(m.count));
}

// z of an unbiased sample variance against sigma^2 for Gaussian values: its standard error is
// sigma^2 sqrt(2 / (N - 1)).
double z_of_gaussian_variance(const Moments& m, double sigma) {
  const double s2 = sigma * sigma;
  return (m.variance - s2) / (s2 * std::sqrt(2.0 / (m.count - 1.0)));
}

// z of the fraction of ones among n fair coin flips.
double z_of_fair_fraction(const Eigen::VectorXd& labels) {
  const double n = static_cast<double>(labels.size());
  return (labels.sum() / n - 0.5) / (0.5 / std::sqrt(n));
}

// ---------------------------------------------------------------------------------------------
// Two-moons helpers.

Eigen::Index count_label(const Dataset& data, double label) {
  return static_cast<Eigen::Index>((data.y.array() == label).count());
}

// The rows of one class, in the order they appear.
Eigen::MatrixXd rows_with_label(const Dataset& data, double label) {
  Eigen::MatrixXd rows(count_label(data, label), data.d());
  Eigen::Index next = 0;
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    if (data.y(i) == label) {
      rows.row(next++) = data.X.row(i);
    }
  }
  return rows;
}

// numpy.linspace(0, pi, m)[k] in long double: [0] when m = 1.
double linspace_pi(Eigen::Index k, Eigen::Index m) {
  if (m == 1) {
    return 0.0;
  }
  return static_cast<double>(static_cast<long double>(k) * kPiLong /
                             static_cast<long double>(m - 1));
}

struct WorstDeviation {
  double value = 0.0;
  Eigen::Index row = -1;
};

// The worst |radius - 1| of the rows about centre, and the worst violation of the half plane
// side * (y - centre_y) >= 0 (0 if none).
struct CircleAudit {
  WorstDeviation radius;
  WorstDeviation half_plane;
};

CircleAudit audit_circle(const Eigen::MatrixXd& rows, double cx, double cy, double side) {
  CircleAudit audit;
  for (Eigen::Index i = 0; i < rows.rows(); ++i) {
    const double radius_error = std::abs(std::hypot(rows(i, 0) - cx, rows(i, 1) - cy) - 1.0);
    if (radius_error > audit.radius.value) {
      audit.radius = {radius_error, i};
    }
    const double wrong_side = std::max(0.0, -side * (rows(i, 1) - cy));
    if (wrong_side > audit.half_plane.value) {
      audit.half_plane = {wrong_side, i};
    }
  }
  return audit;
}

// The worst |atan2 angle - linspace angle| of rows on a unit circle about centre; sign = +1 for
// the outer moon (cos t, sin t) - centre, -1 for the inner moon centre - (cos t, sin t).
WorstDeviation audit_angles(const Eigen::MatrixXd& rows, double cx, double cy, double sign) {
  WorstDeviation worst;
  for (Eigen::Index k = 0; k < rows.rows(); ++k) {
    const double angle = std::atan2(sign * (rows(k, 1) - cy), sign * (rows(k, 0) - cx));
    const double error = std::abs(angle - linspace_pi(k, rows.rows()));
    if (error > worst.value || worst.row < 0) {
      worst = {error, k};
    }
  }
  return worst;
}

std::vector<std::array<double, 3>> sorted_labelled_rows(const Dataset& data) {
  std::vector<std::array<double, 3>> rows;
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    rows.push_back({data.X(i, 0), data.X(i, 1), data.y(i)});
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// The noise the generator added: the noisy rows minus the noiseless rows of the same seed.
Eigen::MatrixXd noise_residuals(Eigen::Index n, double sigma, std::uint64_t seed, bool shuffle) {
  return make_two_moons(n, sigma, seed, shuffle).X - make_two_moons(n, 0.0, seed, shuffle).X;
}

// ---------------------------------------------------------------------------------------------
// Two moons.

TEST(TwoMoons, ClassesSplitAsMakeMoonsSplitsThem) {
  constexpr std::uint64_t kSeed = 11;
  for (const Eigen::Index n : {2, 3, 4, 7, 10, 11, 1001, 20001}) {
    for (const bool shuffle : {false, true}) {
      const Dataset data = make_two_moons(n, shuffle ? 0.1 : 0.0, kSeed, shuffle);
      const Eigen::Index n_out = n / 2;
      const bool stacked = !shuffle && (data.y.head(n_out).array() == 0.0).all() &&
                           (data.y.tail(n - n_out).array() == 1.0).all();
      EXPECT_TRUE(count_label(data, 0.0) == n_out && count_label(data, 1.0) == n - n_out &&
                  (stacked || shuffle))
          << "n = " << n << ", shuffle = " << shuffle << ", " << seed_note(kSeed) << ": expected "
          << n_out << " zeros then " << n - n_out << " ones, got " << count_label(data, 0.0)
          << " zeros and " << count_label(data, 1.0) << " ones";
    }
  }
}

TEST(TwoMoons, NoiselessOuterMoonLiesOnUpperUnitCircleAboutOrigin) {
  constexpr std::uint64_t kSeed = 3;
  const Dataset data = make_two_moons(1001, 0.0, kSeed);
  const CircleAudit audit = audit_circle(rows_with_label(data, 0.0), 0.0, 0.0, +1.0);
  EXPECT_TRUE(audit.radius.value <= kRadiusTolerance && audit.half_plane.value == 0.0)
      << seed_note(kSeed) << ": worst |r - 1| = " << audit.radius.value << " at outer row "
      << audit.radius.row << " (tolerance " << kRadiusTolerance << "), worst y < 0 by "
      << audit.half_plane.value << " at outer row " << audit.half_plane.row;
}

TEST(TwoMoons, NoiselessInnerMoonLiesOnLowerUnitCircleAboutOneOneHalf) {
  constexpr std::uint64_t kSeed = 3;
  const Dataset data = make_two_moons(1001, 0.0, kSeed);
  const CircleAudit audit = audit_circle(rows_with_label(data, 1.0), 1.0, 0.5, -1.0);
  EXPECT_TRUE(audit.radius.value <= kRadiusTolerance && audit.half_plane.value == 0.0)
      << seed_note(kSeed) << ": worst |r - 1| = " << audit.radius.value << " at inner row "
      << audit.radius.row << " (tolerance " << kRadiusTolerance << "), worst y > 0.5 by "
      << audit.half_plane.value << " at inner row " << audit.half_plane.row;
}

TEST(TwoMoons, NoiselessAnglesAreEquallySpacedAsLinspace) {
  for (const Eigen::Index n : {2, 3, 4, 5, 1000, 1001}) {
    const Dataset data = make_two_moons(n, 0.0, 0, false);
    const WorstDeviation outer = audit_angles(rows_with_label(data, 0.0), 0.0, 0.0, +1.0);
    const WorstDeviation inner = audit_angles(rows_with_label(data, 1.0), 1.0, 0.5, -1.0);
    EXPECT_TRUE(outer.value <= kAngleTolerance && inner.value <= kAngleTolerance)
        << "n = " << n << " (unshuffled): worst angle error outer " << outer.value
        << " at k = " << outer.row << ", inner " << inner.value << " at k = " << inner.row
        << " (tolerance " << kAngleTolerance << " rad)";
  }
}

TEST(TwoMoons, SmallestSetsPutASingleMoonPointAtAngleZero) {
  // n = 2: linspace(0, pi, 1) = [0] on both moons: (1, 0) and (0, 0.5), exactly.
  // n = 3: outer (1, 0); inner at 0 and pi: (0, 0.5) and (2, 0.5 - sin(pi)).
  const Dataset two = make_two_moons(2, 0.0, 0, false);
  const Dataset three = make_two_moons(3, 0.0, 0, false);
  Eigen::MatrixXd expected_two(2, 2);
  expected_two << 1.0, 0.0, 0.0, 0.5;
  Eigen::MatrixXd expected_three(3, 2);
  expected_three << 1.0, 0.0, 0.0, 0.5, 2.0, 0.5;
  const double error_three = (three.X - expected_three).cwiseAbs().maxCoeff();
  EXPECT_TRUE(two.X == expected_two && error_three <= kReflectionTolerance)
      << "n = 2 gave\n"
      << two.X << "\nexpected\n"
      << expected_two << "\nn = 3 gave\n"
      << three.X << "\nexpected (to " << kReflectionTolerance << ")\n"
      << expected_three;
}

TEST(TwoMoons, NoiselessInnerMoonIsOuterMoonReflectedThroughOneHalfOneQuarter) {
  // inner_k = (1, 0.5) - outer_k when both moons have the same number of points (even n):
  // a point reflection through (0.5, 0.25), i.e. the outer moon rotated by pi and shifted by
  // (1, 0.5).
  const Dataset data = make_two_moons(1000, 0.0, 0, false);
  const Eigen::MatrixXd sum = rows_with_label(data, 0.0) + rows_with_label(data, 1.0);
  const Eigen::MatrixXd error = sum.rowwise() - Eigen::RowVector2d(1.0, 0.5);
  Eigen::Index worst_row = 0;
  const double worst = error.rowwise().lpNorm<Eigen::Infinity>().maxCoeff(&worst_row);
  EXPECT_LE(worst, kReflectionTolerance)
      << "n = 1000 (unshuffled): outer_k + inner_k - (1, 0.5) worst at k = " << worst_row << ": "
      << error.row(worst_row);
}

TEST(TwoMoons, ShufflingPermutesRowsTogetherWithTheirLabels) {
  constexpr std::uint64_t kSeed = 5;
  for (const Eigen::Index n : {2, 3, 1001}) {
    const auto stacked = sorted_labelled_rows(make_two_moons(n, 0.0, kSeed, false));
    const auto shuffled = sorted_labelled_rows(make_two_moons(n, 0.0, kSeed, true));
    EXPECT_TRUE(stacked == shuffled)
        << "n = " << n << ", " << seed_note(kSeed)
        << ": the shuffled (x, y, label) rows are not the same multiset as the unshuffled ones";
  }
}

TEST(TwoMoons, ShuffledLabelsAreMixedAcrossRows) {
  // Under a uniform permutation the number of ones among the first n/2 rows is hypergeometric:
  // mean n/4 for n/2 ones, variance (n/2)(1/2)(1/2)(n/2)/(n - 1).
  constexpr std::uint64_t kSeed = 17;
  constexpr Eigen::Index kN = 20000;
  const Dataset data = make_two_moons(kN, 0.0, kSeed, true);
  const double ones = data.y.head(kN / 2).sum();
  const double half = kN / 2.0;
  const double sd = std::sqrt(half * 0.25 * half / (kN - 1.0));
  const double z = (ones - half / 2.0) / sd;
  RecordProperty("z_ones_in_first_half", std::to_string(z));
  EXPECT_LE(std::abs(z), kZMax) << seed_note(kSeed) << ": " << ones << " ones among the first "
                                << half << " rows, z = " << z;
}

TEST(TwoMoons, NoiseResidualsHaveMeanZero) {
  constexpr std::uint64_t kSeed = 2021;
  constexpr double kSigma = 0.1;
  const Moments m = moments_of(entries_of(noise_residuals(20000, kSigma, kSeed, false)));
  const double z = z_of_mean(m, 0.0, kSigma);
  RecordProperty("z_mean", std::to_string(z));
  EXPECT_LE(std::abs(z), kZMax) << seed_note(kSeed) << ", sigma = " << kSigma << ": residual mean "
                                << m.mean << " over " << m.count << " coordinates, z = " << z;
}

TEST(TwoMoons, NoiseResidualsHaveVarianceSigmaSquared) {
  constexpr std::uint64_t kSeed = 2021;
  constexpr double kSigma = 0.1;
  const Moments m = moments_of(entries_of(noise_residuals(20000, kSigma, kSeed, false)));
  const double z = z_of_gaussian_variance(m, kSigma);
  RecordProperty("z_variance", std::to_string(z));
  EXPECT_LE(std::abs(z), kZMax) << seed_note(kSeed) << ", sigma = " << kSigma
                                << ": residual variance " << m.variance << " vs " << kSigma * kSigma
                                << " over " << m.count << " coordinates, z = " << z;
}

TEST(TwoMoons, NoiseCoordinatesAreUncorrelated) {
  // The sample correlation of independent Gaussians has standard error about 1 / sqrt(n).
  constexpr std::uint64_t kSeed = 2021;
  constexpr Eigen::Index kN = 20000;
  const Eigen::MatrixXd e = noise_residuals(kN, 0.1, kSeed, false);
  const Eigen::MatrixXd c = e.rowwise() - e.colwise().mean();
  const double correlation = c.col(0).dot(c.col(1)) / (c.col(0).norm() * c.col(1).norm());
  const double z = correlation * std::sqrt(static_cast<double>(kN));
  RecordProperty("z_correlation", std::to_string(z));
  EXPECT_LE(std::abs(z), kZMax) << seed_note(kSeed) << ": correlation of the x and y noise "
                                << correlation << ", z = " << z;
}

TEST(TwoMoons, NoiseIsTheSameMatrixWithOrWithoutShuffling) {
  // Both residuals equal the drawn noise up to one rounding of |x + e| <= 3 each: 3 eps.
  constexpr std::uint64_t kSeed = 8;
  constexpr double kTolerance = 8 * kEps;  // absolute
  const Eigen::MatrixXd stacked = noise_residuals(501, 0.1, kSeed, false);
  const Eigen::MatrixXd shuffled = noise_residuals(501, 0.1, kSeed, true);
  const double worst = (stacked - shuffled).cwiseAbs().maxCoeff();
  EXPECT_LE(worst, kTolerance) << seed_note(kSeed) << ": the noise differs with shuffling by up to "
                               << worst;
}

TEST(TwoMoons, NoisyClassCentroidsDifferByTheMoonsOffset) {
  // With m points per moon, the outer centroid is (0, ybar), ybar = (1/m) sum_k sin(k pi/(m-1))
  // = cot(pi / (2 (m - 1))) / m, and the inner one is (1, 0.5) - (0, ybar).  Each noisy centroid
  // coordinate has standard error sigma / sqrt(m), so their difference sigma sqrt(2 / m).
  constexpr std::uint64_t kSeed = 99;
  constexpr double kSigma = 0.1;
  constexpr Eigen::Index kM = 10000;
  const Dataset data = make_two_moons(2 * kM, kSigma, kSeed, true);
  const Eigen::RowVector2d offset =
      rows_with_label(data, 1.0).colwise().mean() - rows_with_label(data, 0.0).colwise().mean();
  const double ybar = 1.0 / std::tan(kPiLong / (2.0 * (kM - 1))) / kM;
  const Eigen::RowVector2d expected(1.0, 0.5 - 2.0 * ybar);
  const Eigen::RowVector2d z = (offset - expected) / (kSigma * std::sqrt(2.0 / kM));
  RecordProperty("z_offset_x", std::to_string(z(0)));
  RecordProperty("z_offset_y", std::to_string(z(1)));
  EXPECT_LE(z.cwiseAbs().maxCoeff(), kZMax) << seed_note(kSeed) << ": inner minus outer centroid "
                                            << offset << ", expected " << expected << ", z = " << z;
}

TEST(TwoMoons, NoisyPointsLieAtSquaredRadiusOnePlusTwoSigmaSquaredOnAverage) {
  // For p on the unit circle about c and e ~ N(0, sigma^2 I_2): |p + e - c|^2 = 1 + 2 u.e + |e|^2
  // has mean 1 + 2 sigma^2 and variance 4 sigma^2 + 4 sigma^4.
  constexpr std::uint64_t kSeed = 123;
  constexpr double kSigma = 0.1;
  const Dataset data = make_two_moons(20000, kSigma, kSeed, true);
  const double sd = std::sqrt(4 * kSigma * kSigma + 4 * std::pow(kSigma, 4));
  const std::array<Eigen::RowVector2d, 2> centre = {Eigen::RowVector2d(0.0, 0.0),
                                                    Eigen::RowVector2d(1.0, 0.5)};
  for (const int label : {0, 1}) {
    const Eigen::MatrixXd rows = rows_with_label(data, label);
    const Eigen::VectorXd r2 = (rows.rowwise() - centre[label]).rowwise().squaredNorm();
    const Moments m = moments_of(std::vector<double>(r2.data(), r2.data() + r2.size()));
    const double z = z_of_mean(m, 1.0 + 2.0 * kSigma * kSigma, sd);
    RecordProperty("z_squared_radius_label_" + std::to_string(label), std::to_string(z));
    EXPECT_LE(std::abs(z), kZMax) << seed_note(kSeed) << ", label " << label
                                  << ": mean squared radius " << m.mean << ", z = " << z;
  }
}

TEST(TwoMoons, SameSeedGivesIdenticalData) {
  constexpr std::uint64_t kSeed = 42;
  const Dataset a = make_two_moons(777, 0.2, kSeed);
  const Dataset b = make_two_moons(777, 0.2, kSeed);
  EXPECT_TRUE(a.X == b.X && a.y == b.y) << seed_note(kSeed) << ": two calls differ";
}

TEST(TwoMoons, DifferentSeedsGiveDifferentShufflesAndNoise) {
  const Dataset a = make_two_moons(777, 0.2, 42);
  const Dataset b = make_two_moons(777, 0.2, 43);
  const Dataset a_plain = make_two_moons(777, 0.2, 42, false);
  const Dataset b_plain = make_two_moons(777, 0.2, 43, false);
  EXPECT_TRUE(a.y != b.y && a_plain.X != b_plain.X)
      << "seeds 42 and 43: same labels after shuffling or same noise";
}

TEST(TwoMoons, RejectsFewerThanTwoSamplesNamingN) {
  for (const Eigen::Index n : {-1, 0, 1}) {
    const std::string message = domain_error_of([n] { make_two_moons(n, 0.1, 0); });
    EXPECT_TRUE(mentions(message, "n must be at least 2") &&
                mentions(message, "got " + std::to_string(n)))
        << "n = " << n << ": message \"" << message << "\"";
  }
}

TEST(TwoMoons, RejectsNegativeOrNonFiniteNoiseNamingNoise) {
  for (const double noise :
       {-0.1, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    const std::string message = domain_error_of([noise] { make_two_moons(10, noise, 0); });
    EXPECT_TRUE(mentions(message, "noise must be a finite number >= 0"))
        << "noise = " << noise << ": message \"" << message << "\"";
  }
}

// ---------------------------------------------------------------------------------------------
// Gaussian half-space (appendix B.1).

TEST(HalfSpace, LabelsAreTheIndicatorOfAPositiveMargin) {
  // The same expression as the generator, X.row(i).dot(theta) > 0, so equality is exact.
  constexpr std::uint64_t kSeed = 31;
  Eigen::VectorXd theta_star;
  const Dataset data = make_gaussian_half_space(5000, 7, kSeed, &theta_star);
  Eigen::Index mismatches = 0;
  Eigen::Index first = -1;
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    const double expected = data.X.row(i).dot(theta_star) > 0.0 ? 1.0 : 0.0;
    if (data.y(i) != expected) {
      ++mismatches;
      if (first < 0) {
        first = i;
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << seed_note(kSeed) << ": first mismatch at row " << first;
}

TEST(HalfSpace, InputEntriesHaveMeanZero) {
  constexpr std::uint64_t kSeed = 1;
  const Moments m = moments_of(entries_of(make_gaussian_half_space(20000, 5, kSeed).X));
  const double z = z_of_mean(m, 0.0, 1.0);
  RecordProperty("z_mean", std::to_string(z));
  EXPECT_LE(std::abs(z), kZMax) << seed_note(kSeed) << ": mean " << m.mean << " over " << m.count
                                << " entries, z = " << z;
}

TEST(HalfSpace, InputEntriesHaveUnitVariance) {
  constexpr std::uint64_t kSeed = 1;
  const Moments m = moments_of(entries_of(make_gaussian_half_space(20000, 5, kSeed).X));
  const double z = z_of_gaussian_variance(m, 1.0);
  RecordProperty("z_variance", std::to_string(z));
  EXPECT_LE(std::abs(z), kZMax) << seed_note(kSeed) << ": variance " << m.variance << " over "
                                << m.count << " entries, z = " << z;
}

TEST(HalfSpace, LabelsAreBalanced) {
  // Given theta_star, each label is 1 with probability 1/2 (x is symmetric).
  constexpr std::uint64_t kSeed = 1;
  const double z = z_of_fair_fraction(make_gaussian_half_space(20000, 5, kSeed).y);
  RecordProperty("z_fraction_of_ones", std::to_string(z));
  EXPECT_LE(std::abs(z), kZMax) << seed_note(kSeed) << ": z of the fraction of ones = " << z;
}

TEST(HalfSpace, FirstRowsDoNotDependOnTheNumberOfRows) {
  constexpr std::uint64_t kSeed = 4;
  const Dataset small = make_gaussian_half_space(50, 6, kSeed);
  const Dataset large = make_gaussian_half_space(120, 6, kSeed);
  EXPECT_TRUE(large.X.topRows(50) == small.X && large.y.head(50) == small.y)
      << seed_note(kSeed) << ": rows 0..49 differ between n = 50 and n = 120";
}

TEST(HalfSpace, SameSeedGivesIdenticalDataAndThetaStar) {
  constexpr std::uint64_t kSeed = 42;
  Eigen::VectorXd theta_a;
  Eigen::VectorXd theta_b;
  const Dataset a = make_gaussian_half_space(300, 4, kSeed, &theta_a);
  const Dataset b = make_gaussian_half_space(300, 4, kSeed, &theta_b);
  const Dataset c = make_gaussian_half_space(300, 4, kSeed);
  EXPECT_TRUE(a.X == b.X && a.y == b.y && theta_a == theta_b && a.X == c.X && a.y == c.y)
      << seed_note(kSeed) << ": two calls differ";
}

TEST(HalfSpace, DifferentSeedsGiveDifferentData) {
  Eigen::VectorXd theta_a;
  Eigen::VectorXd theta_b;
  const Dataset a = make_gaussian_half_space(300, 4, 42, &theta_a);
  const Dataset b = make_gaussian_half_space(300, 4, 43, &theta_b);
  EXPECT_TRUE(a.X != b.X && theta_a != theta_b) << "seeds 42 and 43 give the same data";
}

TEST(HalfSpace, RejectsEmptySizesNamingTheParameter) {
  const std::string n_message = domain_error_of([] { make_gaussian_half_space(0, 3, 0); });
  const std::string d_message = domain_error_of([] { make_gaussian_half_space(3, 0, 0); });
  EXPECT_TRUE(mentions(n_message, "n must be at least 1") &&
              mentions(d_message, "d must be at least 1"))
      << "messages \"" << n_message << "\" and \"" << d_message << "\"";
}

// ---------------------------------------------------------------------------------------------
// Low-rank Gaussian.

struct LowRankCase {
  Eigen::Index n;
  Eigen::Index d;
  Eigen::Index r;
};
constexpr std::array<LowRankCase, 4> kLowRankCases = {
    {{500, 20, 5}, {500, 20, 20}, {50, 3, 1}, {40, 30, 29}}};

// Householder QR gives a Q orthonormal to a small multiple of d eps (Higham, Accuracy and
// Stability, Thm 19.4); 16 d eps is about 1e-13 for d = 30.  Unit: absolute (|U^T U - I|_max).
double orthonormality_tolerance(Eigen::Index d) {
  return 16.0 * static_cast<double>(d) * kEps;
}

// Singular values below kRankThreshold * sigma_max count as zero.  The rows lie in span(U) to
// about d eps relative, so the spurious singular values are ~1e-14 sigma_max, and the smallest
// true one is far above 1e-10 sigma_max for n >= 40 Gaussian rows and r <= 29 (see the margins
// printed on failure).  Unit: relative to sigma_max.
constexpr double kRankThreshold = 1e-10;

TEST(LowRank, BasisHasOrthonormalColumns) {
  constexpr std::uint64_t kSeed = 7;
  for (const LowRankCase& c : kLowRankCases) {
    Eigen::MatrixXd U;
    make_low_rank_gaussian(c.n, c.d, c.r, kSeed, &U);
    const double error =
        (U.transpose() * U - Eigen::MatrixXd::Identity(c.r, c.r)).cwiseAbs().maxCoeff();
    EXPECT_TRUE(U.rows() == c.d && U.cols() == c.r && error <= orthonormality_tolerance(c.d))
        << seed_note(kSeed) << ", d = " << c.d << ", r = " << c.r << ": U is " << U.rows() << " x "
        << U.cols() << ", |U^T U - I|_max = " << error << " (tolerance "
        << orthonormality_tolerance(c.d) << ")";
  }
}

TEST(LowRank, InputsHaveRankR) {
  constexpr std::uint64_t kSeed = 7;
  for (const LowRankCase& c : kLowRankCases) {
    const Dataset data = make_low_rank_gaussian(c.n, c.d, c.r, kSeed);
    const Eigen::VectorXd s = Eigen::JacobiSVD<Eigen::MatrixXd>(data.X).singularValues();
    const auto rank = static_cast<Eigen::Index>((s.array() > kRankThreshold * s(0)).count());
    const double next = c.r < s.size() ? s(c.r) / s(0) : 0.0;
    EXPECT_EQ(rank, c.r) << seed_note(kSeed) << ", n = " << c.n << ", d = " << c.d
                         << ": sigma_r / sigma_1 = " << s(c.r - 1) / s(0)
                         << ", sigma_{r+1} / sigma_1 = " << next;
  }
}

TEST(LowRank, InputsLieInTheSpanOfTheBasis) {
  // |(I - U U^T) x| <= 16 d eps |x|: a product and a difference, each a few d eps relative.
  constexpr std::uint64_t kSeed = 9;
  for (const LowRankCase& c : kLowRankCases) {
    Eigen::MatrixXd U;
    const Dataset data = make_low_rank_gaussian(c.n, c.d, c.r, kSeed, &U);
    const Eigen::MatrixXd off_span = data.X - (data.X * U) * U.transpose();
    const Eigen::VectorXd relative =
        off_span.rowwise().norm().cwiseQuotient(data.X.rowwise().norm());
    Eigen::Index row = 0;
    const double worst = relative.maxCoeff(&row);
    EXPECT_LE(worst, orthonormality_tolerance(c.d))
        << seed_note(kSeed) << ", d = " << c.d << ", r = " << c.r << ": row " << row
        << " is off span(U) by " << worst << " of its norm";
  }
}

TEST(LowRank, BasisCoordinatesHaveUnitVariance) {
  // z = U^T x ~ N(0, I_r).
  constexpr std::uint64_t kSeed = 10;
  Eigen::MatrixXd U;
  const Dataset data = make_low_rank_gaussian(20000, 8, 3, kSeed, &U);
  const Moments m = moments_of(entries_of(data.X * U));
  const double z_mean = z_of_mean(m, 0.0, 1.0);
  const double z_variance = z_of_gaussian_variance(m, 1.0);
  RecordProperty("z_mean", std::to_string(z_mean));
  RecordProperty("z_variance", std::to_string(z_variance));
  EXPECT_LE(std::max(std::abs(z_mean), std::abs(z_variance)), kZMax)
      << seed_note(kSeed) << ": U^T x has mean " << m.mean << " (z = " << z_mean
      << ") and variance " << m.variance << " (z = " << z_variance << ")";
}

TEST(LowRank, LabelsAreBalanced) {
  constexpr std::uint64_t kSeed = 10;
  const double z = z_of_fair_fraction(make_low_rank_gaussian(20000, 8, 3, kSeed).y);
  RecordProperty("z_fraction_of_ones", std::to_string(z));
  EXPECT_LE(std::abs(z), kZMax) << seed_note(kSeed) << ": z of the fraction of ones = " << z;
}

TEST(LowRank, FirstRowsDoNotDependOnTheNumberOfRows) {
  constexpr std::uint64_t kSeed = 4;
  const Dataset small = make_low_rank_gaussian(50, 6, 2, kSeed);
  const Dataset large = make_low_rank_gaussian(120, 6, 2, kSeed);
  EXPECT_TRUE(large.X.topRows(50) == small.X && large.y.head(50) == small.y)
      << seed_note(kSeed) << ": rows 0..49 differ between n = 50 and n = 120";
}

TEST(LowRank, SameSeedGivesIdenticalDataAndBasis) {
  constexpr std::uint64_t kSeed = 42;
  Eigen::MatrixXd U_a;
  Eigen::MatrixXd U_b;
  const Dataset a = make_low_rank_gaussian(100, 10, 4, kSeed, &U_a);
  const Dataset b = make_low_rank_gaussian(100, 10, 4, kSeed, &U_b);
  EXPECT_TRUE(a.X == b.X && a.y == b.y && U_a == U_b) << seed_note(kSeed) << ": calls differ";
}

TEST(LowRank, DifferentSeedsGiveDifferentBases) {
  Eigen::MatrixXd U_a;
  Eigen::MatrixXd U_b;
  const Dataset a = make_low_rank_gaussian(100, 10, 4, 42, &U_a);
  const Dataset b = make_low_rank_gaussian(100, 10, 4, 43, &U_b);
  EXPECT_TRUE(a.X != b.X && U_a != U_b) << "seeds 42 and 43 give the same data";
}

TEST(LowRank, RejectsRankOutsideOneToDNamingR) {
  for (const Eigen::Index r : {0, 6, -1}) {
    const std::string message = domain_error_of([r] { make_low_rank_gaussian(10, 5, r, 0); });
    EXPECT_TRUE(mentions(message, "r must be in [1, d] = [1, 5]"))
        << "r = " << r << ": message \"" << message << "\"";
  }
}

// ---------------------------------------------------------------------------------------------
// Centering.

// The mean of the rows in long double: an independent summation.
Eigen::VectorXd long_double_mean(const Eigen::MatrixXd& X) {
  Eigen::VectorXd mean(X.cols());
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    long double sum = 0.0L;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      sum += X(i, j);
    }
    mean(j) = static_cast<double>(sum / X.rows());
  }
  return mean;
}

TEST(DataCentering, SampleMeanOfHandMadeRowsIsExact) {
  Eigen::MatrixXd X(3, 2);
  X << 1.0, 2.0, 3.0, -4.0, 5.0, 8.0;  // column sums 9 and 6, exact
  const Eigen::VectorXd mean = sample_mean(X);
  EXPECT_TRUE(mean == Eigen::Vector2d(3.0, 2.0)) << "sample_mean gave " << mean.transpose();
}

TEST(DataCentering, CenteredRowsHaveMeanZero) {
  // Each centered entry x - m carries one rounding, eps/2 of its size; their true mean is then
  // within eps/2 scale of mean(x) - m, and m is within about eps scale of mean(x) (compensated
  // sum).  So |mean| <= ~2 eps scale; 1e-14 = 45 eps leaves a 20x margin.  Unit: relative to
  // scale = max_ij |x_ij|.  The test's long double sum adds ~n 5e-20 scale = 5e-17 scale.
  constexpr double kTolerance = 1e-14;
  constexpr std::uint64_t kSeed = 12;
  const Eigen::MatrixXd X =
      (make_gaussian_half_space(1000, 5, kSeed).X.array() * 4.0 + 100.0).matrix();
  const Eigen::MatrixXd C = centered(X);
  const double scale = X.cwiseAbs().maxCoeff();
  const double worst = long_double_mean(C).cwiseAbs().maxCoeff() / scale;
  EXPECT_LE(worst, kTolerance) << seed_note(kSeed)
                               << ": |mean of centered rows| / scale = " << worst;
}

TEST(DataCentering, IsCenteredAcceptsCenteredRowsAndRejectsShiftedOnes) {
  constexpr std::uint64_t kSeed = 13;
  constexpr double kTolerance = 1e-12;  // relative to max(1, max_i |x_i|)
  const Eigen::MatrixXd C = centered(make_gaussian_half_space(400, 3, kSeed).X);
  const Eigen::MatrixXd shifted = C.array() + 1e-6;
  EXPECT_TRUE(is_centered(C, kTolerance) && !is_centered(shifted, kTolerance))
      << seed_note(kSeed) << ": is_centered(centered X) = " << is_centered(C, kTolerance)
      << ", is_centered(centered X + 1e-6) = " << is_centered(shifted, kTolerance);
}

TEST(DataCentering, RejectsAMatrixWithoutRows) {
  const Eigen::MatrixXd empty(0, 3);
  const std::string message = domain_error_of([&empty] { sample_mean(empty); });
  EXPECT_TRUE(mentions(message, "X.rows() must be at least 1")) << "message \"" << message << "\"";
}

// ---------------------------------------------------------------------------------------------
// c_x and b_x.

TEST(DataNorms, CxAndBxOfHandMadeRowsAreTheExtremeNormsOverSqrtD) {
  // Row norms 5, 1, 2 in d = 2: c_x = 1/sqrt(2), b_x = 5/sqrt(2).  The norm of (3, 4) and the
  // division by sqrt(2) carry a few roundings: 4 eps relative.
  constexpr double kTolerance = 4 * kEps;
  Eigen::MatrixXd X(3, 2);
  X << 3.0, 4.0, 1.0, 0.0, 0.0, -2.0;
  const double c_expected = 1.0 / std::sqrt(2.0);
  const double b_expected = 5.0 / std::sqrt(2.0);
  const double c_error = std::abs(c_x(X) - c_expected) / c_expected;
  const double b_error = std::abs(b_x(X) - b_expected) / b_expected;
  EXPECT_TRUE(c_error <= kTolerance && b_error <= kTolerance)
      << "c_x = " << c_x(X) << " (expected " << c_expected << "), b_x = " << b_x(X) << " (expected "
      << b_expected << ")";
}

TEST(DataNorms, RejectsAMatrixWithoutColumns) {
  const Eigen::MatrixXd no_columns(3, 0);
  const std::string message = domain_error_of([&no_columns] { c_x(no_columns); });
  EXPECT_TRUE(mentions(message, "X.cols() must be at least 1")) << "message \"" << message << "\"";
}

// ---------------------------------------------------------------------------------------------
// Train/test split.

// n rows whose first column is the row number and whose label is a function of it.
Dataset numbered_rows(Eigen::Index n) {
  Dataset data{Eigen::MatrixXd(n, 2), Eigen::VectorXd(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    data.X(i, 0) = static_cast<double>(i);
    data.X(i, 1) = 0.5 * static_cast<double>(i);
    data.y(i) = static_cast<double>(i % 3);
  }
  return data;
}

TEST(DataSplit, TestSetHoldsTheRoundedDownFractionOfRows) {
  struct Case {
    Eigen::Index n;
    double fraction;
    Eigen::Index n_test;
  };
  // 1 - 2^-53 times 3 rounds to 3 in double, yet the training set keeps one row.
  const double just_below_one = std::nextafter(1.0, 0.0);
  const std::array<Case, 7> cases = {{{10, 0.0, 0},
                                      {10, 0.25, 2},
                                      {10, 0.5, 5},
                                      {10, 0.99, 9},
                                      {1, 0.5, 0},
                                      {3, just_below_one, 2},
                                      {7, 0.3, 2}}};
  for (const Case& c : cases) {
    const TrainTestSplit split = train_test_split(numbered_rows(c.n), c.fraction, 1);
    EXPECT_TRUE(split.test.n() == c.n_test && split.train.n() == c.n - c.n_test &&
                split.test.y.size() == c.n_test && split.train.y.size() == c.n - c.n_test)
        << "n = " << c.n << ", test_fraction = " << c.fraction << ": test " << split.test.n()
        << " rows, train " << split.train.n() << ", expected test " << c.n_test;
  }
}

TEST(DataSplit, TrainAndTestRowsPartitionTheRowsWithTheirLabels) {
  constexpr std::uint64_t kSeed = 21;
  constexpr Eigen::Index kN = 101;
  const Dataset data = numbered_rows(kN);
  const TrainTestSplit split = train_test_split(data, 0.3, kSeed);
  std::vector<double> ids;
  bool rows_intact = true;
  for (const Dataset* part : {&split.train, &split.test}) {
    for (Eigen::Index i = 0; i < part->n(); ++i) {
      const auto id = static_cast<Eigen::Index>(part->X(i, 0));
      rows_intact = rows_intact && part->X.row(i) == data.X.row(id) && part->y(i) == data.y(id);
      ids.push_back(part->X(i, 0));
    }
  }
  std::sort(ids.begin(), ids.end());
  std::vector<double> all(kN);
  std::iota(all.begin(), all.end(), 0.0);
  EXPECT_TRUE(ids == all && rows_intact)
      << seed_note(kSeed) << ": train and test rows are not a partition of the " << kN
      << " rows with their labels (rows intact: " << rows_intact << ")";
}

TEST(DataSplit, SameSeedGivesTheSameSplitAndDifferentSeedsDifferentOnes) {
  const Dataset data = numbered_rows(200);
  const TrainTestSplit a = train_test_split(data, 0.25, 42);
  const TrainTestSplit b = train_test_split(data, 0.25, 42);
  const TrainTestSplit c = train_test_split(data, 0.25, 43);
  EXPECT_TRUE(a.test.X == b.test.X && a.train.X == b.train.X && a.test.X != c.test.X)
      << "seeds 42, 42, 43: the split is not a function of the seed alone";
}

TEST(DataSplit, RejectsTestFractionOutsideZeroToOne) {
  const Dataset data = numbered_rows(10);
  for (const double fraction : {-0.1, 1.0, 1.5, std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::infinity()}) {
    const std::string message =
        domain_error_of([&data, fraction] { train_test_split(data, fraction, 0); });
    EXPECT_TRUE(mentions(message, "test_fraction must be in [0, 1)"))
        << "test_fraction = " << fraction << ": message \"" << message << "\"";
  }
}

TEST(DataSplit, RejectsLabelsOfTheWrongLength) {
  Dataset data = numbered_rows(10);
  data.y.conservativeResize(9);
  const std::string message = domain_error_of([&data] { train_test_split(data, 0.2, 0); });
  EXPECT_TRUE(mentions(message, "data.y.size() must be equal to data.X.rows() = 10"))
      << "message \"" << message << "\"";
}

}  // namespace
}  // namespace mixup
