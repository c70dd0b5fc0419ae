#!/usr/bin/env bash
# The main job: installs the dependencies, builds, and runs every built claim on its default
# config.  Results go to ${1:-out}.  Extra arguments are passed to mixup-verify.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out}"
shift || true
bash scripts/setup.sh
bash scripts/build.sh release
./build/release/experiments/mixup-verify check all --out "$out" "$@"
