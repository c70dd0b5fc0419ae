// Regression specification of fig1a-fashion and fig1b-fashion on their quick configs, run
// through the registry as the command line runs them.  Nothing here stores an accuracy or a
// verdict: the runs are recomputed, and their structure and sanity are what is specified.
// The Fashion-MNIST files must be installed (scripts/setup.sh); when they are missing the tests
// fail with the loader's message, which says how to install them.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/claim_context.hpp"
#include "tests/support/claim_lookup.hpp"

#include "core/errors.hpp"
#include "experiments/figures/figures.hpp"
#include "theorems/registry.hpp"

namespace mixup::figures {
namespace {

// What the quick mode promises (experiments/figures/fig1a_fashion.cpp, fig1b_fashion.cpp).
constexpr long kQuickTestImages = 1000;
constexpr long kQuickSeeds = 2;
constexpr long kQuickEpochs = 2;

const RegistryEntry& entry_of(const std::string& id) {
  register_figures();
  const RegistryEntry* entry = find_entry(id);
  if (entry == nullptr || !entry->built()) throw std::runtime_error(id + " is not registered");
  return *entry;
}

// The default config of `id` with `overrides` on top, resolved by the registry's schema, and a
// folder of its own: ctest runs each test of this suite in its own process, concurrently.
RunContext quick_context(const std::string& id, const nlohmann::json& overrides = {}) {
  return mixup::testing::quick_context(id, entry_of(id).schema, overrides,
                                       mixup::testing::OutDir::kTemporary);
}

struct QuickRun {
  RunContext context;
  std::optional<ClaimReport> report;
  std::string error;  // the runner's message when it threw (e.g. the data is not installed)
};

QuickRun* run_quick(const std::string& id, const nlohmann::json& overrides = {}) {
  auto* run = new QuickRun{quick_context(id, overrides), std::nullopt, ""};
  try {
    run->report = entry_of(id).run(run->context);
  } catch (const std::exception& e) {
    run->error = e.what();
  }
  return run;
}

void remove_run(QuickRun*& run) {
  if (run != nullptr) std::filesystem::remove_all(run->context.out_dir);
  delete run;
  run = nullptr;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

long count_fields(const std::string& line) {
  long fields = 1;
  for (const char c : line) fields += c == ',' ? 1 : 0;
  return fields;
}

bool in_unit_interval(const nlohmann::json& x) {
  return x.is_number() && x.get<double>() >= 0.0 && x.get<double>() <= 1.0;
}

// The error a runner throws for `overrides` on the default config, or "" when none.
std::string error_for(const std::string& id, const nlohmann::json& overrides, bool quick) {
  RunContext context = quick_context(id, overrides);
  context.quick = quick;
  std::string message;
  try {
    entry_of(id).run(context);
  } catch (const InputError& e) {
    message = e.what();
  }
  std::filesystem::remove_all(context.out_dir);
  return message;
}

// The suites run each figure once, through the registry as the command line does.
RunContext fig1a_context() {
  return quick_context("fig1a-fashion");
}

ClaimReport run_fig1a(const RunContext& context) {
  return entry_of("fig1a-fashion").run(context);
}

class Fig1aFashion : public mixup::testing::RunOncePerSuite<fig1a_context, run_fig1a> {};

TEST_F(Fig1aFashion, WritesOneCsvRowPerAttackSizeAndAPng) {
  const auto eps = context_->config["eps"];
  const auto lines = read_lines(context_->out_dir + "/fig1a-fashion.csv");
  ASSERT_EQ(lines.size(), 1 + eps.size());
  EXPECT_EQ(lines.front(),
            "eps,erm_mean,erm_std,erm_min,erm_max,mixup_mean,mixup_std,mixup_min,mixup_max");
  for (const auto& line : lines) EXPECT_EQ(count_fields(line), 9) << line;
  EXPECT_TRUE(std::filesystem::exists(context_->out_dir + "/fig1a-fashion.png"));
}

TEST_F(Fig1aFashion, MeasuresCleanAccuracyOfBothObjectivesOnTheWholeTestSplit) {
  const Check& clean = mixup::testing::find_check(*report_, "clean test accuracy");
  EXPECT_EQ(clean.kind, "measurement");
  EXPECT_EQ(clean.measured.at("test_images").get<long>(), kQuickTestImages);
  for (const auto& objective : {"erm", "mixup"}) {
    const auto& values = clean.measured.at(objective);
    EXPECT_TRUE(in_unit_interval(values.at("mean"))) << objective;
    ASSERT_EQ(values.at("per_seed").size(), static_cast<std::size_t>(kQuickSeeds)) << objective;
    for (const auto& a : values.at("per_seed")) EXPECT_TRUE(in_unit_interval(a)) << objective;
  }
}

TEST_F(Fig1aFashion, ComparesTheObjectivesAtEveryPositiveAttackSize) {
  const Check& ordering = mixup::testing::find_check(*report_, "mixup's robust accuracy is not");
  EXPECT_EQ(ordering.kind, "inequality");
  // The witness's margin is the paired mean difference plus two standard errors, recomputed
  // here from its per-seed differences.
  const auto& paired = ordering.worst.at("mixup_minus_erm_per_seed");
  double mean = 0.0;
  for (const auto& d : paired) mean += d.get<double>();
  mean /= static_cast<double>(paired.size());
  double squares = 0.0;
  for (const auto& d : paired) squares += (d.get<double>() - mean) * (d.get<double>() - mean);
  const double k = static_cast<double>(paired.size());
  const double standard_error = std::sqrt(squares / (k - 1.0)) / std::sqrt(k);
  EXPECT_NEAR(ordering.min_margin, mean + 2.0 * standard_error, 1e-12);
  long positive = 0;
  for (const auto& e : context_->config["eps"]) positive += e.get<double>() > 0.0 ? 1 : 0;
  EXPECT_EQ(ordering.instances, positive);
  EXPECT_LE(ordering.violations, ordering.instances);
  ASSERT_TRUE(ordering.worst.is_object());
  EXPECT_GT(ordering.worst.at("eps").get<double>(), 0.0);
  for (const auto& row : ordering.measured.at("robust_accuracy")) {
    for (const auto& objective : {"erm", "mixup"}) {
      const auto& s = row.at(objective);
      EXPECT_TRUE(in_unit_interval(s.at("mean"))) << row.dump();
      EXPECT_LE(s.at("min").get<double>(), s.at("mean").get<double>()) << row.dump();
      EXPECT_LE(s.at("mean").get<double>(), s.at("max").get<double>()) << row.dump();
    }
  }
}

TEST(Fig1aFashionInput, RefusesCenteredDataNamingTheKey) {
  const std::string message = error_for("fig1a-fashion", {{"center", true}}, true);
  EXPECT_NE(message.find("center"), std::string::npos) << message;
}

TEST(Fig1aFashionInput, RefusesMoreAttackedImagesThanTestImages) {
  const std::string message =
      error_for("fig1a-fashion", {{"test_size", 100}, {"attack_images", 101}}, false);
  EXPECT_NE(message.find("attack_images"), std::string::npos) << message;
}

RunContext fig1b_context() {
  return quick_context("fig1b-fashion");
}

ClaimReport run_fig1b(const RunContext& context) {
  return entry_of("fig1b-fashion").run(context);
}

class Fig1bFashion : public mixup::testing::RunOncePerSuite<fig1b_context, run_fig1b> {};

TEST_F(Fig1bFashion, WritesOneCsvRowPerEpochWithSixColumnsPerRunAndAPng) {
  const auto& c = context_->config;
  const long runs = static_cast<long>(c["models"].size() * c["augmentation"].size() * 2);
  const auto lines = read_lines(context_->out_dir + "/fig1b-fashion.csv");
  ASSERT_EQ(static_cast<long>(lines.size()), 1 + kQuickEpochs + 1);
  for (const auto& line : lines) EXPECT_EQ(count_fields(line), 1 + 6 * runs) << line;
  EXPECT_TRUE(std::filesystem::exists(context_->out_dir + "/fig1b-fashion.png"));
}

TEST_F(Fig1bFashion, AccuracyReferenceIsOnlyAMeasurementInQuickMode) {
  const Check& accuracy = mixup::testing::find_check(*report_, "clean test accuracy");
  EXPECT_EQ(accuracy.kind, "measurement");
  EXPECT_EQ(accuracy.instances, 0);
  for (const auto& model : context_->config["models"]) {
    for (const auto& augmentation : context_->config["augmentation"]) {
      for (const auto& objective : {"erm", "mixup"}) {
        EXPECT_TRUE(in_unit_interval(accuracy.measured.at(model.get<std::string>())
                                         .at(augmentation.get<std::string>())
                                         .at(objective)))
            << model << " " << augmentation << " " << objective;
      }
    }
  }
}

TEST_F(Fig1bFashion, FinalGapsAreFiniteAndComparedPerModelAndAugmentation) {
  const Check& gaps = mixup::testing::find_check(*report_, "final generalization gaps");
  const Check& ordering = mixup::testing::find_check(*report_, "mixup's final loss gap");
  EXPECT_EQ(ordering.kind, "inequality");
  const auto& c = context_->config;
  EXPECT_EQ(ordering.instances, static_cast<long>(c["models"].size() * c["augmentation"].size()));
  for (const auto& model : c["models"]) {
    for (const auto& augmentation : c["augmentation"]) {
      for (const auto& objective : {"erm", "mixup"}) {
        const auto& run = gaps.measured.at(model.get<std::string>())
                              .at(augmentation.get<std::string>())
                              .at(objective);
        for (const auto& key : {"loss_gap", "error_gap", "train_loss", "test_loss"}) {
          EXPECT_TRUE(std::isfinite(run.at(key).get<double>()))
              << model << " " << augmentation << " " << objective << " " << key;
        }
        EXPECT_TRUE(in_unit_interval(run.at("train_error"))) << model << " " << objective;
        EXPECT_TRUE(in_unit_interval(run.at("test_error"))) << model << " " << objective;
      }
    }
  }
}

TEST(Fig1bFashionInput, RunsOnAClassSubsetWithTwoOutputs) {
  QuickRun* run = run_quick(
      "fig1b-fashion", {{"classes", {0, 6}}, {"models", {"softmax"}}, {"augmentation", {"none"}}});
  ASSERT_TRUE(run->report.has_value()) << run->error;
  const auto lines = read_lines(run->context.out_dir + "/fig1b-fashion.csv");
  EXPECT_EQ(static_cast<long>(lines.size()), 1 + kQuickEpochs + 1);
  const Check& accuracy = mixup::testing::find_check(*run->report, "clean test accuracy");
  EXPECT_TRUE(in_unit_interval(accuracy.measured.at("softmax").at("none").at("erm")));
  remove_run(run);
}

TEST(Fig1bFashionInput, RefusesARepeatedClassNamingItsIndex) {
  const std::string message = error_for("fig1b-fashion", {{"classes", {0, 3, 0}}}, true);
  EXPECT_NE(message.find("classes[2]"), std::string::npos) << message;
}

TEST(Fig1bFashionInput, RefusesARepeatedModelNamingItsIndex) {
  const std::string message = error_for("fig1b-fashion", {{"models", {"mlp", "mlp"}}}, true);
  EXPECT_NE(message.find("models[1]"), std::string::npos) << message;
}

}  // namespace
}  // namespace mixup::figures
