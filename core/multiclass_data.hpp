#pragma once
// Multi-class data (the paper's real-data experiments, Fashion-MNIST): inputs as a row-major
// matrix (one sample per row, contiguous, so a mini-batch is a gather of rows) and integer class
// labels.  The loss of a multi-class model is softmax cross-entropy,
//   l(theta, (x, y)) = logsumexp(f(x)) - y^T f(x),  y one-hot (or a mix of one-hots),
// linear in y as Lemma 3.1's identity needs (CLAIMS.md, "Notation").

#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace mixup {

using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct MulticlassDataset {
  RowMatrixXd X;           // n x d, one sample per row
  std::vector<int> label;  // n labels in [0, classes)
  int classes = 0;

  Eigen::Index n() const { return X.rows(); }
  Eigen::Index d() const { return X.cols(); }
};

// Throws DomainError unless X has as many rows as there are labels, classes >= 2, every label
// is in [0, classes) and every input is finite.
void validate(const MulticlassDataset& data);

// The labels as one-hot rows (n x classes).
Eigen::MatrixXd one_hot(const MulticlassDataset& data);

// The rows whose label is in `classes` (in the order of the data), relabelled by their position
// in `classes`: keep_classes(data, {3, 7}) gives a two-class set with label 0 for class 3 and 1
// for class 7.  Throws DomainError for a class outside [0, data.classes), a repeated class, or
// fewer than two classes.
MulticlassDataset keep_classes(const MulticlassDataset& data, const std::vector<int>& classes);

// `count` rows drawn without replacement by a permutation from stream (seed, "data/subsample"),
// kept in their original order.  count >= n returns the data unchanged.  Throws DomainError for
// count < 1.
MulticlassDataset subsample(const MulticlassDataset& data, Eigen::Index count, std::uint64_t seed);

// Subtracts `mean` (a d-vector, e.g. the training set's sample mean) from every row.
void subtract_mean(MulticlassDataset& data, const Eigen::VectorXd& mean);
// The sample mean of the rows (compensated summation, as core/data.hpp's sample_mean).
Eigen::VectorXd row_mean(const MulticlassDataset& data);

}  // namespace mixup
