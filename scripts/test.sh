#!/usr/bin/env bash
# Installs what is missing, builds twice and runs every test once, in one ctest pool:
# - build/ (optimised): the programs as shipped; their tests run the real app under Xvfb
#   with real X input (gui.*), the .deb (package.deb), the fuzzers (fuzz.libfuzzer, their
#   own clang build), the report page in Chromium, the start-up errors and the catalogs;
# - build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer): every C++ test program
#   (unit, server, sync, text, speech, faults) and two GUI tests on the sanitized app;
#   their names start with "asan.".
# Screenshots of every screen stay in build/gui-artifacts/*/screens. The C++ test
# programs are compiled only once, in the sanitizer build: compiling them twice alone
# would take half of the 20 minutes the whole run may take on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc)

echo "== build (Release) (at ${SECONDS} s)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTILLIT_CORE_TESTS=OFF >/dev/null
cmake --build build -j"$jobs"
echo "== build (libFuzzer targets, clang) (at ${SECONDS} s)"
TILLIT_FUZZ_JOBS=$jobs tests/fuzz/run.sh "$(pwd)/build/fuzz" --build-only

echo "== build (ASan + UBSan) (at ${SECONDS} s)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTILLIT_SANITIZE=ON \
  -DTILLIT_GUI_TESTS="test_tillit_sv|test_languages" >/dev/null
cmake --build build-asan -j"$jobs"

# One pool for both builds: the GUI tests wait on the app half of the time, so more
# tests than cores keep both cores busy.
pool=build-tests
mkdir -p "$pool"
cat >"$pool/CTestTestfile.cmake" <<EOF
# Written by scripts/test.sh: both builds' tests in one ctest run.
subdirs("$(pwd)/build")
subdirs("$(pwd)/build-asan")
EOF
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== tests (at ${SECONDS} s)"
(cd "$pool" && ctest --output-on-failure -j$((jobs + 1)))
echo "== all tests passed in ${SECONDS} s"
