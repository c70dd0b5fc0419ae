// `mixup-verify check <id>|all`: runs claim checks on their configs, prints a verdict table and
// writes DIR/<id>.json atomically.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "core/errors.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/io/json_output.hpp"
#include "theorems/registry.hpp"

namespace mixup::cli {
namespace {

std::vector<const RegistryEntry*> selected_claims(const std::vector<std::string>& ids) {
  std::vector<const RegistryEntry*> selected;
  for (const auto& id : ids) {
    if (id == "all") {
      for (const auto& entry : registry()) {
        if (entry.kind == EntryKind::kClaim && entry.built()) selected.push_back(&entry);
      }
      continue;
    }
    const RegistryEntry* entry = find_entry(id);
    if (entry == nullptr || entry->kind != EntryKind::kClaim) {
      throw InputError("check: unknown claim id '" + id +
                       "' (run `mixup-verify list` for the ids; figures run with `figure`)");
    }
    if (!entry->built()) {
      throw InputError("check: claim '" + id + "' is not built yet (see `mixup-verify list`)");
    }
    selected.push_back(entry);
  }
  return selected;
}

// The config file of a claim: --config if given, else configs/<id>.json in the current folder
// or in the source tree this binary was built from; empty when there is none (defaults apply).
std::string config_path(const RegistryEntry& entry, const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  for (const std::string& root : {std::string("."), std::string(MIXUP_SOURCE_DIR)}) {
    const std::string candidate = root + "/" + entry.default_config();
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return "";
}

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

RunContext resolve_context(const RegistryEntry& entry, const CheckOptions& options) {
  const std::string path = config_path(entry, options.config_path);
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

std::string format_margin(const ClaimReport& report) {
  double least = std::numeric_limits<double>::infinity();
  for (const auto& check : report.checks) {
    if (check.decides_verdict() && check.instances > 0) least = std::min(least, check.min_margin);
  }
  std::ostringstream text;
  text << std::setprecision(3) << least;
  return text.str();
}

}  // namespace

int run_check(const CheckOptions& options, std::ostream& out) {
  const auto claims = selected_claims(options.ids);
  if (claims.empty()) {
    out << "No claim is built yet: nothing to check (see `mixup-verify list`).\n";
    return kExitSuccess;
  }
  if (!options.config_path.empty() && claims.size() > 1) {
    throw InputError("check: --config names one claim's config; give a single claim id with it");
  }
  // Resolve every config before any work starts: a bad key fails fast.
  std::vector<RunContext> contexts;
  for (const auto* entry : claims) contexts.push_back(resolve_context(*entry, options));

  bool any_failed = false;
  out << std::left << std::setw(16) << "claim" << std::setw(14) << "verdict" << std::setw(11)
      << "instances" << std::setw(12) << "violations" << std::setw(12) << "min margin"
      << "seconds\n";
  for (std::size_t k = 0; k < claims.size(); ++k) {
    const auto start = std::chrono::steady_clock::now();
    ClaimReport report = claims[k]->run(contexts[k]);
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.threads = current_threads();
    report.version = MIXUP_VERSION;
    report.config = contexts[k].config;
    io::write_file_atomically(options.out_dir + "/" + claims[k]->id + ".json",
                              report.to_json().dump(2) + "\n");
    long instances = 0;
    long violations = 0;
    for (const auto& check : report.checks) {
      if (!check.decides_verdict()) continue;
      instances += check.instances;
      violations += check.violations;
    }
    const Verdict verdict = report.verdict();
    any_failed = any_failed || verdict == Verdict::kFails;
    out << std::left << std::setw(16) << claims[k]->id << std::setw(14) << to_string(verdict)
        << std::setw(11) << instances << std::setw(12) << violations << std::setw(12)
        << format_margin(report) << std::setprecision(3) << report.seconds << "\n";
  }
  out << "Reports written to " << options.out_dir << "/<id>.json\n";
  return any_failed ? kExitClaimFailed : kExitSuccess;
}

}  // namespace mixup::cli
