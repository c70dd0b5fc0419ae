// Specification of `mixup-verify sweep` and `summarize` (experiments/sweep/sweep.hpp): sweep files
// are validated before any work starts, the grid expands in the documented order, shards
// partition it, results.jsonl survives a kill, and summaries merge shards.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "experiments/figures/figures.hpp"
#include "experiments/sweep/sweep.hpp"
#include "tests/support/cli_runner.hpp"

extern char** environ;

namespace mixup {
namespace {

using testing::make_temp_dir;
using testing::read_text_file;
using testing::run_cli;
using testing::write_text_file;

// A fresh temporary folder, removed with everything in it at the end of the test.
struct TempDir {
  explicit TempDir(const std::string& tag) : path(make_temp_dir(tag)) {}
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string path;
};

// The registry with every target attached, as the program has it.
void use_registry() {
  figures::register_figures();
}

std::string write_sweep(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  write_text_file(path, text);
  return path;
}

// The message of the InputError that read_sweep_file throws, or "" when it accepts the file.
std::string refusal(const std::string& text) {
  use_registry();
  const TempDir dir("sweep-file");
  const std::string path = write_sweep(dir.path, "s.json", text);
  try {
    sweep::read_sweep_file(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---------------------------------------------------------------------------------------------
// Sweep files

TEST(SweepFile, UnknownTopLevelKeyIsRefusedNamingFileAndKey) {
  const std::string message = refusal(R"({"target": "lemma-3.1", "gird": {}})");
  EXPECT_TRUE(contains(message, "s.json: gird: unknown key")) << message;
  EXPECT_TRUE(contains(message, "target, base, grid, seeds, quick")) << message;
}

TEST(SweepFile, UnknownTargetIsRefusedListingTheKnownIds) {
  const std::string message = refusal(R"({"target": "theorem-9.9"})");
  EXPECT_TRUE(contains(message, "s.json: target: unknown id \"theorem-9.9\"")) << message;
  EXPECT_TRUE(contains(message, "lemma-3.1")) << message;
}

TEST(SweepFile, MissingTargetIsRefused) {
  const std::string message = refusal(R"({"grid": {}})");
  EXPECT_TRUE(contains(message, "s.json: target: missing")) << message;
}

TEST(SweepFile, GridKeyTheTargetLacksIsRefusedWithItsPathAndTheAllowedKeys) {
  const std::string message = refusal(R"({"target": "lemma-3.1", "grid": {"nonsense": [1, 2]}})");
  EXPECT_TRUE(contains(message, "s.json: grid.nonsense: unknown config key")) << message;
  EXPECT_TRUE(contains(message, "order_alpha")) << message;
}

TEST(SweepFile, BaseKeyTheTargetLacksIsRefused) {
  const std::string message = refusal(R"({"target": "lemma-3.1", "base": {"nn": 3}})");
  EXPECT_TRUE(contains(message, "s.json: base.nn: unknown config key")) << message;
}

TEST(SweepFile, GridValueThatIsNotAListIsRefused) {
  const std::string message = refusal(R"({"target": "lemma-3.1", "grid": {"order_alpha": 2}})");
  EXPECT_TRUE(contains(message, "s.json: grid.order_alpha: expected a non-empty list")) << message;
}

TEST(SweepFile, EmptyGridListIsRefused) {
  const std::string message = refusal(R"({"target": "lemma-3.1", "grid": {"order_alpha": []}})");
  EXPECT_TRUE(contains(message, "s.json: grid.order_alpha: expected a non-empty list")) << message;
}

TEST(SweepFile, WrongTypeInBaseIsRefusedWithItsKeyPath) {
  const std::string message = refusal(R"({"target": "lemma-3.1", "base": {"n": "many"}})");
  EXPECT_TRUE(contains(message, "s.json: base.n: expected an integer >= 2, got \"many\""))
      << message;
}

TEST(SweepFile, OutOfRangeGridValueIsRefusedWithItsIndex) {
  const std::string message =
      refusal(R"({"target": "lemma-3.1", "grid": {"order_alpha": [2, -1]}})");
  EXPECT_TRUE(contains(message, "s.json: grid.order_alpha[1]: expected a number > 0, got -1"))
      << message;
}

TEST(SweepFile, GridOverAListKeyValidatesEveryElementOfEveryValue) {
  const std::string message =
      refusal(R"({"target": "lemma-3.1", "grid": {"alphas": [[1.0], [0.5, 0]]}})");
  EXPECT_TRUE(contains(message, "s.json: grid.alphas[1][1]: expected a number > 0, got 0"))
      << message;
}

TEST(SweepFile, ValueListedTwiceInTheGridIsRefused) {
  const std::string message =
      refusal(R"({"target": "lemma-3.1", "grid": {"order_alpha": [2, 3, 2]}})");
  EXPECT_TRUE(contains(message, "s.json: grid.order_alpha[2]: 2 is listed twice")) << message;
}

TEST(SweepFile, SeedsMustBeIntegersAtLeastZero) {
  EXPECT_TRUE(contains(refusal(R"({"target": "lemma-3.1", "seeds": [1, -2]})"),
                       "s.json: seeds[1]: expected an integer >= 0, got -2"));
  EXPECT_TRUE(contains(refusal(R"({"target": "lemma-3.1", "seeds": [1.5]})"),
                       "s.json: seeds[0]: expected an integer >= 0, got 1.5"));
  EXPECT_TRUE(contains(refusal(R"({"target": "lemma-3.1", "seeds": []})"),
                       "s.json: seeds: expected a non-empty list"));
}

TEST(SweepFile, SeedCannotBeBothAGridKeyAndSeeds) {
  const std::string message =
      refusal(R"({"target": "lemma-3.1", "grid": {"seed": [1]}, "seeds": [2]})");
  EXPECT_TRUE(contains(message, "s.json: grid.seed:")) << message;
}

TEST(SweepFile, QuickMustBeABoolean) {
  const std::string message = refusal(R"({"target": "lemma-3.1", "quick": "yes"})");
  EXPECT_TRUE(contains(message, "s.json: quick: expected true or false")) << message;
}

TEST(SweepFile, MalformedJsonIsRefusedNamingTheFile) {
  const std::string message = refusal(R"({"target": )");
  EXPECT_TRUE(contains(message, "s.json: malformed JSON")) << message;
}

TEST(SweepFile, ValidFileKeepsTheGridInFileOrder) {
  use_registry();
  const TempDir dir("sweep-file");
  const std::string path = write_sweep(dir.path, "ok.json", R"({
    "target": "lemma-3.1", "quick": true, "base": {"n": 10},
    "grid": {"order_beta": [1, 2], "order_alpha": [3]}, "seeds": [7, 8]})");
  const sweep::SweepSpec spec = sweep::read_sweep_file(path);
  EXPECT_EQ(spec.target, "lemma-3.1");
  EXPECT_TRUE(spec.quick);
  EXPECT_EQ(spec.base, nlohmann::json({{"n", 10}}));
  ASSERT_EQ(spec.grid.size(), 2U);
  EXPECT_EQ(spec.grid[0].first, "order_beta");
  EXPECT_EQ(spec.grid[1].first, "order_alpha");
  EXPECT_EQ(spec.seeds, (std::vector<std::uint64_t>{7, 8}));
}

TEST(SweepFile, EveryExampleSweepInConfigsIsValid) {
  use_registry();
  int files = 0;
  for (const auto& item :
       std::filesystem::directory_iterator(std::string(MIXUP_SOURCE_DIR) + "/configs/sweeps")) {
    if (item.path().extension() != ".json") continue;
    ++files;
    const std::string path = item.path().string();
    try {
      const auto points = sweep::expand(sweep::read_sweep_file(path));
      EXPECT_GE(points.size(), 1U) << path;
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GE(files, 1) << "configs/sweeps/ holds the example sweeps";
}

// ---------------------------------------------------------------------------------------------
// Expansion, fingerprints and shards

sweep::SweepSpec three_by_two_with_two_seeds() {
  use_registry();
  sweep::SweepSpec spec;
  spec.target = "lemma-3.1";
  spec.base = {{"n", 10}};
  spec.grid = {{"order_alpha", {1.0, 2.0, 3.0}}, {"order_beta", {4.0, 5.0}}};
  spec.seeds = {11, 12};
  spec.source = "test";
  return spec;
}

TEST(Expand, PointCountIsTheProductOfTheGridSizesTimesTheSeeds) {
  EXPECT_EQ(sweep::expand(three_by_two_with_two_seeds()).size(), 12U);
  sweep::SweepSpec no_grid = three_by_two_with_two_seeds();
  no_grid.grid.clear();
  no_grid.seeds.clear();
  EXPECT_EQ(sweep::expand(no_grid).size(), 1U) << "no grid and no seeds: the base config alone";
}

TEST(Expand, SeedsAreOutermostAndTheLastGridKeyVariesFastest) {
  const auto points = sweep::expand(three_by_two_with_two_seeds());
  ASSERT_EQ(points.size(), 12U);
  std::vector<std::tuple<std::uint64_t, double, double>> expected;
  for (std::uint64_t seed : {11, 12}) {
    for (double a : {1.0, 2.0, 3.0}) {
      for (double b : {4.0, 5.0}) expected.emplace_back(seed, a, b);
    }
  }
  for (std::size_t k = 0; k < points.size(); ++k) {
    EXPECT_EQ(points[k].index, k);
    const auto& [seed, a, b] = expected[k];
    EXPECT_EQ(points[k].assignment["seed"].get<std::uint64_t>(), seed) << "point " << k;
    EXPECT_EQ(points[k].assignment["order_alpha"].get<double>(), a) << "point " << k;
    EXPECT_EQ(points[k].assignment["order_beta"].get<double>(), b) << "point " << k;
  }
}

TEST(Expand, ConfigIsTheDefaultsOverlaidByBaseThenByThePoint) {
  const auto points = sweep::expand(three_by_two_with_two_seeds());
  const auto& config = points[5].config;
  EXPECT_EQ(config["n"], 10) << "from base";
  EXPECT_EQ(config["seed"], 11);
  EXPECT_EQ(config["order_alpha"], 3.0);
  EXPECT_EQ(config["order_beta"], 5.0);
  EXPECT_EQ(config["order_n"], 20) << "a default of the schema";
}

TEST(Fingerprint, DependsOnTheSweepDefinitionIncludingGridOrder) {
  const sweep::SweepSpec spec = three_by_two_with_two_seeds();
  EXPECT_EQ(sweep::fingerprint(spec), sweep::fingerprint(three_by_two_with_two_seeds()));
  sweep::SweepSpec reordered = spec;
  std::swap(reordered.grid[0], reordered.grid[1]);
  EXPECT_NE(sweep::fingerprint(spec), sweep::fingerprint(reordered));
  sweep::SweepSpec other_base = spec;
  other_base.base["n"] = 11;
  EXPECT_NE(sweep::fingerprint(spec), sweep::fingerprint(other_base));
  sweep::SweepSpec quick = spec;
  quick.quick = true;
  EXPECT_NE(sweep::fingerprint(spec), sweep::fingerprint(quick));
  EXPECT_EQ(sweep::fingerprint(spec).size(), 16U);
}

TEST(Shard, ThirdsPartitionThePointsExactly) {
  const auto points = sweep::expand(three_by_two_with_two_seeds());
  std::vector<int> owners(points.size(), 0);
  for (std::size_t k = 1; k <= 3; ++k) {
    const sweep::Shard shard = sweep::parse_shard(std::to_string(k) + "/3");
    for (const auto& point : points) owners[point.index] += sweep::in_shard(point.index, shard);
  }
  for (std::size_t i = 0; i < owners.size(); ++i) {
    EXPECT_EQ(owners[i], 1) << "point " << i << " must be in exactly one shard";
  }
}

TEST(Shard, ParseRefusesZeroAndKAboveNAndNonNumbers) {
  for (const std::string bad : {"0/3", "4/3", "x", "1/0", "/3", "1/", "1/3/4", "-1/3", "1 /3"}) {
    EXPECT_THROW(sweep::parse_shard(bad), InputError) << bad;
  }
  try {
    sweep::parse_shard("4/3");
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "--shard: expected k/N with integers 1 <= k <= N")) << e.what();
  }
  const sweep::Shard shard = sweep::parse_shard("2/3");
  EXPECT_EQ(shard.k, 2U);
  EXPECT_EQ(shard.count, 3U);
}

// ---------------------------------------------------------------------------------------------
// Results files and summaries (hand-made lines: no claim runs)

std::string line_json(std::size_t index, double alpha, const std::string& fingerprint,
                      double seconds, double margin = 0.5) {
  nlohmann::ordered_json line = {{"index", index},
                                 {"target", "lemma-3.1"},
                                 {"assignment", {{"order_alpha", alpha}, {"seed", 1}}},
                                 {"verdict", "holds"},
                                 {"instances", 3},
                                 {"violations", 0},
                                 {"min_margin", margin},
                                 {"checks",
                                  {{{"name", "E[loss] = D~ form (Eq. 9)"},
                                    {"kind", "identity"},
                                    {"instances", 3},
                                    {"violations", 0},
                                    {"min_margin", margin},
                                    {"measured", nlohmann::json::object()}}}},
                                 {"seconds", seconds},
                                 {"sweep_fingerprint", fingerprint}};
  return line.dump() + "\n";
}

std::vector<std::string> csv_rows(const std::string& csv) {
  std::vector<std::string> rows;
  std::istringstream in(csv);
  for (std::string row; std::getline(in, row);) rows.push_back(row);
  return rows;
}

TEST(Summarize, IgnoresATornLastLine) {
  const TempDir temp("sweep-sum");
  const std::string& dir = temp.path;
  write_text_file(
      dir + "/results.jsonl",
      line_json(0, 2.0, "f", 0.1) + line_json(1, 3.0, "f", 0.2) + R"({"index": 2, "target": "lem)");
  const auto rows = csv_rows(sweep::summarize_to_csv({dir + "/results.jsonl"}));
  ASSERT_EQ(rows.size(), 3U) << "a header and two points";
  EXPECT_EQ(rows[0],
            "index,order_alpha,seed,target,verdict,instances,violations,min_margin,seconds,"
            "E_loss_D_form_Eq_9.min_margin,E_loss_D_form_Eq_9.violations,"
            "E_loss_D_form_Eq_9.instances");
  EXPECT_EQ(rows[1], "0,2.0,1,lemma-3.1,holds,3,0,0.5,0.1,0.5,0,3");
  EXPECT_EQ(rows[2].substr(0, 6), "1,3.0,");
}

TEST(Summarize, MeasuredScalarsBecomeColumnsAndListsAreLeftOut) {
  const TempDir temp("sweep-sum");
  const std::string& dir = temp.path;
  nlohmann::ordered_json line = nlohmann::ordered_json::parse(line_json(0, 2.0, "f", 0.1));
  line["checks"][0]["measured"] = {{"linear", {{"slope", 2.75}, {"points", {1, 2}}}},
                                   {"note", "a, b"}};
  write_text_file(dir + "/r.jsonl", line.dump() + "\n");
  const auto rows = csv_rows(sweep::summarize_to_csv({dir + "/r.jsonl"}));
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_TRUE(contains(rows[0],
                       ",E_loss_D_form_Eq_9.instances,E_loss_D_form_Eq_9.linear.slope,"
                       "E_loss_D_form_Eq_9.note"))
      << rows[0];
  EXPECT_FALSE(contains(rows[0], "points")) << rows[0];
  EXPECT_TRUE(contains(rows[1], ",2.75,\"a, b\"")) << "CSV-quoted: " << rows[1];
}

TEST(Summarize, MergesFilesSortedByIndexAndCountsAPointFinishedTwiceOnce) {
  const TempDir temp("sweep-sum");
  const std::string& dir = temp.path;
  write_text_file(dir + "/a.jsonl", line_json(2, 4.0, "f", 0.1) + line_json(0, 2.0, "f", 0.1));
  write_text_file(dir + "/b.jsonl", line_json(1, 3.0, "f", 0.1) + line_json(2, 4.0, "f", 9.0));
  const auto rows = csv_rows(sweep::summarize_to_csv({dir + "/a.jsonl", dir + "/b.jsonl"}));
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[1].substr(0, 2), "0,");
  EXPECT_EQ(rows[2].substr(0, 2), "1,");
  EXPECT_EQ(rows[3].substr(0, 2), "2,");
  EXPECT_TRUE(contains(rows[3], ",0.1,")) << "the first file's seconds are kept: " << rows[3];
}

TEST(Summarize, ConflictingDuplicatesAreRefused) {
  const TempDir temp("sweep-sum");
  const std::string& dir = temp.path;
  write_text_file(dir + "/a.jsonl", line_json(0, 2.0, "f", 0.1, 0.5));
  write_text_file(dir + "/b.jsonl", line_json(0, 2.0, "f", 0.1, 0.25));
  try {
    sweep::summarize_to_csv({dir + "/a.jsonl", dir + "/b.jsonl"});
    FAIL() << "conflicting duplicates must be refused";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "b.jsonl:1: point 0 differs from the same point at"))
        << e.what();
  }
}

TEST(Summarize, LinesOfDifferentSweepsAreRefused) {
  const TempDir temp("sweep-sum");
  const std::string& dir = temp.path;
  write_text_file(dir + "/a.jsonl", line_json(0, 2.0, "f", 0.1));
  write_text_file(dir + "/b.jsonl", line_json(1, 2.0, "g", 0.1));
  EXPECT_THROW(sweep::summarize_to_csv({dir + "/a.jsonl", dir + "/b.jsonl"}), InputError);
}

TEST(Summarize, MalformedCompleteLineIsRefusedWithFileAndLine) {
  const TempDir temp("sweep-sum");
  const std::string& dir = temp.path;
  write_text_file(dir + "/a.jsonl", line_json(0, 2.0, "f", 0.1) + "{not json}\n");
  try {
    sweep::summarize_to_csv({dir + "/a.jsonl"});
    FAIL() << "a corrupt complete line must be refused";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "a.jsonl:2: not a results line")) << e.what();
  }
}

