#pragma once
// The subcommands of mixup-verify.  Each returns the process exit status (DESIGN.md): 0 success,
// 1 a claim failed under its own hypotheses, 2 bad usage, config or input.  Library errors
// (mixup::Error) propagate to run(), which prints them on one line and returns 2.

#include <iosfwd>
#include <string>
#include <vector>

namespace mixup::cli {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitClaimFailed = 1;
inline constexpr int kExitBadInput = 2;

// Parses argv, runs the subcommand, maps errors to exit statuses.
int run(int argc, char** argv);

struct EvalOptions {
  std::string data_path;
  std::string model_path;
  std::string loss = "logistic";
  double alpha = 1.0;
  double beta = 1.0;
  double eps = 0.1;
};
int run_eval(const EvalOptions& options, std::ostream& out);

int run_list(std::ostream& out);

struct CheckOptions {
  std::vector<std::string> ids;  // claim ids or "all"
  std::string out_dir = "out";
  std::string config_path;             // --config: one file for the (single) claim
  std::vector<std::string> overrides;  // --set key=value
  bool quick = false;
};
int run_check(const CheckOptions& options, std::ostream& out);

// `report`: every built claim and figure, DIR/REPORT.md; progress on `progress` when a terminal.
int run_report(const CheckOptions& options, std::ostream& out, std::ostream& progress);

// `figure <id>`: one figure's CSV and PNG (CheckOptions with a single id).
int run_figure(const CheckOptions& options, std::ostream& out);

// Sets the OpenMP thread count (0: leave OpenMP's default, which honours OMP_NUM_THREADS).
void set_threads(int threads);
int current_threads();

}  // namespace mixup::cli
