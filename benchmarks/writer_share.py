#!/usr/bin/python3
"""The HDF5 writer's share of a run, for several bench_engine binaries.

    benchmarks/writer_share.py E ROUNDS BENCH_ENGINE [BENCH_ENGINE ...]

Each round runs `hdf5/E/0` and `hdf5/E/1` (the same run without and with
the writer, 2 threads) of every binary in turn, so that old and new
alternate in the same minutes; prints, per binary, the medians of both
times and the median and range of the writer's share (with/without - 1),
then every round's share in per cent. Run it on an otherwise idle machine.
"""
import json
import statistics
import subprocess
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    size, rounds, binaries = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    runs = {b: [] for b in binaries}
    for _ in range(rounds):
        for b in binaries:
            out = subprocess.run([b, f"--benchmark_filter=^hdf5/{size}/", "--benchmark_format=json"],
                                 capture_output=True, text=True, check=True).stdout
            times = {x["name"].split("/")[2]: x["real_time"] for x in json.loads(out)["benchmarks"]}
            runs[b].append((times["0"], times["1"]))
    for b in binaries:
        share = [on / off - 1 for off, on in runs[b]]
        print(f"{b}: without {statistics.median(off for off, _ in runs[b]):.3f} s, "
              f"with {statistics.median(on for _, on in runs[b]):.3f} s, "
              f"writer {100 * statistics.median(share):+.1f} % "
              f"({100 * min(share):+.1f} to {100 * max(share):+.1f}); rounds: "
              + " ".join(f"{100 * x:.0f}" for x in share))


if __name__ == "__main__":
    main()
