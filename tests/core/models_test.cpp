// Specification of core/models: every analytic derivative agrees with central finite
// differences (1e-6 relative, tests/support/derivative_check.hpp) at random points away from ReLU
// kinks, and the bias-free deep ReLU net satisfies Theorem 3.3's identities.
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/losses.hpp"
#include "core/models.hpp"
#include "core/random.hpp"
#include "tests/support/derivative_check.hpp"

namespace mixup {
namespace {

using testing::check_jacobian;
using testing::derivatives_agree;

constexpr std::uint64_t kSeed = 20210503;
constexpr int kPointsPerModel = 6;
// Points whose nearest ReLU pre-activation is closer than this are skipped: a central
// difference with step h ~ 6e-6 max(1, |x|) moves a pre-activation by at most h |W|_1, well
// under 1e-3 for these sizes, so no difference straddles a kink.
constexpr double kMinKinkDistance = 1e-3;

struct NamedModel {
  std::string name;
  std::shared_ptr<Model> model;
};

std::vector<NamedModel> all_models(Eigen::Index d) {
  return {
      {"linear", std::make_shared<LinearModel>(random_linear(d, kSeed))},
      {"linear+bias", std::make_shared<LinearModel>(random_linear(d, kSeed, true))},
      {"relu2", std::make_shared<ReluTwoLayer>(random_relu_two_layer(d, 7, kSeed))},
      {"relu_deep", std::make_shared<ReluDeep>(random_relu_deep(d, {6, 5, 4}, kSeed))},
      {"smooth2/softplus", std::make_shared<SmoothTwoLayer>(
                               random_smooth_two_layer(SmoothActivation::kSoftplus, d, 6, kSeed))},
      {"smooth2/tanh", std::make_shared<SmoothTwoLayer>(
                           random_smooth_two_layer(SmoothActivation::kTanh, d, 6, kSeed))},
  };
}

// Random points away from kinks; counts the points it had to skip.
std::vector<Eigen::VectorXd> points_away_from_kinks(const Model& model, int count, int* skipped) {
  Engine engine = make_stream(kSeed, "test/models/points");
  std::vector<Eigen::VectorXd> points;
  *skipped = 0;
  while (static_cast<int>(points.size()) < count) {
    Eigen::VectorXd x = standard_normal_vector(engine, model.input_dim());
    if (model.kink_distance(x) < kMinKinkDistance) {
      ++*skipped;
      continue;
    }
    points.push_back(x);
  }
  return points;
}

TEST(Models, GradXAgreesWithFiniteDifferences) {
  for (const auto& [name, model] : all_models(4)) {
    int skipped = 0;
    for (const auto& x : points_away_from_kinks(*model, kPointsPerModel, &skipped)) {
      const auto f = [&](const Eigen::VectorXd& p) {
        return Eigen::VectorXd::Constant(1, model->f_at(p));
      };
      EXPECT_TRUE(derivatives_agree(check_jacobian(f, x, model->grad_x_at(x).transpose())))
          << name << " at x = " << x.transpose();
    }
  }
}

TEST(Models, HessXAgreesWithFiniteDifferencesOfGradX) {
  for (const auto& [name, model] : all_models(4)) {
    int skipped = 0;
    for (const auto& x : points_away_from_kinks(*model, kPointsPerModel, &skipped)) {
      const auto grad = [&](const Eigen::VectorXd& p) -> Eigen::VectorXd {
        return model->grad_x_at(p);
      };
      EXPECT_TRUE(derivatives_agree(check_jacobian(grad, x, model->hess_x(x))))
          << name << " at x = " << x.transpose();
    }
  }
}

TEST(Models, GradThetaAgreesWithFiniteDifferencesOnABatch) {
  for (const auto& [name, model] : all_models(3)) {
    int skipped = 0;
    const auto points = points_away_from_kinks(*model, 5, &skipped);
    Eigen::MatrixXd X(static_cast<Eigen::Index>(points.size()), model->input_dim());
    for (std::size_t i = 0; i < points.size(); ++i) X.row(static_cast<Eigen::Index>(i)) = points[i];
    const Eigen::VectorXd theta = model->parameters();
    std::unique_ptr<Model> probe = model->clone();
    const auto outputs = [&](const Eigen::VectorXd& t) -> Eigen::VectorXd {
      probe->set_parameters(t);
      return probe->f(X);
    };
    EXPECT_TRUE(derivatives_agree(check_jacobian(outputs, theta, model->grad_theta(X)))) << name;
  }
}

TEST(Models, StandardLossGradientAndGlmHessianAgreeWithFiniteDifferences) {
  Engine engine = make_stream(kSeed, "test/models/glm");
  const Eigen::MatrixXd X = standard_normal_matrix(engine, 30, 4);
  Eigen::VectorXd y(30);
  for (Eigen::Index i = 0; i < y.size(); ++i) y(i) = X(i, 0) + X(i, 1) > 0 ? 1.0 : 0.0;
  for (const LossKind loss : {LossKind::kLogistic, LossKind::kPoisson, LossKind::kGaussian}) {
    LinearModel model = random_linear(4, kSeed, true);
    const Eigen::VectorXd theta = model.parameters();
    LinearModel probe = model;
    const auto value = [&](const Eigen::VectorXd& t) {
      probe.set_parameters(t);
      return Eigen::VectorXd::Constant(1, standard_loss(probe, loss, X, y));
    };
    const auto gradient = [&](const Eigen::VectorXd& t) -> Eigen::VectorXd {
      probe.set_parameters(t);
      return standard_loss_gradient(probe, loss, X, y);
    };
    EXPECT_TRUE(derivatives_agree(
        check_jacobian(value, theta, standard_loss_gradient(model, loss, X, y).transpose())))
        << to_string(loss);
    EXPECT_TRUE(
        derivatives_agree(check_jacobian(gradient, theta, glm_loss_hessian(model, loss, X))))
        << to_string(loss);
  }
}

// Theorem 3.3's hypotheses: f(x) = grad f(x)^T x and hess f(x) = 0 for a ReLU net without
// biases (positive homogeneity of degree 1, appendix B.2).
TEST(Models, BiasFreeDeepReluNetIsPositivelyHomogeneous) {
  const ReluDeep net = random_relu_deep(5, {8, 8, 8}, kSeed);
  int skipped = 0;
  for (const auto& x : points_away_from_kinks(net, 20, &skipped)) {
    const double f = net.f_at(x);
    const double euler = net.grad_x_at(x).dot(x);
    EXPECT_NEAR(f, euler, 1e-13 * std::max(1.0, std::abs(f))) << "x = " << x.transpose();
    EXPECT_NEAR(net.f_at(2.5 * x), 2.5 * f, 1e-13 * std::max(1.0, std::abs(f)));
    const auto grad = [&](const Eigen::VectorXd& p) -> Eigen::VectorXd { return net.grad_x_at(p); };
    const Eigen::MatrixXd numeric_hessian = testing::central_difference_jacobian(grad, x);
    EXPECT_EQ(numeric_hessian.cwiseAbs().maxCoeff(), 0.0)
        << "the gradient is constant on the linear region around x";
  }
  EXPECT_TRUE(net.is_positively_homogeneous());
}

TEST(Models, BiasedReluNetBreaksEulerIdentity) {
  const ReluTwoLayer net = random_relu_two_layer(5, 8, kSeed, true);
  int skipped = 0;
  double largest_gap = 0.0;
  for (const auto& x : points_away_from_kinks(net, 20, &skipped)) {
    largest_gap = std::max(largest_gap, std::abs(net.f_at(x) - net.grad_x_at(x).dot(x)));
  }
  EXPECT_GT(largest_gap, 1e-3) << "f = grad f^T x should fail once biases are added";
  EXPECT_FALSE(net.is_positively_homogeneous());
}

TEST(Models, InputDimensionMismatchIsADomainError) {
  const LinearModel model = random_linear(3, kSeed);
  EXPECT_THROW(model.f(Eigen::MatrixXd::Zero(2, 4)), DomainError);
  const ReluDeep net = random_relu_deep(3, {4}, kSeed);
  EXPECT_THROW(net.grad_x(Eigen::MatrixXd::Zero(2, 2)), DomainError);
}

TEST(Models, ParametersRoundTrip) {
  for (const auto& [name, model] : all_models(3)) {
    const Eigen::VectorXd theta = model->parameters();
    std::unique_ptr<Model> copy = model->clone();
    copy->set_parameters(2.0 * theta);
    EXPECT_EQ((copy->parameters() - 2.0 * theta).cwiseAbs().maxCoeff(), 0.0) << name;
    EXPECT_THROW(copy->set_parameters(Eigen::VectorXd::Zero(theta.size() + 1)), DomainError);
  }
}

}  // namespace
}  // namespace mixup
