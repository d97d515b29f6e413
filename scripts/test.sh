#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test twice: once in a normal
# build and once under AddressSanitizer + UndefinedBehaviorSanitizer. GUI tests run
# the real app under Xvfb with real X input; screenshots of every screen are kept in
# build/gui-artifacts/*/screens and build-asan/gui-artifacts/*/screens.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc)

echo "== build (RelWithDebInfo) (at ${SECONDS} s)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests (at ${SECONDS} s)"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build (ASan + UBSan) (at ${SECONDS} s)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTILLIT_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests under ASan + UBSan (at ${SECONDS} s)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j"$jobs")
echo "== all tests passed in ${SECONDS} s"
