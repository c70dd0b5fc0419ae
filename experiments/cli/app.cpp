// mixup-verify's command line: parses with CLI11 and delegates to the commands.
#include <iostream>

#include <omp.h>
#include <CLI/CLI.hpp>

#include "core/errors.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/figures/figures.hpp"
#include "experiments/sweep/sweep.hpp"

namespace mixup::cli {

void set_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

int current_threads() {
  return omp_get_max_threads();
}

namespace {

constexpr const char* kDescription =
    "mixup-verify: numerical checks of the theory of \"How Does Mixup Help With Robustness and "
    "Generalization?\" (Zhang, Deng, Kawaguchi, Ghorbani, Zou; ICLR 2021).\n"
    "Exit status: 0 success, 1 a claim failed under its own hypotheses, 2 bad usage, config or "
    "input.";

}  // namespace

int run(int argc, char** argv) {
  CLI::App app(kDescription, "mixup-verify");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(MIXUP_VERSION));
  int threads = 0;
  app.add_option("--threads", threads,
                 "OpenMP threads (default: OMP_NUM_THREADS or all cores); results do not depend "
                 "on it")
      ->check(CLI::PositiveNumber);

  CLI::App* list = app.add_subcommand("list", "List every claim and experiment with its status");

  EvalOptions eval;
  CLI::App* eval_cmd = app.add_subcommand(
      "eval", "Every quantity the suite computes for one model on one dataset, as JSON on stdout");
  eval_cmd->add_option("--data", eval.data_path, "CSV: d feature columns, then the label")
      ->required();
  eval_cmd->add_option("--model", eval.model_path, "model JSON (see DESIGN.md)")->required();
  eval_cmd->add_option("--loss", eval.loss, "logistic | poisson | gaussian")->capture_default_str();
  eval_cmd->add_option("--alpha", eval.alpha, "mixing law Beta(alpha, beta): alpha > 0")
      ->capture_default_str();
  eval_cmd->add_option("--beta", eval.beta, "mixing law Beta(alpha, beta): beta > 0")
      ->capture_default_str();
  eval_cmd->add_option("--eps", eval.eps, "adversarial radius is eps sqrt(d): eps >= 0")
      ->capture_default_str();
  eval_cmd->add_option("--threads", threads, "OpenMP threads")->check(CLI::PositiveNumber);

  CheckOptions check;
  CLI::App* check_cmd =
      app.add_subcommand("check", "Run claim checks; print a verdict table; write DIR/<id>.json");
  check_cmd->add_option("ids", check.ids, "claim ids (see `list`) or `all`")->required();
  check_cmd->add_option("--out", check.out_dir, "output folder")->capture_default_str();
  check_cmd->add_flag("--quick", check.quick, "the same work at a small size");
  check_cmd->add_option("--config", check.config_path,
                        "config file (default: configs/<id>.json; only with one claim id)");
  check_cmd->add_option("--set", check.overrides, "override a config key: key=value (repeatable)");
  check_cmd->add_option("--threads", threads, "OpenMP threads")->check(CLI::PositiveNumber);

  CheckOptions figure;
  CLI::App* figure_cmd =
      app.add_subcommand("figure", "Write one figure's data as CSV and render it as PNG");
  figure_cmd->add_option("id", figure.ids, "figure id (see `list`)")->required()->expected(1);
  figure_cmd->add_option("--out", figure.out_dir, "output folder")->capture_default_str();
  figure_cmd->add_flag("--quick", figure.quick, "the same work at a small size");
  figure_cmd->add_option("--config", figure.config_path,
                         "config file (default: configs/<id>.json)");
  figure_cmd->add_option("--set", figure.overrides,
                         "override a config key: key=value (repeatable)");
  figure_cmd->add_option("--threads", threads, "OpenMP threads")->check(CLI::PositiveNumber);

  CheckOptions report;
  report.out_dir = "report";
  CLI::App* report_cmd = app.add_subcommand(
      "report", "The main job: every claim and figure on its default config -> DIR/REPORT.md");
  report_cmd->add_option("--out", report.out_dir, "output folder")->capture_default_str();
  report_cmd->add_flag("--quick", report.quick, "the same work at a small size (about 2 minutes)");
  report_cmd->add_option("--threads", threads, "OpenMP threads")->check(CLI::PositiveNumber);

  sweep::SweepOptions sweep_options;
  CLI::App* sweep_cmd = app.add_subcommand(
      "sweep",
      "Run a grid of configs (a sweep file); one JSON line per point in DIR/results.jsonl");
  sweep_cmd->add_option("file", sweep_options.sweep_path, "sweep file (see configs/sweeps/)")
      ->required();
  sweep_cmd->add_option("--out", sweep_options.out_dir, "output folder")->capture_default_str();
  sweep_cmd->add_flag("--resume", sweep_options.resume, "skip the points already finished");
  sweep_cmd->add_option("--shard", sweep_options.shard, "run the k-th of N disjoint parts: k/N")
      ->capture_default_str();
  sweep_cmd->add_option("--threads", threads, "OpenMP threads")->check(CLI::PositiveNumber);

  sweep::SummarizeOptions summarize_options;
  CLI::App* summarize_cmd = app.add_subcommand(
      "summarize", "Merge results.jsonl files (or sweep folders) into one CSV table");
  summarize_cmd->add_option("files", summarize_options.results_files, "results files or folders")
      ->required();
  summarize_cmd->add_option("--out", summarize_options.out_path, "CSV path (default: stdout)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }

  try {
    set_threads(threads);
    figures::register_figures();
    if (*list) return run_list(std::cout);
    if (*figure_cmd) return run_figure(figure, std::cout);
    if (*report_cmd) return run_report(report, std::cout, std::cerr);
    if (*sweep_cmd) return sweep::run_sweep(sweep_options, std::cout, std::cerr);
    if (*summarize_cmd) return sweep::run_summarize(summarize_options, std::cout);
    if (*eval_cmd) return run_eval(eval, std::cout);
    if (*check_cmd) return run_check(check, std::cout);
  } catch (const mixup::Error& e) {
    std::cerr << "mixup-verify: error: " << e.what() << "\n";
    return kExitBadInput;
  }
  return kExitBadInput;
}

}  // namespace mixup::cli
