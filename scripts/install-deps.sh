#!/usr/bin/env bash
# Installs the Debian 12 packages geosim needs to build, test and analyse.
# Idempotent: apt-get skips what is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libboost-graph-dev libboost-random-dev libtbb-dev libyaml-cpp-dev
  libhdf5-dev zlib1g-dev libdeflate-dev catch2 librandom123-dev libcli11-dev libbenchmark-dev
  python3 python3-h5py python3-numpy python3-pandas python3-xarray
  python3-h5netcdf python3-matplotlib python3-pytest
  # the Python module (sim/python) and the unit check of the output (udunits2)
  pybind11-dev python3-dev udunits-bin
  # (python3-yaml, below, is read by geosim.load and geosim_analysis.experiments too)
  # the estimation (geosim_analysis.estimate): Gaussian-process emulators, Latin hypercubes
  python3-sklearn python3-scipy
  python3-nbclient python3-ipykernel python3-nbformat
  netcdf-bin
  # the explorer (python3 -m geosim_analysis explore): plotly.js, YAML of the
  # resolved scenario; its browser test: chromium driven by npm's playwright-core
  python3-plotly python3-yaml chromium nodejs
  # sanitizers and fuzzing (scripts/sanitize.sh, scripts/fuzz.sh): clang with
  # libFuzzer and the sanitizer runtimes, llvm-symbolizer for readable reports
  clang libclang-rt-14-dev llvm
  # sweeps: MPI (GEOSIM_MPI=ON) and the one-node SLURM cluster of the integration test
  libopenmpi-dev openmpi-bin slurm-wlm slurm-client slurmctld slurmd munge
)

missing=()
# Debian's npm, unless a node that brings its own npm is installed (NodeSource's nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

# npm packages, project-local (tests/browser/node_modules, git-ignored), at the
# versions of tests/browser/package-lock.json: playwright-core drives Debian's
# chromium (it downloads no browser).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -d "$here/tests/browser/node_modules/playwright-core" ]; then
  npm ci --prefix "$here/tests/browser" --no-audit --no-fund
fi
