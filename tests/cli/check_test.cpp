// End-to-end specification of `mixup-verify check`: ids are validated before any work starts.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/cli_runner.hpp"
#include "theorems/registry.hpp"

namespace mixup {
namespace {

using testing::run_cli;

TEST(Check, UnknownClaimIdIsRefusedWithExitStatusTwo) {
  const auto r = run_cli({"check", "theorem-9.9"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown claim id 'theorem-9.9'"), std::string::npos) << r.err;
}

TEST(Check, AFigureIdIsNotAClaim) {
  const auto r = run_cli({"check", "fig2"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("figure"), std::string::npos) << r.err;
}

TEST(Check, AllWritesOneReportPerBuiltClaimAndExitsByTheVerdicts) {
  const std::string out = testing::make_temp_dir("check-all");
  const auto r = run_cli({"check", "all", "--quick", "--out", out});
  EXPECT_TRUE(r.err.empty()) << r.err;
  bool any_fails = false;
  for (const auto& entry : registry()) {
    if (entry.kind != EntryKind::kClaim || !entry.built()) continue;
    const auto report =
        nlohmann::json::parse(testing::read_text_file(out + "/" + entry.id + ".json"));
    any_fails = any_fails || report["verdict"] == "fails";
    EXPECT_NE(r.out.find(entry.id), std::string::npos) << entry.id << " missing from the table";
  }
  EXPECT_EQ(r.status, any_fails ? 1 : 0) << "exit status 1 exactly when some claim fails";
  std::filesystem::remove_all(out);
}

TEST(Check, UnknownConfigKeyIsRefusedBeforeAnyWork) {
  const std::string out = testing::make_temp_dir("check-bad-key");
  const auto r = run_cli({"check", "lemma-3.1", "--set", "nn=3", "--out", out});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("nn: unknown key"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out + "/lemma-3.1.json")) << "no work before validation";
  std::filesystem::remove_all(out);
}

TEST(Check, OutOfRangeValueNamesTheKeyAndTheRange) {
  const auto r = run_cli({"check", "lemma-3.1", "--set", "alphas=[1, -2]"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("alphas[1]: expected a number > 0, got -2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mixup
