#include "theorems/mixing_laws.hpp"

namespace mixup {

std::vector<MixingLaw> law_grid(const std::vector<double>& alphas,
                                const std::vector<double>& betas) {
  std::vector<MixingLaw> laws;
  for (const double a : alphas) {
    for (const double b : betas) laws.push_back({a, b});
  }
  return laws;
}

std::vector<MixingLaw> law_grid(const nlohmann::json& config) {
  return law_grid(config["alphas"].get<std::vector<double>>(),
                  config["betas"].get<std::vector<double>>());
}

nlohmann::json law_json(MixingLaw law) {
  return {{"a", law.a}, {"b", law.b}};
}

}  // namespace mixup