// ---------------------------------------------------------------------------------------------
// run_sweep in-process, in situations where no point needs to run

// A one-point sweep of lemma-3.1 (order_alpha = 2, seed 1) and its output folder DIR/out.
struct Folder {
  Folder() : temp("sweep-run"), dir(temp.path) {
    use_registry();
    sweep_path = write_sweep(
        dir, "one.json",
        R"({"target": "lemma-3.1", "quick": true, "grid": {"order_alpha": [2.0]}, "seeds": [1]})");
    fingerprint = sweep::fingerprint(sweep::read_sweep_file(sweep_path));
    std::filesystem::create_directories(dir + "/out");
  }
  TempDir temp;
  std::string dir;
  std::string sweep_path;
  std::string fingerprint;
};

sweep::SweepOptions options_for(const Folder& folder) {
  sweep::SweepOptions options;
  options.sweep_path = folder.sweep_path;
  options.out_dir = folder.dir + "/out";
  options.show_progress = false;
  return options;
}

TEST(RunSweep, ExistingResultsWithoutResumeAreRefusedAndKept) {
  const Folder folder;
  const std::string results = folder.dir + "/out/results.jsonl";
  const std::string before = line_json(0, 2.0, folder.fingerprint, 0.1);
  write_text_file(results, before);
  std::ostringstream out;
  std::ostringstream progress;
  try {
    sweep::run_sweep(options_for(folder), out, progress);
    FAIL() << "an existing results file must not be overwritten";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "pass --resume")) << e.what();
    EXPECT_TRUE(contains(e.what(), "another --out")) << e.what();
  }
  EXPECT_EQ(read_text_file(results), before);
}

