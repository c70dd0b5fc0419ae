#pragma once
// Every claim check: one function per claim, each in theorems/<claim>.cpp with its schema,
// declared in theorems/<claim>.hpp.  The registry (registry.cpp) attaches them to their ids.

#include "theorems/corollary_3_1.hpp"
#include "theorems/lemma_3_1.hpp"
#include "theorems/lemma_3_2.hpp"
#include "theorems/lemma_3_3.hpp"
#include "theorems/lemma_3_4.hpp"
#include "theorems/theorem_3_1.hpp"
#include "theorems/theorem_3_2.hpp"
#include "theorems/theorem_3_3.hpp"
#include "theorems/theorem_3_4.hpp"
#include "theorems/theorem_3_5.hpp"
#include "theorems/theorem_b_1.hpp"
