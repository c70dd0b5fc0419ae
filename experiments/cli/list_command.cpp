#include <iomanip>
#include <ostream>

#include "experiments/cli/commands.hpp"
#include "theorems/registry.hpp"

namespace mixup::cli {

int run_list(std::ostream& out) {
  for (const auto& entry : registry()) {
    out << std::left << std::setw(19) << entry.id << std::setw(8)
        << (entry.kind == EntryKind::kClaim ? "claim" : "figure") << std::setw(24)
        << entry.paper_ref << std::setw(33) << entry.default_config()
        << (entry.built() ? "built" : "not built yet") << "  " << entry.summary << "\n";
  }
  return kExitSuccess;
}

}  // namespace mixup::cli
