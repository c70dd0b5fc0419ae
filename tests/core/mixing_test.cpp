// Tests for core/mixing.hpp: the Beta and D~ laws (Eq. 1; Lemma 3.1, appendix A.1, Eq. 9).
//
// References are independent of the code under test:
//  * moments of D~: Boost.Math's tanh_sinh quadrature in cpp_bin_float_50 (50 decimal digits) of
//    the density written out below from Lemma 3.1, normalised by a 50-digit B(a, b);
//  * q just above its pole at a = 1: the 50-digit Beta-function form of the same integral;
//  * Beta moments for integer orders: the rising-factorial product in long double;
//  * sampling: the closed-form mean, within 5 standard errors.
// Inputs such as 0.1 are the doubles nearest those decimals; the references convert the same
// doubles exactly to 50 digits, so every comparison is at the same exactly representable input.

#include "core/mixing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "core/errors.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

using Real = boost::multiprecision::cpp_bin_float_50;

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kInf = std::numeric_limits<double>::infinity();

// --- Tolerances ----------------------------------------------------------------------------

// Closed-form moments m1, m2, q against the 50-digit reference, relative.  Each closed form is
// at most ~8 correctly rounded operations on positive numbers (no cancellation), so its error
// is below ~8 eps = 1.8e-15; 1e-12 (the acceptance bound of the brief) leaves a wide margin and
// still catches any wrong coefficient.
constexpr double kMomentRelTol = 1e-12;

// The 50-digit tanh_sinh reference must itself be good to this (its own error estimate,
// relative), two orders below kMomentRelTol so that reference error cannot hide a failure.
constexpr double kReferenceRelTol = 1e-14;

// tanh_sinh's termination target in 50 digits.  Once tanh_sinh converges, each halving of the
// step roughly squares the error, so the estimate lands far below this (measured worst 2e-20
// relative over all grids, 6 orders below kReferenceRelTol).
constexpr double kTanhSinhTarget = 1e-20;

// Gauss-Jacobi exactness, relative, for K <= 64 and degree <= 127.  The nodes are accurate to
// about eps absolute in x = 2 lam - 1, so lam^k carries ~k eps/2 <= 127 * 1.1e-16 = 1.4e-14
// relative error where it matters (lam near 1), and the Christoffel weights a similar amount;
// the sum of K positive terms adds K eps/2 <= 7e-15.  Measured worst: 3.7e-14 at K = 64
// (5.3e-15, 6.3e-15, 5.5e-15, 2.4e-14 at K = 1, 2, 8, 32).  1e-13 is the acceptance bound of
// the brief.
constexpr double kRuleRelTol = 1e-13;

// The weights are normalised to sum to 1; re-summing K <= 64 positive doubles in another order
// differs by at most (K-1) eps = 63 eps; 4x margin.
constexpr double kWeightSumTol = 256 * kEps;

// nodes + one_minus_nodes = (1+x)/2 + (1-x)/2: two roundings plus one in the test's sum.
constexpr double kNodeComplementTol = 2 * kEps;

// beta_moment for integer orders -3 <= j, k <= 12, against the long double product: Boost uses
// a finite product for integer deltas below 20, at most 12 + 12 + 24 factors with one rounding
// each plus the divisions; 64 eps = 1.4e-14 covers those ~50 roundings.  Measured: 4 eps.
constexpr double kBetaMomentIntegerRelTol = 64 * kEps;

// beta_moment for real orders, against the 50-digit Beta function: tgamma_delta_ratio with a
// non-integer delta goes through the Lanczos approximation, a few tens of eps at worst in
// Boost.Math's accuracy tables; four such ratios enter, so 128 eps = 2.8e-14.  Measured: 3 eps.
constexpr double kBetaMomentRealRelTol = 128 * kEps;

// dtilde_density against the 50-digit density, relative.  A power lam^a evaluated through
// exp(a log lam) carries about eps |a log lam| relative error; over the tested points (down to
// lam = 1e-300 with a <= 0.9 where the result stays normal, lam = 1e-8 with a = 20) that is at
// most ~700 eps = 1.6e-13, and 1e-12 leaves 6x.  Measured worst: 7.7e-14.
constexpr double kDensityRelTol = 1e-12;

// Sample mean within this many standard errors of the exact mean: for a normal statistic the
// two-sided probability of a larger deviation is 5.7e-7 per check.
constexpr double kMaxZScore = 5.0;

constexpr std::uint64_t kSeed = 20210503;  // fixed; printed on failure

