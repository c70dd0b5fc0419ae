#include <ostream>

#include "core/errors.hpp"
#include "experiments/cli/commands.hpp"
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

}  // namespace

int run_check(const CheckOptions& options, std::ostream& out) {
  const auto claims = selected_claims(options.ids);
  if (claims.empty()) {
    out << "No claim is built yet: nothing to check (see `mixup-verify list`).\n";
    return kExitSuccess;
  }
  throw InputError("check: running claims arrives with the first built claim");
}

}  // namespace mixup::cli
