#pragma once
// Theorem 3.4 (appendix A.3.2): the Rademacher complexity of the mixup-induced GLM class
// W_gamma against max{(gamma/rho)^(1/4), (gamma/rho)^(1/2)} sqrt(rank(Sigma_X) / n), with the
// ridge bound of Remark 3.2 beside it.

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema theorem_3_4_schema();
ClaimReport check_theorem_3_4(const RunContext& context);

}  // namespace mixup
