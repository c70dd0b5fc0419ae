#pragma once
// The run contexts of the claim regression tests: a claim's default config (configs/<id>.json of
// the source tree) resolved by its schema in quick mode, and a fixture that runs the claim once
// per test suite and shares its report with the suite's tests.

#include <exception>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup::testing {

// "configs/<id>.json": the claim's default config, relative to the source tree (the name that
// configuration errors cite).
std::string default_config_path(const std::string& id);

// configs/<id>.json of the source tree, parsed.  Throws std::runtime_error when it is missing.
nlohmann::json default_config_file(const std::string& id);

enum class OutDir {
  kNone,       // the claim writes no files
  kTemporary,  // a fresh empty folder of its own (ctest runs tests concurrently)
};

// The default config of `id` with the top-level keys of `overrides` replaced, resolved by
// `schema` (InputError for a refused config), in quick mode.  With OutDir::kTemporary the
// folder is made after the config is accepted; whoever holds the context removes it.
RunContext quick_context(const std::string& id, const ConfigSchema& schema,
                         const nlohmann::json& overrides = nlohmann::json::object(),
                         OutDir out_dir = OutDir::kNone);

// A fixture whose suite runs the claim once: SetUpTestSuite makes the context and runs the
// claim; every test reads context_ and report_; TearDownTestSuite removes the context's out_dir.
// When making the context or running the claim throws, each test fails with the message.
//   RunContext quick_context() { return testing::quick_context("lemma-3.2", lemma_3_2_schema()); }
//   class Lemma3p2 : public testing::RunOncePerSuite<quick_context, check_lemma_3_2> {};
template <RunContext (*MakeContext)(), ClaimReport (*RunClaim)(const RunContext&)>
class RunOncePerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      context_.emplace(MakeContext());
      report_.emplace(RunClaim(*context_));
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  static void TearDownTestSuite() {
    if (context_.has_value() && !context_->out_dir.empty()) {
      std::filesystem::remove_all(context_->out_dir);
    }
    report_.reset();
    context_.reset();
    error_.clear();
  }

  void SetUp() override { ASSERT_TRUE(report_.has_value()) << error_; }

  static inline std::optional<RunContext> context_;
  static inline std::optional<ClaimReport> report_;
  static inline std::string error_;  // what making the context or running the claim threw
};

}  // namespace mixup::testing
