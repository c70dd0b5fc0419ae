#pragma once
// Every claim check: one function per claim, each in theorems/<claim>.cpp, with its schema.

#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

// Lemma 3.1 (theorems/lemma_3_1.cpp): Eq. (1) = Eq. (9), and the order of L_mix - L~_mix.
ConfigSchema lemma_3_1_schema();
ClaimReport check_lemma_3_1(const RunContext& context);

}  // namespace mixup
