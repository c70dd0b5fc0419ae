#!/usr/bin/env bash
# The main job: installs the dependencies, builds, and runs `mixup-verify report`: every built
# claim and figure on its default config.  Usage: scripts/run_report.sh [DIR] [--quick]
# (DIR defaults to report/; DIR/REPORT.md is the result).  Options go to mixup-verify report.
set -euo pipefail
cd "$(dirname "$0")/.."
out=report
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  out="$1"
  shift
fi
bash scripts/setup.sh --fashion-mnist
bash scripts/build.sh release
./build/release/experiments/mixup-verify report --out "$out" "$@"
