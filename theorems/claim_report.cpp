#include "theorems/claim_report.hpp"

#include <algorithm>
#include <cmath>

namespace mixup {

double relative_difference(double x, double y) {
  const double scale = std::max(std::abs(x), std::abs(y));
  return scale > 0.0 ? std::abs(x - y) / scale : 0.0;
}

namespace {

nlohmann::json number_or_marker(double x) {
  if (std::isnan(x)) return nullptr;
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

}  // namespace

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kHolds:
      return "holds";
    case Verdict::kFails:
      return "fails";
    case Verdict::kVacuous:
      return "vacuous";
    case Verdict::kInconclusive:
      return "inconclusive";
  }
  return "inconclusive";
}

bool Check::record(double margin, const nlohmann::json& witness) {
  ++instances;
  const bool held = margin >= -tolerance;  // a NaN margin counts as a violation
  if (!held) ++violations;
  const double ranked = std::isnan(margin) ? -std::numeric_limits<double>::infinity() : margin;
  if (worst.is_null() || ranked < min_margin) {
    min_margin = ranked;
    worst = witness;
    worst["margin"] = number_or_marker(margin);
  }
  return held;
}

nlohmann::json Check::to_json() const {
  nlohmann::json j = {{"name", name},
                      {"kind", kind},
                      {"instances", instances},
                      {"violations", violations},
                      {"min_margin", instances > 0 ? number_or_marker(min_margin) : nullptr},
                      {"tolerance", tolerance},
                      {"measured", measured},
                      {"worst", worst}};
  if (inconclusive) j["inconclusive"] = true;
  if (!note.empty()) j["note"] = note;
  if (!summary.empty()) j["summary"] = summary;
  return j;
}

void Audit::record(double margin, double tolerance, const nlohmann::json& instance) {
  ++instances;
  const bool held = margin >= -tolerance;  // a NaN margin counts as a violation
  if (!held) ++violations;
  const double ranked = std::isnan(margin) ? -std::numeric_limits<double>::infinity() : margin;
  if (ranked < min_margin) {
    min_margin = ranked;
    if (!held) {  // the witness is the worst violating instance, when there is one
      witness = instance;
      witness["margin"] = number_or_marker(margin);
    }
  }
}

nlohmann::json Audit::to_json() const {
  nlohmann::json j = {{"drop", drop},
                      {"instances", instances},
                      {"violations", violations},
                      {"min_margin", instances > 0 ? number_or_marker(min_margin) : nullptr},
                      {"witness", witness},
                      {"measured", measured}};
  if (!note.empty()) j["note"] = note;
  return j;
}

Verdict ClaimReport::verdict() const {
  bool any_instance = false;
  bool any_inconclusive = false;
  for (const auto& check : checks) {
    if (!check.decides_verdict()) continue;
    if (check.violations > 0) return Verdict::kFails;
    any_instance = any_instance || check.instances > 0;
    any_inconclusive = any_inconclusive || check.inconclusive;
  }
  if (!any_instance) return Verdict::kVacuous;
  if (any_inconclusive) return Verdict::kInconclusive;
  return Verdict::kHolds;
}

long ClaimReport::deciding_instances() const {
  long total = 0;
  for (const auto& check : checks) total += check.decides_verdict() ? check.instances : 0;
  return total;
}

long ClaimReport::deciding_violations() const {
  long total = 0;
  for (const auto& check : checks) total += check.decides_verdict() ? check.violations : 0;
  return total;
}

double ClaimReport::min_deciding_margin() const {
  double least = std::numeric_limits<double>::infinity();
  for (const auto& check : checks) {
    if (check.decides_verdict() && check.instances > 0) least = std::min(least, check.min_margin);
  }
  return least;
}

nlohmann::json ClaimReport::to_json() const {
  nlohmann::json j = {{"claim", claim},
                      {"paper_ref", paper_ref},
                      {"statement", statement},
                      {"verdict", to_string(verdict())},
                      {"config", config},
                      {"checks", nlohmann::json::array()},
                      {"audits", nlohmann::json::array()},
                      {"notes", notes},
                      {"figures", figures},
                      {"seconds", seconds},
                      {"threads", threads},
                      {"version", version}};
  for (const auto& check : checks) j["checks"].push_back(check.to_json());
  for (const auto& audit : audits) j["audits"].push_back(audit.to_json());
  return j;
}

}  // namespace mixup