// --- Helpers -------------------------------------------------------------------------------

std::string format(double x) {
  std::ostringstream out;
  out.precision(17);
  out << x;
  return out.str();
}

// Collects comparisons value vs reference and reports the worst one and the failures.
class ErrorTally {
 public:
  explicit ErrorTally(double rel_tol) : rel_tol_(rel_tol) {}

  void add(double value, double reference, const std::string& where) {
    double rel = std::abs(value - reference) / std::abs(reference);
    if (std::isnan(rel)) {
      rel = kInf;
    }
    add_error(rel, where + ": value " + format(value) + ", reference " + format(reference));
  }

  // Records an already computed relative error (e.g. a quadrature's own error estimate).
  void add_error(double rel, const std::string& where) {
    ++checked_;
    const std::string row = where + ", rel err " + format(rel);
    if (rel >= worst_) {
      worst_ = rel;
      worst_row_ = row;
    }
    if (!(rel <= rel_tol_)) {
      ++failed_;
      if (failed_ <= kMaxRows) {
        failures_ += "  " + row + "\n";
      }
    }
  }

  int failed() const { return failed_; }
  double worst() const { return worst_; }
  std::string report() const {
    return std::to_string(failed_) + " of " + std::to_string(checked_) +
           " comparisons exceed rel tol " + format(rel_tol_) + "; worst " + format(worst_) +
           " at " + worst_row_ + "\nfirst failures:\n" + failures_;
  }

 private:
  static constexpr int kMaxRows = 10;
  double rel_tol_;
  int checked_ = 0;
  int failed_ = 0;
  double worst_ = 0.0;
  std::string worst_row_;
  std::string failures_;
};

std::string ab_label(double a, double b) {
  return "a = " + format(a) + ", b = " + format(b);
}

// E[lam^j (1-lam)^k] under D~(a, b) by 50-digit tanh_sinh over [0, 1], with the density of
// D~ written out from Lemma 3.1,
//   [lam^a (1-lam)^(b-1) + lam^b (1-lam)^(a-1)] / B(a, b),
// and the monomial folded into its exponents (so that lam^-2 next to lam = 0 cannot overflow
// while the density underflows).  B(a, b) is Boost's 50-digit Beta function.  tanh_sinh passes
// the distance to the nearer endpoint exactly, so (1-lam)^(b-1) stays accurate next to lam = 1.
struct ReferenceValue {
  double value;
  double rel_error_estimate;
};

ReferenceValue reference_dtilde_moment(double a, double b, int j, int k) {
  // Not const: Boost 1.74 defines the two-argument finite-interval integrate() without the
  // const qualifier its declaration has, so it can only be called on a non-const object.
  static boost::math::quadrature::tanh_sinh<Real> integrator;
  const Real ra = a;
  const Real rb = b;
  const Real inv_beta = 1 / boost::math::beta(ra, rb);
  // Two-argument form: xc = -lam on the left half, 1 - lam on the right half.
  auto integrand = [&](const Real& lam, const Real& xc) -> Real {
    const Real log_lam = log(lam);
    const Real log_one_minus = log(xc > 0 ? xc : Real(1 - lam));
    return (exp((ra + j) * log_lam + (rb - 1 + k) * log_one_minus) +
            exp((rb + j) * log_lam + (ra - 1 + k) * log_one_minus)) *
           inv_beta;
  };
  Real error = 0;
  Real l1 = 0;
  const Real value =
      integrator.integrate(integrand, Real(0), Real(1), Real(kTanhSinhTarget), &error, &l1);
  return {static_cast<double>(value), static_cast<double>(error / abs(value))};
}

// The same density at one point, for dtilde_density.
Real reference_dtilde_density(double a, double b, const Real& lam) {
  const Real ra = a;
  const Real rb = b;
  const Real one_minus_lam = 1 - lam;
  return (pow(lam, ra) * pow(one_minus_lam, rb - 1) + pow(lam, rb) * pow(one_minus_lam, ra - 1)) /
         boost::math::beta(ra, rb);
}

// The (a, b) grid: both sides of 1, a != b, small and large.
const std::vector<double> kGrid = {0.1, 0.2, 0.5, 0.9, 1.0, 1.5, 2.0, 5.0, 20.0};
// The part of the grid where q is finite (a > 1 and b > 1), plus values just above the pole at
// 1.  q's integrand behaves like lam^(a-2) at 0; in 50 digits (whose exponent range lets the
// tanh_sinh abscissas approach 0 very closely) tanh_sinh still converges to its estimate for
// a = 1 + 1e-6, but not for a = 1 + 1e-12 (estimate 6e-5, after ~15 s of refinement).
const std::vector<double> kGridAboveOne = {1.0 + 1e-6, 1.0001, 1.25, 1.5, 2.0, 5.0, 20.0};

