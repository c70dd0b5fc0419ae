#pragma once
// Datasets: the synthetic sets of the paper's experiments, centering, the norms c_x and b_x of
// Theorems 3.1-3.3, and a train/test split.  Rows of X are samples.

#include <cstdint>

#include <Eigen/Core>

namespace mixup {

struct Dataset {
  Eigen::MatrixXd X;  // n x d, one sample per row
  Eigen::VectorXd y;  // n labels

  Eigen::Index n() const { return X.rows(); }
  Eigen::Index d() const { return X.cols(); }
};

// Two interleaving half circles, constructed as scikit-learn's make_moons constructs them:
// n_out = n / 2 points on the outer moon (label 0) at angles linspace(0, pi, n_out),
// (cos t, sin t); n_in = n - n_out on the inner moon (label 1), (1 - cos t, 1 - sin t - 0.5);
// then (if shuffle) a uniform random permutation of the rows, then i.i.d. N(0, noise^2) added
// to every coordinate.  Streams: (seed, "two-moons/shuffle") and (seed, "two-moons/noise");
// the noise is drawn row by row, so it is the same n x 2 matrix with or without shuffling.
// n_out = 1 or n_in = 1 puts that moon's single point at angle 0, as numpy's linspace(0, pi, 1)
// = [0] does.  Throws DomainError unless n >= 2 and noise is finite and >= 0.
Dataset make_two_moons(Eigen::Index n, double noise, std::uint64_t seed, bool shuffle = true);

// Appendix B.1: x ~ N(0, I_d), y = 1{x^T theta_star > 0}, theta_star ~ N(0, I_d).
// theta_star is drawn from stream (seed, "half-space/theta-star"); the rows from
// (seed, "half-space/x"), row by row.  If theta_star_out is given, the drawn theta_star is
// written there.  Labels are computed as X.row(i).dot(theta_star) > 0.  Needs n, d >= 1.
Dataset make_gaussian_half_space(Eigen::Index n, Eigen::Index d, std::uint64_t seed,
                                 Eigen::VectorXd* theta_star_out = nullptr);

// Low-rank Gaussian inputs for the generalization claims: x = U z, z ~ N(0, I_r), U a d x r
// matrix with orthonormal columns (drawn once per seed), so Sigma_X = U U^T has rank r.
// Labels y = 1{x^T theta_star > 0} with theta_star ~ N(0, I_d).  U is the thin Q of the
// Householder QR of a d x r Gaussian matrix, column signs chosen so that diag(R) > 0 (Haar
// distributed).  Streams: (seed, "low-rank/basis") for U, (seed, "low-rank/theta-star"),
// (seed, "low-rank/z") for the rows, row by row.  Needs n, d >= 1 and 1 <= r <= d.
Dataset make_low_rank_gaussian(Eigen::Index n, Eigen::Index d, Eigen::Index r, std::uint64_t seed,
                               Eigen::MatrixXd* basis_out = nullptr);

// The sample mean of the rows, by compensated summation (error about eps * max |x_ij|, not
// growing with n).  sample_mean, centered, is_centered, c_x and b_x throw DomainError for a
// matrix with no rows (c_x and b_x also for no columns).
Eigen::VectorXd sample_mean(const Eigen::MatrixXd& X);
// X with the sample mean subtracted from every row, so (1/n) sum_i x_i = 0.
Eigen::MatrixXd centered(const Eigen::MatrixXd& X);
// True when |mean| <= tolerance * max(1, max_i |x_i|).  Throws DomainError unless tolerance >= 0.
bool is_centered(const Eigen::MatrixXd& X, double tolerance);

// c_x = min_i |x_i|_2 / sqrt(d) and b_x = max_i |x_i|_2 / sqrt(d), so that
// c_x sqrt(d) <= |x_i| <= b_x sqrt(d) holds with equality at the extremes (Theorems 3.1-3.3).
double c_x(const Eigen::MatrixXd& X);
double b_x(const Eigen::MatrixXd& X);

// A random split: test_fraction of the rows (rounded down) go to the test set, the rest to the
// training set, by a permutation from stream (seed, "split"): the first n_test entries of the
// permutation are the test rows, the rest the training rows, each in permutation order.
// Throws DomainError unless 0 <= test_fraction < 1, data has at least one row and
// data.y.size() == data.X.rows().  The training set is never empty.
struct TrainTestSplit {
  Dataset train;
  Dataset test;
};
TrainTestSplit train_test_split(const Dataset& data, double test_fraction, std::uint64_t seed);

}  // namespace mixup
