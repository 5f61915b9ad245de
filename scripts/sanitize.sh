#!/usr/bin/env bash
# Runs geosim's tests under sanitizers (docs/reliability.md, "Sanitizers and
# fuzzing"):
#   scripts/sanitize.sh asan [CTEST_ARGS...]  AddressSanitizer + UndefinedBehavior-
#                      Sanitizer (and LeakSanitizer): every ctest test, or those
#                      CTEST_ARGS select (-R REGEX, -L PROGRAM: each Catch2
#                      program's cases carry its name as a label)
#   scripts/sanitize.sh tsan [PROGRAM [CATCH_ARGS...]]  ThreadSanitizer: the
#                      programs themselves, without ctest's 600 s per case
#                      (under TSan the determinism case alone takes longer):
#                      engine_test (serial and TBB executors, bit-identical
#                      outputs) and output_test (the run writer's tasks and
#                      compression beside the run), or PROGRAM, one of them,
#                      with CATCH_ARGS selecting cases. Build with g++ (the default compiler;
#                      this script sets none): under clang 14 TSan reports
#                      TBB's own copy of a stolen task (a memcpy inside
#                      tbb::detail::d1::start_for), which no top-frame
#                      suppression can single out (docs/reliability.md)
# GEOSIM_SANITIZE_TARGETS="geosim core_test ..." builds only those targets.
# Every test keeps its own time limit (ctest --timeout does not override it),
# multiplied under ASan by GEOSIM_SANITIZE_TIMEOUT_FACTOR (default 5: ASan +
# UBSan run the end-to-end tests 2 to 5 times slower), so that the long tests
# run to their end instead of being skipped.
# GEOSIM_LSAN_PRINT_SUPPRESSIONS=1: LeakSanitizer lists, per process, which
# suppressions of tests/sanitizers/lsan.supp matched and how often; those
# lists are printed, not counted as reports.
# Builds into build-asan / build-tsan (or $GEOSIM_SANITIZE_BUILD_DIR). Every
# sanitizer report, including those of child processes and of the geosim
# binaries the Python tests start, goes to a log directory; the script fails
# when a test fails or any report was written, and prints the reports.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
shift || true
ctest_args=("$@")
jobs=${GEOSIM_SANITIZE_JOBS:-2}
case "$mode" in
  asan)
    build=${GEOSIM_SANITIZE_BUILD_DIR:-$root/build-asan}
    # -O1: a quarter faster to compile than -O2 and fast enough to run; -g for
    # the reports' line numbers.
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
      -DGEOSIM_SANITIZE=ON -DGEOSIM_BUILD_BENCHMARKS=OFF -DGEOSIM_PYTHON=OFF \
      -DGEOSIM_TEST_TIMEOUT_FACTOR="${GEOSIM_SANITIZE_TIMEOUT_FACTOR:-5}" >/dev/null
    targets=()
    if [ -n "${GEOSIM_SANITIZE_TARGETS:-}" ]; then
      for t in $GEOSIM_SANITIZE_TARGETS; do targets+=(--target "$t"); done
    fi
    cmake --build "$build" -j "$jobs" "${targets[@]}"
    ;;
  tsan)
    build=${GEOSIM_SANITIZE_BUILD_DIR:-$root/build-tsan}
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
      -DGEOSIM_SANITIZE_THREAD=ON -DGEOSIM_BUILD_BENCHMARKS=OFF -DGEOSIM_PYTHON=OFF >/dev/null
    programs=(engine_test output_test)
    targets=()
    if [ "${#ctest_args[@]}" -gt 0 ]; then
      case "${ctest_args[0]}" in
        engine_test | output_test) programs=("${ctest_args[0]}"); ctest_args=("${ctest_args[@]:1}") ;;
        *) echo "usage: scripts/sanitize.sh tsan [engine_test|output_test [CATCH_ARGS...]]" >&2; exit 2 ;;
      esac
    fi
    for p in "${programs[@]}"; do targets+=(--target "$p"); done
    cmake --build "$build" -j "$jobs" "${targets[@]}"
    ;;
  *)
    echo "usage: scripts/sanitize.sh asan|tsan [CTEST_ARGS...]" >&2
    exit 2
    ;;
esac

logs="$build/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
# halt_on_error/abort: the first report fails the process, and so the test.
# detect_leaks: LeakSanitizer at exit, with the suppressions of known library leaks.
# max_allocation_size_mb + allocator_may_return_null: a size a damaged file
# claims fails (malloc returns null; C++ new still reports) instead of taking
# the machine's memory: the bound the check's child has from RLIMIT_AS
# outside sanitizers.
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:max_allocation_size_mb=4096:allocator_may_return_null=1"
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=${GEOSIM_LSAN_PRINT_SUPPRESSIONS:-0}"
export TSAN_OPTIONS="log_path=$logs/tsan:suppressions=$root/tests/sanitizers/tsan.supp:halt_on_error=1:second_deadlock_stack=1"

cd "$build"
status=0
if [ "$mode" = tsan ]; then
  for p in "${programs[@]}"; do
    echo "== $p under ThreadSanitizer" >&2
    ./tests/"$p" "${ctest_args[@]}" || status=$?
  done
else
  ctest --output-on-failure -j "$jobs" "${ctest_args[@]}" || status=$?
fi
# A report from the check's child process (output::check_readable, which
# reads an untrusted HDF5 file in a forked child so that libhdf5's crashes on
# damaged files cannot take geosim down) is what that child is for: the
# parent reports the file as damaged. Those are listed, not failures; every
# other report is.
if compgen -G "$logs/*" >/dev/null; then
  for f in "$logs"/*; do
    if ! grep -q 'ERROR:\|runtime error:\|WARNING: ThreadSanitizer' "$f" && grep -q 'Suppressions used' "$f"; then
      # Only LeakSanitizer's list of matched suppressions (GEOSIM_LSAN_PRINT_SUPPRESSIONS=1).
      echo "== suppressions matched in $f" >&2
      sed -n '/Suppressions used/,$p' "$f" >&2
    elif grep -q 'check_in_child' "$f"; then
      echo "in the check's child (a damaged file, contained): $(grep -m1 -E 'ERROR|SUMMARY' "$f")" >&2
    else
      echo "== sanitizer report $f" >&2
      cat "$f" >&2
      status=1
    fi
  done
fi
[ "$status" -eq 0 ] && echo "sanitize.sh $mode: no sanitizer report, every test passed"
exit "$status"
