#!/usr/bin/env bash
# Builds ssc twice and runs every test in both builds:
#   build/       Release
#   build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer
# ctest runs the GoogleTest unit tests and the lit suite (one ctest test) and
# prints its summary. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)

echo "== Release build =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== ASan + UBSan build =="
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSSC_SANITIZE="address;undefined" -DSSC_BUILD_BENCHMARKS=OFF
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"
