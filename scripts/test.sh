#!/usr/bin/env bash
# Command (2) of the README: set up, build and run every test (Catch2 and
# Python, through ctest).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GEOSIM_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 1200
