// Specifications of core/multiclass_data: relabelling by keep_classes, subsampling without
// replacement in data order, one-hot labels, mean removal, and validate's refusals.

#include "core/multiclass_data.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace mixup {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// A small data set whose row i is (i, 10 i) with label i % classes: a row's content says which
// row of the original it was.
MulticlassDataset numbered_rows(Eigen::Index n, int classes) {
  MulticlassDataset data;
  data.classes = classes;
  data.X.resize(n, 2);
  for (Eigen::Index i = 0; i < n; ++i) {
    data.X(i, 0) = static_cast<double>(i);
    data.X(i, 1) = 10.0 * static_cast<double>(i);
    data.label.push_back(static_cast<int>(i % classes));
  }
  return data;
}

// The original row number of every row (column 0 of numbered_rows).
std::vector<Eigen::Index> original_rows(const MulticlassDataset& data) {
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < data.n(); ++i)
    rows.push_back(static_cast<Eigen::Index>(data.X(i, 0)));
  return rows;
}

// Runs f and returns the DomainError's message ("" if nothing or something else was thrown).
template <class F>
std::string domain_error_message(F&& f) {
  try {
    f();
  } catch (const DomainError& e) {
    return e.what();
  } catch (...) {
    return "";
  }
  return "";
}

TEST(MulticlassKeepClasses, RelabelsByPositionInTheListAndKeepsDataOrder) {
  const MulticlassDataset data = numbered_rows(10, 5);  // labels 0 1 2 3 4 0 1 2 3 4
  const MulticlassDataset kept = keep_classes(data, {3, 1});
  EXPECT_EQ(kept.classes, 2);
  EXPECT_EQ(original_rows(kept), (std::vector<Eigen::Index>{1, 3, 6, 8}));
  // Class 3 comes first in the list, so it becomes label 0; class 1 becomes label 1.
  EXPECT_EQ(kept.label, (std::vector<int>{1, 0, 1, 0}));
  EXPECT_EQ(kept.X(0, 1), 10.0) << "the whole row travels with its label";
}

TEST(MulticlassKeepClasses, RefusesAClassOutsideTheData) {
  const MulticlassDataset data = numbered_rows(10, 5);
  const std::string message = domain_error_message([&] { keep_classes(data, {1, 5}); });
  EXPECT_NE(message.find("keep_classes"), std::string::npos) << message;
  EXPECT_NE(message.find("classes[1]"), std::string::npos) << message;
  EXPECT_NE(domain_error_message([&] { keep_classes(data, {-1, 2}); }), "");
}

TEST(MulticlassKeepClasses, RefusesARepeatedClass) {
  const MulticlassDataset data = numbered_rows(10, 5);
  const std::string message = domain_error_message([&] { keep_classes(data, {2, 4, 2}); });
  EXPECT_NE(message.find("repeats class 2"), std::string::npos) << message;
}

TEST(MulticlassKeepClasses, RefusesFewerThanTwoClasses) {
  const MulticlassDataset data = numbered_rows(10, 5);
  EXPECT_NE(domain_error_message([&] { keep_classes(data, {2}); }), "");
  EXPECT_NE(domain_error_message([&] { keep_classes(data, {}); }), "");
}

TEST(MulticlassSubsample, KeepsTheDataOrderWithoutRepeats) {
  const std::uint64_t seed = 17;
  const MulticlassDataset data = numbered_rows(50, 3);
  const MulticlassDataset sub = subsample(data, 20, seed);
  ASSERT_EQ(sub.n(), 20) << "seed " << seed;
  const std::vector<Eigen::Index> rows = original_rows(sub);
  for (std::size_t k = 1; k < rows.size(); ++k) {
    EXPECT_LT(rows[k - 1], rows[k]) << "strictly increasing: data order, no repeats; seed " << seed;
  }
  for (Eigen::Index k = 0; k < sub.n(); ++k) {
    EXPECT_EQ(sub.label[static_cast<std::size_t>(k)], static_cast<int>(rows[k] % 3))
        << "labels follow their rows; seed " << seed;
  }
  EXPECT_EQ(sub.classes, 3);
}

TEST(MulticlassSubsample, IsDeterministicInTheSeed) {
  const MulticlassDataset data = numbered_rows(200, 4);
  EXPECT_EQ(original_rows(subsample(data, 30, 5)), original_rows(subsample(data, 30, 5)));
  EXPECT_NE(original_rows(subsample(data, 30, 5)), original_rows(subsample(data, 30, 6)))
      << "two seeds drawing the same 30 of 200 rows has probability about 1e-36";
}

