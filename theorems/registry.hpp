#pragma once
// The registry of every claim and experiment of CLAIMS.md.  The command line lists, checks and
// reports through it; a claim plugs in by giving its entry a runner.  Entries without a runner
// are listed as "not built yet".

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"

namespace mixup {

enum class EntryKind { kClaim, kFigure };

struct RunContext {
  nlohmann::json config;  // resolved: defaults filled in, validated
  bool quick = false;     // the same work at a small size (tests, CI)
  std::string out_dir;    // where the claim may write figure data (CSV)
};

// A runner computes the claim report (DESIGN.md, "Files"); the caller fills in seconds,
// threads and version.
using Runner = std::function<ClaimReport(const RunContext&)>;

struct RegistryEntry {
  std::string id;  // "lemma-3.1", "fig2", ...
  EntryKind kind;
  std::string paper_ref;  // "Lemma 3.1", "Figure 2", ...
  std::string summary;    // one line
  Runner run;             // empty until the claim is built
  ConfigSchema schema;    // the keys of configs/<id>.json

  bool built() const { return static_cast<bool>(run); }
  std::string default_config() const { return "configs/" + id + ".json"; }
};

const std::vector<RegistryEntry>& registry();
// Gives the entry `id` its runner and config schema.  Claims are attached inside theorems/;
// figures, which live in experiments/, attach themselves at program start
// (experiments/figures/register_figures).  Throws DomainError for an unknown id.
void attach_runner(const std::string& id, Runner run, ConfigSchema schema);
// nullptr when no entry has this id.
const RegistryEntry* find_entry(const std::string& id);

}  // namespace mixup
