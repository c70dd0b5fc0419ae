// Specification of the exact mixup engine (core/mixup.hpp: exact_mixup_loss, its D~ form and
// the D~ form at perturbation scale s, the gradient, manifold mixup; core/mixup_exact*.cpp).
//
// References are independent of the code under test:
//  * the exact loss: Boost.Math's tanh_sinh quadrature in long double (and a 50-digit spot check
//    of that reference), evaluating the model at the mixed point with its own code below, over
//    all n^2 ordered pairs, each integral split at every ReLU switch and every zero of f found
//    by brute force (a scan of 4000 points, then bisection in the reference precision);
//  * the gradient: central finite differences of the exact loss (tests/support);
//  * Eq. (1) against Eq. (9): two different integrals (mixed labels and Beta(a, b) over pairs,
//    against own labels and D~ over ordered pairs) that Lemma 3.1 says are equal;
//  * the Chebyshev path of the linear-logistic engine against its direct pair integration.

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "core/data.hpp"
#include "core/errors.hpp"
#include "core/losses.hpp"
#include "core/mixing.hpp"
#include "core/mixup.hpp"
#include "core/mixup_exact_internal.hpp"
#include "core/models.hpp"
#include "core/random.hpp"
#include "tests/support/derivative_check.hpp"

namespace mixup {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using exact_detail::MixupForm;
using exact_detail::ScalarPath;

constexpr std::uint64_t kSeed = 20210503;
constexpr double kEps = std::numeric_limits<double>::epsilon();

// ---- Tolerances -------------------------------------------------------------------------------

// Engine against the independent reference, relative: the acceptance bound of the brief.  The
// engine aims at 1e-15 per Gauss rule (kRuleTolerance); the measured worst is printed by the
// tests ("[ measured ]") and is below 1e-15, so 1e-10 leaves five orders for platforms.
constexpr double kReferenceRelTol = 1e-10;
// The reference itself: tanh_sinh's error estimate, relative to the loss, must be below this,
// two orders under kReferenceRelTol, so reference error cannot hide a failure.
constexpr double kReferenceSelfTol = 1e-12;
// tanh_sinh's termination target in long double (eps = 1.1e-19) and in 50 digits.
constexpr long double kTanhSinhTargetLong = 1e-17L;
constexpr double kTanhSinhTarget50 = 1e-28;
// The long-double reference against the 50-digit one, relative: both are far more accurate
// than this, so agreement here shows long double is good enough for the reference.
constexpr double kLongVs50RelTol = 1e-14;

// Eq. (1) against Eq. (9), relative.  Both sides are sums of ~n^2 * 30 Gauss rules each good to
// ~1e-15 of its piece; rounding in the sums of <= 1e5 terms adds ~17 eps = 4e-15.  Poisson and
// Gaussian losses can cancel (e^u or u^2/2 against y u), so relative to L the gap can be larger:
// measured worst 4e-14 (two-layer ReLU, Poisson, L = 4.3 from terms of ~100).  1e-12 (the
// brief's bound) still leaves a factor 25.
constexpr double kFormsRelTol = 1e-12;
// The squared-loss label term: two engine values of size ~1 differ by it; their rounding is
// ~1e-15, so the difference (theta independent, closed form) is checked to 1e-12 absolute.
constexpr double kLabelTermAbsTol = 1e-12;

// Chebyshev path against the direct path of the linear-logistic engine, relative: each cell
// interpolates the kernel to kChebyshevTolerance = 1e-16 of its size (times a Lebesgue constant
// < 4), and both paths' Gauss rules are good to ~1e-15.  The bilinear forms add ~N eps.
// Measured worst 3e-15; 1e-13 leaves a factor 30 and still flags a degree rule that is off by
// a few points (each point lost costs a factor rho ~ 2-5).
constexpr double kChebyshevRelTol = 1e-13;

// Manifold mixup against the linear engine on hidden features: the same integrals on the same
// scalars f_i computed by two routes (hidden(X) theta1 + theta0 vs net.f): a few ulps.
constexpr double kManifoldRelTol = 64 * kEps;

// Mixing labels vs mixing losses, per pair, relative to |h| + |y u|: a handful of roundings.
constexpr double kLinearInLabelRelTol = 16 * kEps;

// Data points closer than this to a ReLU kink are not used for gradient checks: the exact loss
// is C^1 in theta except when a data point sits on a kink (then the i = j term has a kink); a
// central difference with step 6e-6 max(1, |theta|) moves a pre-activation by < 1e-4 here.
constexpr double kMinKinkDistance = 1e-3;

double rel_diff(double a, double b) {
  const double scale = std::max(std::abs(a), std::abs(b));
  return scale > 0.0 ? std::abs(a - b) / scale : 0.0;
}

std::string law_name(MixingLaw law) {
  return "Beta(" + std::to_string(law.a) + ", " + std::to_string(law.b) + ")";
}

// a, b in {0.2, 1, 5}: all nine combinations (singular, uniform, peaked weights; a != b).
std::vector<MixingLaw> nine_laws() {
  std::vector<MixingLaw> laws;
  for (const double a : {0.2, 1.0, 5.0}) {
    for (const double b : {0.2, 1.0, 5.0}) laws.push_back({a, b});
  }
  return laws;
}

// ---- Datasets and models ----------------------------------------------------------------------

MatrixXd gaussian_inputs(Index n, Index d, const char* purpose) {
  Engine engine = make_stream(kSeed, purpose);
  return standard_normal_matrix(engine, n, d);
}

// Labels 1{x^T w > 0} for a random direction w: both classes present, not the model's signs.
VectorXd half_space_labels(const MatrixXd& X, const char* purpose) {
  Engine engine = make_stream(kSeed, purpose);
  const VectorXd w = standard_normal_vector(engine, X.cols());
  VectorXd y(X.rows());
  for (Index i = 0; i < X.rows(); ++i) y(i) = X.row(i).dot(w) > 0.0 ? 1.0 : 0.0;
  return y;
}

VectorXd labels_for(LossKind loss, const MatrixXd& X, const char* purpose) {
  Engine engine = make_stream(kSeed, purpose);
  VectorXd y(X.rows());
  for (Index i = 0; i < X.rows(); ++i) {
    const double z = uniform01(engine);
    switch (loss) {
      case LossKind::kLogistic:
        y(i) = z < 0.5 ? 0.0 : 1.0;
        break;
      case LossKind::kPoisson:
        y(i) = std::floor(4.0 * z);
        break;
      case LossKind::kGaussian:
        y(i) = 3.0 * z - 1.0;
        break;
    }
  }
  return y;
}

// A linear model with bias whose outputs reach |f| = R exactly on the data.
LinearModel scaled_linear(const MatrixXd& X, double R, double bias, const char* purpose) {
  Engine engine = make_stream(kSeed, purpose);
  VectorXd theta = standard_normal_vector(engine, X.cols());
  theta *= (R - std::abs(bias)) / (X * theta).cwiseAbs().maxCoeff();
  return LinearModel(theta, bias != 0.0, bias);
}

ReluTwoLayer test_relu2(Index d, Index m) {
  ReluTwoLayer net = random_relu_two_layer(d, m, kSeed);
  // Larger outputs (|f| of a few units) make the turn of h matter along the segments.
  return ReluTwoLayer(net.W(), net.b(), 3.0 * net.theta1(), 0.25);
}

// ---- The independent reference ------------------------------------------------------------
//
// Precision: long double (64-bit significand, eps = 1.1e-19) for every comparison, because the
// 50-digit cpp_bin_float version costs ~100x more (1.1 s for 3 points and one law; the nine laws
// times three models at n = 8 would take minutes).  Long double leaves nine orders between the
// reference's rounding and kReferenceRelTol, and ExactMixupReference checks it against the
// 50-digit reference on a case with a singular weight and ReLU kinks.

// The model written out again in precision Real, with all ReLU pre-activations exposed.
template <class Real>
class ReferenceNet {
 public:
  using Vec = std::vector<Real>;

