#pragma once
// Corollary 3.1 (appendix A.3.2 with Lemma A.1): the generalization gap of GLMs in W_gamma,
// measured on logistic regressions trained with ERM and with mixup, against
// 2 L L_A max{(gamma/rho)^(1/4), (gamma/rho)^(1/2)} sqrt(rank(Sigma_X)/n) + B
// sqrt(log(1/delta)/(2n)).

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema corollary_3_1_schema();
ClaimReport check_corollary_3_1(const RunContext& context);

}  // namespace mixup
