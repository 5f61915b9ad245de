#!/usr/bin/env bash
# Integration test: a one-node SLURM cluster on this machine (munged,
# slurmctld and slurmd from Debian, started here as root in a temporary
# directory), scripts/slurm/sweep.sbatch submitted as a real job array plus a
# dependent merge job, and the merged file compared with a local sweep.
# Exit 77 (skipped) without root or without the daemons. Everything it starts
# is stopped, and the directory removed, on every exit path.
# Usage: GEOSIM_BIN=build/sim/cli/geosim tests/sweep/slurm_cluster.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
geosim=$(realpath "${GEOSIM_BIN:?set GEOSIM_BIN to the geosim binary}")
shards=3

if [ "$(id -u)" -ne 0 ]; then echo "skipped: needs root to run slurmd"; exit 77; fi
for tool in munged slurmctld slurmd sbatch squeue sinfo; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed (scripts/install-deps.sh)"; exit 77; }
done

T=$(mktemp -d /tmp/geosim-slurm.XXXXXX)
chmod 700 "$T"
pids=()
cleanup() {
  local rc=$?
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ]; then scancel --quiet --user=root 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ $rc -ne 0 ]; then
    echo "--- logs ($rc)"; tail -n 30 "$T"/*.log "$T"/work/*.out 2>/dev/null || true
  fi
  rm -rf "$T"
  exit $rc
}
trap cleanup EXIT INT TERM

# munge, with its own key and socket
dd if=/dev/urandom of="$T/munge.key" bs=1024 count=1 status=none
chmod 400 "$T/munge.key"
mkdir -p "$T/munge"
chmod 700 "$T/munge"
munged --foreground --force --key-file="$T/munge.key" --socket="$T/munge/munge.sock" \
  --pid-file="$T/munge/munged.pid" --log-file="$T/munged.log" --seed-file="$T/munge/seed" >"$T/munged.out.log" 2>&1 &
pids+=($!)

# ports unlikely to collide with another test run's cluster
base=$((20000 + ($$ % 2000) * 2))
mkdir -p "$T/state" "$T/spool" "$T/work"
cat >"$T/slurm.conf" <<CONF
ClusterName=geosimtest
SlurmctldHost=localhost
SlurmctldPort=$base
SlurmdPort=$((base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$T/slurm.conf

for _ in $(seq 50); do [ -S "$T/munge/munge.sock" ] && break; sleep 0.1; done
slurmctld -D -i -f "$SLURM_CONF" >"$T/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" >"$T/slurmd.out.log" 2>&1 &
pids+=($!)

ready=""
for _ in $(seq 300); do
  state=$(sinfo -h -n localhost -o %t 2>/dev/null || true)
  case "$state" in idle*|mix*|alloc*) ready=1; break ;; esac
  sleep 0.2
done
[ -n "$ready" ] || { echo "FAIL: the node did not come up (state '$state')"; exit 1; }
echo "cluster up: $(sinfo -h -o '%P %D %t %c')"

# the sweep through the cluster
cd "$T/work"
GEOSIM="$geosim" GEOSIM_SBATCH_ARGS="--chdir=$T/work" \
  "$root/scripts/slurm/sweep.sbatch" "$root/scenarios/sweeps/smoke.yaml" "$T/work/smoke.h5" "$shards"
read -r array merge <"$T/work/smoke.jobs"
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
  sleep 0.2
done
[ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] || { echo "FAIL: jobs still queued: $(squeue)"; exit 1; }
[ -f "$T/work/smoke.h5" ] || { echo "FAIL: the merge job wrote no smoke.h5"; exit 1; }
for k in $(seq 1 $shards); do [ -f "$T/work/smoke.shard-$k-of-$shards.h5" ] || { echo "FAIL: shard $k missing"; exit 1; }; done

# the same sweep locally
"$geosim" sweep "$root/scenarios/sweeps/smoke.yaml" -o "$T/local.h5" --jobs 2 -q
PYTHONPATH="$here" /usr/bin/python3 -c "
import sys
from sweeplib import assert_same_sweep
assert_same_sweep(sys.argv[1], sys.argv[2])
print('merged SLURM result == local result')
" "$T/work/smoke.h5" "$T/local.h5"
echo "PASS"