TEST(MulticlassSubsample, CountAtLeastNReturnsTheDataUnchanged) {
  const MulticlassDataset data = numbered_rows(12, 3);
  for (const Eigen::Index count : {Eigen::Index{12}, Eigen::Index{100}}) {
    const MulticlassDataset same = subsample(data, count, 1);
    EXPECT_EQ(same.X, data.X) << "count " << count;
    EXPECT_EQ(same.label, data.label) << "count " << count;
  }
}

TEST(MulticlassSubsample, RefusesACountBelowOne) {
  const MulticlassDataset data = numbered_rows(12, 3);
  const std::string message = domain_error_message([&] { subsample(data, 0, 1); });
  EXPECT_NE(message.find("subsample: count"), std::string::npos) << message;
}

TEST(MulticlassOneHot, HasASingleOneAtTheLabel) {
  const MulticlassDataset data = numbered_rows(7, 3);
  const Eigen::MatrixXd Y = one_hot(data);
  ASSERT_EQ(Y.rows(), 7);
  ASSERT_EQ(Y.cols(), 3);
  for (Eigen::Index i = 0; i < Y.rows(); ++i) {
    for (Eigen::Index c = 0; c < Y.cols(); ++c) {
      EXPECT_EQ(Y(i, c), c == i % 3 ? 1.0 : 0.0) << "row " << i << ", class " << c;
    }
  }
}

// The mean of 0, 1, ..., n-1 and of 10 times that, minus itself: row_mean is exact on these
// integers (sums below 2^53), and subtracting it rounds each entry once, so the remaining mean is
// within a few eps of the entries' scale (10 (n - 1)).  Unit: absolute, relative to that scale.
TEST(MulticlassSubtractMean, MakesTheRowMeanZero) {
  MulticlassDataset data = numbered_rows(101, 4);
  const Eigen::VectorXd mean = row_mean(data);
  EXPECT_EQ(mean(0), 50.0);
  EXPECT_EQ(mean(1), 500.0);
  subtract_mean(data, mean);
  const double scale = 10.0 * 100.0;
  EXPECT_LE(row_mean(data).cwiseAbs().maxCoeff(), 4 * kEps * scale);
}

TEST(MulticlassSubtractMean, RefusesAMeanOfTheWrongDimension) {
  MulticlassDataset data = numbered_rows(5, 2);
  const std::string message =
      domain_error_message([&] { subtract_mean(data, Eigen::VectorXd::Zero(3)); });
  EXPECT_NE(message.find("subtract_mean: mean.size()"), std::string::npos) << message;
}

// 1e16 + 1 + ... + 1 - 1e16: plain summation loses every 1 (1e16 + 1 rounds to 1e16);
// compensated summation keeps them all.
TEST(MulticlassRowMean, IsCompensated) {
  MulticlassDataset data;
  data.classes = 2;
  const Eigen::Index n = 12;
  data.X = RowMatrixXd::Ones(n, 1);
  data.X(0, 0) = 1e16;
  data.X(n - 1, 0) = -1e16;
  data.label.assign(static_cast<std::size_t>(n), 0);
  EXPECT_EQ(row_mean(data)(0), 10.0 / 12.0);
}

TEST(MulticlassValidate, AcceptsAWellFormedSet) {
  EXPECT_NO_THROW(validate(numbered_rows(9, 3)));
}

TEST(MulticlassValidate, RefusesALabelOutOfRange) {
  MulticlassDataset data = numbered_rows(9, 3);
  data.label[4] = 3;
  const std::string message = domain_error_message([&] { validate(data); });
  EXPECT_NE(message.find("label[4] must be in [0, 3), got 3"), std::string::npos) << message;
  data.label[4] = -1;
  EXPECT_NE(domain_error_message([&] { validate(data); }), "");
}

TEST(MulticlassValidate, RefusesANaNInput) {
  MulticlassDataset data = numbered_rows(9, 3);
  data.X(2, 1) = std::numeric_limits<double>::quiet_NaN();
  const std::string message = domain_error_message([&] { validate(data); });
  EXPECT_NE(message.find("X(2, 1) must be finite"), std::string::npos) << message;
}

TEST(MulticlassValidate, RefusesASizeMismatch) {
  MulticlassDataset data = numbered_rows(9, 3);
  data.label.pop_back();
  const std::string message = domain_error_message([&] { validate(data); });
  EXPECT_NE(message.find("label.size()"), std::string::npos) << message;
  EXPECT_NE(message.find("got 8"), std::string::npos) << message;
}

TEST(MulticlassValidate, RefusesFewerThanTwoClasses) {
  MulticlassDataset data = numbered_rows(9, 1);
  const std::string message = domain_error_message([&] { validate(data); });
  EXPECT_NE(message.find("classes must be at least 2"), std::string::npos) << message;
}

}  // namespace
}  // namespace mixup
