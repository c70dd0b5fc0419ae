#pragma once
// Running one registry entry (claim or figure) from the command line: its config resolved from
// configs/<id>.json (or --config) with --set overrides, the run timed, the report completed and
// written to DIR/<id>.json atomically.

#include "experiments/cli/commands.hpp"
#include "theorems/registry.hpp"

namespace mixup::cli {

// configs/<id>.json in the current folder, else in the source tree the binary was built from;
// empty when there is none (the schema's defaults apply).
std::string default_config_path(const RegistryEntry& entry);

// The resolved config (defaults, file, --set overrides), validated before any work starts.
RunContext resolve_context(const RegistryEntry& entry, const CheckOptions& options);

// Runs the entry, fills seconds, threads, version and config, writes out_dir/<id>.json.
ClaimReport run_entry(const RegistryEntry& entry, const RunContext& context);

}  // namespace mixup::cli