TEST(RunSweep, ResumeSkipsFinishedPointsAndReportsTheirVerdicts) {
  const Folder folder;
  write_text_file(folder.dir + "/out/results.jsonl", line_json(0, 2.0, folder.fingerprint, 0.1));
  sweep::SweepOptions options = options_for(folder);
  options.resume = true;
  std::ostringstream out;
  std::ostringstream progress;
  EXPECT_EQ(sweep::run_sweep(options, out, progress), 0);
  EXPECT_TRUE(contains(out.str(), "0 run now, 1 done before")) << out.str();
  EXPECT_TRUE(contains(out.str(), "verdicts: holds 1")) << out.str();
}

TEST(RunSweep, ResumeRefusesLinesOfADifferentSweep) {
  const Folder folder;
  write_text_file(folder.dir + "/out/results.jsonl", line_json(0, 2.0, "0123456789abcdef", 0.1));
  sweep::SweepOptions options = options_for(folder);
  options.resume = true;
  std::ostringstream out;
  std::ostringstream progress;
  try {
    sweep::run_sweep(options, out, progress);
    FAIL() << "a different sweep's results must be refused";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "results.jsonl:1: written by a different sweep")) << e.what();
  }
}

TEST(RunSweep, StartTruncatesATornLastLine) {
  const Folder folder;
  const std::string results = folder.dir + "/out/results.jsonl";
  const std::string complete = line_json(0, 2.0, folder.fingerprint, 0.1);
  write_text_file(results, complete + R"({"index": 1, "tar)");
  sweep::SweepOptions options = options_for(folder);
  options.resume = true;
  std::ostringstream out;
  std::ostringstream progress;
  EXPECT_EQ(sweep::run_sweep(options, out, progress), 0);
  EXPECT_EQ(read_text_file(results), complete);
  EXPECT_TRUE(contains(out.str(), "removed a torn last line")) << out.str();
}

