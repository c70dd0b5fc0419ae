// `mixup-verify sweep F.json`: runs the points of a sweep and appends one line per finished point
// to DIR/results.jsonl, so that a kill at any moment loses at most the point in flight.
#include "experiments/sweep/sweep.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <ostream>
#include <sstream>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/errors.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/io/json_output.hpp"
#include "theorems/registry.hpp"

namespace mixup::sweep {
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text() {
  return std::strerror(errno);
}

// The complete lines of `text` (a final piece without '\n' is a torn line: ignored).
std::vector<ResultLine> parse_results_text(const std::string& text, const std::string& file) {
  std::vector<ResultLine> lines;
  std::size_t begin = 0;
  std::size_t number = 0;
  while (true) {
    const std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) break;  // the rest, if any, is torn
    ++number;
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank
    const std::string where = file + ":" + std::to_string(number);
    nlohmann::ordered_json value;
    try {
      value = nlohmann::ordered_json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      throw InputError(where + ": not a results line (malformed JSON: " + e.what() + ")");
    }
    if (!value.is_object() || !value.contains("index") || !value["index"].is_number_unsigned()) {
      throw InputError(where + ": not a results line (expected an object with an \"index\")");
    }
    lines.push_back({file, number, std::move(value)});
  }
  return lines;
}

// results.jsonl, open for appending and locked against a second sweep in the same folder (the
// lock goes with the process, so a killed sweep never leaves it behind).
class ResultsFile {
 public:
  explicit ResultsFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw InputError(path + ": cannot open for appending: " + errno_text());
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const bool busy = errno == EWOULDBLOCK;
      const std::string reason = errno_text();
      ::close(fd_);
      if (busy) {
        throw InputError(path +
                         ": another sweep is writing to this folder; wait for it to finish or "
                         "choose another --out");
      }
      throw InputError(path + ": cannot lock: " + reason);
    }
  }
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;
  ~ResultsFile() { ::close(fd_); }

  std::string read_all() const {
    std::string text;
    char buffer[1 << 16];
    off_t offset = 0;
    while (true) {
      const ssize_t k = ::pread(fd_, buffer, sizeof buffer, offset);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) throw InputError(path_ + ": cannot read: " + errno_text());
      if (k == 0) break;
      text.append(buffer, static_cast<std::size_t>(k));
      offset += k;
    }
    return text;
  }

  void truncate(std::size_t size) const {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0 || ::fsync(fd_) != 0) {
      throw InputError(path_ + ": cannot remove the torn last line: " + errno_text());
    }
  }

  // One write() of the whole line (O_APPEND: at the end, never interleaved), then fsync: the
  // line is in the file entirely or, after a kill mid-write at worst, as a torn tail that the
  // next start removes.
  void append(const std::string& line) const {
    const off_t before = ::lseek(fd_, 0, SEEK_END);
    ssize_t written;
    do {
      written = ::write(fd_, line.data(), line.size());
    } while (written < 0 && errno == EINTR);
    if (written != static_cast<ssize_t>(line.size())) {
      const std::string reason = written < 0 ? errno_text() : "short write (disk full?)";
      // Leave no torn line behind; if that fails too, the next start removes it.
      const bool torn = written > 0 && !(before >= 0 && ::ftruncate(fd_, before) == 0);
      throw InputError(path_ + ": cannot append a result line: " + reason +
                       (torn ? " (the torn line is removed at the next start)" : ""));
    }
    if (::fsync(fd_) != 0) throw InputError(path_ + ": fsync failed: " + errno_text());
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// Makes the folder entry of a new file durable too.
void sync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

nlohmann::ordered_json ordered_assignment(const SweepSpec& spec, const Point& point) {
  nlohmann::ordered_json assignment = nlohmann::ordered_json::object();
  for (const auto& [key, values] : spec.grid) assignment[key] = point.assignment.at(key);
  if (!spec.seeds.empty()) assignment["seed"] = point.assignment.at("seed");
  return assignment;
}

std::string assignment_text(const nlohmann::ordered_json& assignment) {
  std::string text;
  for (const auto& item : assignment.items()) {
    text += (text.empty() ? "" : " ") + item.key() + "=" + item.value().dump();
  }
  return text.empty() ? "(base config)" : text;
}

std::string verdict_text(const RegistryEntry& entry, const ClaimReport& report) {
  // A figure reports measurements, which decide no verdict.
  return entry.kind == EntryKind::kClaim ? to_string(report.verdict()) : "figure";
}

nlohmann::ordered_json result_line(const SweepSpec& spec, const Point& point,
                                   const RegistryEntry& entry, const ClaimReport& report,
                                   const std::string& sweep_fingerprint) {
  long instances = 0;
  long violations = 0;
  double least = std::numeric_limits<double>::infinity();
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const auto& check : report.checks) {
    if (check.decides_verdict()) {
      instances += check.instances;
      violations += check.violations;
      if (check.instances > 0) least = std::min(least, check.min_margin);
    }
    nlohmann::ordered_json c = {
        {"name", check.name},
        {"kind", check.kind},
        {"instances", check.instances},
        {"violations", check.violations},
        {"min_margin", check.instances > 0 ? io::json_number(check.min_margin) : nullptr},
        {"tolerance", io::json_number(check.tolerance)},
        {"measured", check.measured}};
    if (check.inconclusive) c["inconclusive"] = true;
    checks.push_back(std::move(c));
  }
  nlohmann::ordered_json audits = nlohmann::ordered_json::array();
  for (const auto& audit : report.audits) {
    audits.push_back(
        {{"drop", audit.drop},
         {"instances", audit.instances},
         {"violations", audit.violations},
         {"min_margin", audit.instances > 0 ? io::json_number(audit.min_margin) : nullptr}});
  }
  nlohmann::ordered_json line = nlohmann::ordered_json::object();
  line["index"] = point.index;
  line["target"] = spec.target;
  line["assignment"] = ordered_assignment(spec, point);
  line["verdict"] = verdict_text(entry, report);
  line["instances"] = instances;
  line["violations"] = violations;
  line["min_margin"] = instances > 0 ? io::json_number(least) : nullptr;
  line["checks"] = std::move(checks);
  line["audits"] = std::move(audits);
  line["seconds"] = report.seconds;
  line["sweep_fingerprint"] = sweep_fingerprint;
  line["config"] = point.config;
  return line;
}

