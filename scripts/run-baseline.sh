#!/usr/bin/env bash
# Command (1) of the README: set up, build, run the baseline scenario and
# print a summary. Writes out/baseline.h5 (overwritten on each call).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GEOSIM_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
mkdir -p "$root/out"
"$build/sim/cli/geosim" run "$root/scenarios/baseline.yaml" -o "$root/out/baseline.h5" --force
echo
"$build/sim/cli/geosim" info "$root/out/baseline.h5" | tail -n 8
