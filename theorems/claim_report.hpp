#pragma once
// The claim report of DESIGN.md ("Files"): what a claim check computed, from which its verdict
// follows.  A check records instances one at a time with their margins (margin >= -tolerance
// means the inequality or identity held at that instance); the worst instance is kept as the
// witness.  The verdict is computed from the checks, never set by hand:
//   fails         some check that decides the verdict has a violation;
//   vacuous       no check that decides the verdict had an instance (the hypotheses admit none);
//   inconclusive  a deciding check was marked inconclusive (e.g. an order that could not be
//   fitted); holds         otherwise.
// Checks of kind "measurement" and audits never decide the verdict: they report.

#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mixup {

enum class Verdict { kHolds, kFails, kVacuous, kInconclusive };
std::string to_string(Verdict verdict);

// |x - y| / max(|x|, |y|) (0 when both are 0): how identity checks compare two computed sides.
double relative_difference(double x, double y);

struct Check {
  std::string name;
  std::string kind;  // "identity" | "inequality" | "order" | "bound" | "measurement"
  double tolerance = 0.0;
  long instances = 0;
  long violations = 0;
  double min_margin = std::numeric_limits<double>::infinity();
  nlohmann::json measured = nlohmann::json::object();
  nlohmann::json worst = nullptr;  // the witness: the instance with the least margin
  bool inconclusive = false;
  std::string note;
  std::string summary;  // one line for the report's table ("slopes: linear 3.00, ...")

  // Records one instance with its margin; returns whether it held (margin >= -tolerance).
  bool record(double margin, const nlohmann::json& witness);
  bool decides_verdict() const { return kind != "measurement"; }
  nlohmann::json to_json() const;
};

struct Audit {
  std::string drop;  // the hypothesis dropped
  long instances = 0;
  long violations = 0;
  double min_margin = std::numeric_limits<double>::infinity();
  nlohmann::json witness = nullptr;
  nlohmann::json measured = nlohmann::json::object();
  std::string note;

  void record(double margin, double tolerance, const nlohmann::json& instance);
  nlohmann::json to_json() const;
};

struct ClaimReport {
  std::string claim;
  std::string paper_ref;
  std::string statement;
  nlohmann::json config = nlohmann::json::object();
  std::vector<Check> checks;
  std::vector<Audit> audits;
  std::vector<std::string> notes;
  nlohmann::json figures = nlohmann::json::array();  // {"name", "csv"} written by the claim
  double seconds = 0.0;
  int threads = 1;
  std::string version;

  Verdict verdict() const;
  // Totals over the checks that decide the verdict.
  long deciding_instances() const;
  long deciding_violations() const;
  double min_deciding_margin() const;  // +infinity when there is no instance
  nlohmann::json to_json() const;
};

}  // namespace mixup
