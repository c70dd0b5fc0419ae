#include "tests/support/claim_lookup.hpp"

#include <stdexcept>

namespace mixup::testing {

const Check& find_check(const ClaimReport& report, const std::string& prefix) {
  for (const auto& check : report.checks) {
    if (check.name.rfind(prefix, 0) == 0) return check;
  }
  throw std::runtime_error("no check named " + prefix);
}

const Audit& find_audit(const ClaimReport& report, const std::string& prefix) {
  for (const auto& audit : report.audits) {
    if (audit.drop.rfind(prefix, 0) == 0) return audit;
  }
  throw std::runtime_error("no audit named " + prefix);
}

}  // namespace mixup::testing
