#!/usr/bin/env bash
# Installs every Debian 12 package that building and testing ssc needs.
# Safe to run more than once: apt-get skips what is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build git python3
  antlr4 libantlr4-runtime-dev
  llvm-16-dev llvm-16-tools libzstd-dev
  libfmt-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-dev
)

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
