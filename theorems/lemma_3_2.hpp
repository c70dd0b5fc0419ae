#pragma once
// Lemma 3.2 (appendix A.2.1): the second-order approximation Eq. (5) of the l2 adversarial loss
// of logistic regression, against the exact adversarial loss (closed form, core/adversarial).

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema lemma_3_2_schema();
ClaimReport check_lemma_3_2(const RunContext& context);

}  // namespace mixup
