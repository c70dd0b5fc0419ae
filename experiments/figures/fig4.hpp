#pragma once
// Figure 4 (appendix C.2): the exact and the second-order (Eq. 5 / Eq. 6) adversarial loss along
// mixup training on two-moons, l2 attacks of radius eps sqrt(d) = 0.5, for logistic regression
// (exact = closed form) and a two-layer ReLU net (exact bracketed: PGD lower bound, certified
// interval upper bound).  experiments/figures/fig4.cpp.

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup::figures {

ConfigSchema fig4_schema();
ClaimReport run_fig4(const RunContext& context);

}  // namespace mixup::figures