// Gauss-Jacobi test parameters.
const std::vector<int> kRuleSizes = {1, 2, 8, 32, 64};
const std::vector<double> kRuleParameters = {0.1, 0.5, 1.0, 2.5, 7.0};

// Gamma(x + n) / Gamma(x) for an integer n of either sign, as a product in long double.
long double rising(long double x, int n) {
  long double result = 1;
  for (int i = 0; i < n; ++i) {
    result *= x + i;
  }
  for (int i = 1; i <= -n; ++i) {
    result /= x - i;
  }
  return result;
}

// E[lam^j (1-lam)^k] under Beta(p, q) for integers j, k >= 0, by the product formula
// prod_{i<j} (p+i) prod_{i<k} (q+i) / prod_{i<j+k} (p+q+i).
long double beta_moment_product(double p, double q, int j, int k) {
  return rising(p, j) * rising(q, k) / rising(static_cast<long double>(p) + q, j + k);
}

// sum_i w_i g(i) over a rule, for g in terms of the node index.
template <class G>
double apply_rule(const QuadratureRule& rule, G g) {
  double sum = 0.0;
  for (Eigen::Index i = 0; i < rule.weights.size(); ++i) {
    sum += rule.weights(i) * g(i);
  }
  return sum;
}

// --- Moments of D~ -------------------------------------------------------------------------

// A closed-form moment E[lam^j (1-lam)^k] of D~ against the tanh_sinh reference over all
// pairs of a grid.  The density of D~ is symmetric in (a, b), so one reference integral serves
// both moment(a, b) and moment(b, a) (this halves the 50-digit work).
struct MomentCheck {
  ErrorTally values{kMomentRelTol};
  ErrorTally reference_estimates{kReferenceRelTol};
};

template <class Moment>
MomentCheck check_moment_against_tanh_sinh(const std::vector<double>& grid, int j, int k,
                                           Moment moment) {
  MomentCheck check;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    for (std::size_t l = i; l < grid.size(); ++l) {
      const double a = grid[i];
      const double b = grid[l];
      const ReferenceValue ref = reference_dtilde_moment(a, b, j, k);
      check.values.add(moment(a, b), ref.value, ab_label(a, b));
      check.values.add(moment(b, a), ref.value, ab_label(b, a));
      check.reference_estimates.add_error(ref.rel_error_estimate,
                                          "reference estimate, " + ab_label(a, b));
    }
  }
  return check;
}

TEST(Mixing, M1MatchesTanhSinhReferenceOnGrid) {
  const MomentCheck check = check_moment_against_tanh_sinh(kGrid, 0, 1, dtilde_m1);  // E[1-lam]
  RecordProperty("worst_rel_error", format(check.values.worst()));
  RecordProperty("worst_reference_estimate", format(check.reference_estimates.worst()));
  EXPECT_EQ(check.reference_estimates.failed(), 0) << check.reference_estimates.report();
  EXPECT_EQ(check.values.failed(), 0) << check.values.report();
}

TEST(Mixing, M2MatchesTanhSinhReferenceOnGrid) {
  // E[(1-lam)^2]
  const MomentCheck check = check_moment_against_tanh_sinh(kGrid, 0, 2, dtilde_m2);
  RecordProperty("worst_rel_error", format(check.values.worst()));
  RecordProperty("worst_reference_estimate", format(check.reference_estimates.worst()));
  EXPECT_EQ(check.reference_estimates.failed(), 0) << check.reference_estimates.report();
  EXPECT_EQ(check.values.failed(), 0) << check.values.report();
}

TEST(Mixing, QMatchesTanhSinhReferenceWhereFinite) {
  // E[(1-lam)^2 / lam^2], finite for a > 1 and b > 1.
  const MomentCheck check = check_moment_against_tanh_sinh(kGridAboveOne, -2, 2, dtilde_q);
  RecordProperty("worst_rel_error", format(check.values.worst()));
  RecordProperty("worst_reference_estimate", format(check.reference_estimates.worst()));
  EXPECT_EQ(check.reference_estimates.failed(), 0) << check.reference_estimates.report();
  EXPECT_EQ(check.values.failed(), 0) << check.values.report();
}