TEST(RunSweep, AnEmptyShardRunsNothing) {
  const Folder folder;
  sweep::SweepOptions options = options_for(folder);
  options.shard = "2/2";  // the only point, index 0, is in shard 1/2
  std::ostringstream out;
  std::ostringstream progress;
  EXPECT_EQ(sweep::run_sweep(options, out, progress), 0);
  EXPECT_TRUE(contains(out.str(), "0 of 1 points: 0 run now")) << out.str();
  EXPECT_EQ(read_text_file(folder.dir + "/out/results.jsonl"), "");
}

// ---------------------------------------------------------------------------------------------
// End to end through the command line (`mixup-verify sweep` and `summarize`), with real points:
// lemma-3.1 at the quick size, two values of order_alpha, three seeds (6 points).

constexpr const char* kEndToEndSweep = R"({
  "target": "lemma-3.1",
  "quick": true,
  "base": {"n": 12, "order_n": 10, "order_halvings": 6},
  "grid": {"order_alpha": [2.0, 3.0]},
  "seeds": [1, 2, 3]
})";
constexpr std::size_t kEndToEndPoints = 6;

// Lines of a results file by index, without "seconds"; counts each index's occurrences.
struct Lines {
  std::map<std::size_t, nlohmann::json> by_index;
  std::map<std::size_t, int> occurrences;
  bool ends_with_newline = true;
};

