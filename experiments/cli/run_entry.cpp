#include "experiments/cli/run_entry.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/errors.hpp"
#include "experiments/figures/figures.hpp"
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

// A claim (theorems/ does no file I/O) leaves a plottable series in a check's measured values:
// "series" (an object of equally long numeric columns) and "csv_columns" (which of them, in
// order).  The CLI writes it as DIR/<id>.csv and renders scripts/plots/<id>.gp when present.
void write_measured_series(const RegistryEntry& entry, const std::string& out_dir,
                           ClaimReport& report) {
  for (const auto& check : report.checks) {
    const auto& measured = check.measured;
    if (!measured.contains("series") || !measured.contains("csv_columns")) continue;
    const auto& series = measured["series"];
    std::vector<std::string> header;
    std::vector<std::vector<double>> rows;
    for (const auto& column : measured["csv_columns"]) {
      const std::string name = column.get<std::string>();
      header.push_back(name);
      const auto& values = series.at(name);
      if (rows.empty()) rows.resize(values.size());
      for (std::size_t k = 0; k < values.size() && k < rows.size(); ++k) {
        rows[k].push_back(values[k].is_number() ? values[k].get<double>()
                                                : std::numeric_limits<double>::quiet_NaN());
      }
    }
    const std::string csv = out_dir + "/" + entry.id + ".csv";
    figures::write_csv(csv, header, rows);
    report.figures.push_back({{"name", entry.id + " series"}, {"csv", csv}});
    const std::string script = std::string(MIXUP_SOURCE_DIR) + "/scripts/plots/" + entry.id + ".gp";
    if (std::filesystem::exists(script)) {
      const std::string png = out_dir + "/" + entry.id + ".png";
      figures::render_png(entry.id, {{"csvfile", csv}}, png);
      report.figures.push_back({{"name", entry.id}, {"png", png}});
    }
    return;  // one series per claim
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
  write_measured_series(entry, context.out_dir, report);
  io::write_file_atomically(context.out_dir + "/" + entry.id + ".json",
                            report.to_json().dump(2) + "\n");
  return report;
}

}  // namespace mixup::cli