TEST(Mixing, MomentCheckRejectsPlantedErrorOfTenTimesTolerance) {
  // The check must not be vacuous: m1 off by 10 kMomentRelTol fails at every grid point.
  const std::vector<double> grid = {0.1, 2.0, 20.0};
  const MomentCheck check = check_moment_against_tanh_sinh(
      grid, 0, 1, [](double a, double b) { return dtilde_m1(a, b) * (1.0 + 10 * kMomentRelTol); });
  EXPECT_EQ(check.values.failed(), 2 * 6) << check.values.report();
}

TEST(Mixing, QIsInfiniteExactlyWhenAOrBAtMostOne) {
  const double just_below_one = std::nextafter(1.0, 0.0);
  const std::vector<double> at_most_one = {0.1, 0.5, 1.0 - 1e-6, just_below_one, 1.0};
  std::vector<double> others = kGrid;
  others.push_back(std::nextafter(1.0, 2.0));
  for (const double small : at_most_one) {
    for (const double other : others) {
      EXPECT_EQ(dtilde_q(small, other), kInf) << ab_label(small, other);
      EXPECT_EQ(dtilde_q(other, small), kInf) << ab_label(other, small);
    }
  }
  // The other side of the boundary: a, b > 1 (however close) gives a finite q.
  for (const double a : {std::nextafter(1.0, 2.0), 1.0 + 1e-6, 1.5, 20.0}) {
    for (const double b : {std::nextafter(1.0, 2.0), 1.0 + 1e-6, 1.5, 20.0}) {
      EXPECT_TRUE(std::isfinite(dtilde_q(a, b))) << ab_label(a, b);
    }
  }
}

TEST(Mixing, QJustAboveOneMatchesBetaFunctionReference) {
  // tanh_sinh cannot resolve the lam^(a-2) singularity for a - 1 <= 1e-12 (see kGridAboveOne),
  // so the reference here is the exact value of the same integral in 50 digits:
  //   q = [B(a-1, b+2) + B(b-1, a+2)] / B(a, b).
  ErrorTally tally(kMomentRelTol);
  const std::vector<double> near_one = {std::nextafter(1.0, 2.0), 1.0 + 1e-12, 1.0 + 1e-6, 1.0001};
  std::vector<double> partners = near_one;
  partners.insert(partners.end(), {1.5, 2.0, 5.0, 20.0});
  for (const double a : near_one) {
    for (const double b : partners) {
      for (const bool swap : {false, true}) {
        const Real ra = swap ? b : a;
        const Real rb = swap ? a : b;
        using boost::math::beta;
        const Real reference =
            (beta(Real(ra - 1), Real(rb + 2)) + beta(Real(rb - 1), Real(ra + 2))) / beta(ra, rb);
        const double da = static_cast<double>(ra);
        const double db = static_cast<double>(rb);
        tally.add(dtilde_q(da, db), static_cast<double>(reference), ab_label(da, db));
      }
    }
  }
  RecordProperty("worst_rel_error", format(tally.worst()));
  EXPECT_EQ(tally.failed(), 0) << tally.report();
}

TEST(Mixing, QMatchesMixtureOfBetaMoments) {
  // q = a/(a+b) E_{Beta(a+1,b)}[(1-lam)^2 lam^-2] + b/(a+b) E_{Beta(b+1,a)}[(1-lam)^2 lam^-2].
  // Only away from a, b = 1: this route rounds a + 1 before subtracting 2, an error of
  // eps (a+1)/(a-1) relative (2e-10 at a = 1 + 1e-6, and a = 1 + 2^-52 even rounds to the pole),
  // whereas dtilde_q forms a - 1 exactly; the pole itself is tested against the 50-digit
  // Beta-function reference above.
  ErrorTally tally(kMomentRelTol);
  std::vector<double> grid = kGrid;
  grid.push_back(1.25);
  for (const double a : grid) {
    for (const double b : grid) {
      const double s = a + b;
      const double route =
          a / s * beta_moment(a + 1.0, b, -2.0, 2.0) + b / s * beta_moment(b + 1.0, a, -2.0, 2.0);
      if (std::isinf(route)) {
        EXPECT_EQ(dtilde_q(a, b), kInf) << ab_label(a, b);
      } else {
        tally.add(dtilde_q(a, b), route, ab_label(a, b));
      }
    }
  }
  EXPECT_EQ(tally.failed(), 0) << tally.report();
}

