#include "theorems/registry.hpp"

#include "core/errors.hpp"
#include "theorems/claims.hpp"

namespace mixup {
namespace {

RegistryEntry planned(std::string id, EntryKind kind, std::string paper_ref, std::string summary) {
  RegistryEntry entry;
  entry.id = std::move(id);
  entry.kind = kind;
  entry.paper_ref = std::move(paper_ref);
  entry.summary = std::move(summary);
  return entry;
}

std::vector<RegistryEntry> make_registry() {
  const EntryKind claim = EntryKind::kClaim;
  const EntryKind figure = EntryKind::kFigure;
  std::vector<RegistryEntry> entries;
  entries.push_back(planned(
      "lemma-3.1", claim, "Lemma 3.1",
      "mixup loss = D~ form (Eq. 9); quadratic approximation L_std + R1 + R2 + R3 and its order"));
  entries.push_back(planned(
      "lemma-3.2", claim, "Lemma 3.2",
      "second-order approximation of the l2 adversarial loss, logistic regression (Eq. 5)"));
  entries.push_back(planned(
      "theorem-3.1", claim, "Theorem 3.1",
      "approximate mixup loss bounds the approximate adversarial loss, logistic regression"));
  entries.push_back(
      planned("theorem-3.2", claim, "Theorem 3.2",
              "a constant lower bound on R with high probability, logistic regression"));
  entries.push_back(planned("theorem-3.3", claim, "Theorem 3.3",
                            "the Theorem 3.1 chain for bias-free ReLU networks"));
  entries.push_back(
      planned("theorem-b.1", claim, "Theorem B.1", "the network analogue of Theorem 3.2"));
  entries.push_back(planned("lemma-3.3", claim, "Lemma 3.3",
                            "the GLM regularizer q theta^T Sigma theta (Eq. 7)"));
  entries.push_back(planned("lemma-3.4", claim, "Lemma 3.4",
                            "the two-layer ReLU regularizer with manifold mixup (Eq. 8)"));
  entries.push_back(planned("theorem-3.4", claim, "Theorem 3.4",
                            "Rademacher complexity of W_gamma for GLMs, sqrt(rank / n)"));
  entries.push_back(planned("corollary-3.1", claim, "Corollary 3.1",
                            "generalization bound for GLMs trained with mixup"));
  entries.push_back(planned("theorem-3.5", claim, "Theorem 3.5",
                            "generalization bound for two-layer ReLU nets with manifold mixup"));
  entries.push_back(planned("fig2", figure, "Figure 2",
                            "training on L_mix and on its approximation L~_mix, two-moons"));
  entries.push_back(
      planned("fig3", figure, "Figure 3", "R and the histogram of R_i along training"));
  entries.push_back(planned("fig4", figure, "Figure 4",
                            "exact and second-order adversarial loss along training, two-moons"));
  entries.push_back(planned("fig1a-fashion", figure, "Figure 1a",
                            "FGSM robust accuracy, mixup vs ERM, Fashion-MNIST"));
  entries.push_back(planned("fig1b-fashion", figure, "Figure 1b, Figures 5-8",
                            "generalization gap along training, mixup vs ERM, Fashion-MNIST"));
  entries.push_back(planned("lemma-3.1-fashion", figure, "Lemma 3.1 on real data",
                            "Lemma 3.1's identity and approximation on Fashion-MNIST"));
  return entries;
}

// Gives the entry `id` of `entries` its runner and schema (one mechanism for claims and figures).
void attach_to(std::vector<RegistryEntry>& entries, const std::string& id, Runner run,
               ConfigSchema schema) {
  for (auto& entry : entries) {
    if (entry.id == id) {
      entry.run = std::move(run);
      entry.schema = std::move(schema);
      return;
    }
  }
  throw DomainError("attach_runner: no registry entry '" + id + "'");
}

std::vector<RegistryEntry>& mutable_registry() {
  static std::vector<RegistryEntry> entries = [] {
    std::vector<RegistryEntry> built = make_registry();
    attach_to(built, "lemma-3.1", check_lemma_3_1, lemma_3_1_schema());
    attach_to(built, "lemma-3.2", check_lemma_3_2, lemma_3_2_schema());
    attach_to(built, "theorem-3.1", check_theorem_3_1, theorem_3_1_schema());
    attach_to(built, "theorem-3.2", check_theorem_3_2, theorem_3_2_schema());
    attach_to(built, "theorem-3.3", check_theorem_3_3, theorem_3_3_schema());
    attach_to(built, "theorem-b.1", check_theorem_b_1, theorem_b_1_schema());
    attach_to(built, "lemma-3.3", check_lemma_3_3, lemma_3_3_schema());
    attach_to(built, "lemma-3.4", check_lemma_3_4, lemma_3_4_schema());
    attach_to(built, "theorem-3.4", check_theorem_3_4, theorem_3_4_schema());
    attach_to(built, "corollary-3.1", check_corollary_3_1, corollary_3_1_schema());
    attach_to(built, "theorem-3.5", check_theorem_3_5, theorem_3_5_schema());
    return built;
  }();
  return entries;
}

}  // namespace

const std::vector<RegistryEntry>& registry() {
  return mutable_registry();
}

void attach_runner(const std::string& id, Runner run, ConfigSchema schema) {
  attach_to(mutable_registry(), id, std::move(run), std::move(schema));
}

const RegistryEntry* find_entry(const std::string& id) {
  for (const auto& entry : registry()) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

}  // namespace mixup
