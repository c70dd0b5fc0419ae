// Multi-class classifiers (core/classifier.hpp) and their training (core/classifier_training.hpp):
// analytic derivatives against finite differences, the fused SGD step against the plain
// gradient, the same bits at 1 and 2 threads, FGSM's geometry, and clear errors.

#include <omp.h>

#include <cmath>

#include <gtest/gtest.h>

#include "core/classifier.hpp"
#include "core/classifier_training.hpp"
#include "core/errors.hpp"
#include "core/random.hpp"
#include "tests/support/derivative_check.hpp"

namespace mixup {
namespace {

using testing::check_jacobian;
using testing::derivatives_agree;

// Three Gaussian blobs in d dimensions, centres 3 e_k.
MulticlassDataset blobs(Eigen::Index n, Eigen::Index d, std::uint64_t seed) {
  MulticlassDataset data;
  data.classes = 3;
  Engine engine = make_stream(seed, "test/blobs");
  data.X.resize(n, d);
  data.label.resize(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 3);
    data.label[static_cast<std::size_t>(i)] = c;
    for (Eigen::Index k = 0; k < d; ++k) {
      data.X(i, k) = standard_normal(engine) + (k == c ? 3.0 : 0.0);
    }
  }
  return data;
}

// Soft targets: each row a mix lam e_a + (1 - lam) e_b, as mixup produces.
RowMatrixXd mixed_targets(Eigen::Index n, int classes, std::uint64_t seed) {
  Engine engine = make_stream(seed, "test/targets");
  RowMatrixXd T = RowMatrixXd::Zero(n, classes);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double lam = uniform01(engine);
    T(i, static_cast<int>(uniform01(engine) * classes)) += lam;
    T(i, static_cast<int>(uniform01(engine) * classes)) += 1.0 - lam;
  }
  return T;
}

RowMatrixXd random_inputs(Eigen::Index n, Eigen::Index d, std::uint64_t seed) {
  Engine engine = make_stream(seed, "test/inputs");
  return standard_normal_matrix(engine, n, d);
}

class ClassifierShapes : public ::testing::TestWithParam<std::vector<Eigen::Index>> {};

TEST_P(ClassifierShapes, ParameterGradientMatchesFiniteDifferences) {
  const Classifier model = random_classifier(5, GetParam(), 4, 3);
  const RowMatrixXd X = random_inputs(7, 5, 4);
  const RowMatrixXd T = mixed_targets(7, 4, 5);
  const auto loss = [&](const Eigen::VectorXd& theta) {
    Classifier m = model;
    m.set_parameters(theta);
    return Eigen::VectorXd::Constant(1, cross_entropy(m, X, T));
  };
  const Eigen::VectorXd gradient = cross_entropy_gradient(model, X, T);
  EXPECT_TRUE(derivatives_agree(check_jacobian(loss, model.parameters(), gradient.transpose())));
}

TEST_P(ClassifierShapes, InputGradientMatchesFiniteDifferences) {
  const Classifier model = random_classifier(5, GetParam(), 4, 6);
  const RowMatrixXd X = random_inputs(3, 5, 7);
  const RowMatrixXd T = mixed_targets(3, 4, 8);
  const RowMatrixXd G = cross_entropy_input_gradient(model, X, T);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const auto loss = [&](const Eigen::VectorXd& x) {
      return Eigen::VectorXd::Constant(1, cross_entropy(model, x.transpose(), T.row(i)));
    };
    EXPECT_TRUE(derivatives_agree(check_jacobian(loss, X.row(i).transpose(), G.row(i))));
  }
}

TEST_P(ClassifierShapes, InputJacobianMatchesFiniteDifferences) {
  const Classifier model = random_classifier(5, GetParam(), 4, 9);
  const Eigen::VectorXd x = random_inputs(1, 5, 10).row(0).transpose();
  const auto logits = [&](const Eigen::VectorXd& v) -> Eigen::VectorXd {
    return model.logits(v.transpose()).row(0).transpose();
  };
  EXPECT_TRUE(derivatives_agree(check_jacobian(logits, x, model.input_jacobian(x))));
}

TEST_P(ClassifierShapes, FusedSgdStepEqualsStepAlongTheGradient) {
  Classifier stepped = random_classifier(5, GetParam(), 4, 11);
  Classifier reference = stepped;
  const RowMatrixXd X = random_inputs(9, 5, 12);
  const RowMatrixXd T = mixed_targets(9, 4, 13);
  const double lr = 0.1;
  const double mu = 0.9;
  const double wd = 0.01;
  MomentumSgd sgd(stepped, lr, mu, wd);
  Backprop backprop;
  Eigen::VectorXd velocity = Eigen::VectorXd::Zero(reference.parameter_count());
  for (int step = 0; step < 3; ++step) {
    backprop.run_and_step(stepped, X, T, sgd);
    // v <- mu v + g + wd W (weights only), theta <- theta - lr v.
    Eigen::VectorXd decay = Eigen::VectorXd::Zero(reference.parameter_count());
    Classifier weights_only = reference;
    for (auto& layer : weights_only.layers()) layer.b.setZero();
    decay = wd * weights_only.parameters();
    velocity = mu * velocity + cross_entropy_gradient(reference, X, T) + decay;
    reference.set_parameters(reference.parameters() - lr * velocity);
  }
  const double error = (stepped.parameters() - reference.parameters()).cwiseAbs().maxCoeff();
  EXPECT_LE(error, 1e-13 * std::max(1.0, reference.parameters().cwiseAbs().maxCoeff()));
}