  static ReferenceNet linear(const LinearModel& model) {
    ReferenceNet net;
    net.kind_ = Kind::kLinear;
    net.theta_ = to_real(model.theta());
    net.bias_ = model.bias();
    return net;
  }
  static ReferenceNet relu2(const ReluTwoLayer& model) {
    ReferenceNet net;
    net.kind_ = Kind::kRelu2;
    net.layers_ = {to_real(model.W())};
    net.layer_bias_ = to_real(model.b());
    net.theta_ = to_real(model.theta1());
    net.bias_ = model.theta0();
    return net;
  }
  static ReferenceNet deep(const ReluDeep& model) {
    ReferenceNet net;
    net.kind_ = Kind::kDeep;
    for (const MatrixXd& W : model.weights()) net.layers_.push_back(to_real(W));
    net.theta_ = to_real(model.beta());
    return net;
  }

  // f(x) and, in pre, every ReLU pre-activation of every layer.
  Real f(const Vec& x, Vec* pre = nullptr) const {
    if (pre) pre->clear();
    if (kind_ == Kind::kLinear) return dot(theta_, x) + bias_;
    Vec a = x;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      Vec z = apply(layers_[l], a);
      if (kind_ == Kind::kRelu2) {
        for (std::size_t k = 0; k < z.size(); ++k) z[k] += layer_bias_[k];
      }
      if (pre) pre->insert(pre->end(), z.begin(), z.end());
      for (Real& v : z) v = v > 0 ? v : Real(0);
      a = std::move(z);
    }
    return dot(theta_, a) + (kind_ == Kind::kRelu2 ? bias_ : Real(0));
  }

 private:
  enum class Kind { kLinear, kRelu2, kDeep };
  using Mat = std::vector<Vec>;  // rows

  static Vec to_real(const VectorXd& v) {
    Vec out(static_cast<std::size_t>(v.size()));
    for (Index k = 0; k < v.size(); ++k) out[static_cast<std::size_t>(k)] = Real(v(k));
    return out;
  }
  static Mat to_real(const MatrixXd& W) {
    Mat out;
    for (Index r = 0; r < W.rows(); ++r) out.push_back(to_real(VectorXd(W.row(r).transpose())));
    return out;
  }
  static Real dot(const Vec& a, const Vec& b) {
    Real s = 0;
    for (std::size_t k = 0; k < a.size(); ++k) s += a[k] * b[k];
    return s;
  }
  static Vec apply(const Mat& W, const Vec& x) {
    Vec out;
    for (const Vec& row : W) out.push_back(dot(row, x));
    return out;
  }

  Kind kind_ = Kind::kLinear;
  std::vector<Mat> layers_;
  Vec layer_bias_;
  Vec theta_;
  Real bias_ = 0;
};

// l(u, yt) = yt h(-u) + (1 - yt) h(u) for the logistic loss, h(u) - yt u otherwise.
template <class Real>
Real reference_loss(LossKind loss, const Real& u, const Real& yt) {
  using std::exp;
  using std::log1p;
  const auto h = [](const Real& v) -> Real {
    using std::exp;
    using std::log1p;
    return v > 0 ? Real(v + log1p(exp(-v))) : Real(log1p(exp(v)));
  };
  switch (loss) {
    case LossKind::kLogistic:
      return yt * h(-u) + (1 - yt) * h(u);
    case LossKind::kPoisson:
      return exp(u) - yt * u;
    case LossKind::kGaussian:
      return u * u / 2 - yt * u;
  }
  return 0;
}

// Non-const: Boost 1.74 declares the two-argument (x, xc) integrate() without const.
template <class Real>
boost::math::quadrature::tanh_sinh<Real>& tanh_sinh_rule() {
  static boost::math::quadrature::tanh_sinh<Real> rule;
  return rule;
}

template <class Real>
Real tanh_sinh_target() {
  if constexpr (std::is_same_v<Real, long double>) {
    return kTanhSinhTargetLong;
  } else {
    return Real(kTanhSinhTarget50);
  }
}

struct ReferenceResult {
  double value = 0.0;
  double error_estimate = 0.0;  // sum of tanh_sinh's L1 error estimates, / n^2
};

// Which integral the reference computes.  kEq1: Eq. (1), lam ~ Beta(a, b) at the point
// lam x_i + (1-lam) x_j with the mixed label.  kEq9Scaled: lam ~ D~(a, b), density
// [lam^a (1-lam)^(b-1) + lam^b (1-lam)^(a-1)] / B(a, b), at x_i + s (1-lam)(x_j - x_i) with
// label y_i (exact_mixup_loss_dtilde_scaled).
struct ReferenceForm {
  bool eq9_scaled = false;
  double s = 1.0;
};

