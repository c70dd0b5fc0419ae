#pragma once
// Finding a claim report's checks and audits by the start of their names, for the claim
// regression tests.  Throws std::runtime_error (a test failure) when none matches.

#include <string>

#include "theorems/claim_report.hpp"

namespace mixup::testing {

const Check& find_check(const ClaimReport& report, const std::string& prefix);
const Audit& find_audit(const ClaimReport& report, const std::string& prefix);

}  // namespace mixup::testing
