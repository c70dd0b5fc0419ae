// mixup-verify's command line: parses with CLI11 and delegates to the commands.
#include <iostream>

#include <omp.h>
#include <CLI/CLI.hpp>

#include "core/errors.hpp"
#include "experiments/cli/commands.hpp"

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
    if (*list) return run_list(std::cout);
    if (*eval_cmd) return run_eval(eval, std::cout);
    if (*check_cmd) return run_check(check, std::cout);
  } catch (const mixup::Error& e) {
    std::cerr << "mixup-verify: error: " << e.what() << "\n";
    return kExitBadInput;
  }
  return kExitBadInput;
}

}  // namespace mixup::cli
