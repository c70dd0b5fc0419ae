#pragma once
// Seeded random streams that give the same numbers on every platform and every thread count.
//
// A stream is keyed by (seed, purpose, index): the seed of the run, a purpose string that says
// what the numbers are for ("two-moons/noise", "theorem-3.1/search", ...) and an index (a
// dataset number, a restart, a row block).  Work that runs in parallel takes one stream per
// index, never one per thread, so the numbers never depend on the thread count.
//
// The engine is Boost.Random's mt19937_64 and the distributions are Boost.Random's: their code
// ships in the Boost headers, unlike std:: distributions whose algorithms differ between
// standard libraries.  The key is mixed into the engine seed with FNV-1a (purpose) and
// SplitMix64 (seed, index), both fixed, platform-independent functions.

#include <cstdint>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <boost/random/mersenne_twister.hpp>

namespace mixup {

using Engine = boost::random::mt19937_64;

// The 64-bit engine seed for the stream (seed, purpose, index).
std::uint64_t stream_seed(std::uint64_t seed, std::string_view purpose, std::uint64_t index = 0);

// A fresh engine for the stream (seed, purpose, index).
Engine make_stream(std::uint64_t seed, std::string_view purpose, std::uint64_t index = 0);

double uniform01(Engine& engine);                        // U[0, 1)
double standard_normal(Engine& engine);                  // N(0, 1)
double beta_sample(Engine& engine, double a, double b);  // Beta(a, b), a, b > 0
// A uniform random permutation of 0..n-1 (Fisher-Yates with Boost's uniform_int_distribution).
std::vector<Eigen::Index> random_permutation(Engine& engine, Eigen::Index n);
// A rows x cols matrix of independent N(0, 1) entries, filled row by row.
Eigen::MatrixXd standard_normal_matrix(Engine& engine, Eigen::Index rows, Eigen::Index cols);
Eigen::VectorXd standard_normal_vector(Engine& engine, Eigen::Index size);

}  // namespace mixup
