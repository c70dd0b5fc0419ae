#include "core/multiclass_data.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/random.hpp"

namespace mixup {
namespace {

// "function: what must hold, got value" -- the message of every DomainError of this file.
template <class Value>
[[noreturn]] void throw_domain(const char* function, const std::string& parameter,
                               const std::string& requirement, const Value& value) {
  std::ostringstream message;
  message.precision(17);
  message << function << ": " << parameter << " must be " << requirement << ", got " << value;
  throw DomainError(message.str());
}

// One label per row of X; every later loop indexes label[i] for i < n.
void require_label_per_row(const char* function, const MulticlassDataset& data) {
  const auto labels = static_cast<Eigen::Index>(data.label.size());
  if (labels != data.n()) {
    throw_domain(function, "label.size()", "equal to X.rows() = " + std::to_string(data.n()),
                 labels);
  }
}

// classes >= 2 and every label in [0, classes): one_hot and keep_classes index by label.
void require_labels_in_range(const char* function, const MulticlassDataset& data) {
  if (data.classes < 2) {
    throw_domain(function, "classes", "at least 2", data.classes);
  }
  const std::string range = "in [0, " + std::to_string(data.classes) + ")";
  for (std::size_t i = 0; i < data.label.size(); ++i) {
    const int y = data.label[i];
    if (y < 0 || y >= data.classes) {
      throw_domain(function, "label[" + std::to_string(i) + "]", range, y);
    }
  }
}

void require_finite_inputs(const char* function, const MulticlassDataset& data) {
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    for (Eigen::Index j = 0; j < data.d(); ++j) {
      const double x = data.X(i, j);
      if (!std::isfinite(x)) {
        throw_domain(function, "X(" + std::to_string(i) + ", " + std::to_string(j) + ")", "finite",
                     x);
      }
    }
  }
}

// The rows `rows` of data (in that order) with their labels; classes is kept.
MulticlassDataset gather_rows(const MulticlassDataset& data,
                              const std::vector<Eigen::Index>& rows) {
  MulticlassDataset result;
  result.classes = data.classes;
  result.X.resize(static_cast<Eigen::Index>(rows.size()), data.d());
  result.label.reserve(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    result.X.row(static_cast<Eigen::Index>(k)) = data.X.row(rows[k]);
    result.label.push_back(data.label[static_cast<std::size_t>(rows[k])]);
  }
  return result;
}

// new_label[c] = position of class c in `classes`, or -1 for a class that is dropped.  Throws
// for a class outside [0, total), a repeated class, or fewer than two classes.
std::vector<int> relabelling(const std::vector<int>& classes, int total) {
  if (classes.size() < 2) {
    throw_domain("keep_classes", "classes.size()", "at least 2", classes.size());
  }
  std::vector<int> new_label(static_cast<std::size_t>(total), -1);
  for (std::size_t k = 0; k < classes.size(); ++k) {
    const int c = classes[k];
    if (c < 0 || c >= total) {
      throw_domain("keep_classes", "classes[" + std::to_string(k) + "]",
                   "a class of the data, in [0, " + std::to_string(total) + ")", c);
    }
    if (new_label[static_cast<std::size_t>(c)] != -1) {
      throw_domain(
          "keep_classes", "classes[" + std::to_string(k) + "]",
          "different from every earlier entry (it repeats class " + std::to_string(c) + ")", c);
    }
    new_label[static_cast<std::size_t>(c)] = static_cast<int>(k);
  }
  return new_label;
}

}  // namespace

void validate(const MulticlassDataset& data) {
  require_label_per_row("validate", data);
  require_labels_in_range("validate", data);
  require_finite_inputs("validate", data);
}

Eigen::MatrixXd one_hot(const MulticlassDataset& data) {
  require_labels_in_range("one_hot", data);
  Eigen::MatrixXd Y =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(data.label.size()), data.classes);
  for (std::size_t i = 0; i < data.label.size(); ++i) {
    Y(static_cast<Eigen::Index>(i), data.label[i]) = 1.0;
  }
  return Y;
}

MulticlassDataset keep_classes(const MulticlassDataset& data, const std::vector<int>& classes) {
  require_label_per_row("keep_classes", data);
  require_labels_in_range("keep_classes", data);
  const std::vector<int> new_label = relabelling(classes, data.classes);
  std::vector<Eigen::Index> kept;
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    if (new_label[static_cast<std::size_t>(data.label[static_cast<std::size_t>(i)])] >= 0) {
      kept.push_back(i);
    }
  }
  MulticlassDataset result = gather_rows(data, kept);
  for (int& y : result.label) y = new_label[static_cast<std::size_t>(y)];
  result.classes = static_cast<int>(classes.size());
  return result;
}

MulticlassDataset subsample(const MulticlassDataset& data, Eigen::Index count, std::uint64_t seed) {
  if (count < 1) {
    throw_domain("subsample", "count", "at least 1", count);
  }
  require_label_per_row("subsample", data);
  if (count >= data.n()) return data;
  Engine engine = make_stream(seed, "data/subsample");
  std::vector<Eigen::Index> rows = random_permutation(engine, data.n());
  rows.resize(static_cast<std::size_t>(count));
  std::sort(rows.begin(), rows.end());  // keep the order of the data
  return gather_rows(data, rows);
}

void subtract_mean(MulticlassDataset& data, const Eigen::VectorXd& mean) {
  if (mean.size() != data.d()) {
    throw_domain("subtract_mean", "mean.size()",
                 "equal to the input dimension d = " + std::to_string(data.d()), mean.size());
  }
  data.X.rowwise() -= mean.transpose();
}

// Neumaier's compensated summation, one running (sum, compensation) pair per column, walking the
// rows in order (X is row-major, so this reads memory contiguously).  Error about
// 2 eps sum_i |x_ij| per column, independent of n to first order, and the same bits on every
// platform: the same summation as core/data.cpp's sample_mean.
Eigen::VectorXd row_mean(const MulticlassDataset& data) {
  if (data.n() < 1) {
    throw_domain("row_mean", "X.rows()", "at least 1", data.n());
  }
  const Eigen::Index d = data.d();
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(d);
  Eigen::VectorXd compensation = Eigen::VectorXd::Zero(d);
  for (Eigen::Index i = 0; i < data.n(); ++i) {
    for (Eigen::Index j = 0; j < d; ++j) {
      const double x = data.X(i, j);
      const double t = sum(j) + x;
      if (std::abs(sum(j)) >= std::abs(x)) {
        compensation(j) += (sum(j) - t) + x;
      } else {
        compensation(j) += (x - t) + sum(j);
      }
      sum(j) = t;
    }
  }
  return (sum + compensation) / static_cast<double>(data.n());
}

}  // namespace mixup
