#!/usr/bin/env bash
# Installs dependencies (Debian packages) and builds geosim in Release into
# build/ (or $GEOSIM_BUILD_DIR). Extra arguments go to CMake's configure step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GEOSIM_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build" -j "$(nproc)"
# `import geosim` and `import geosim_analysis` from any folder (scripts/install-python.sh).
GEOSIM_BUILD_DIR="$build" "$root/scripts/install-python.sh"
