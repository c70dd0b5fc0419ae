#!/usr/bin/env bash
# The test command: installs the dependencies, builds with warnings as errors, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --fashion-mnist
bash scripts/build.sh ci
ctest --preset ci -j2
