#pragma once
// The data sets and models the claim checks instantiate from their configs, by name, so that
// every claim builds "two-moons" or "relu2" the same way.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/data.hpp"
#include "core/models.hpp"

namespace mixup {

inline const std::vector<std::string> kDatasetNames = {"two-moons", "gaussian"};
inline const std::vector<std::string> kModelNames = {"linear", "smooth2", "relu2", "relu_deep"};

struct DatasetSpec {
  std::string name;  // "two-moons" (noise 0.1) or "gaussian" (appendix B.1 half-space)
  Eigen::Index n = 100;
  Eigen::Index d = 5;  // gaussian only; two-moons has d = 2
  double noise = 0.1;  // two-moons only
  std::uint64_t seed = 0;
};
Dataset make_dataset(const DatasetSpec& spec);

struct ModelSpec {
  std::string name;  // one of kModelNames
  Eigen::Index d = 2;
  Eigen::Index hidden = 16;   // units per hidden layer (relu_deep: two hidden layers)
  double weight_scale = 1.0;  // multiplies every parameter of the random initialisation
  std::uint64_t seed = 0;
};
std::unique_ptr<Model> make_model(const ModelSpec& spec);

}  // namespace mixup