// The integral by brute force: every ordered pair, split at every sign change (found by a scan
// of kScanPoints then bisection) of every ReLU pre-activation and of f, each piece by tanh_sinh.
template <class Real>
ReferenceResult reference_mixup_loss(const ReferenceNet<Real>& net, LossKind loss,
                                     const MatrixXd& X, const VectorXd& y, MixingLaw law,
                                     ReferenceForm form = {}) {
  using std::exp;
  using std::log;
  constexpr int kScanPoints = 4000;
  constexpr int kBisections = 200;
  const Index n = X.rows();
  const Index d = X.cols();
  const Real a = law.a;
  const Real b = law.b;
  const Real s = form.s;
  const Real log_beta = log(boost::math::beta(a, b));
  auto& rule = tanh_sinh_rule<Real>();
  Real total = 0;
  Real error = 0;
  using Vec = std::vector<Real>;
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) {
      const Real yi = y(i);
      const Real yj = y(j);
      if (i == j) {
        Vec x(static_cast<std::size_t>(d));
        for (Index k = 0; k < d; ++k) x[static_cast<std::size_t>(k)] = X(i, k);
        total += reference_loss<Real>(loss, net.f(x), yi);
        continue;
      }
      const auto point = [&](const Real& lam, const Real& oml) {
        Vec x(static_cast<std::size_t>(d));
        for (Index k = 0; k < d; ++k) {
          const Real xi = X(i, k);
          const Real xj = X(j, k);
          x[static_cast<std::size_t>(k)] =
              form.eq9_scaled ? Real(xi + s * oml * (xj - xi)) : Real(lam * xi + oml * xj);
        }
        return x;
      };
      // Signs of every pre-activation and of f along the scan.
      const auto signals = [&](const Real& lam) {
        Vec pre;
        const Real f = net.f(point(lam, 1 - lam), &pre);
        pre.push_back(f);
        return pre;
      };
      std::vector<Real> cuts = {Real(0), Real(1)};
      Vec previous = signals(Real(0));
      for (int g = 1; g <= kScanPoints; ++g) {
        const Real lam = Real(g) / kScanPoints;
        const Vec current = signals(lam);
        for (std::size_t c = 0; c < current.size(); ++c) {
          if (!((previous[c] > 0 && current[c] < 0) || (previous[c] < 0 && current[c] > 0))) {
            continue;
          }
          Real lo = Real(g - 1) / kScanPoints;
          Real hi = lam;
          const bool rising = current[c] > 0;
          for (int it = 0; it < kBisections && hi - lo > 0; ++it) {
            const Real mid = (lo + hi) / 2;
            if (mid <= lo || mid >= hi) break;
            ((signals(mid)[c] > 0) == rising ? hi : lo) = mid;
          }
          cuts.push_back((lo + hi) / 2);
        }
        previous = current;
      }
      std::sort(cuts.begin(), cuts.end());
      for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
        const Real l = cuts[c];
        const Real r = cuts[c + 1];
        if (!(r > l)) continue;
        // tanh_sinh's second argument: l - lam on the left half, r - lam on the right half,
        // so 1 - lam is exact near lam = 1 and lam near lam = 0 (l = 0).
        const auto integrand = [&](const Real& lam, const Real& xc) -> Real {
          const Real oml = (xc > 0 && r == 1) ? xc : Real(1 - lam);
          const Real lam_exact = (xc < 0 && l == 0) ? Real(-xc) : lam;
          const Real u = net.f(point(lam_exact, oml));
          const Real log_lam = log(lam_exact);
          const Real log_oml = log(oml);
          if (form.eq9_scaled) {
            const Real density = exp(a * log_lam + (b - 1) * log_oml - log_beta) +
                                 exp(b * log_lam + (a - 1) * log_oml - log_beta);
            return reference_loss<Real>(loss, u, yi) * density;
          }
          const Real yt = lam_exact * yi + oml * yj;
          const Real log_w = (a - 1) * log_lam + (b - 1) * log_oml - log_beta;
          return reference_loss<Real>(loss, u, yt) * exp(log_w);
        };
        Real piece_error = 0;
        total += rule.integrate(integrand, l, r, tanh_sinh_target<Real>(), &piece_error);
        error += piece_error;
      }
    }
  }
  const Real nn = Real(n) * Real(n);
  return {static_cast<double>(total / nn), static_cast<double>(error / nn)};
}

// Compares the engine with the long-double reference over the nine laws; returns the worst
// relative error.
template <class MakeReference>
double check_against_reference(const Model& model, const MakeReference& make_reference,
                               LossKind loss, const Dataset& data,
                               const std::vector<MixingLaw>& laws) {
  double worst = 0.0;
  const auto reference_net = make_reference();
  for (const MixingLaw law : laws) {
    SCOPED_TRACE(law_name(law));
    const double engine = exact_mixup_loss(model, loss, data, law);
    const ReferenceResult ref =
        reference_mixup_loss<long double>(reference_net, loss, data.X, data.y, law);
    EXPECT_LE(ref.error_estimate, kReferenceSelfTol * std::abs(ref.value))
        << "the reference itself is not accurate enough";
    const double rel = rel_diff(engine, ref.value);
    EXPECT_LE(rel, kReferenceRelTol) << "engine " << engine << " reference " << ref.value;
    worst = std::max(worst, rel);
  }
  return worst;
}

void print_measured(const std::string& what, double value) {
  std::cout << "[ measured ] " << what << ": " << value << std::endl;
  ::testing::Test::RecordProperty(what, std::to_string(value));
}

// ---- 1. Agreement with the independent reference -------------------------------------------

