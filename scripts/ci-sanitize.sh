#!/usr/bin/env bash
# CI's sanitizer and fuzzing job (.ci/run, after the README's test command;
# docs/reliability.md, "Sanitizers and fuzzing"). One clang build with ASan,
# UBSan and libFuzzer's coverage (GEOSIM_FUZZ=ON, in build-fuzz) serves both
# halves, so that the job compiles geosim once more, not twice:
# 1. under ASan + UBSan + LeakSanitizer (scripts/sanitize.sh asan): the Catch2
#    programs of the modules that take untrusted input and write and read
#    files (core_test, scenario_test, output_test, sweep_test) and the command
#    line end to end (cli_end_to_end: bad input, full disk, device nodes,
#    locks, signals, the check);
# 2. each libFuzzer target for GEOSIM_CI_FUZZ_SECONDS (default 15) seconds
#    on its seeds and kept findings (scripts/fuzz.sh);
# 3. output_test under ThreadSanitizer (g++, build-tsan: the run writer's
#    HDF5 tasks and compression beside the run; seconds to run once built).
# The full suite under ASan and the TSan run of the engine tests take longer
# and are for local use: scripts/sanitize.sh asan, scripts/sanitize.sh tsan.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GEOSIM_FUZZ_BUILD_DIR:-$root/build-fuzz}
export GEOSIM_FUZZ_BUILD_DIR=$build GEOSIM_SANITIZE_BUILD_DIR=$build
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DGEOSIM_FUZZ=ON -DGEOSIM_BUILD_BENCHMARKS=OFF -DGEOSIM_PYTHON=OFF >/dev/null
start=$(date +%s)
GEOSIM_SANITIZE_TARGETS="geosim core_test scenario_test output_test sweep_test" \
  "$root/scripts/sanitize.sh" asan -L '^(core_test|scenario_test|output_test|sweep_test|cli)$'
echo "ci-sanitize: sanitizer tests took $(( $(date +%s) - start )) s"
start=$(date +%s)
"$root/scripts/fuzz.sh" "${GEOSIM_CI_FUZZ_SECONDS:-15}"
echo "ci-sanitize: fuzzing took $(( $(date +%s) - start )) s"
start=$(date +%s)
GEOSIM_SANITIZE_BUILD_DIR="$root/build-tsan" "$root/scripts/sanitize.sh" tsan output_test
echo "ci-sanitize: ThreadSanitizer (output_test) took $(( $(date +%s) - start )) s"
