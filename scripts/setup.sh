#!/usr/bin/env bash
# Installs what mixup-verify needs from Debian 12's packages.  Idempotent and non-interactive;
# run as root (it is, on the CI and development machines).  Installs only what is missing.
# Usage: scripts/setup.sh [--fashion-mnist]
#   --fashion-mnist  also the Debian package dataset-fashion-mnist: the Fashion-MNIST IDX files
#                    in /usr/share/datasets/fashion-mnist (the test suite and the report read them)
set -euo pipefail

packages=(
  build-essential cmake git
  libeigen3-dev libboost-dev libboost-math-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libbenchmark-dev libomp-dev zlib1g-dev
  gnuplot-nox
  clang-format clang-tidy
)

for arg in "$@"; do
  case "$arg" in
    --fashion-mnist) packages+=(dataset-fashion-mnist) ;;
    *)
      echo "setup: unknown option '$arg' (expected: --fashion-mnist)" >&2
      exit 2
      ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: every dependency is installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}; run this script as root (or: sudo $0)" >&2
  exit 2
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