Lines read_lines(const std::string& path) {
  Lines lines;
  const std::string text = read_text_file(path);
  lines.ends_with_newline = text.empty() || text.back() == '\n';
  std::istringstream in(text);
  for (std::string row; std::getline(in, row);) {
    nlohmann::json value = nlohmann::json::parse(row);
    value.erase("seconds");
    const auto index = value["index"].get<std::size_t>();
    ++lines.occurrences[index];
    lines.by_index[index] = value;
  }
  return lines;
}

// The CSV without its "seconds" column.
std::vector<std::string> without_seconds(const std::string& csv) {
  std::vector<std::string> rows;
  int seconds_column = -1;
  for (const auto& row : csv_rows(csv)) {
    std::vector<std::string> cells;
    std::string cell_text;
    std::istringstream in(row);
    while (std::getline(in, cell_text, ',')) cells.push_back(cell_text);
    if (seconds_column < 0) {
      seconds_column =
          static_cast<int>(std::find(cells.begin(), cells.end(), "seconds") - cells.begin());
    }
    if (seconds_column < static_cast<int>(cells.size()))
      cells.erase(cells.begin() + seconds_column);
    std::string joined;
    for (const auto& c : cells) joined += c + ",";
    rows.push_back(joined);
  }
  return rows;
}