std::string format_duration(double seconds) {
  char text[32];
  if (seconds < 60.0) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else if (seconds < 3600.0) {
    const long s = std::lround(seconds);
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  } else {
    const long m = std::lround(seconds / 60.0);
    std::snprintf(text, sizeof text, "%ldh%02ldm", m / 60, m % 60);
  }
  return text;
}

}  // namespace

std::vector<ResultLine> read_results_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the results file (does it exist?)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_results_text(text.str(), path);
}

int run_sweep(const SweepOptions& options, std::ostream& out, std::ostream& progress) {
  namespace fs = std::filesystem;
  // Everything is validated before any work starts.
  const Shard shard = parse_shard(options.shard);
  const SweepSpec spec = read_sweep_file(options.sweep_path);
  const std::vector<Point> points = expand(spec);
  const RegistryEntry& entry = *find_entry(spec.target);
  const std::string sweep_fingerprint = fingerprint(spec);

  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) throw InputError(options.out_dir + ": cannot create the output folder: " + ec.message());
  const std::string results_path = options.out_dir + "/results.jsonl";
  const ResultsFile results(results_path);
  sync_folder(options.out_dir);

  std::string text = results.read_all();
  if (!text.empty() && text.back() != '\n') {
    const std::size_t keep =
        text.find_last_of('\n') == std::string::npos ? 0 : text.find_last_of('\n') + 1;
    results.truncate(keep);
    text.resize(keep);
    out << results_path
        << ": removed a torn last line (the point in flight when a sweep was stopped; it runs "
           "again)\n";
  }
  const std::vector<ResultLine> existing = parse_results_text(text, results_path);
  if (!existing.empty() && !options.resume) {
    throw InputError(results_path + ": already holds " + std::to_string(existing.size()) +
                     " finished point(s); pass --resume to continue that sweep, or choose "
                     "another --out (the finished points are kept)");
  }
  std::map<std::size_t, std::string> verdicts;  // finished points: index -> verdict
  for (const auto& line : existing) {
    const std::string where = line.file + ":" + std::to_string(line.line);
    const auto& value = line.value;
    const std::string theirs =
        value.contains("sweep_fingerprint") && value["sweep_fingerprint"].is_string()
            ? value["sweep_fingerprint"].get<std::string>()
            : "none";
    if (theirs != sweep_fingerprint) {
      throw InputError(where + ": written by a different sweep (sweep_fingerprint " + theirs +
                       "; " + options.sweep_path + " has " + sweep_fingerprint +
                       "): resume with the sweep file that wrote it, or choose another --out");
    }
    const auto index = value["index"].get<std::size_t>();
    if (index >= points.size()) {
      throw InputError(where + ": point index " + std::to_string(index) + " out of range (" +
                       options.sweep_path + " has " + std::to_string(points.size()) + " points)");
    }
    verdicts[index] = value.contains("verdict") && value["verdict"].is_string()
                          ? value["verdict"].get<std::string>()
                          : "";
  }

  std::vector<const Point*> todo;
  std::size_t in_this_shard = 0;
  for (const auto& point : points) {
    if (!in_shard(point.index, shard)) continue;
    ++in_this_shard;
    if (verdicts.count(point.index) == 0) todo.push_back(&point);
  }

  const bool show = options.show_progress.value_or(::isatty(STDERR_FILENO) != 0);
  const auto start = Clock::now();
  if (show) {
    progress << "sweep " << spec.target << ": " << todo.size() << " point(s) to run in shard "
             << shard.k << "/" << shard.count << " (" << in_this_shard - todo.size()
             << " already done)\n"
             << std::flush;
  }
  for (std::size_t k = 0; k < todo.size(); ++k) {
    const Point& point = *todo[k];
    const nlohmann::ordered_json assignment = ordered_assignment(spec, point);
    RunContext context;
    context.config = point.config;
    context.quick = spec.quick;
    context.out_dir = options.out_dir + "/points/" + std::to_string(point.index);
    fs::create_directories(context.out_dir, ec);
    if (ec) throw InputError(context.out_dir + ": cannot create the folder: " + ec.message());

    const auto point_start = Clock::now();
    ClaimReport report;
    try {
      report = entry.run(context);
    } catch (const Error& e) {
      throw InputError(options.sweep_path + ": point " + std::to_string(point.index) + " (" +
                       assignment_text(assignment) + "): " + e.what() +
                       " (the points finished so far are kept; fix the sweep and --resume)");
    }
    report.seconds = std::chrono::duration<double>(Clock::now() - point_start).count();
    report.threads = cli::current_threads();
    report.version = MIXUP_VERSION;
    report.config = point.config;
    io::write_file_atomically(context.out_dir + "/" + entry.id + ".json",
                              report.to_json().dump(2) + "\n");
    const nlohmann::ordered_json line = result_line(spec, point, entry, report, sweep_fingerprint);
    results.append(line.dump() + "\n");
    verdicts[point.index] = line["verdict"].get<std::string>();

    if (show) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      const double left =
          elapsed / static_cast<double>(k + 1) * static_cast<double>(todo.size() - k - 1);
      progress << "[" << k + 1 << "/" << todo.size() << "] point " << point.index << " "
               << assignment_text(assignment) << ": " << verdicts[point.index] << " ("
               << format_duration(report.seconds) << "); elapsed " << format_duration(elapsed)
               << ", about " << format_duration(left) << " left\n"
               << std::flush;
    }
  }

  // The exit status and the summary cover the whole shard, whether run now or earlier, so that
  // an interrupted and resumed sweep ends like an uninterrupted one.
  std::map<std::string, std::size_t> counts;
  bool any_failed = false;
  for (const auto& point : points) {
    if (!in_shard(point.index, shard)) continue;
    const std::string& verdict = verdicts.at(point.index);
    ++counts[verdict];
    any_failed = any_failed || (entry.kind == EntryKind::kClaim && verdict == "fails");
  }
  out << "sweep " << spec.target << " (" << options.sweep_path << "): shard " << shard.k << "/"
      << shard.count << ", " << in_this_shard << " of " << points.size()
      << " points: " << todo.size() << " run now, " << in_this_shard - todo.size()
      << " done before\n";
  out << "verdicts:";
  for (const auto& [verdict, count] : counts) out << " " << verdict << " " << count;
  out << "\nresults: " << results_path << " (table: mixup-verify summarize " << results_path
      << " --out results.csv)\n";
  return any_failed ? cli::kExitClaimFailed : cli::kExitSuccess;
}

}  // namespace mixup::sweep
