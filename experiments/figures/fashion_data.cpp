#include "experiments/figures/fashion_data.hpp"

#include <algorithm>
#include <sstream>

#include "core/errors.hpp"
#include "core/random.hpp"
#include "experiments/io/idx_data.hpp"

namespace mixup::figures {
namespace {

// The requested size of a split (0 = all `available`), refused when above `available`, then
// capped in quick mode.
Eigen::Index split_size(const nlohmann::json& config, const std::string& key,
                        Eigen::Index available, bool quick, Eigen::Index quick_cap,
                        const std::string& id) {
  const auto requested = config[key].get<Eigen::Index>();
  if (requested > available) {
    throw InputError(id + ": " + key + ": " + std::to_string(requested) +
                     " images requested, but the chosen classes have only " +
                     std::to_string(available) + " (0 takes them all)");
  }
  const Eigen::Index size = requested == 0 ? available : requested;
  return quick ? std::min(size, quick_cap) : size;
}

std::vector<int> checked_classes(const nlohmann::json& config, const std::string& id) {
  auto classes = config["classes"].get<std::vector<int>>();
  if (classes.size() < 2) {
    throw InputError(id + ": classes: expected at least two classes, got " +
                     config["classes"].dump());
  }
  for (std::size_t k = 0; k < classes.size(); ++k) {
    for (std::size_t j = 0; j < k; ++j) {
      if (classes[j] == classes[k]) {
        throw InputError(id + ": classes[" + std::to_string(k) + "]: class " +
                         std::to_string(classes[k]) + " is already listed at classes[" +
                         std::to_string(j) + "]");
      }
    }
  }
  return classes;
}

bool all_classes_in_order(const std::vector<int>& classes) {
  if (classes.size() != static_cast<std::size_t>(kFashionClasses)) return false;
  for (int k = 0; k < kFashionClasses; ++k) {
    if (classes[static_cast<std::size_t>(k)] != k) return false;
  }
  return true;
}

}  // namespace

std::vector<ParamSpec> fashion_data_params(const FashionDataDefaults& defaults) {
  using T = ParamType;
  return {
      param("data_dir", T::kString, io::kFashionMnistDir,
            "folder of the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)"),
      param("classes", T::kIntegerList, defaults.classes,
            "classes kept, relabelled by their position in the list (at least two, no repeats)")
          .at_least(0)
          .at_most(kFashionClasses - 1),
      param("train_size", T::kInteger, defaults.train_size,
            "training images, a seeded subsample (0 = all of the chosen classes)")
          .at_least(0),
      param("test_size", T::kInteger, defaults.test_size,
            "test images, a seeded subsample (0 = all of the chosen classes)")
          .at_least(0),
      param("center", T::kBoolean, defaults.center,
            "subtract the training split's mean image from both splits"),
      param("seed", T::kInteger, defaults.seed,
            "seed of the subsamples, the initializations and SGD")
          .at_least(0),
  };
}

FashionSplits load_fashion_splits(const nlohmann::json& config, bool quick,
                                  const FashionQuickSizes& quick_sizes, const std::string& id) {
  const std::vector<int> classes = checked_classes(config, id);
  const auto seed = config["seed"].get<std::uint64_t>();
  const auto dir = config["data_dir"].get<std::string>();

  FashionSplits splits;
  splits.classes = classes;
  splits.train = io::load_fashion_mnist(dir, "train");
  splits.test = io::load_fashion_mnist(dir, "test");
  const bool every_class = all_classes_in_order(classes);
  if (!every_class) {
    splits.train = keep_classes(splits.train, classes);
    splits.test = keep_classes(splits.test, classes);
  }
  splits.available_train = splits.train.n();
  splits.available_test = splits.test.n();

  const Eigen::Index n_train =
      split_size(config, "train_size", splits.train.n(), quick, quick_sizes.train, id);
  const Eigen::Index n_test =
      split_size(config, "test_size", splits.test.n(), quick, quick_sizes.test, id);
  splits.train = subsample(splits.train, n_train, stream_seed(seed, "fashion/train-subsample"));
  splits.test = subsample(splits.test, n_test, stream_seed(seed, "fashion/test-subsample"));

  splits.centered = config["center"].get<bool>();
  if (splits.centered) {
    const Eigen::VectorXd mean = row_mean(splits.train);
    subtract_mean(splits.train, mean);
    subtract_mean(splits.test, mean);
  }
  splits.full = every_class && n_train == kFashionTrainImages && n_test == kFashionTestImages;

  std::ostringstream text;
  text << splits.train.n() << " training / " << splits.test.n() << " test images";
  if (every_class) {
    text << ", all 10 classes";
  } else {
    text << ", classes";
    for (int c : classes) text << " " << c;
  }
  text << (splits.centered ? ", centered by the training mean"
                           : ", pixels in [0, 1], not centered");
  splits.description = text.str();
  return splits;
}

}  // namespace mixup::figures