// A child process running the command line, killed when the guard goes out of scope.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::vector<std::string>& extra_env) {
    std::vector<std::string> owned = {MIXUP_CLI_PATH};
    owned.insert(owned.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : owned) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_owned = extra_env;
    for (char** e = environ; *e != nullptr; ++e) env_owned.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : env_owned) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid_, MIXUP_CLI_PATH, &actions, nullptr, argv.data(), envp.data()) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { kill_and_wait(); }

  bool started() const { return pid_ > 0; }
  // SIGKILL, then reap; returns whether it was killed by the signal (not exited before).
  bool kill_and_wait() {
    if (pid_ <= 0) return false;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

 private:
  pid_t pid_ = -1;
};

int complete_lines(const std::string& path) {
  const std::string text = read_text_file(path);
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

class SweepCli : public ::testing::Test {
 protected:
  // One uninterrupted run, shared by the tests that compare against it.
  static void SetUpTestSuite() {
    root_ = new std::string(make_temp_dir("sweep-e2e"));
    sweep_path_ = new std::string(write_sweep(*root_, "sweep.json", kEndToEndSweep));
    const auto start = std::chrono::steady_clock::now();
    reference_ = new testing::CliResult(
        run_cli({"sweep", *sweep_path_, "--out", *root_ + "/whole"}, {"OMP_NUM_THREADS=1"}));
    reference_seconds_ =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*root_);
    delete root_;
    delete sweep_path_;
    delete reference_;
  }
  void SetUp() override {
    // 0, or 1 when a point's verdict is "fails": the sweep's mechanics are under test here, not
    // the claim.
    ASSERT_TRUE(reference_->status == 0 || reference_->status == 1)
        << "the uninterrupted sweep failed: status " << reference_->status << ": "
        << reference_->err;
  }

  static std::string* root_;
  static std::string* sweep_path_;
  static testing::CliResult* reference_;
  static double reference_seconds_;
};