TEST(Mixing, MomentsRejectNonPositiveOrNonFiniteParameters) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const double bad : {-1.0, 0.0, -kInf, kInf, nan}) {
    EXPECT_THROW(dtilde_m1(bad, 1.0), DomainError);
    EXPECT_THROW(dtilde_m2(1.0, bad), DomainError);
    EXPECT_THROW(dtilde_q(bad, 2.0), DomainError);
    EXPECT_THROW(dtilde_q(2.0, bad), DomainError);
    EXPECT_THROW(dtilde_density(bad, 1.0, 0.5), DomainError);
    EXPECT_THROW(beta_moment(bad, 1.0, 1.0, 1.0), DomainError);
    EXPECT_THROW(require_beta_parameters(1.0, bad, "test"), DomainError);
  }
  try {
    dtilde_m1(-1.0, 1.0);
    FAIL() << "no DomainError";
  } catch (const DomainError& e) {
    EXPECT_NE(std::string(e.what()).find("a must be a finite number > 0, got -1"),
              std::string::npos)
        << e.what();
  }
}

// --- Density --------------------------------------------------------------------------------

TEST(Mixing, DensityMatchesReferenceDensity) {
  ErrorTally tally(kDensityRelTol);
  const std::vector<double> points = {1e-300, 1e-8, 0.125, 0.5, 0.75, 0.9990234375, 1.0 - 0x1p-52};
  for (const double a : kGrid) {
    for (const double b : kGrid) {
      for (const double lam : points) {
        const double reference = static_cast<double>(reference_dtilde_density(a, b, Real(lam)));
        if (reference < 1e-290) {
          continue;  // below double's normal range: not comparable
        }
        tally.add(dtilde_density(a, b, lam), reference, ab_label(a, b) + ", lam = " + format(lam));
      }
    }
  }
  RecordProperty("worst_rel_error", format(tally.worst()));
  EXPECT_EQ(tally.failed(), 0) << tally.report();
}

TEST(Mixing, DensityAtEndpointsIsTheLimit) {
  EXPECT_EQ(dtilde_density(0.5, 2.0, 0.0), 0.0);
  EXPECT_EQ(dtilde_density(0.5, 2.0, 1.0), kInf);  // (1-lam)^(a-1), a < 1
  EXPECT_EQ(dtilde_density(1.5, 2.0, 1.0), 0.0);
  EXPECT_EQ(dtilde_density(1.0, 1.0, 1.0), 2.0);  // 2 / B(1, 1)
  EXPECT_EQ(dtilde_density(1.0, 3.0, 1.0), 3.0);  // lam^3 / B(1, 3) at 1
  EXPECT_EQ(dtilde_density(2.0, 2.0, -0.5), 0.0);
  EXPECT_EQ(dtilde_density(2.0, 2.0, 1.5), 0.0);
}

// --- Beta moments ---------------------------------------------------------------------------

TEST(Mixing, BetaMomentMatchesProductFormulaForIntegerOrders) {
  ErrorTally tally(kBetaMomentIntegerRelTol);
  const std::vector<double> parameters = {0.1, 0.5, 1.0, 2.5, 3.0, 7.0, 40.0};
  for (const double p : parameters) {
    for (const double q : parameters) {
      for (int j = -3; j <= 12; ++j) {
        for (int k = -3; k <= 12; ++k) {
          if (p + j <= 0.0 || q + k <= 0.0) {
            continue;
          }
          const long double exact =
              rising(p, j) * rising(q, k) / rising(static_cast<long double>(p) + q, j + k);
          tally.add(beta_moment(p, q, j, k), static_cast<double>(exact),
                    "p = " + format(p) + ", q = " + format(q) + ", j = " + std::to_string(j) +
                        ", k = " + std::to_string(k));
        }
      }
    }
  }
  RecordProperty("worst_rel_error", format(tally.worst()));
  EXPECT_EQ(tally.failed(), 0) << tally.report();
}

