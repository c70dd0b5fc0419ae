// Figure 1b and Figures 5-8 on Fashion-MNIST: the generalization gap along training.  For each
// model (softmax regression 784-10 and a ReLU MLP 784-256-10), each augmentation setting (none;
// a random horizontal flip and a shift by up to max_shift pixels) and each objective (ERM,
// mixup), one SGD run, and after every epoch (and before the first):
//   train loss and error   on the whole CLEAN training split (no mixing, no augmentation),
//   test loss and error    on the test split,
//   loss gap, error gap    test minus train.
// All runs of a model start from the same initialization and see the same mini-batch order.
//
// What the paper leaves open (Figures 5-8 use a pre-activation ResNet-18, SGD, batch 64,
// momentum 0.9, lr 0.1, and give no mixup law, schedule or weight decay): the mixup law is
// Beta(1, 1) by default, the learning rate constant (no schedule), no weight decay; all in the
// config and the report's notes.
//
// Checks:
//   bound        clean test accuracy at the end of training >= the widely reported figure
//                (softmax regression 0.83, MLP 784-256-10 0.86) on the whole 10,000-image test
//                split, for the runs without augmentation (the reference figures are for models
//                trained on the plain training set; the augmented runs are reported beside
//                them, not checked); a measurement when the data is not the whole set (quick
//                mode, a class subset, a subsample), where the reference does not apply;
//   inequality   the paper's claim: mixup's final loss gap <= ERM's, per model and augmentation;
//   measurement  the final gaps (loss and error), per model, augmentation and objective.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/classifier.hpp"
#include "core/classifier_training.hpp"
#include "core/errors.hpp"
#include "core/random.hpp"
#include "experiments/figures/fashion_data.hpp"
#include "experiments/figures/fig1_fashion.hpp"
#include "experiments/figures/figures.hpp"

namespace mixup::figures {
namespace {

const char* const kId = "fig1b-fashion";
const std::vector<std::string> kObjectives = {"erm", "mixup"};

// The widely reported clean test accuracies on Fashion-MNIST (the dataset's benchmark table and
// common baselines): softmax (multinomial logistic) regression about 0.84, a 784-256-10 ReLU
// MLP about 0.88; the figures below are the conservative ones quoted in the issue.
constexpr double kReferenceSoftmaxAccuracy = 0.83;
constexpr double kReferenceMlpAccuracy = 0.86;

// --quick: the same work, smaller (under ~15 s).
constexpr FashionQuickSizes kQuickSizes = {2000, 1000};
constexpr int kQuickEpochs = 2;

double reference_accuracy(const std::string& model) {
  return model == "softmax" ? kReferenceSoftmaxAccuracy : kReferenceMlpAccuracy;
}

void refuse_repeats(const nlohmann::json& c, const std::string& key) {
  const auto values = c[key].get<std::vector<std::string>>();
  for (std::size_t k = 0; k < values.size(); ++k) {
    for (std::size_t j = 0; j < k; ++j) {
      if (values[j] == values[k]) {
        throw InputError(std::string(kId) + ": " + key + "[" + std::to_string(k) + "]: \"" +
                         values[k] + "\" is already listed at " + key + "[" + std::to_string(j) +
                         "]");
      }
    }
  }
}

struct Trace {
  // index = epoch (0 = before training)
  std::vector<double> train_loss, train_error, test_loss, test_error;
  double train_seconds = 0.0;  // SGD alone, the evaluations excluded

