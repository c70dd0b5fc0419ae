// mixup-verify: a thin main that parses and delegates (experiments/cli).
#include "experiments/cli/commands.hpp"

int main(int argc, char** argv) {
  return mixup::cli::run(argc, argv);
}
