#pragma once
// Theorem 3.1 (appendix A.2.2): for logistic regression on centred data with |x_i| >= c_x sqrt(d)
// and theta in Theta \ {0},
//   L~_mix(theta, S) >= (1/n) sum_i l~_adv(eps_i sqrt d) >= (1/n) sum_i l~_adv(eps_mix sqrt d).
// Config keys: configs/theorem-3.1.json (theorem_3_1_schema() is the single source of defaults).
// The data sets are named by the config key "datasets" (theorems/robustness_chain.hpp):
// "two-moons", "gaussian", "gaussian-symmetric", and "constructed-empty-theta" (XOR labels
// around the origin, where Theta = {0} and the claim must report "vacuous").

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema theorem_3_1_schema();
ClaimReport check_theorem_3_1(const RunContext& context);

}  // namespace mixup
