#!/usr/bin/env bash
# Builds the libFuzzer targets (GEOSIM_FUZZ=ON, clang, ASan + UBSan) and runs
# each for a bounded time on its committed seed corpus (docs/reliability.md,
# "Sanitizers and fuzzing"):
#   scripts/fuzz.sh [SECONDS] [TARGET...]   default 30 s each, all four targets
# Targets: fuzz_scenario (scenario YAML -> validated spec), fuzz_info
# (geosim info), fuzz_merge (geosim merge), fuzz_resume (sweep --resume's
# check of a part). New inputs go to $build/fuzz-corpus/<target>, findings
# (crash-*, timeout-*, oom-*, leak-*) to $build/fuzz-artifacts; the script
# fails on the first finding. Turn a finding into a regression test
# (tests/fuzz/regressions/<target>/, run by ctest fuzz_regressions) and fix it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GEOSIM_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_scenario fuzz_info fuzz_merge fuzz_resume)

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DGEOSIM_FUZZ=ON -DGEOSIM_BUILD_BENCHMARKS=OFF -DGEOSIM_PYTHON=OFF >/dev/null
for t in "${targets[@]}"; do
  cmake --build "$build" -j "${GEOSIM_FUZZ_JOBS:-2}" --target "$t"
done

artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
# Leaks are checked by scripts/sanitize.sh; libhdf5 and yaml-cpp keep caches
# that LeakSanitizer would report at every exit of a fuzz run.
# max_allocation_size_mb + allocator_may_return_null: sizes a damaged file
# claims fail in the check's child as they do under its RLIMIT_AS outside
# sanitizers.
export ASAN_OPTIONS="detect_leaks=0:max_allocation_size_mb=4096:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
status=0
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t"
  mkdir -p "$corpus"
  seeds="$root/tests/fuzz/corpus/hdf5"
  extra=()
  if [ "$t" = fuzz_scenario ]; then
    seeds="$root/tests/fuzz/corpus/fuzz_scenario"
    extra+=(-dict="$root/tests/fuzz/scenario.dict" -max_len=8192)
  fi
  # -timeout: seconds per input (the check's child is killed after 3 s);
  # -rss_limit_mb: a small input that wants more is a memory finding;
  # -malloc_limit_mb above max_allocation_size_mb, so that libFuzzer's
  # malloc hook, inherited by the check's child, leaves a huge size a
  # damaged file claims to the child's own failure.
  echo "== $t: $seconds s"
  # The kept findings run first, with the seeds.
  if ! "$build/tests/fuzz/$t" "$corpus" "$seeds" "$root/tests/fuzz/regressions/$t" -max_total_time="$seconds" \
      -timeout=25 -rss_limit_mb=2048 -malloc_limit_mb=8192 -artifact_prefix="$artifacts/$t-" -print_final_stats=1 \
      "${extra[@]}" >"$build/$t.log" 2>&1; then
    status=1
    echo "$t: finding (log $build/$t.log):" >&2
    grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$build/$t.log" | tail -20 >&2 || true
  fi
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' "$build/$t.log" || true
done
exit "$status"
