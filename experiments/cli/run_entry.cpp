#include "experiments/cli/run_entry.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "experiments/io/json_output.hpp"

namespace mixup::cli {
namespace {

nlohmann::json read_config(const std::string& path) {
  if (path.empty()) return nlohmann::json::object();
  std::ifstream file(path);
  if (!file) throw InputError(path + ": cannot open the config file (does it exist?)");
  try {
    return nlohmann::json::parse(file);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": malformed JSON: " + e.what());
  }
}

}  // namespace

std::string default_config_path(const RegistryEntry& entry) {
  for (const std::string& root : {std::string("."), std::string(MIXUP_SOURCE_DIR)}) {
    const std::string candidate = root + "/" + entry.default_config();
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return "";
}

RunContext resolve_context(const RegistryEntry& entry, const CheckOptions& options) {
  const std::string path =
      options.config_path.empty() ? default_config_path(entry) : options.config_path;
  nlohmann::json user = read_config(path);
  for (const auto& assignment : options.overrides) {
    ConfigSchema::apply_override(user, assignment, "--set");
  }
  RunContext context;
  context.config = entry.schema.resolve(user, path.empty() ? entry.default_config() : path);
  context.quick = options.quick;
  context.out_dir = options.out_dir;
  return context;
}

ClaimReport run_entry(const RegistryEntry& entry, const RunContext& context) {
  const auto start = std::chrono::steady_clock::now();
  ClaimReport report = entry.run(context);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.threads = current_threads();
  report.version = MIXUP_VERSION;
  report.config = context.config;
  io::write_file_atomically(context.out_dir + "/" + entry.id + ".json",
                            report.to_json().dump(2) + "\n");
  return report;
}

}  // namespace mixup::cli