TEST(Mixing, BetaMomentMatchesHighPrecisionBetaForRealOrders) {
  ErrorTally tally(kBetaMomentRealRelTol);
  const std::vector<double> parameters = {0.1, 0.5, 1.25, 7.0, 40.0};
  const std::vector<double> orders = {-0.0625, 0.5, 1.75, 3.3};
  for (const double p : parameters) {
    for (const double q : parameters) {
      for (const double j : orders) {
        for (const double k : orders) {
          if (p + j <= 0.0 || q + k <= 0.0) {
            continue;
          }
          using boost::math::beta;
          const Real exact = beta(Real(p) + Real(j), Real(q) + Real(k)) / beta(Real(p), Real(q));
          tally.add(beta_moment(p, q, j, k), static_cast<double>(exact),
                    "p = " + format(p) + ", q = " + format(q) + ", j = " + format(j) +
                        ", k = " + format(k));
        }
      }
    }
  }
  RecordProperty("worst_rel_error", format(tally.worst()));
  EXPECT_EQ(tally.failed(), 0) << tally.report();
}

TEST(Mixing, BetaMomentIsInfiniteExactlyWhereItDiverges) {
  EXPECT_EQ(beta_moment(1.0, 1.0, -1.0, 0.0), kInf);  // p + j = 0
  EXPECT_EQ(beta_moment(2.0, 1.0, -2.5, 0.0), kInf);  // p + j < 0
  EXPECT_EQ(beta_moment(0.5, 3.0, -1.0, 2.0), kInf);
  EXPECT_EQ(beta_moment(3.0, 1.0, 0.0, -1.0), kInf);   // q + k = 0
  EXPECT_EQ(beta_moment(3.0, 0.25, 1.0, -0.5), kInf);  // q + k < 0
  // Just inside the domain the moment is finite (and large).
  EXPECT_TRUE(std::isfinite(beta_moment(1.0 + 1e-6, 1.0, -1.0, 0.0)));
  EXPECT_GT(beta_moment(1.0 + 1e-6, 1.0, -1.0, 0.0), 1e5);
  EXPECT_TRUE(std::isfinite(beta_moment(3.0, 1.0, 0.0, -1.0 + 1e-6)));
  EXPECT_THROW(beta_moment(1.0, 1.0, std::numeric_limits<double>::quiet_NaN(), 0.0), DomainError);
  EXPECT_THROW(beta_moment(1.0, 1.0, 0.0, kInf), DomainError);
}

// --- Gauss-Jacobi rules -----------------------------------------------------------------------

TEST(MixingQuadrature, BetaRuleIntegratesMonomialsUpToDegree2KMinus1) {
  ErrorTally all(kRuleRelTol);
  for (const int K : kRuleSizes) {
    ErrorTally per_K(kRuleRelTol);
    for (const double p : kRuleParameters) {
      for (const double q : kRuleParameters) {
        const QuadratureRule rule = gauss_jacobi_beta(K, p, q);
        for (int k = 0; k <= 2 * K - 1; ++k) {
          const std::string where = "K = " + std::to_string(K) + ", p = " + format(p) +
                                    ", q = " + format(q) + ", k = " + std::to_string(k);
          const double lam_k =
              apply_rule(rule, [&](Eigen::Index i) { return std::pow(rule.nodes(i), k); });
          const double one_minus_lam_k = apply_rule(
              rule, [&](Eigen::Index i) { return std::pow(rule.one_minus_nodes(i), k); });
          const auto exact_lam_k = static_cast<double>(beta_moment_product(p, q, k, 0));
          const auto exact_one_minus_lam_k = static_cast<double>(beta_moment_product(p, q, 0, k));
          per_K.add(lam_k, exact_lam_k, where + ", E[lam^k]");
          per_K.add(one_minus_lam_k, exact_one_minus_lam_k, where + ", E[(1-lam)^k]");
          all.add(lam_k, exact_lam_k, where + ", E[lam^k]");
          all.add(one_minus_lam_k, exact_one_minus_lam_k, where + ", E[(1-lam)^k]");
        }
      }
    }
    RecordProperty("worst_rel_error_K" + std::to_string(K), format(per_K.worst()));
  }
  EXPECT_EQ(all.failed(), 0) << all.report();
}

TEST(MixingQuadrature, ExactnessCheckRejectsPlantedWeightErrorOfTenTimesTolerance) {
  // The check must not be vacuous: the K = 8 rule for Beta(2.5, 0.5) with every weight scaled
  // by 1 + 10 kRuleRelTol misses every moment by that factor.
  QuadratureRule rule = gauss_jacobi_beta(8, 2.5, 0.5);
  rule.weights *= 1.0 + 10 * kRuleRelTol;
  ErrorTally tally(kRuleRelTol);
  for (int k = 0; k <= 15; ++k) {
    const double value =
        apply_rule(rule, [&](Eigen::Index i) { return std::pow(rule.nodes(i), k); });
    tally.add(value, static_cast<double>(beta_moment_product(2.5, 0.5, k, 0)),
              "k = " + std::to_string(k));
  }
  EXPECT_EQ(tally.failed(), 16) << tally.report();
}