INSTANTIATE_TEST_SUITE_P(SoftmaxAndMlps, ClassifierShapes,
                         ::testing::Values(std::vector<Eigen::Index>{},
                                           std::vector<Eigen::Index>{6},
                                           std::vector<Eigen::Index>{6, 5},
                                           std::vector<Eigen::Index>{130}));

TEST(Classifier, LossIsFiniteAndExactForHugeLogits) {
  RowMatrixXd Z(1, 3);
  Z << 1000.0, -1000.0, 999.0;
  RowMatrixXd T(1, 3);
  T << 0.0, 0.0, 1.0;
  const double loss = softmax_rows_and_loss(Z, T);
  EXPECT_NEAR(loss, std::log1p(std::exp(1.0)), 1e-13);  // logsumexp - 999
  EXPECT_NEAR(Z.sum(), 1.0, 1e-15);
}

TEST(Classifier, RefusesMismatchedShapes) {
  const Classifier model = random_classifier(5, {4}, 3, 1);
  EXPECT_THROW(model.logits(random_inputs(2, 6, 1)), DomainError);
  std::vector<DenseLayer> layers = model.layers();
  layers[1].W = RowMatrixXd::Zero(3, 5);  // expects 4 inputs from layer 1
  EXPECT_THROW(Classifier{layers}, DomainError);
  Classifier trained = model;
  EXPECT_THROW(train_classifier(trained, blobs(30, 6, 2), {}), DomainError);
}

ClassifierTrainOptions quick_options(bool mixup) {
  ClassifierTrainOptions options;
  options.mixup = mixup;
  options.law = {0.5, 0.5};
  options.learning_rate = 0.05;
  options.momentum = 0.9;
  options.epochs = 5;
  options.batch_size = 16;
  options.seed = 21;
  return options;
}

TEST(ClassifierTraining, ErmAndMixupLearnSeparableBlobs) {
  const MulticlassDataset data = blobs(300, 4, 3);
  for (const bool mixup : {false, true}) {
    Classifier model = random_classifier(4, {16}, 3, 4);
    train_classifier(model, data, quick_options(mixup));
    EXPECT_GE(evaluate(model, data).accuracy(), 0.95) << (mixup ? "mixup" : "ERM");
  }
}

TEST(ClassifierTraining, SameBitsAtOneAndTwoThreads) {
  const MulticlassDataset data = blobs(700, 200, 5);
  for (const bool augment : {false, true}) {
    ClassifierTrainOptions options = quick_options(true);
    options.epochs = 2;
    options.augment = augment;
    options.image = {10, 20};
    std::vector<Eigen::VectorXd> results;
    for (const int threads : {1, 2}) {
      omp_set_num_threads(threads);
      Classifier model = random_classifier(200, {300, 70}, 3, 6);
      train_classifier(model, data, options);
      results.push_back(model.parameters());
    }
    omp_set_num_threads(2);
    EXPECT_EQ(results[0], results[1]) << (augment ? "with augmentation" : "without");
  }
}

TEST(ClassifierTraining, RefusesBadOptionsByName) {
  ClassifierTrainOptions options = quick_options(true);
  options.law = {-1.0, 0.5};
  EXPECT_THROW(validate(options, 4), DomainError);
  options = quick_options(false);
  options.augment = true;
  options.image = {3, 3};
  try {
    validate(options, 4);
    FAIL() << "an image shape that does not fit the inputs was accepted";
  } catch (const DomainError& e) {
    EXPECT_NE(std::string(e.what()).find("image shape"), std::string::npos) << e.what();
  }
}

TEST(Fgsm, MovesEveryFreeCoordinateByEpsAndStaysInRange) {
  const MulticlassDataset data = blobs(40, 5, 7);
  const Classifier model = random_classifier(5, {8}, 3, 8);
  EXPECT_EQ(fgsm_linf(model, data, 0.0, -10.0, 10.0), data.X);
  const double eps = 0.25;
  const RowMatrixXd attacked = fgsm_linf(model, data, eps, -1.0, 1.0);
  for (Eigen::Index i = 0; i < attacked.rows(); ++i) {
    for (Eigen::Index k = 0; k < attacked.cols(); ++k) {
      const double x = data.X(i, k);
      const double a = attacked(i, k);
      EXPECT_GE(a, -1.0);
      EXPECT_LE(a, 1.0);
      const bool clipped = std::abs(a) == 1.0;
      if (!clipped) {
        EXPECT_NEAR(std::abs(a - x), eps, 1e-15);
      }
    }
  }
}

TEST(Fgsm, IncreasesTheLossOfSoftmaxRegressionAtSmallEps) {
  // The loss is convex in x for softmax regression: a step along sign(grad) cannot lower it to
  // first order, and for a small eps it raises it.
  const MulticlassDataset data = blobs(60, 5, 9);
  Classifier model = random_classifier(5, {}, 3, 10);
  MulticlassDataset attacked = data;
  attacked.X = fgsm_linf(model, data, 1e-3, -1e9, 1e9);
  EXPECT_GT(evaluate(model, attacked).loss, evaluate(model, data).loss);
}

}  // namespace
}  // namespace mixup
