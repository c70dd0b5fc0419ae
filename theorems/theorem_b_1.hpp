#pragma once
// Theorem B.1 (appendix B): the network analogue of Theorem 3.2, with a second threshold tau' on
// |grad f(x)|.  Checked like Theorem 3.2 (theorems/theorem_3_2.cpp) on a bias-free ReLU net.

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema theorem_b_1_schema();
ClaimReport check_theorem_b_1(const RunContext& context);

// The constant as reconstructed by a second reader (CLAIMS.md, NOT confirmed here against the
// appendix), p = p_{tau, tau'}, tau'' >= sup |grad f_theta(x_i)| over Theta* and the data:
// R = tau min{ sqrt(4 p kappa tau'^2 / (4 p kappa tau'^2 + (2 - p) tau''^2)),
//              p kappa_1 tau' / (p kappa_1 tau' + (2 - p) kappa_2 tau'') }.
double theorem_b_1_R(double tau, double tau_prime, double tau_second, double p, double kappa,
                     double kappa_1, double kappa_2);

}  // namespace mixup
