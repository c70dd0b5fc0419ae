#pragma once
// `mixup-verify sweep F.json`: a grid over the config keys of one claim or figure, one result
// line per point, resumable after a kill, shardable across machines; `summarize` turns results
// files into one CSV table.
//
// Sweep file (JSON object; only these keys):
//   "target": registry id ("lemma-3.1", "fig2", ...; see `mixup-verify list`), required;
//   "base":   config keys fixed for every point, overlaid on the schema's defaults (the file
//             configs/<id>.json is NOT read: a sweep file says everything its results depend on);
//   "grid":   {"key": [v1, v2, ...], ...}: each listed value of each key (a value of a list-typed
//             key is itself a list); grid values override base values;
//   "seeds":  [s1, s2, ...]: optional; each point sets config key "seed" (the target's schema
//             must have it, and then "seed" cannot also be a grid key);
//   "quick":  optional boolean, default false: run each point at the small --quick size.
// Every value is validated against the target's schema before any work starts; errors name the
// file and the key path ("sweeps/a.json: grid.alphas[2]: expected a number > 0, got -1").
//
// Points: the Cartesian product seeds x grid.  Seeds are OUTERMOST, grid keys follow in file
// order and the LAST grid key varies fastest: with seeds [1, 2] and grid {"a": [x, y], "b": [u,
// v]} the points 0..7 are (1,x,u) (1,x,v) (1,y,u) (1,y,v) (2,x,u) ... .  So the first G points
// (G = product of grid sizes) cover the whole grid once with the first seed.
//
// Output folder DIR (--out, default "sweep-out"):
//   DIR/results.jsonl          one JSON object per finished point, one line each (see
//                              result_line below); appended with one write() + fsync per line;
//   DIR/points/<index>/<id>.json  the point's full claim report (witnesses, audits, config),
//                              plus whatever files the target writes (figure CSV/PNG).
// Kill-safety: a line is either wholly in results.jsonl or not at all, except that a kill in the
// middle of write() could leave a torn last line (no final '\n'); every start truncates such a
// tail, and readers ignore it.  A kill loses at most the point in flight.
//
// Results are deterministic: for the same sweep file and binary, every field of a line except
// "seconds" is the same whatever the thread count, shard or interruption history.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mixup::sweep {

struct SweepSpec {
  std::string target;
  nlohmann::json base = nlohmann::json::object();
  std::vector<std::pair<std::string, nlohmann::json>> grid;  // file order; each value a list
  std::vector<std::uint64_t> seeds;                          // empty: no "seeds" key
  bool quick = false;
  std::string source;  // the file it was read from (for messages)
};

// Reads and validates a sweep file; throws InputError naming the file and key path.
SweepSpec read_sweep_file(const std::string& path);
// The same from parsed JSON (must be an object; `source` names it in messages).  Parse with
// ordered_json so that the grid keeps its file order.
SweepSpec parse_sweep(const nlohmann::ordered_json& file, const std::string& source);

struct Point {
  std::size_t index = 0;
  nlohmann::json assignment;  // the grid keys' values and "seed" (when seeds are given)
  nlohmann::json config;      // the resolved full config of this point
};

// The Cartesian product in the order documented above.
std::vector<Point> expand(const SweepSpec& spec);

// Hex FNV-1a 64 of the canonical JSON of target, quick, base, grid (in order) and seeds: lines of
// results.jsonl from a different sweep definition have a different fingerprint.
std::string fingerprint(const SweepSpec& spec);

struct Shard {
  std::size_t k = 1, count = 1;
};
// "k/N" with 1 <= k <= N (decimal digits only); else InputError.
Shard parse_shard(const std::string& text);
// Shard k of N takes the points whose index % N == k - 1.
bool in_shard(std::size_t index, Shard shard);

struct SweepOptions {
  std::string sweep_path;
  std::string out_dir = "sweep-out";
  bool resume = false;
  std::string shard = "1/1";
  // Progress lines on `progress`; unset: only when standard error is a terminal.
  std::optional<bool> show_progress;
};

// Runs the points of the shard that results.jsonl does not hold yet.  Prints a summary on `out`.
// Returns 0, or 1 when a claim point of this shard (run now or earlier) has verdict "fails" (as
// `check` does: a claim failed under its own hypotheses).  Throws InputError (exit 2) for a bad
// sweep file or shard, for an existing non-empty results.jsonl without `resume`, for one with
// lines of a different sweep, and when another sweep is writing the same folder.  An Error
// thrown by a point's runner stops the sweep (finished points stay) and is rethrown as an
// InputError naming the point.
int run_sweep(const SweepOptions& options, std::ostream& out, std::ostream& progress);

// One finished point as read back from a results file.
struct ResultLine {
  std::string file;
  std::size_t line = 0;  // 1-based
  nlohmann::ordered_json value;
};

// The complete lines of a results file: a torn final line (no '\n') is ignored; a complete line
// that is not a JSON object with an "index" is an InputError "file:line: ...".
std::vector<ResultLine> read_results_file(const std::string& path);

// Merges one or many results files (a folder stands for its results.jsonl) by point index (a point
// finished twice with the same content apart from "seconds" counts once, the first one kept;
// conflicting duplicates and lines of different sweeps are InputErrors) and writes a CSV sorted by
// index.  Columns: index, each grid key (order of first appearance), seed, target, verdict,
// instances, violations, min_margin, seconds, then per check "<name>.min_margin",
// "<name>.violations", "<name>.instances" (name with every run of characters outside [A-Za-z0-9_]
// replaced by '_').  Numbers round-trip (17 significant digits at most); "inf" is written as inf; a
// missing value as an empty cell.
std::string summarize_to_csv(const std::vector<std::string>& results_files);

struct SummarizeOptions {
  std::vector<std::string> results_files;
  std::string out_path;  // empty: the CSV goes to `out`
};
// `mixup-verify summarize FILES... [--out CSV]`: the CSV written atomically to out_path (and a
// one-line note on `out`), or printed on `out`.  Returns 0; InputError as summarize_to_csv.
int run_summarize(const SummarizeOptions& options, std::ostream& out);

}  // namespace mixup::sweep
