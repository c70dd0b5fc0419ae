// End-to-end specification of the main job: `mixup-verify report --quick` writes REPORT.md with
// a row for every registry entry, each built claim's JSON report, and figures that are PNGs.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "experiments/figures/figures.hpp"
#include "tests/support/cli_runner.hpp"
#include "theorems/registry.hpp"

namespace mixup {
namespace {

bool is_png(const std::string& path) {
  const std::string bytes = testing::read_text_file(path);
  return bytes.size() > 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

TEST(Report, QuickReportListsEveryEntryAndWritesItsFiles) {
  const std::string out = testing::make_temp_dir("report");
  const auto r = testing::run_cli({"report", "--quick", "--out", out});
  ASSERT_TRUE(r.status == 0 || r.status == 1) << r.err;  // 1: some claim fails (a finding)
  const std::string md = testing::read_text_file(out + "/REPORT.md");
  ASSERT_FALSE(md.empty());
  figures::register_figures();
  for (const auto& entry : registry()) {
    const bool has_row = md.find("| " + entry.id + " |") != std::string::npos ||
                         md.find("| [" + entry.id + "](") != std::string::npos;
    EXPECT_TRUE(has_row) << entry.id << " has no row in the verdict table";
    if (!entry.built()) continue;
    const auto report =
        nlohmann::json::parse(testing::read_text_file(out + "/" + entry.id + ".json"));
    EXPECT_EQ(report["claim"], entry.id);
    for (const auto& figure : report["figures"]) {
      if (!figure.contains("png")) continue;
      const std::string png = figure["png"].get<std::string>();
      EXPECT_TRUE(is_png(png)) << png;
      const std::string name = png.substr(png.find_last_of('/') + 1);
      EXPECT_NE(md.find("](" + name + ")"), std::string::npos) << name << " not embedded";
    }
  }
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace mixup
