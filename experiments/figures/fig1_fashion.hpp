#pragma once
// Figure 1 of the paper on Fashion-MNIST (data: experiments/figures/fashion_data.hpp).
//
// fig1a-fashion (Figure 1a; experiments/figures/fig1a_fashion.cpp): FGSM l_inf robust accuracy
//   against the attack size for a ReLU MLP trained with ERM and with mixup (a = 5, b = 0.5),
//   over several seeds.  The paper's claim: mixup is more robust.
// fig1b-fashion (Figure 1b and Figures 5-8; experiments/figures/fig1b_fashion.cpp): training and
//   test loss and error per epoch and their gaps, softmax regression and the MLP, ERM and mixup,
//   without and with flip-and-shift augmentation.  The paper's claim: mixup has the smaller
//   generalization gap.

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup::figures {

ConfigSchema fig1a_fashion_schema();
ClaimReport run_fig1a_fashion(const RunContext& context);

ConfigSchema fig1b_fashion_schema();
ClaimReport run_fig1b_fashion(const RunContext& context);

}  // namespace mixup::figures
