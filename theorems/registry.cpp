#include "theorems/registry.hpp"

namespace mixup {
namespace {

std::vector<RegistryEntry> make_registry() {
  using K = EntryKind;
  return {
      {"lemma-3.1",
       K::kClaim,
       "Lemma 3.1",
       "mixup loss = D~ form (Eq. 9); quadratic approximation L_std + R1 + R2 + R3 and its order",
       {}},
      {"lemma-3.2",
       K::kClaim,
       "Lemma 3.2",
       "second-order approximation of the l2 adversarial loss, logistic regression (Eq. 5)",
       {}},
      {"theorem-3.1",
       K::kClaim,
       "Theorem 3.1",
       "approximate mixup loss bounds the approximate adversarial loss, logistic regression",
       {}},
      {"theorem-3.2",
       K::kClaim,
       "Theorem 3.2",
       "a constant lower bound on R with high probability, logistic regression",
       {}},
      {"theorem-3.3",
       K::kClaim,
       "Theorem 3.3",
       "the Theorem 3.1 chain for bias-free ReLU networks",
       {}},
      {"theorem-b.1", K::kClaim, "Theorem B.1", "the network analogue of Theorem 3.2", {}},
      {"lemma-3.3",
       K::kClaim,
       "Lemma 3.3",
       "the GLM regularizer q theta^T Sigma theta (Eq. 7)",
       {}},
      {"lemma-3.4",
       K::kClaim,
       "Lemma 3.4",
       "the two-layer ReLU regularizer with manifold mixup (Eq. 8)",
       {}},
      {"theorem-3.4",
       K::kClaim,
       "Theorem 3.4",
       "Rademacher complexity of W_gamma for GLMs, sqrt(rank / n)",
       {}},
      {"corollary-3.1",
       K::kClaim,
       "Corollary 3.1",
       "generalization bound for GLMs trained with mixup",
       {}},
      {"theorem-3.5",
       K::kClaim,
       "Theorem 3.5",
       "generalization bound for two-layer ReLU nets with manifold mixup",
       {}},
      {"fig2",
       K::kFigure,
       "Figure 2",
       "training on L_mix and on its approximation L~_mix, two-moons",
       {}},
      {"fig3", K::kFigure, "Figure 3", "R and the histogram of R_i along training", {}},
      {"fig4",
       K::kFigure,
       "Figure 4",
       "exact and second-order adversarial loss along training, two-moons",
       {}},
      {"fig1a-fashion",
       K::kFigure,
       "Figure 1a",
       "FGSM robust accuracy, mixup vs ERM, Fashion-MNIST",
       {}},
      {"fig1b-fashion",
       K::kFigure,
       "Figure 1b, Figures 5-8",
       "generalization gap along training, mixup vs ERM, Fashion-MNIST",
       {}},
      {"lemma-3.1-fashion",
       K::kFigure,
       "Lemma 3.1 on real data",
       "Lemma 3.1's identity and approximation on Fashion-MNIST",
       {}},
  };
}

}  // namespace

const std::vector<RegistryEntry>& registry() {
  static const std::vector<RegistryEntry> entries = make_registry();
  return entries;
}

const RegistryEntry* find_entry(const std::string& id) {
  for (const auto& entry : registry()) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

}  // namespace mixup
