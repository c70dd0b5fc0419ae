#include "core/random.hpp"

#include <boost/random/beta_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "core/errors.hpp"

namespace mixup {
namespace {

// SplitMix64's finaliser: a bijective mix of 64 bits (Steele, Lea, Flood 2014).
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// FNV-1a, 64-bit: a fixed hash of the purpose string.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001B3ULL;
  }
  return hash;
}

}  // namespace

std::uint64_t stream_seed(std::uint64_t seed, std::string_view purpose, std::uint64_t index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ fnv1a(purpose)) ^ index);
}

Engine make_stream(std::uint64_t seed, std::string_view purpose, std::uint64_t index) {
  return Engine(stream_seed(seed, purpose, index));
}

double uniform01(Engine& engine) {
  return boost::random::uniform_01<double>()(engine);
}

double standard_normal(Engine& engine) {
  return boost::random::normal_distribution<double>(0.0, 1.0)(engine);
}

double beta_sample(Engine& engine, double a, double b) {
  if (!(a > 0.0) || !(b > 0.0)) {
    throw DomainError("beta_sample: Beta(a, b) needs a > 0 and b > 0, got a = " +
                      std::to_string(a) + ", b = " + std::to_string(b));
  }
  return boost::random::beta_distribution<double>(a, b)(engine);
}

std::vector<Eigen::Index> random_permutation(Engine& engine, Eigen::Index n) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  for (Eigen::Index i = n - 1; i > 0; --i) {
    boost::random::uniform_int_distribution<Eigen::Index> pick(0, i);
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(pick(engine))]);
  }
  return order;
}

Eigen::MatrixXd standard_normal_matrix(Engine& engine, Eigen::Index rows, Eigen::Index cols) {
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = standard_normal(engine);
  }
  return m;
}

Eigen::VectorXd standard_normal_vector(Engine& engine, Eigen::Index size) {
  Eigen::VectorXd v(size);
  for (Eigen::Index i = 0; i < size; ++i) v(i) = standard_normal(engine);
  return v;
}

}  // namespace mixup