TEST(MixingQuadrature, BetaRuleWeightsArePositiveAndSumToOne) {
  for (const int K : kRuleSizes) {
    for (const double p : kRuleParameters) {
      for (const double q : kRuleParameters) {
        const QuadratureRule rule = gauss_jacobi_beta(K, p, q);
        const std::string where =
            "K = " + std::to_string(K) + ", p = " + format(p) + ", q = " + format(q);
        ASSERT_EQ(rule.weights.size(), K) << where;
        EXPECT_GT(rule.weights.minCoeff(), 0.0) << where;
        double sum = 0.0;
        for (Eigen::Index i = K - 1; i >= 0; --i) {
          sum += rule.weights(i);  // reverse order
        }
        EXPECT_LE(std::abs(sum - 1.0), kWeightSumTol) << where << ": sum " << format(sum);
      }
    }
  }
}

TEST(MixingQuadrature, BetaRuleNodesAreSortedAndStrictlyInsideUnitInterval) {
  for (const int K : kRuleSizes) {
    for (const double p : kRuleParameters) {
      for (const double q : kRuleParameters) {
        const QuadratureRule rule = gauss_jacobi_beta(K, p, q);
        const std::string where =
            "K = " + std::to_string(K) + ", p = " + format(p) + ", q = " + format(q);
        ASSERT_EQ(rule.nodes.size(), K) << where;
        ASSERT_EQ(rule.one_minus_nodes.size(), K) << where;
        for (Eigen::Index i = 0; i < K; ++i) {
          EXPECT_GT(rule.nodes(i), 0.0) << where << ", i = " << i;
          EXPECT_LT(rule.nodes(i), 1.0) << where << ", i = " << i;
          EXPECT_GT(rule.one_minus_nodes(i), 0.0) << where << ", i = " << i;
          EXPECT_LE(std::abs(rule.nodes(i) + rule.one_minus_nodes(i) - 1.0), kNodeComplementTol)
              << where << ", i = " << i;
          if (i > 0) {
            EXPECT_LT(rule.nodes(i - 1), rule.nodes(i)) << where << ", i = " << i;
            EXPECT_GT(rule.one_minus_nodes(i - 1), rule.one_minus_nodes(i)) << where;
          }
        }
      }
    }
  }
}

TEST(MixingQuadrature, DTildeRuleReproducesM1AndM2) {
  ErrorTally tally(kRuleRelTol);
  for (const int K : kRuleSizes) {
    if (K < 2) {
      continue;  // (1-lam)^2 has degree 2 > 2K - 1 for K = 1
    }
    for (const double a : kGrid) {
      for (const double b : kGrid) {
        const QuadratureRule rule = gauss_jacobi_dtilde(K, a, b);
        const std::string where = "K = " + std::to_string(K) + ", " + ab_label(a, b);
        ASSERT_EQ(rule.weights.size(), 2 * K) << where;
        const double m1 = apply_rule(rule, [&](Eigen::Index i) { return rule.one_minus_nodes(i); });
        const double m2 = apply_rule(rule, [&](Eigen::Index i) {
          return rule.one_minus_nodes(i) * rule.one_minus_nodes(i);
        });
        tally.add(m1, dtilde_m1(a, b), where + ", m1");
        tally.add(m2, dtilde_m2(a, b), where + ", m2");
      }
    }
  }
  RecordProperty("worst_rel_error", format(tally.worst()));
  EXPECT_EQ(tally.failed(), 0) << tally.report();
}

TEST(MixingQuadrature, DTildeRuleIntegratesMonomialsUpToDegree2KMinus1) {
  // E_{D~}[(1-lam)^k] = a/(a+b) E_{Beta(a+1,b)}[(1-lam)^k] + b/(a+b) E_{Beta(b+1,a)}[(1-lam)^k].
  ErrorTally tally(kRuleRelTol);
  for (const int K : kRuleSizes) {
    for (const double a : kRuleParameters) {
      for (const double b : kRuleParameters) {
        const QuadratureRule rule = gauss_jacobi_dtilde(K, a, b);
        const double s = a + b;
        for (int k = 0; k <= 2 * K - 1; ++k) {
          const double exact = static_cast<double>(a / s * beta_moment_product(a + 1.0, b, 0, k) +
                                                   b / s * beta_moment_product(b + 1.0, a, 0, k));
          const double value = apply_rule(
              rule, [&](Eigen::Index i) { return std::pow(rule.one_minus_nodes(i), k); });
          tally.add(
              value, exact,
              "K = " + std::to_string(K) + ", " + ab_label(a, b) + ", k = " + std::to_string(k));
        }
      }
    }
  }
  RecordProperty("worst_rel_error", format(tally.worst()));
  EXPECT_EQ(tally.failed(), 0) << tally.report();
}