std::string* SweepCli::root_ = nullptr;
std::string* SweepCli::sweep_path_ = nullptr;
testing::CliResult* SweepCli::reference_ = nullptr;
double SweepCli::reference_seconds_ = 0.0;

TEST_F(SweepCli, UninterruptedRunWritesOneCompleteLinePerPoint) {
  const Lines lines = read_lines(*root_ + "/whole/results.jsonl");
  EXPECT_TRUE(lines.ends_with_newline);
  ASSERT_EQ(lines.by_index.size(), kEndToEndPoints) << "took " << reference_seconds_ << " s";
  for (const auto& [index, value] : lines.by_index) {
    EXPECT_EQ(lines.occurrences.at(index), 1);
    for (const char* key : {"index", "assignment", "target", "verdict", "instances", "violations",
                            "min_margin", "checks", "sweep_fingerprint"}) {
      EXPECT_TRUE(value.contains(key)) << "point " << index << " lacks " << key;
    }
    EXPECT_TRUE(std::filesystem::exists(*root_ + "/whole/points/" + std::to_string(index) +
                                        "/lemma-3.1.json"))
        << "the full report of point " << index;
  }
  EXPECT_EQ(lines.by_index.at(3)["assignment"], nlohmann::json({{"order_alpha", 3.0}, {"seed", 2}}))
      << "seeds outermost, order_alpha fastest";
  EXPECT_TRUE(reference_->err.empty())
      << "no progress when stderr is not a terminal: " << reference_->err;
}

