#pragma once
// Reductions whose result does not depend on the number of OpenMP threads.
//
// The index range is cut into blocks of a fixed size (kReductionBlock), independent of the
// thread count.  Each block is summed sequentially by whichever thread takes it; the block sums
// are stored by block number and added in block order.  Same inputs, same bits, at 1 or N
// threads.

#include <exception>
#include <vector>

#include <Eigen/Core>

namespace mixup {

inline constexpr Eigen::Index kReductionBlock = 64;
// Below this many blocks the loop runs on the calling thread (OpenMP's if clause): opening a
// parallel region costs milliseconds on a loaded machine.  The blocks and their order are the
// same either way, so the result is too.
inline constexpr Eigen::Index kMinParallelBlocks = 8;

inline Eigen::Index reduction_block_count(Eigen::Index n) {
  return (n + kReductionBlock - 1) / kReductionBlock;
}

// sum_{i < n} term(i), in a fixed order.
template <class Term>
double ordered_sum(Eigen::Index n, const Term& term) {
  const Eigen::Index blocks = reduction_block_count(n);
  std::vector<double> partial(static_cast<std::size_t>(blocks), 0.0);
#pragma omp parallel for schedule(static) if (blocks >= kMinParallelBlocks)
  for (Eigen::Index b = 0; b < blocks; ++b) {
    const Eigen::Index end = std::min(n, (b + 1) * kReductionBlock);
    double s = 0.0;
    for (Eigen::Index i = b * kReductionBlock; i < end; ++i) s += term(i);
    partial[static_cast<std::size_t>(b)] = s;
  }
  double total = 0.0;
  for (const double s : partial) total += s;
  return total;
}

// sum_{i < n} add_term(i, acc) where add_term adds a vector of size dim into acc, fixed order.
template <class AddTerm>
Eigen::VectorXd ordered_vector_sum(Eigen::Index n, Eigen::Index dim, const AddTerm& add_term) {
  const Eigen::Index blocks = reduction_block_count(n);
  Eigen::MatrixXd partial = Eigen::MatrixXd::Zero(dim, blocks);
#pragma omp parallel for schedule(static) if (blocks >= kMinParallelBlocks)
  for (Eigen::Index b = 0; b < blocks; ++b) {
    const Eigen::Index end = std::min(n, (b + 1) * kReductionBlock);
    Eigen::VectorXd acc = Eigen::VectorXd::Zero(dim);
    for (Eigen::Index i = b * kReductionBlock; i < end; ++i) add_term(i, acc);
    partial.col(b) = acc;
  }
  Eigen::VectorXd total = Eigen::VectorXd::Zero(dim);
  for (Eigen::Index b = 0; b < blocks; ++b) total += partial.col(b);
  return total;
}

// A claim can run inside one OpenMP team with a single producer thread (run_in_one_team): its
// heavy, independent tasks are spread over the team by parallel_tasks (a taskloop, each task
// writing its own slot, so the results do not depend on the thread count), and every parallel
// region inside the engines it calls is nested and runs serially.  This replaces hundreds of
// short parallel regions (each waking the team) by a few task loops.  Exceptions are carried
// out of the team and rethrown on the calling thread.
template <class Body>
void run_in_one_team(const Body& body) {
  std::exception_ptr error;
#pragma omp parallel
#pragma omp single
  {
    try {
      body();
    } catch (...) {
      error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

template <class Task>
void parallel_tasks(std::size_t count, const Task& task) {
  std::vector<std::exception_ptr> errors(count);
#pragma omp taskloop grainsize(1)
  for (std::size_t k = 0; k < count; ++k) {
    try {
      task(k);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  }
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace mixup
