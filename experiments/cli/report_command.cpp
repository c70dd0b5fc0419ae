// `mixup-verify report`: the main job.  Every built claim and figure on its default config;
// DIR/REPORT.md with the verdict table and one section per claim (checks, witnesses, audits,
// figures), plus each entry's JSON report and the figures' CSV and PNG.
#include <chrono>
#include <iomanip>
#include <ostream>
#include <sstream>

#include <unistd.h>

#include "core/errors.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/run_entry.hpp"
#include "experiments/io/json_output.hpp"

namespace mixup::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string format_number(double x) {
  std::ostringstream text;
  text << std::setprecision(3) << x;
  return text.str();
}

std::string margin_text(const ClaimReport& report) {
  return report.deciding_instances() > 0 ? format_number(report.min_deciding_margin()) : "-";
}

std::string summaries(const ClaimReport& report) {
  std::string text;
  for (const auto& check : report.checks) {
    if (!check.summary.empty()) text += (text.empty() ? "" : "; ") + check.summary;
  }
  return text.empty() ? "-" : text;
}

// A witness as a short JSON block: long arrays are cut so the report stays readable.
std::string witness_block(const nlohmann::json& witness) {
  std::string text = witness.dump(2);
  constexpr std::size_t kMaxChars = 1500;
  if (text.size() > kMaxChars)
    text = text.substr(0, kMaxChars) + "\n... (full witness in the JSON report)";
  return "```json\n" + text + "\n```\n";
}

void write_section(std::ostringstream& md, const RegistryEntry& entry, const ClaimReport& report) {
  md << "\n## " << entry.id << ": " << entry.paper_ref << "\n\n";
  if (!report.statement.empty()) md << report.statement << "\n\n";
  md << "Verdict: **" << to_string(report.verdict()) << "** (" << format_number(report.seconds)
     << " s; full report: [" << entry.id << ".json](" << entry.id << ".json))\n\n";
  if (!report.checks.empty()) {
    md << "| check | kind | instances | violations | min margin | tolerance | measured |\n"
       << "|---|---|---|---|---|---|---|\n";
    for (const auto& check : report.checks) {
      md << "| " << check.name << " | " << check.kind << " | " << check.instances << " | "
         << check.violations << " | "
         << (check.instances > 0 ? format_number(check.min_margin) : "-") << " | "
         << format_number(check.tolerance) << " | " << (check.summary.empty() ? "" : check.summary)
         << " |\n";
    }
    for (const auto& check : report.checks) {
      if (!check.note.empty()) md << "\n*" << check.name << "*: " << check.note << "\n";
      if (check.decides_verdict() && check.instances > 0) {
        md << "\nWorst instance of *" << check.name << "*:\n\n" << witness_block(check.worst);
      }
    }
  }
  if (!report.audits.empty()) {
    md << "\n### Audits (one hypothesis dropped at a time)\n\n"
       << "| dropped | instances | violations | min margin |\n|---|---|---|---|\n";
    for (const auto& audit : report.audits) {
      md << "| " << audit.drop << " | " << audit.instances << " | " << audit.violations << " | "
         << (audit.instances > 0 ? format_number(audit.min_margin) : "-") << " |\n";
    }
    for (const auto& audit : report.audits) {
      if (!audit.witness.is_null()) {
        md << "\nWitness (" << audit.drop << "):\n\n" << witness_block(audit.witness);
      }
    }
  }
  for (const auto& note : report.notes) md << "\n- " << note << "\n";
  for (const auto& figure : report.figures) {
    if (figure.contains("png")) {
      const std::string path = figure["png"].get<std::string>();
      const std::string name = path.substr(path.find_last_of('/') + 1);
      md << "\n![" << figure["name"].get<std::string>() << "](" << name << ")\n";
    }
  }
}

class Progress {
 public:
  Progress(std::ostream& stream, std::size_t total)
      : stream_(stream), total_(total), start_(Clock::now()), enabled_(isatty(STDERR_FILENO)) {}
  void starting(std::size_t k, const std::string& id) {
    if (!enabled_) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    stream_ << "\r[" << k + 1 << "/" << total_ << "] " << std::left << std::setw(18) << id
            << " elapsed " << std::fixed << std::setprecision(0) << elapsed << " s";
    if (k > 0) {
      stream_ << ", about " << elapsed / static_cast<double>(k) * static_cast<double>(total_ - k)
              << " s left";
    }
    stream_ << "        " << std::flush;
  }
  void done() {
    if (enabled_) stream_ << "\n";
  }

 private:
  std::ostream& stream_;
  std::size_t total_;
  Clock::time_point start_;
  bool enabled_;
};

bool has_deciding_checks(const ClaimReport& report) {
  for (const auto& check : report.checks) {
    if (check.decides_verdict()) return true;
  }
  return false;
}

}  // namespace

int run_report(const CheckOptions& options, std::ostream& out, std::ostream& progress_stream) {
  std::vector<const RegistryEntry*> entries;
  for (const auto& entry : registry()) {
    if (entry.built()) entries.push_back(&entry);
  }
  // Every config is resolved before any work starts.
  std::vector<RunContext> contexts;
  contexts.reserve(entries.size());
  for (const auto* entry : entries) contexts.push_back(resolve_context(*entry, options));

  std::ostringstream table;
  std::ostringstream sections;
  table << "| claim | paper reference | verdict | instances | violations | min margin | measured | "
           "seconds |\n|---|---|---|---|---|---|---|---|\n";
  bool any_failed = false;
  Progress progress(progress_stream, entries.size());
  for (std::size_t k = 0; k < entries.size(); ++k) {
    progress.starting(k, entries[k]->id);
    const ClaimReport report = run_entry(*entries[k], contexts[k]);
    // A figure that checks something (the paper's claim on real data, a reference accuracy)
    // has a computed verdict like a claim; one that only draws is marked "figure".
    const bool decides = entries[k]->kind == EntryKind::kClaim || has_deciding_checks(report);
    any_failed = any_failed || (decides && report.verdict() == Verdict::kFails);
    table << "| [" << entries[k]->id << "](#" << entries[k]->id << ") | " << entries[k]->paper_ref
          << " | " << (decides ? to_string(report.verdict()) : "figure") << " | "
          << report.deciding_instances() << " | " << report.deciding_violations() << " | "
          << margin_text(report) << " | " << summaries(report) << " | "
          << format_number(report.seconds) << " |\n";
    write_section(sections, *entries[k], report);
  }
  progress.done();
  for (const auto& entry : registry()) {
    if (entry.built()) continue;
    table << "| " << entry.id << " | " << entry.paper_ref
          << " | not built yet | - | - | - | - | - |\n";
  }
  std::ostringstream md;
  md << "# mixup-verify report\n\n"
     << "Checks of \"How Does Mixup Help With Robustness and Generalization?\" (ICLR 2021). "
     << "Version " << MIXUP_VERSION << ", " << current_threads() << " threads"
     << (options.quick ? ", quick configs" : ", default configs") << ".\n\n"
     << "A margin is how far an instance is from violating its inequality or identity "
     << "(negative beyond the tolerance: a violation). Verdicts are computed from the checks; "
     << "\"vacuous\" means the hypotheses admitted no instance.\n\n"
     << table.str() << sections.str();
  io::write_file_atomically(options.out_dir + "/REPORT.md", md.str());
  out << "Report written to " << options.out_dir << "/REPORT.md\n";
  return any_failed ? kExitClaimFailed : kExitSuccess;
}

}  // namespace mixup::cli