TEST(ExactMixup, AgreesWithHighPrecisionReferenceForLogisticRegression) {
  // |x_i^T theta + bias| reaches 100: the turn of h is 1/200 of the segment wide.
  Dataset data{gaussian_inputs(8, 3, "test/exact/reference/linear"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/reference/linear-labels");
  const LinearModel model = scaled_linear(data.X, 100.0, 2.5, "test/exact/reference/theta");
  ASSERT_NEAR(model.f(data.X).cwiseAbs().maxCoeff(), 100.0, 1e-9);
  const double worst = check_against_reference(
      model, [&] { return ReferenceNet<long double>::linear(model); }, LossKind::kLogistic, data,
      nine_laws());
  print_measured("worst relative error, logistic regression |f| <= 100", worst);
}

TEST(ExactMixup, AgreesWithHighPrecisionReferenceForTwoLayerReluNet) {
  Dataset data{gaussian_inputs(8, 3, "test/exact/reference/relu2"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/reference/relu2-labels");
  const ReluTwoLayer net = test_relu2(3, 6);
  const double worst = check_against_reference(
      net, [&] { return ReferenceNet<long double>::relu2(net); }, LossKind::kLogistic, data,
      nine_laws());
  print_measured("worst relative error, two-layer ReLU, logistic", worst);
}

TEST(ExactMixup, AgreesWithHighPrecisionReferenceForDeepReluNet) {
  Dataset data{gaussian_inputs(8, 3, "test/exact/reference/deep"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/reference/deep-labels");
  const ReluDeep net = random_relu_deep(3, {5, 4}, kSeed);
  const double worst = check_against_reference(
      net, [&] { return ReferenceNet<long double>::deep(net); }, LossKind::kLogistic, data,
      nine_laws());
  print_measured("worst relative error, deep ReLU (3-5-4-1), logistic", worst);
}

TEST(ExactMixup, AgreesWithHighPrecisionReferenceForPoissonAndGaussianLosses) {
  const std::vector<MixingLaw> laws = {{0.2, 5.0}, {5.0, 0.2}, {1.0, 1.0}};
  double worst = 0.0;
  for (const LossKind loss : {LossKind::kPoisson, LossKind::kGaussian}) {
    SCOPED_TRACE(to_string(loss));
    Dataset data{gaussian_inputs(7, 3, "test/exact/reference/glm"), VectorXd()};
    data.y = labels_for(loss, data.X, "test/exact/reference/glm-labels");
    const ReluTwoLayer net = test_relu2(3, 5);
    worst = std::max(
        worst, check_against_reference(
                   net, [&] { return ReferenceNet<long double>::relu2(net); }, loss, data, laws));
    const LinearModel linear = scaled_linear(data.X, 6.0, 0.5, "test/exact/reference/glm-theta");
    worst = std::max(worst, check_against_reference(
                                linear, [&] { return ReferenceNet<long double>::linear(linear); },
                                loss, data, laws));
  }
  print_measured("worst relative error, Poisson and Gaussian losses", worst);
}

// The long-double reference is itself checked against a 50-digit one on a small case with
// singular weights (a = 0.2 at lam = 0) and a ReLU net.
TEST(ExactMixupReference, LongDoubleReferenceAgreesWithFiftyDigitReference) {
  using Real50 = boost::multiprecision::cpp_bin_float_50;
  Dataset data{gaussian_inputs(3, 3, "test/exact/reference/fifty"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/reference/fifty-labels");
  const ReluTwoLayer net = test_relu2(3, 4);
  const MixingLaw law{0.2, 5.0};
  const ReferenceResult ref_long = reference_mixup_loss<long double>(
      ReferenceNet<long double>::relu2(net), LossKind::kLogistic, data.X, data.y, law);
  const ReferenceResult ref_50 = reference_mixup_loss<Real50>(
      ReferenceNet<Real50>::relu2(net), LossKind::kLogistic, data.X, data.y, law);
  EXPECT_LE(rel_diff(ref_long.value, ref_50.value), kLongVs50RelTol)
      << "long double " << ref_long.value << " 50 digits " << ref_50.value;
  print_measured("long double vs 50-digit reference", rel_diff(ref_long.value, ref_50.value));
  EXPECT_LE(rel_diff(exact_mixup_loss(net, LossKind::kLogistic, data, law), ref_50.value),
            kReferenceRelTol);
}

// ---- 2. Eq. (1) equals Eq. (9) ----------------------------------------------------------------

struct NamedModel {
  std::string name;
  std::shared_ptr<Model> model;
};

std::vector<NamedModel> all_models(Index d) {
  return {
      {"linear", std::make_shared<LinearModel>(random_linear(d, kSeed))},
      {"linear+bias", std::make_shared<LinearModel>(random_linear(d, kSeed, true))},
      {"relu2", std::make_shared<ReluTwoLayer>(test_relu2(d, 6))},
      {"relu_deep", std::make_shared<ReluDeep>(random_relu_deep(d, {5, 4}, kSeed))},
      {"smooth2/softplus", std::make_shared<SmoothTwoLayer>(
                               random_smooth_two_layer(SmoothActivation::kSoftplus, d, 5, kSeed))},
      {"smooth2/tanh", std::make_shared<SmoothTwoLayer>(
                           random_smooth_two_layer(SmoothActivation::kTanh, d, 5, kSeed))},
  };
}

// a, b < 1, a != b, and the uniform law.
const std::vector<MixingLaw> kFormLaws = {
    {0.2, 0.2}, {0.5, 2.0}, {2.0, 0.5}, {1.0, 1.0}, {0.3, 4.0}};

TEST(ExactMixup, EqOneEqualsEqNineForLossesLinearInTheLabel) {
  double worst = 0.0;
  std::string worst_case;
  for (const NamedModel& named : all_models(3)) {
    for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson, LossKind::kGaussian}) {
      SCOPED_TRACE(named.name + " / " + to_string(loss));
      Dataset data{gaussian_inputs(7, 3, "test/exact/forms"), VectorXd()};
      data.y = labels_for(loss, data.X, "test/exact/forms-labels");
      for (const MixingLaw law : kFormLaws) {
        SCOPED_TRACE(law_name(law));
        const double eq1 = exact_mixup_loss(*named.model, loss, data, law);
        const double eq9 = exact_mixup_loss_dtilde(*named.model, loss, data, law);
        EXPECT_LE(rel_diff(eq1, eq9), kFormsRelTol) << "Eq. 1 " << eq1 << " Eq. 9 " << eq9;
        if (rel_diff(eq1, eq9) > worst) {
          worst = rel_diff(eq1, eq9);
          worst_case = named.name + " / " + to_string(loss) + " / " + law_name(law) +
                       " (L = " + std::to_string(eq1) + ")";
        }
      }
    }
  }
  print_measured("worst relative gap Eq. 1 vs Eq. 9", worst);
  std::cout << "[ measured ] at " << worst_case << std::endl;
}

TEST(ExactMixup, EqOneEqualsEqNineOnTheChebyshevPathOfLogisticRegression) {
  Dataset data{gaussian_inputs(400, 5, "test/exact/forms-cheb"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/forms-cheb-labels");
  for (const double R : {10.0, 100.0}) {
    const VectorXd f = scaled_linear(data.X, R, 0.0, "test/exact/forms-cheb-theta").f(data.X);
    for (const MixingLaw law : kFormLaws) {
      SCOPED_TRACE(law_name(law) + " R = " + std::to_string(R));
      const double eq1 = exact_detail::scalar_mixup_loss(f, data.y, LossKind::kLogistic, law,
                                                         MixupForm::kEq1, ScalarPath::kChebyshev);
      const double eq9 = exact_detail::scalar_mixup_loss(f, data.y, LossKind::kLogistic, law,
                                                         MixupForm::kEq9, ScalarPath::kChebyshev);
      EXPECT_LE(rel_diff(eq1, eq9), kFormsRelTol) << eq1 << " vs " << eq9;
    }
  }
}

// The squared error s(u, y) = (u - y)^2 / 2 = l_Gaussian(u, y) + y^2 / 2 is not linear in y.
// Since l_Gaussian = u^2/2 - y u is (Eq. 2's GLM form, equal in both forms), the forms of s differ
// by the label-only term
//   (1/2) [ (1/n^2) sum_ij E (lam y_i + (1-lam) y_j)^2 - (1/n) sum_i y_i^2 ]
//     = -E[lam (1 - lam)] Var_n(y) = -a b / ((a+b)(a+b+1)) Var_n(y),
// because sum_ij (lam y_i + (1-lam) y_j)^2 = n (lam^2 + (1-lam)^2) sum y^2 + 2 lam (1-lam) (sum
// y)^2 and E[lam^2 + (1-lam)^2] = 1 - 2 E[lam (1-lam)].  Here the first label term is computed by
// Gauss-Jacobi quadrature over the pairs (exact for this quadratic), not by the closed form.
TEST(ExactMixup, SquaredLossFormsDifferByAThetaIndependentLabelTerm) {
  Dataset data{gaussian_inputs(9, 3, "test/exact/squared"), VectorXd()};
  data.y = labels_for(LossKind::kGaussian, data.X, "test/exact/squared-labels");
  const Index n = data.n();
  const double ybar = data.y.mean();
  const double var_y = (data.y.array() - ybar).square().mean();
  for (const MixingLaw law : kFormLaws) {
    SCOPED_TRACE(law_name(law));
    const QuadratureRule rule = gauss_jacobi_beta(4, law.a, law.b);
    double mixed_label_term = 0.0;
    for (Index i = 0; i < n; ++i) {
      for (Index j = 0; j < n; ++j) {
        for (Index k = 0; k < rule.nodes.size(); ++k) {
          const double yt = rule.nodes(k) * data.y(i) + rule.one_minus_nodes(k) * data.y(j);
          mixed_label_term += rule.weights(k) * 0.5 * yt * yt;
        }
      }
    }
    mixed_label_term /= static_cast<double>(n * n);
    const double own_label_term = 0.5 * data.y.squaredNorm() / static_cast<double>(n);
    const double closed_form = -law.a * law.b / ((law.a + law.b) * (law.a + law.b + 1.0)) * var_y;
    std::vector<double> gaps;
    for (const NamedModel& named : all_models(3)) {
      for (const double scale : {1.0, -2.0}) {  // two thetas per model
        std::unique_ptr<Model> model = named.model->clone();
        model->set_parameters(scale * model->parameters());
        const double squared_eq1 =
            exact_mixup_loss(*model, LossKind::kGaussian, data, law) + mixed_label_term;
        const double squared_eq9 =
            exact_mixup_loss_dtilde(*model, LossKind::kGaussian, data, law) + own_label_term;
        gaps.push_back(squared_eq1 - squared_eq9);
      }
    }
    for (const double gap : gaps) {
      EXPECT_NEAR(gap, gaps.front(), kLabelTermAbsTol) << "the gap depends on theta";
      EXPECT_NEAR(gap, closed_form, kLabelTermAbsTol);
    }
  }
}

// ---- Lemma 3.1's perturbation scale: exact_mixup_loss_dtilde_scaled -------------------------

// The scaled D~ form against the independent reference (D~ density written out, the point
// x_i + s (1-lam)(x_j - x_i) evaluated directly), inside (s = 0.5) and beyond (s = 2) the segment.
TEST(ExactMixupScaled, AgreesWithHighPrecisionReference) {
  Dataset data{gaussian_inputs(7, 3, "test/exact/scaled"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/scaled-labels");
  const LinearModel linear = scaled_linear(data.X, 30.0, 1.0, "test/exact/scaled-theta");
  const ReluTwoLayer relu2 = test_relu2(3, 6);
  const ReluDeep deep = random_relu_deep(3, {5, 4}, kSeed);
  double worst = 0.0;
  for (const MixingLaw law : {MixingLaw{0.2, 5.0}, MixingLaw{2.0, 0.5}}) {
    for (const double s : {0.5, 2.0}) {
      SCOPED_TRACE(law_name(law) + " s = " + std::to_string(s));
      const ReferenceForm form{true, s};
      const std::vector<std::pair<double, ReferenceResult>> results = {
          {exact_mixup_loss_dtilde_scaled(linear, LossKind::kLogistic, data, law, s),
           reference_mixup_loss<long double>(ReferenceNet<long double>::linear(linear),
                                             LossKind::kLogistic, data.X, data.y, law, form)},
          {exact_mixup_loss_dtilde_scaled(relu2, LossKind::kLogistic, data, law, s),
           reference_mixup_loss<long double>(ReferenceNet<long double>::relu2(relu2),
                                             LossKind::kLogistic, data.X, data.y, law, form)},
          {exact_mixup_loss_dtilde_scaled(deep, LossKind::kLogistic, data, law, s),
           reference_mixup_loss<long double>(ReferenceNet<long double>::deep(deep),
                                             LossKind::kLogistic, data.X, data.y, law, form)},
      };
      for (const auto& [engine, ref] : results) {
        EXPECT_LE(ref.error_estimate, kReferenceSelfTol * std::abs(ref.value));
        EXPECT_LE(rel_diff(engine, ref.value), kReferenceRelTol)
            << "engine " << engine << " reference " << ref.value;
        worst = std::max(worst, rel_diff(engine, ref.value));
      }
    }
  }
  print_measured("worst relative error, scaled D~ form (s = 0.5, 2)", worst);
}

TEST(ExactMixupScaled, ScaleOneIsEqNineAndScaleZeroIsTheStandardLoss) {
  Dataset data{gaussian_inputs(9, 3, "test/exact/scaled-ends"), VectorXd()};
  const MixingLaw law{0.3, 2.0};
  for (const NamedModel& named : all_models(3)) {
    for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson, LossKind::kGaussian}) {
      SCOPED_TRACE(named.name + " / " + to_string(loss));
      data.y = labels_for(loss, data.X, "test/exact/scaled-ends-labels");
      EXPECT_EQ(exact_mixup_loss_dtilde_scaled(*named.model, loss, data, law, 1.0),
                exact_mixup_loss_dtilde(*named.model, loss, data, law));
      // s = 0: every mixed point is x_i, so the D~ expectation of a constant: L_std.  The
      // weights of the rules sum to 1 up to a few ulps.
      EXPECT_LE(rel_diff(exact_mixup_loss_dtilde_scaled(*named.model, loss, data, law, 0.0),
                         standard_loss(*named.model, loss, data.X, data.y)),
                kManifoldRelTol);
    }
  }
}

TEST(ExactMixupScaled, RejectsNegativeOrNonFiniteScales) {
  const LinearModel model = random_linear(3, kSeed);
  Dataset data{gaussian_inputs(5, 3, "test/exact/scaled-invalid"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/scaled-invalid-labels");
  for (const double s :
       {-0.5, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_THROW(exact_mixup_loss_dtilde_scaled(model, LossKind::kLogistic, data, {1.0, 1.0}, s),
                 DomainError);
  }
}

// ---- 3. Mixing labels equals mixing losses -----------------------------------------------------

TEST(MixupLosses, MixingLabelsEqualsMixingLossesForLossesLinearInTheLabel) {
  Engine engine = make_stream(kSeed, "test/exact/linear-in-y");
  constexpr int kPairs = 200;
  for (int t = 0; t < kPairs; ++t) {
    const double u = 20.0 * (uniform01(engine) - 0.5);
    const double lam = uniform01(engine);
    // Logistic {0, 1}, Poisson non-negative integers.
    for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson}) {
      const double yi = loss == LossKind::kLogistic ? (uniform01(engine) < 0.5 ? 0.0 : 1.0)
                                                    : std::floor(5.0 * uniform01(engine));
      const double yj = loss == LossKind::kLogistic ? (uniform01(engine) < 0.5 ? 0.0 : 1.0)
                                                    : std::floor(5.0 * uniform01(engine));
      const double mixed_losses =
          lam * loss_value(loss, u, yi) + (1.0 - lam) * loss_value(loss, u, yj);
      const double mixed_label = loss_value(loss, u, lam * yi + (1.0 - lam) * yj);
      const double scale = std::abs(loss_h(loss, u)) + std::max(yi, yj) * std::abs(u);
      EXPECT_NEAR(mixed_losses, mixed_label, kLinearInLabelRelTol * scale)
          << to_string(loss) << " u " << u << " lam " << lam << " y " << yi << ", " << yj;
    }
    // Softmax cross-entropy l(u, y) = logsumexp(u) - y^T u with one-hot labels.
    constexpr Index kClasses = 4;
    const VectorXd logits = 6.0 * standard_normal_vector(engine, kClasses);
    const auto one_hot = [&](Index c) {
      VectorXd e = VectorXd::Zero(kClasses);
      e(c) = 1.0;
      return e;
    };
    const VectorXd yi = one_hot(static_cast<Index>(uniform01(engine) * kClasses));
    const VectorXd yj = one_hot(static_cast<Index>(uniform01(engine) * kClasses));
    const auto cross_entropy = [&](const VectorXd& y) {
      return log_sum_exp(logits) - y.dot(logits);
    };
    const double mixed_losses = lam * cross_entropy(yi) + (1.0 - lam) * cross_entropy(yj);
    const double mixed_label = cross_entropy(lam * yi + (1.0 - lam) * yj);
    const double scale = std::abs(log_sum_exp(logits)) + logits.cwiseAbs().maxCoeff();
    EXPECT_NEAR(mixed_losses, mixed_label, kLinearInLabelRelTol * scale) << "softmax";
  }
}

// The engine's pair integrand is the loss at the mixed label (Eq. 1): a two-point dataset's
// exact loss is the mean of the two diagonal losses and the two pair integrals, each of which
// equals the integral of the mixed losses; checked against the D~ form with own labels.
TEST(ExactMixup, TwoPointLossMatchesMixedLossesPairByPair) {
  Dataset data{gaussian_inputs(2, 3, "test/exact/two-points"), VectorXd(2)};
  data.y << 1.0, 0.0;
  const ReluTwoLayer net = test_relu2(3, 6);
  for (const MixingLaw law : kFormLaws) {
    SCOPED_TRACE(law_name(law));
    EXPECT_LE(rel_diff(exact_mixup_loss(net, LossKind::kLogistic, data, law),
                       exact_mixup_loss_dtilde(net, LossKind::kLogistic, data, law)),
              kFormsRelTol);
  }
}

// ---- 4. Gradient against finite differences ----------------------------------------------------

// Inputs whose pre-activations are all at least kMinKinkDistance from 0.
Dataset data_away_from_kinks(const Model& model, Index n, Index d, LossKind loss,
                             const char* purpose, int* skipped) {
  Engine engine = make_stream(kSeed, purpose);
  Dataset data{MatrixXd(n, d), VectorXd()};
  *skipped = 0;
  for (Index i = 0; i < n;) {
    const VectorXd x = standard_normal_vector(engine, d);
    if (model.kink_distance(x) < kMinKinkDistance) {
      ++*skipped;
      continue;
    }
    data.X.row(i++) = x.transpose();
  }
  data.y = labels_for(loss, data.X, purpose);
  return data;
}

void check_gradient(const Model& model, LossKind loss, const Dataset& data, MixingLaw law) {
  std::unique_ptr<Model> probe = model.clone();
  const testing::VectorFunction F = [&](const VectorXd& theta) {
    probe->set_parameters(theta);
    return VectorXd::Constant(1, exact_mixup_loss(*probe, loss, data, law));
  };
  const VectorXd theta = model.parameters();
  const MatrixXd analytic = exact_mixup_loss_gradient(model, loss, data, law).transpose();
  EXPECT_TRUE(testing::derivatives_agree(testing::check_jacobian(F, theta, analytic)));
}

TEST(ExactMixup, GradientAgreesWithFiniteDifferencesForEveryModel) {
  const std::vector<MixingLaw> laws = {{0.3, 2.0}, {1.0, 1.0}};
  int skipped_total = 0;
  for (const NamedModel& named : all_models(3)) {
    for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson, LossKind::kGaussian}) {
      int skipped = 0;
      const Dataset data =
          data_away_from_kinks(*named.model, 6, 3, loss, "test/exact/grad", &skipped);
      skipped_total += skipped;
      for (const MixingLaw law : laws) {
        SCOPED_TRACE(named.name + " / " + to_string(loss) + " / " + law_name(law));
        check_gradient(*named.model, loss, data, law);
      }
    }
  }
  print_measured("inputs skipped near kinks (gradient test)", skipped_total);
}

TEST(ExactMixup, GradientAgreesWithFiniteDifferencesOnTheChebyshevPath) {
  Dataset data{gaussian_inputs(300, 3, "test/exact/grad-cheb"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/grad-cheb-labels");
  const LinearModel model = scaled_linear(data.X, 12.0, 1.5, "test/exact/grad-cheb-theta");
  ASSERT_EQ(exact_detail::choose_scalar_path(data.n(), 12.0, LossKind::kLogistic),
            ScalarPath::kChebyshev);
  for (const MixingLaw law : {MixingLaw{0.2, 0.2}, MixingLaw{5.0, 0.5}}) {
    SCOPED_TRACE(law_name(law));
    check_gradient(model, LossKind::kLogistic, data, law);
  }
}

// ---- 5. Thread-count independence -------------------------------------------------------------

struct Outputs {
  double eq1 = 0.0;
  double eq9 = 0.0;
  VectorXd gradient;
};

Outputs outputs_at(int threads, const Model& model, LossKind loss, const Dataset& data,
                   MixingLaw law) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  Outputs out;
  out.eq1 = exact_mixup_loss(model, loss, data, law);
  out.eq9 = exact_mixup_loss_dtilde(model, loss, data, law);
  out.gradient = exact_mixup_loss_gradient(model, loss, data, law);
  omp_set_num_threads(saved);
  return out;
}

TEST(ExactMixup, ResultsAreBitwiseIdenticalAtOneAndTwoThreads) {
  const MixingLaw law{0.5, 2.0};
  // n spans several pair tiles (kTile = 64).
  Dataset data{gaussian_inputs(150, 3, "test/exact/threads"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/threads-labels");
  std::vector<NamedModel> models = all_models(3);
  models.push_back({"linear (Chebyshev path)", std::make_shared<LinearModel>(scaled_linear(
                                                   data.X, 30.0, 0.0, "test/exact/threads-th"))});
  for (const NamedModel& named : models) {
    SCOPED_TRACE(named.name);
    // Smooth nets integrate adaptively (costlier): fewer points.
    const Dataset used =
        named.name.rfind("smooth", 0) == 0 ? Dataset{data.X.topRows(70), data.y.head(70)} : data;
    const Outputs one = outputs_at(1, *named.model, LossKind::kLogistic, used, law);
    const Outputs two = outputs_at(2, *named.model, LossKind::kLogistic, used, law);
    EXPECT_EQ(one.eq1, two.eq1);
    EXPECT_EQ(one.eq9, two.eq9);
    ASSERT_EQ(one.gradient.size(), two.gradient.size());
    for (Index k = 0; k < one.gradient.size(); ++k) {
      EXPECT_EQ(one.gradient(k), two.gradient(k)) << "gradient entry " << k;
    }
  }
}

// ---- 6. Manifold mixup ------------------------------------------------------------------------

TEST(ExactManifoldMixup, EqualsLinearModelMixupOnHiddenFeatures) {
  const ReluTwoLayer net = test_relu2(4, 7);
  Dataset data{gaussian_inputs(40, 4, "test/exact/manifold"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/manifold-labels");
  const Dataset hidden{net.hidden(data.X), data.y};
  const LinearModel head(net.theta1(), true, net.theta0());
  for (const MixingLaw law : kFormLaws) {
    SCOPED_TRACE(law_name(law));
    EXPECT_LE(rel_diff(exact_manifold_mixup_loss(net, LossKind::kLogistic, data, law),
                       exact_mixup_loss(head, LossKind::kLogistic, hidden, law)),
              kManifoldRelTol);
    EXPECT_LE(rel_diff(exact_manifold_mixup_loss_dtilde(net, LossKind::kLogistic, data, law),
                       exact_mixup_loss_dtilde(head, LossKind::kLogistic, hidden, law)),
              kManifoldRelTol);
  }
}

// Mixing hidden vectors is not mixing inputs: for a net with switching units the two differ.
TEST(ExactManifoldMixup, DiffersFromInputMixupWhenUnitsSwitch) {
  const ReluTwoLayer net = test_relu2(4, 7);
  Dataset data{gaussian_inputs(20, 4, "test/exact/manifold-differs"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/manifold-differs-labels");
  const MixingLaw law{1.0, 1.0};
  EXPECT_GT(rel_diff(exact_manifold_mixup_loss(net, LossKind::kLogistic, data, law),
                     exact_mixup_loss(net, LossKind::kLogistic, data, law)),
            1e-6);
}

// ---- The Chebyshev path: degree rule verified against direct pair integration -----------------

TEST(ExactMixupChebyshev, AgreesWithDirectPairIntegrationOverDataRanges) {
  Dataset data{gaussian_inputs(120, 4, "test/exact/cheb"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/cheb-labels");
  const std::vector<MixingLaw> laws = {{0.2, 0.2}, {1.0, 1.0}, {5.0, 0.5}, {0.5, 5.0}};
  // Every law at R <= 100; one at R = 1000 (357 grid points, the costliest grid).
  std::vector<std::pair<double, MixingLaw>> cases;
  for (const double R : {0.3, 3.0, 10.0, 100.0}) {
    for (const MixingLaw law : laws) cases.emplace_back(R, law);
  }
  cases.emplace_back(1000.0, MixingLaw{0.5, 5.0});
  double worst_value = 0.0;
  double worst_gradient = 0.0;
  for (const auto& [R, law] : cases) {
    SCOPED_TRACE(law_name(law) + " R = " + std::to_string(R));
    const VectorXd f = scaled_linear(data.X, R, 0.0, "test/exact/cheb-theta").f(data.X);
    for (const MixupForm form : {MixupForm::kEq1, MixupForm::kEq9}) {
      const double direct = exact_detail::scalar_mixup_loss(f, data.y, LossKind::kLogistic, law,
                                                            form, ScalarPath::kDirect);
      const double cheb = exact_detail::scalar_mixup_loss(f, data.y, LossKind::kLogistic, law, form,
                                                          ScalarPath::kChebyshev);
      EXPECT_LE(rel_diff(direct, cheb), kChebyshevRelTol) << direct << " vs " << cheb;
      worst_value = std::max(worst_value, rel_diff(direct, cheb));
    }
    const VectorXd g_direct = exact_detail::scalar_mixup_loss_df(f, data.y, LossKind::kLogistic,
                                                                 law, ScalarPath::kDirect);
    const VectorXd g_cheb = exact_detail::scalar_mixup_loss_df(f, data.y, LossKind::kLogistic, law,
                                                               ScalarPath::kChebyshev);
    const double gap = (g_direct - g_cheb).cwiseAbs().maxCoeff() / g_direct.cwiseAbs().maxCoeff();
    EXPECT_LE(gap, kChebyshevRelTol);
    worst_gradient = std::max(worst_gradient, gap);
  }
  print_measured("worst relative gap Chebyshev vs direct (value)", worst_value);
  print_measured("worst relative gap Chebyshev vs direct (dL/df, max norm)", worst_gradient);
}

TEST(ExactMixupChebyshev, CellDegreesGrowLogarithmicallyWithTheDataRange) {
  const auto points = [](double R) {
    long total = 0;
    for (const auto& cell : exact_detail::chebyshev_partition(R)) total += cell.degree;
    return total;
  };
  // Cells are graded away from the branch points +-i pi: each decade of R adds a bounded number
  // of points (a single cell would need ~10 R points).
  for (const double R : {100.0, 1000.0, 10000.0}) {
    EXPECT_LT(points(10.0 * R) - points(R), 150) << "R = " << R;
  }
  EXPECT_LT(points(1e4), 3 * points(100.0));
  const auto cells = exact_detail::chebyshev_partition(100.0);
  EXPECT_DOUBLE_EQ(cells.front().lo, -100.0);
  EXPECT_DOUBLE_EQ(cells.back().hi, 100.0);
  for (std::size_t c = 0; c + 1 < cells.size(); ++c) EXPECT_EQ(cells[c].hi, cells[c + 1].lo);
}

// e^u overflows for u > 709.78 (core/losses.hpp promises +infinity there); the integral must be
// +infinity too, not the NaN of infinity minus infinity between quadrature weights.
TEST(ExactMixup, PoissonLossIsInfiniteWhereTheExponentialOverflows) {
  Dataset data{gaussian_inputs(4, 3, "test/exact/overflow"), VectorXd::Zero(4)};
  // f_i = theta^T x_i + 800 > 709.78 at every point; the segments span several Poisson cuts
  // (4 pi apart), so end-anchored differences of infinite values occur.
  const LinearModel model(VectorXd::Constant(3, 10.0), true, 800.0);
  ASSERT_GT(model.f(data.X).minCoeff(), 710.0);
  const MixingLaw law{0.5, 0.5};
  EXPECT_EQ(exact_mixup_loss(model, LossKind::kPoisson, data, law),
            std::numeric_limits<double>::infinity());
  EXPECT_EQ(exact_mixup_loss_dtilde(model, LossKind::kPoisson, data, law),
            std::numeric_limits<double>::infinity());
}

// ---- Input validation -------------------------------------------------------------------------

TEST(ExactMixup, RejectsInvalidInputsWithDomainErrors) {
  const LinearModel model = random_linear(3, kSeed);
  Dataset data{gaussian_inputs(5, 3, "test/exact/invalid"), VectorXd()};
  data.y = half_space_labels(data.X, "test/exact/invalid-labels");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const MixingLaw law :
       {MixingLaw{0.0, 1.0}, MixingLaw{-1.0, 1.0}, MixingLaw{1.0, nan}, MixingLaw{inf, 1.0}}) {
    EXPECT_THROW(exact_mixup_loss(model, LossKind::kLogistic, data, law), DomainError);
    EXPECT_THROW(exact_mixup_loss_dtilde(model, LossKind::kLogistic, data, law), DomainError);
    EXPECT_THROW(exact_mixup_loss_gradient(model, LossKind::kLogistic, data, law), DomainError);
  }
  const MixingLaw law{1.0, 1.0};
  Dataset bad_label = data;
  bad_label.y(2) = 0.5;
  EXPECT_THROW(exact_mixup_loss(model, LossKind::kLogistic, bad_label, law), DomainError);
  Dataset bad_count = data;
  bad_count.y.conservativeResize(4);
  EXPECT_THROW(exact_mixup_loss(model, LossKind::kLogistic, bad_count, law), DomainError);
  Dataset bad_dim{gaussian_inputs(5, 4, "test/exact/invalid-dim"), data.y};
  EXPECT_THROW(exact_mixup_loss(model, LossKind::kLogistic, bad_dim, law), DomainError);
  Dataset bad_x = data;
  bad_x.X(1, 1) = inf;
  EXPECT_THROW(exact_mixup_loss(model, LossKind::kLogistic, bad_x, law), DomainError);
  const Dataset empty{MatrixXd(0, 3), VectorXd(0)};
  EXPECT_THROW(exact_mixup_loss(model, LossKind::kLogistic, empty, law), DomainError);
  const ReluTwoLayer net = test_relu2(4, 3);
  EXPECT_THROW(exact_manifold_mixup_loss(net, LossKind::kLogistic, data, law), DomainError);
  try {
    exact_mixup_loss(model, LossKind::kLogistic, bad_label, law);
  } catch (const DomainError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("exact_mixup_loss"), std::string::npos) << message;
    EXPECT_NE(message.find("data.y(2)"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace mixup