  double loss_gap(std::size_t e) const { return test_loss[e] - train_loss[e]; }
  double error_gap(std::size_t e) const { return test_error[e] - train_error[e]; }
};

Trace run_one(const Classifier& init, const FashionSplits& data,
              const ClassifierTrainOptions& options) {
  Trace trace;
  Classifier model = init;
  double evaluation_seconds = 0.0;
  const auto start = std::chrono::steady_clock::now();
  train_classifier(model, data.train, options, [&](int, const Classifier& m) {
    const auto t0 = std::chrono::steady_clock::now();
    const ClassifierEvaluation train = evaluate(m, data.train);
    const ClassifierEvaluation test = evaluate(m, data.test);
    trace.train_loss.push_back(train.loss);
    trace.train_error.push_back(train.error);
    trace.test_loss.push_back(test.loss);
    trace.test_error.push_back(test.error);
    evaluation_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  });
  trace.train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() -
      evaluation_seconds;
  return trace;
}

}  // namespace

ConfigSchema fig1b_fashion_schema() {
  using T = ParamType;
  std::vector<ParamSpec> params = fashion_data_params();
  const std::vector<ParamSpec> own = {
      param("models", T::kStringList, {"softmax", "mlp"},
            "softmax = softmax regression 784-10; mlp = ReLU MLP with the hidden widths")
          .one_of({"softmax", "mlp"}),
      param("hidden", T::kIntegerList, {256},
            "the MLP's ReLU units of each hidden layer, input side first")
          .at_least(1),
      param("augmentation", T::kStringList, {"none", "flip-shift"},
            "none; flip-shift = random horizontal flip and shift by up to max_shift pixels")
          .one_of({"none", "flip-shift"}),
      param("max_shift", T::kInteger, 2, "largest shift of flip-shift, pixels")
          .at_least(0)
          .at_most(kFashionImage.height - 1),
      param("epochs", T::kInteger, 30, "SGD epochs per run (unstated by the paper)").at_least(1),
      param("batch_size", T::kInteger, 64, "mini-batch size (paper: 64)").at_least(1),
      param("learning_rate_softmax", T::kNumber, 0.005,
            "SGD step of softmax regression, constant (paper: 0.1 for a ResNet-18; unstated "
            "schedule)")
          .above(0.0),
      param("learning_rate_mlp", T::kNumber, 0.02,
            "SGD step of the MLP, constant (paper: 0.1 for a ResNet-18; unstated schedule)")
          .above(0.0),
      param("momentum", T::kNumber, 0.9, "heavy-ball momentum (paper: 0.9)")
          .at_least(0.0)
          .below(1.0),
      param("weight_decay", T::kNumber, 0.0, "L2 weight decay on the weights (unstated)")
          .at_least(0.0),
      param("alpha", T::kNumber, 1.0, "mixup lam ~ Beta(alpha, beta) (unstated by the paper)")
          .above(0.0),
      param("beta", T::kNumber, 1.0, "mixup lam ~ Beta(alpha, beta) (unstated by the paper)")
          .above(0.0),
  };
  params.insert(params.end(), own.begin(), own.end());
  return ConfigSchema(params);
}

ClaimReport run_fig1b_fashion(const RunContext& context) {
  const auto& c = context.config;
  refuse_repeats(c, "models");
  refuse_repeats(c, "augmentation");
  const auto hidden = c["hidden"].get<std::vector<Eigen::Index>>();
  const auto models = c["models"].get<std::vector<std::string>>();
  const auto augmentations = c["augmentation"].get<std::vector<std::string>>();
  const int epochs =
      context.quick ? std::min(kQuickEpochs, c["epochs"].get<int>()) : c["epochs"].get<int>();
  const auto seed = c["seed"].get<std::uint64_t>();
  const FashionSplits data = load_fashion_splits(c, context.quick, kQuickSizes, kId);
  const bool reference_applies = !context.quick && data.full;
  const bool plain_runs =
      std::find(augmentations.begin(), augmentations.end(), "none") != augmentations.end();

  ClaimReport report;
  report.claim = kId;
  report.paper_ref = "Figure 1b and Figures 5-8 (appendix C.3), on Fashion-MNIST";
  report.statement =
      "Mixup training has a smaller generalization gap (test minus train loss) than ERM (paper: "
      "pre-activation ResNet-18 on CIFAR-10/100, Fashion-MNIST, Kuzushiji-MNIST; here softmax "
      "regression and a ReLU MLP on Fashion-MNIST)";
  report.notes.push_back("data: " + data.description);
  report.notes.push_back(
      "unstated by the paper, chosen here: mixup lam ~ Beta(" +
      number_text(c["alpha"].get<double>()) + ", " + number_text(c["beta"].get<double>()) +
      ") (the paper gives no law for these figures), " +
      "one lam per mini-batch, partners by a permutation of the batch; SGD with a constant "
      "learning rate (softmax regression " +
      number_text(c["learning_rate_softmax"].get<double>()) + ", MLP " +
      number_text(c["learning_rate_mlp"].get<double>()) + "; no schedule), momentum " +
      number_text(c["momentum"].get<double>()) + ", weight decay " +
      number_text(c["weight_decay"].get<double>()) + ", batch " +
      std::to_string(c["batch_size"].get<long>()) + ", " + std::to_string(epochs) +
      " epochs; He-normal initialization (N(0, 2 / fan_in) before a ReLU, N(0, 1 / fan_in) for "
      "the output layer, zero biases); augmentation flip-shift = horizontal flip with "
      "probability 1/2 and a uniform shift in [-" +
      std::to_string(c["max_shift"].get<long>()) + ", " +
      std::to_string(c["max_shift"].get<long>()) + "] pixels per axis, applied before mixing");
  report.notes.push_back(
      "train loss and error are measured on the whole clean training split (no mixing, no "
      "augmentation) after every epoch; gap = test - train; the runs of a model share their "
      "initialization (stream_seed(seed, \"fig1b-fashion/init/<model>\")) and their mini-batch "
      "order (SGD seed = seed); one run per setting (no repetition over seeds)");
  const std::string not_applicable =
      "the reference accuracies (softmax regression 0.83, MLP 0.86) are for all 10 classes, "
      "all 60000 training images and the whole 10000-image test split; this run uses " +
      data.description + (context.quick ? " (quick mode)" : "") +
      ", so the accuracy check is a measurement, not a bound";
  if (!reference_applies) report.notes.push_back(not_applicable);

  report.notes.push_back(
      "the reference accuracies (softmax regression 0.83, MLP 0.86) are for training on the "
      "plain training set: the bound is checked on the runs without augmentation (ERM and "
      "mixup); the flip-shift runs' accuracies are reported beside it, not checked (a "
      "fully-connected model has no shift invariance, and the footwear classes of "
      "Fashion-MNIST face one way, so flipped training images are unlike the test images)");

  Check accuracy;
  accuracy.name =
      "clean test accuracy at the end of training >= the widely reported figure (softmax "
      "regression 0.83, MLP 784-256-10 0.86), runs without augmentation";
  accuracy.kind = reference_applies && plain_runs ? "bound" : "measurement";
  accuracy.tolerance = 0.0;
  Check gaps;
  gaps.name = "final generalization gaps (test - train), loss and error";
  gaps.kind = "measurement";
  Check ordering;
  ordering.name = "mixup's final loss gap <= ERM's (per model and augmentation)";
  ordering.kind = "inequality";
  ordering.tolerance = 0.0;

  std::vector<std::string> header = {"epoch"};
  std::vector<Trace> traces;
  const int runs = static_cast<int>(models.size() * augmentations.size() * kObjectives.size());
  std::string accuracy_summary;
  std::string ordering_summary;
  std::string error_gap_summary;
  for (const auto& model_name : models) {
    const std::vector<Eigen::Index> widths =
        model_name == "softmax" ? std::vector<Eigen::Index>{} : hidden;
    const Classifier init =
        random_classifier(data.train.d(), widths, data.train.classes,
                          stream_seed(seed, "fig1b-fashion/init/" + model_name));
    for (const auto& augmentation : augmentations) {
      nlohmann::json final_gaps = nlohmann::json::object();
      for (const auto& objective : kObjectives) {
        ClassifierTrainOptions options;
        options.mixup = objective == "mixup";
        options.law = {c["alpha"].get<double>(), c["beta"].get<double>()};
        options.learning_rate = c["learning_rate_" + model_name].get<double>();
        options.momentum = c["momentum"].get<double>();
        options.weight_decay = c["weight_decay"].get<double>();
        options.epochs = epochs;
        options.batch_size = c["batch_size"].get<Eigen::Index>();
        options.seed = seed;
        options.augment = augmentation == "flip-shift";
        options.image = kFashionImage;
        options.max_shift = c["max_shift"].get<Eigen::Index>();
        const Trace trace = run_one(init, data, options);
        traces.push_back(trace);
        const std::string run_name = model_name + "_" + objective + "_" + augmentation;
        for (const char* column :
             {"train_loss", "train_error", "test_loss", "test_error", "loss_gap", "error_gap"}) {
          header.push_back(run_name + "_" + column);
        }

        const auto last = static_cast<std::size_t>(epochs);
        const double test_accuracy = 1.0 - trace.test_error[last];
        final_gaps[objective] = {
            {"loss_gap", trace.loss_gap(last)},       {"error_gap", trace.error_gap(last)},
            {"train_loss", trace.train_loss[last]},   {"test_loss", trace.test_loss[last]},
            {"train_error", trace.train_error[last]}, {"test_error", trace.test_error[last]},
            {"train_seconds", trace.train_seconds}};
        const double reference = reference_accuracy(model_name);
        const nlohmann::json witness = {
            {"model", model_name},          {"objective", objective},
            {"augmentation", augmentation}, {"test_accuracy", test_accuracy},
            {"reference", reference},       {"test_images", data.test.n()}};
        accuracy.measured[model_name][augmentation][objective] = test_accuracy;
        if (reference_applies && augmentation == "none") {
          accuracy.record(test_accuracy - reference, witness);
        }
        accuracy_summary += (accuracy_summary.empty() ? "" : ", ") + model_name + " " + objective +
                            " " + augmentation + " " + fixed_text(test_accuracy);
        std::cerr << kId << ": " << model_name << " " << objective << " " << augmentation << " "
                  << epochs << "/" << epochs << " epochs in " << fixed_text(trace.train_seconds, 1)
                  << " s, test acc " << fixed_text(test_accuracy) << ", loss gap "
                  << fixed_text(trace.loss_gap(last), 4) << " (run " << traces.size() << "/" << runs
                  << ")" << std::endl;
      }
      gaps.measured[model_name][augmentation] = final_gaps;
      const double erm_gap = final_gaps["erm"]["loss_gap"].get<double>();
      const double mixup_gap = final_gaps["mixup"]["loss_gap"].get<double>();
      ordering.record(erm_gap - mixup_gap, {{"model", model_name},
                                            {"augmentation", augmentation},
                                            {"erm_loss_gap", erm_gap},
                                            {"mixup_loss_gap", mixup_gap}});
      ordering_summary += (ordering_summary.empty() ? "" : "; ") + model_name + " " + augmentation +
                          ": mixup " + fixed_text(mixup_gap, 4) + " vs ERM " +
                          fixed_text(erm_gap, 4);
      error_gap_summary += (error_gap_summary.empty() ? "error gaps: " : "; ") + model_name + " " +
                           augmentation + ": mixup " +
                           fixed_text(final_gaps["mixup"]["error_gap"].get<double>(), 4) +
                           " vs ERM " + fixed_text(final_gaps["erm"]["error_gap"].get<double>(), 4);
    }
  }
  accuracy.measured["reference"] = {{"softmax", kReferenceSoftmaxAccuracy},
                                    {"mlp", kReferenceMlpAccuracy}};
  accuracy.measured["test_images"] = data.test.n();
  accuracy.summary = accuracy_summary + " on " + std::to_string(data.test.n()) +
                     " test images (references: softmax 0.83, MLP 0.86)";
  accuracy.measured["checked_runs"] = "augmentation none";
  if (!reference_applies) {
    accuracy.note = not_applicable;
  } else if (!plain_runs) {
    accuracy.note = "no run without augmentation: the reference does not apply";
  }
  gaps.summary = error_gap_summary;
  ordering.summary = std::to_string(ordering.instances - ordering.violations) + "/" +
                     std::to_string(ordering.instances) +
                     " with mixup's gap <= ERM's: " + ordering_summary;
  report.checks.push_back(accuracy);
  report.checks.push_back(ordering);
  report.checks.push_back(gaps);

  std::vector<std::vector<double>> rows;
  for (int e = 0; e <= epochs; ++e) {
    const auto i = static_cast<std::size_t>(e);
    std::vector<double> row = {static_cast<double>(e)};
    for (const auto& t : traces) {
      row.insert(row.end(), {t.train_loss[i], t.train_error[i], t.test_loss[i], t.test_error[i],
                             t.loss_gap(i), t.error_gap(i)});
    }
    rows.push_back(row);
  }
  const std::string csv = context.out_dir + "/fig1b-fashion.csv";
  write_csv(csv, header, rows);
  report.figures.push_back(
      {{"name", "fig1b-fashion losses, errors and gaps per epoch"}, {"csv", csv}});
  std::string model_words;
  std::string panel_words;
  for (const auto& m : models) {
    model_words += (model_words.empty() ? "" : " ") + m;
    std::string widths = "784";
    for (auto h : m == "softmax" ? std::vector<Eigen::Index>{} : hidden) {
      widths += "-" + std::to_string(h);
    }
    widths += "-" + std::to_string(data.train.classes);
    panel_words += std::string(panel_words.empty() ? "" : " ") +
                   (m == "softmax" ? "softmax-regression-" : "MLP-") + widths;
  }
  std::string augmentation_words;
  for (const auto& a : augmentations) {
    augmentation_words += (augmentation_words.empty() ? "" : " ") + a;
  }
  const std::string png = context.out_dir + "/fig1b-fashion.png";
  render_png("fig1b-fashion",
             {{"csvfile", csv},
              {"models", model_words},
              {"panels", panel_words},
              {"augmentations", augmentation_words}},
             png);
  report.figures.push_back({{"name", "fig1b-fashion"}, {"png", png}});
  return report;
}

}  // namespace mixup::figures
