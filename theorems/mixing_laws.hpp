#pragma once
// Mixing laws in claim configs and reports: the grid of Beta(a, b) laws a claim runs over and
// their JSON form in witnesses.

#include <vector>

#include <nlohmann/json.hpp>

#include "core/mixup.hpp"

namespace mixup {

// Every (a, b) with a in alphas and b in betas, a-major (config keys "alphas", "betas").
std::vector<MixingLaw> law_grid(const std::vector<double>& alphas,
                                const std::vector<double>& betas);
// The grid of config["alphas"] x config["betas"].
std::vector<MixingLaw> law_grid(const nlohmann::json& config);
// {"a": a, "b": b}
nlohmann::json law_json(MixingLaw law);

}  // namespace mixup