TEST(MixingQuadrature, RejectsKBelowOneAndBadParameters) {
  EXPECT_THROW(gauss_jacobi_beta(0, 1.0, 1.0), DomainError);
  EXPECT_THROW(gauss_jacobi_beta(-3, 1.0, 1.0), DomainError);
  EXPECT_THROW(gauss_jacobi_beta(4, 0.0, 1.0), DomainError);
  EXPECT_THROW(gauss_jacobi_beta(4, 1.0, -2.0), DomainError);
  EXPECT_THROW(gauss_jacobi_dtilde(0, 1.0, 1.0), DomainError);
  EXPECT_THROW(gauss_jacobi_dtilde(4, std::numeric_limits<double>::quiet_NaN(), 1.0), DomainError);
}

// --- Sampling -------------------------------------------------------------------------------

struct SampleMean {
  double mean;
  double standard_error;
};

template <class Draw>
SampleMean sample_mean(int n, Draw draw) {
  double sum = 0.0;
  double sum_sq = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n;
  const double variance = (sum_sq - n * mean * mean) / (n - 1);
  return {mean, std::sqrt(variance / n)};
}

TEST(MixingSampling, DTildeMeanOfOneMinusLamIsWithinFiveStandardErrorsOfM1) {
  constexpr int kDraws = 200000;
  const std::vector<std::pair<double, double>> cases = {{0.2, 0.2}, {1.0, 1.0}, {0.5, 3.0},
                                                        {3.0, 0.5}, {2.0, 5.0}, {20.0, 1.5}};
  std::uint64_t index = 0;
  for (const auto& ab : cases) {
    // Plain variables, not structured bindings: C++17 lambdas cannot capture bindings.
    const double a = ab.first;
    const double b = ab.second;
    Engine engine = make_stream(kSeed, "mixing_test/sample_dtilde", index++);
    const SampleMean s = sample_mean(kDraws, [&] { return 1.0 - sample_dtilde(engine, a, b); });
    const double z = (s.mean - dtilde_m1(a, b)) / s.standard_error;
    EXPECT_LE(std::abs(z), kMaxZScore)
        << ab_label(a, b) << ": mean " << format(s.mean) << ", m1 " << format(dtilde_m1(a, b))
        << ", standard error " << format(s.standard_error) << ", seed " << kSeed
        << ", stream index " << index - 1;
  }
}

TEST(MixingSampling, BetaMeanIsWithinFiveStandardErrorsOfPOverPPlusQ) {
  constexpr int kDraws = 200000;
  const std::vector<std::pair<double, double>> cases = {{0.2, 0.2}, {0.5, 3.0}, {7.0, 2.5}};
  std::uint64_t index = 0;
  for (const auto& ab : cases) {
    // Plain variables, not structured bindings: C++17 lambdas cannot capture bindings.
    const double a = ab.first;
    const double b = ab.second;
    Engine engine = make_stream(kSeed, "mixing_test/sample_beta", index++);
    const SampleMean s = sample_mean(kDraws, [&] { return sample_beta(engine, a, b); });
    const double z = (s.mean - a / (a + b)) / s.standard_error;
    EXPECT_LE(std::abs(z), kMaxZScore)
        << ab_label(a, b) << ": mean " << format(s.mean) << ", standard error "
        << format(s.standard_error) << ", seed " << kSeed << ", stream index " << index - 1;
  }
}

TEST(MixingSampling, SameStreamGivesSameDraws) {
  Engine first = make_stream(kSeed, "mixing_test/repeat");
  Engine second = make_stream(kSeed, "mixing_test/repeat");
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(sample_dtilde(first, 0.4, 2.0), sample_dtilde(second, 0.4, 2.0))
        << "draw " << i << ", seed " << kSeed;
  }
  EXPECT_THROW(sample_dtilde(first, -1.0, 1.0), DomainError);
  EXPECT_THROW(sample_beta(first, 1.0, 0.0), DomainError);
}

}  // namespace
}  // namespace mixup
