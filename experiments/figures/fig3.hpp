#pragma once
// Figure 3 (Section 3.2, after Theorem 3.3): R = min_i R_i, R_i = |cos(grad f(x_i), x_i)|, and
// the histogram of the R_i at the first and the last epoch, for a linear model and a bias-free
// net with two hidden layers of 50 ReLUs, trained with ERM and with (sampled) mixup on 100
// Gaussian half-space points in dimension 10.  experiments/figures/fig3.cpp.

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup::figures {

ConfigSchema fig3_schema();
ClaimReport run_fig3(const RunContext& context);

}  // namespace mixup::figures
