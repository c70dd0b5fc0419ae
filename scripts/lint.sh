#!/usr/bin/env bash
# Formatting and static checks: clang-format (must leave no diff) and clang-tidy (.clang-tidy).
# Needs a configured build for compile_commands.json (scripts/build.sh release).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')
clang-format --dry-run --Werror "${sources[@]}"
mapfile -t units < <(git ls-files 'core/*.cpp' 'theorems/*.cpp' 'experiments/*.cpp')
clang-tidy -p build/release --quiet "${units[@]}" 2>/dev/null | grep -E 'warning:|error:' && exit 1
echo "lint: clean"
