// `mixup-verify check <id>|all`: runs claim checks on their configs, prints a verdict table and
// writes DIR/<id>.json atomically.
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "core/errors.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/run_entry.hpp"
#include "experiments/figures/figures.hpp"
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

std::string format_margin(const ClaimReport& report) {
  std::ostringstream text;
  text << std::setprecision(3) << report.min_deciding_margin();
  return text.str();
}

}  // namespace

int run_figure(const CheckOptions& options, std::ostream& out) {
  const RegistryEntry* entry = find_entry(options.ids.at(0));
  if (entry == nullptr || entry->kind != EntryKind::kFigure) {
    throw InputError("figure: unknown figure id '" + options.ids.at(0) +
                     "' (run `mixup-verify list`; claims run with `check`)");
  }
  if (!entry->built()) {
    throw InputError("figure: '" + entry->id + "' is not built yet (see `mixup-verify list`)");
  }
  const ClaimReport report = run_entry(*entry, resolve_context(*entry, options));
  for (const auto& file : report.figures) {
    out << (file.contains("png") ? file["png"] : file["csv"]).get<std::string>() << "\n";
  }
  return kExitSuccess;
}

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
    const ClaimReport report = run_entry(*claims[k], contexts[k]);
    const Verdict verdict = report.verdict();
    any_failed = any_failed || verdict == Verdict::kFails;
    out << std::left << std::setw(16) << claims[k]->id << std::setw(14) << to_string(verdict)
        << std::setw(11) << report.deciding_instances() << std::setw(12)
        << report.deciding_violations() << std::setw(12) << format_margin(report)
        << std::setprecision(3) << report.seconds << "\n";
    for (const auto& check : report.checks) {
      if (!check.summary.empty()) out << "    " << check.summary << "\n";
    }
  }
  out << "Reports written to " << options.out_dir << "/<id>.json\n";
  return any_failed ? kExitClaimFailed : kExitSuccess;
}

}  // namespace mixup::cli
