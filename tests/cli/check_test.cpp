// End-to-end specification of `mixup-verify check`: ids are validated before any work starts.
#include <string>

#include <gtest/gtest.h>

#include "tests/support/cli_runner.hpp"

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

TEST(Check, AllRunsEveryBuiltClaimAndSucceedsWhenNoneFails) {
  const std::string out = testing::make_temp_dir("check-all");
  const auto r = run_cli({"check", "all", "--quick", "--out", out});
  EXPECT_TRUE(r.status == 0 || r.status == 1) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

}  // namespace
}  // namespace mixup
