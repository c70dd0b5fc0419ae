#pragma once
// Lemma 3.1 (theorems/lemma_3_1.cpp): Eq. (1) = Eq. (9), and the order of L_mix - L~_mix.

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema lemma_3_1_schema();
ClaimReport check_lemma_3_1(const RunContext& context);

}  // namespace mixup