TEST_F(SweepCli, ResumedAfterAKillEqualsAnUninterruptedRun) {
  const std::string out = *root_ + "/killed";
  const std::string results = out + "/results.jsonl";
  int lines_at_kill = 0;
  {
    Child child({"sweep", *sweep_path_, "--out", out}, {"OMP_NUM_THREADS=2"});
    ASSERT_TRUE(child.started());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (complete_lines(results) < 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    lines_at_kill = complete_lines(results);
    ASSERT_GE(lines_at_kill, 1) << "no point finished within 60 s";
    EXPECT_TRUE(child.kill_and_wait()) << "the sweep ended before it could be killed";
  }
  EXPECT_LT(lines_at_kill, static_cast<int>(kEndToEndPoints))
      << "killed after the last point: the test did not interrupt anything";

  const auto resumed =
      run_cli({"sweep", *sweep_path_, "--out", out, "--resume"}, {"OMP_NUM_THREADS=1"});
  EXPECT_EQ(resumed.status, reference_->status) << resumed.err;

  const Lines whole = read_lines(*root_ + "/whole/results.jsonl");
  Lines again = read_lines(results);
  EXPECT_TRUE(again.ends_with_newline) << "no torn line";
  ASSERT_EQ(again.by_index.size(), kEndToEndPoints);
  for (const auto& [index, value] : whole.by_index) {
    EXPECT_EQ(again.occurrences[index], 1) << "point " << index << " must appear exactly once";
    EXPECT_EQ(again.by_index[index], value)
        << "point " << index << " differs from the uninterrupted run (beyond seconds)";
  }
}

TEST_F(SweepCli, ShardsSummarizedTogetherEqualTheWholeSweep) {
  std::vector<std::string> args = {"summarize"};
  for (int k = 1; k <= 3; ++k) {
    const std::string out = *root_ + "/shard" + std::to_string(k);
    const auto r =
        run_cli({"sweep", *sweep_path_, "--out", out, "--shard", std::to_string(k) + "/3"});
    ASSERT_TRUE(r.status == 0 || r.status == 1) << r.err;
    args.push_back(out + "/results.jsonl");
  }
  const std::string merged_csv = *root_ + "/shards.csv";
  args.insert(args.end(), {"--out", merged_csv});
  const auto merged = run_cli(args);
  ASSERT_EQ(merged.status, 0) << merged.err;
  const auto whole = run_cli({"summarize", *root_ + "/whole/results.jsonl"});
  ASSERT_EQ(whole.status, 0) << whole.err;

  const auto whole_rows = without_seconds(whole.out);
  EXPECT_EQ(whole_rows.size(), kEndToEndPoints + 1) << whole.out;
  EXPECT_EQ(without_seconds(read_text_file(merged_csv)), whole_rows);
}

TEST(SweepCommand, ExistingResultsWithoutResumeExitWithStatusTwoAndStayUntouched) {
  const Folder folder;
  const std::string results = folder.dir + "/out/results.jsonl";
  const std::string before = line_json(0, 2.0, folder.fingerprint, 0.1);
  write_text_file(results, before);
  const auto r = run_cli({"sweep", folder.sweep_path, "--out", folder.dir + "/out"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "pass --resume")) << r.err;
  EXPECT_EQ(read_text_file(results), before);
}

TEST(SweepCommand, BadSweepFileExitsWithStatusTwoBeforeAnyWork) {
  const TempDir dir("sweep-cli");
  const std::string path = write_sweep(
      dir.path, "bad.json", R"({"target": "lemma-3.1", "grid": {"order_alpha": [2, -1]}})");
  const auto r = run_cli({"sweep", path, "--out", dir.path + "/bad"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "bad.json: grid.order_alpha[1]: expected a number > 0")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path + "/bad")) << "nothing is created";
}

TEST(SweepCommand, BadShardExitsWithStatusTwo) {
  const Folder folder;
  const auto r =
      run_cli({"sweep", folder.sweep_path, "--out", folder.dir + "/o", "--shard", "4/3"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "--shard: expected k/N")) << r.err;
}

TEST(SummarizeCommand, WritesTheCsvToOutOrToStandardOutput) {
  const TempDir dir("sweep-cli");
  write_text_file(dir.path + "/r.jsonl", line_json(0, 2.0, "f", 0.1));
  const auto printed = run_cli({"summarize", dir.path + "/r.jsonl"});
  ASSERT_EQ(printed.status, 0) << printed.err;
  EXPECT_EQ(printed.out.substr(0, 18), "index,order_alpha,") << printed.out;
  const auto written = run_cli({"summarize", dir.path + "/r.jsonl", "--out", dir.path + "/t.csv"});
  ASSERT_EQ(written.status, 0) << written.err;
  EXPECT_EQ(read_text_file(dir.path + "/t.csv"), printed.out);
}

TEST(Summarize, AFolderStandsForItsResultsFile) {
  const TempDir temp("sweep-sum");
  write_text_file(temp.path + "/results.jsonl", line_json(0, 2.0, "f", 0.1));
  EXPECT_EQ(sweep::summarize_to_csv({temp.path}),
            sweep::summarize_to_csv({temp.path + "/results.jsonl"}));
}

TEST(SummarizeCommand, MissingFileExitsWithStatusTwo) {
  const auto r = run_cli({"summarize", "/nonexistent/results.jsonl"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "/nonexistent/results.jsonl: cannot open")) << r.err;
}

}  // namespace
}  // namespace mixup
