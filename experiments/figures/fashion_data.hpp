#pragma once
// The data side of the Fashion-MNIST experiments (fig1a-fashion, fig1b-fashion,
// lemma-3.1-fashion): the config keys they share and the loader that turns them into a training
// and a test split.  experiments/figures/fashion_data.cpp.
//
// Keys (fashion_data_params):
//   data_dir    the folder of the four IDX files (default io::kFashionMnistDir)
//   classes     the classes kept, relabelled by their position in the list (default 0..9)
//   train_size  training images kept, a seeded subsample (0 = every training image of the classes)
//   test_size   test images kept, likewise (0 = every test image of the classes)
//   center      subtract the TRAINING split's mean image from both splits
//   seed        the experiment's seed: the subsamples here, the runs in the experiment
// A size larger than what the chosen classes have is an error naming the key, not a clamp.

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "core/classifier_training.hpp"
#include "core/multiclass_data.hpp"
#include "theorems/config_schema.hpp"

namespace mixup::figures {

// Fashion-MNIST images are 28 x 28 (the augmentation needs the shape).
inline constexpr ImageShape kFashionImage = {28, 28};
inline constexpr int kFashionClasses = 10;
inline constexpr Eigen::Index kFashionTrainImages = 60000;
inline constexpr Eigen::Index kFashionTestImages = 10000;

// Defaults of the shared keys; an experiment may change them (lemma-3.1-fashion centers).
struct FashionDataDefaults {
  std::vector<int> classes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  long train_size = 0;
  long test_size = 0;
  bool center = false;
  long seed = 0;
};

// The shared keys, to be listed in an experiment's schema before or after its own.
std::vector<ParamSpec> fashion_data_params(const FashionDataDefaults& defaults = {});

// What --quick caps the sizes to (the same work, smaller).
struct FashionQuickSizes {
  Eigen::Index train = 2000;
  Eigen::Index test = 1000;
};

struct FashionSplits {
  MulticlassDataset train;
  MulticlassDataset test;
  std::vector<int> classes;          // the original class of each label
  bool centered = false;             // both splits had the training mean subtracted
  bool full = false;                 // all 10 classes and every image of both splits
  Eigen::Index available_train = 0;  // images of the chosen classes before subsampling
  Eigen::Index available_test = 0;
  std::string description;  // "60000 training / 10000 test images, 10 classes, ..."
};

// Loads both splits from config["data_dir"] (io::load_fashion_mnist: its InputError, naming the
// missing file and how to install it, passes through), keeps config["classes"], subsamples to
// train_size / test_size (streams (seed, "fashion/train-subsample") and (seed,
// "fashion/test-subsample"); in quick mode at most quick_sizes), then centers if asked.  Throws
// InputError "<id>: <key>: ..." for a repeated class, fewer than two classes, or a size above
// what the chosen classes have.
FashionSplits load_fashion_splits(const nlohmann::json& config, bool quick,
                                  const FashionQuickSizes& quick_sizes = {},
                                  const std::string& id = "fashion");

}  // namespace mixup::figures
