#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (own build dir) under ASan + UBSan, replays
# every kept regression input, then fuzzes each target for TILLIT_FUZZ_SECONDS
# (default 60 s, as issue 9 asks of the test run) from a seed corpus of the shipped files. A crash is
# copied to tests/fuzz/regressions/<target>/ (commit it with the fix) and fails the run.
#   tests/fuzz/run.sh [BUILD_DIR]        TILLIT_FUZZ_SECONDS=600 tests/fuzz/run.sh
#   tests/fuzz/run.sh BUILD_DIR --build-only   (scripts/test.sh builds them with the rest)
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
fuzz_dir=$source_dir/tests/fuzz
build=${1:-$source_dir/build-fuzz}
seconds=${TILLIT_FUZZ_SECONDS:-60}
jobs=${TILLIT_FUZZ_JOBS:-2}
targets=(fuzz_survey fuzz_config fuzz_po fuzz_batch fuzz_import)

CC=clang CXX=clang++ cmake -S "$fuzz_dir" -B "$build" -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$jobs" >/dev/null
[[ ${2:-} == --build-only ]] && exit 0

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$build/work
rm -rf "$work"
mkdir -p "$work"
export TILLIT_FUZZ_SCRATCH=$work

# Seed corpora: the shipped files, and a real batch / export file the targets write.
seeds() {
  local target=$1 dir=$work/$1/corpus
  mkdir -p "$dir"
  case $target in
    fuzz_survey) cp "$source_dir"/kiosk-config/surveys/*.toml "$dir"/ ;;
    fuzz_config) cp "$source_dir"/kiosk-config/kiosk.toml "$source_dir"/kiosk-config/workshop-themes.toml "$dir"/ ;;
    fuzz_po) cp "$source_dir"/translations/*.po "$source_dir"/translations/*.pot "$dir"/ ;;
    fuzz_batch | fuzz_import) TILLIT_FUZZ_WRITE_SEEDS=$dir "$build/$target" ;;
  esac
}

failed=0
for target in "${targets[@]}"; do
  regressions=$fuzz_dir/regressions/$target
  seeds "$target"
  if [[ -d $regressions ]] && compgen -G "$regressions/*" >/dev/null; then
    if ! "$build/$target" "$regressions"/* >"$work/$target/replay.log" 2>&1; then
      echo "fuzz $target: a kept regression input fails again:"; tail -40 "$work/$target/replay.log"
      failed=1
      continue
    fi
    echo "fuzz $target: $(ls "$regressions" | wc -l) regression inputs replayed, ok"
  fi
  mkdir -p "$work/$target/artifacts"
  if "$build/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$work/$target/artifacts/" \
      "$work/$target/corpus" >"$work/$target/fuzz.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target/fuzz.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$target/fuzz.log")
    echo "fuzz $target: ${runs:-?} runs in ${seconds} s (${rate:-?} exec/s), no crash"
  else
    echo "fuzz $target: FAILED"; grep -A30 -m1 -E "ERROR: |runtime error|deadly signal" "$work/$target/fuzz.log" || tail -40 "$work/$target/fuzz.log"
    mkdir -p "$regressions"
    for artifact in "$work/$target/artifacts"/*; do
      [[ -e $artifact ]] || continue
      cp "$artifact" "$regressions/"
      echo "fuzz $target: input kept as tests/fuzz/regressions/$target/$(basename "$artifact")"
    done
    failed=1
  fi
done
exit $failed
