#pragma once
// Theorem 3.2 (appendix A.2.3): with probability >= 1 - delta_n - 2 exp(-n p_tau^2 / 2), every
// minimizer theta of L~_mix satisfies L~_mix(theta) >= (1/n) sum_i l~_adv(eps_mix sqrt(d)) (Eq. 5)
// with eps_mix = R c_x m1.  Checked as a probability: empirical frequency of the inequality over
// many datasets from one distribution against the promised probability, for several n.

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema theorem_3_2_schema();
ClaimReport check_theorem_3_2(const RunContext& context);

// R of Theorem 3.2 (appendix A.2.3, confirmed by a second reader):
// R = tau min{ p kappa_1 / (2 kappa_2 - p (kappa_2 - kappa_1)),
//              sqrt(4 kappa p / (2 - p + 4 kappa p)) }.
double theorem_3_2_R(double tau, double p_tau, double kappa, double kappa_1, double kappa_2);

}  // namespace mixup
