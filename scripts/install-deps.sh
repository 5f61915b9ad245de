#!/usr/bin/env bash
# Installs the Debian 12 packages geosim needs to build, test and analyse.
# Idempotent: apt-get skips what is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libboost-graph-dev libboost-random-dev libtbb-dev libyaml-cpp-dev
  libhdf5-dev zlib1g-dev catch2 librandom123-dev libcli11-dev libbenchmark-dev
  python3 python3-h5py python3-numpy python3-pandas python3-xarray
  python3-h5netcdf python3-matplotlib python3-pytest
  python3-nbclient python3-ipykernel python3-nbformat
  netcdf-bin
  # sanitizers and fuzzing (scripts/sanitize.sh, scripts/fuzz.sh): clang with
  # libFuzzer and the sanitizer runtimes, llvm-symbolizer for readable reports
  clang libclang-rt-14-dev llvm
  # sweeps: MPI (GEOSIM_MPI=ON) and the one-node SLURM cluster of the integration test
  libopenmpi-dev openmpi-bin slurm-wlm slurm-client slurmctld slurmd munge
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
