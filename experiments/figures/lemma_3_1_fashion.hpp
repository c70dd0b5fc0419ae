#pragma once
// Lemma 3.1 on Fashion-MNIST (experiments/figures/lemma_3_1_fashion.cpp).

#include "theorems/registry.hpp"

namespace mixup::figures {

ConfigSchema lemma_3_1_fashion_schema();
ClaimReport run_lemma_3_1_fashion(const RunContext& context);

}  // namespace mixup::figures
