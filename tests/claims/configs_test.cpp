// Every built claim and figure has a default config in configs/ that its schema accepts, and its
// schema's defaults match that file (so the file documents what runs).
#include <fstream>

#include <gtest/gtest.h>

#include "experiments/figures/figures.hpp"
#include "theorems/registry.hpp"

namespace mixup {
namespace {

TEST(Configs, EveryBuiltEntryHasADefaultConfigItsSchemaAccepts) {
  figures::register_figures();
  for (const auto& entry : registry()) {
    if (!entry.built()) continue;
    const std::string path = std::string(MIXUP_SOURCE_DIR) + "/" + entry.default_config();
    std::ifstream file(path);
    ASSERT_TRUE(file.good()) << "missing " << path;
    const auto user = nlohmann::json::parse(file);
    const auto resolved = entry.schema.resolve(user, path);
    EXPECT_EQ(resolved, entry.schema.defaults())
        << entry.id << ": " << path << " and the schema's defaults differ";
  }
}

}  // namespace
}  // namespace mixup
