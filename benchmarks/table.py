#!/usr/bin/python3
"""Prints the figures of a bench_engine JSON output as Markdown tables.

  build/benchmarks/bench_engine --benchmark_out=bench.json --benchmark_out_format=json
  benchmarks/table.py bench.json
"""
import json
import sys


def main(path):
    runs = json.load(open(path))["benchmarks"]
    bw = {}
    print("| benchmark | figures |\n|---|---|")
    phases = []
    for b in runs:
        name = b["name"].split("/iterations")[0].replace("/real_time", "").replace("/manual_time", "")
        if name.startswith("triad"):
            bw[name] = b["GB/s"]
            cpu = f" ({b['GB/s_cpu']:.2f} GB/s by CPU time)" if "GB/s_cpu" in b else ""
            print(f"| {name} | {b['GB/s']:.2f} GB/s{cpu} |")
        elif name.startswith("steps") or name.startswith("hdf5"):
            print(f"| {name} | {b['firms']:.0f} firms, {b['real_time']:.2f} s, "
                  f"{b['firm_steps/s'] / 1e6:.2f} M firm-steps/s, {b['ns/firm_step']:.0f} ns/firm-step"
                  + (f" ({b['cpu_ns/firm_step']:.0f} ns of CPU)" if 'cpu_ns/firm_step' in b else "") + ", "
                  f"step {b.get('step_xbound', float('nan')):.2f}x bound, output {b.get('output_%', 0):.2f} % |")
            if name.startswith("steps"):
                phases.append((name, b))
        elif name.startswith("sweep"):
            print(f"| {name} | {b['runs/min']:.1f} runs/min |")
        elif name.startswith("peak_memory"):
            print(f"| {name} | {b['firms']:.0f} firms, {b['peak_MiB']:.0f} MiB, {b['bytes/firm']:.0f} bytes/firm |")
        else:
            print(f"| {name} | {b['real_time']:.3g} {b['time_unit']} |")
    if not phases:
        return
    names = []
    for _, b in phases:
        for k in b:
            if k.endswith("_%") and k[:-2] not in names:
                names.append(k[:-2])
    print("\nShare of run time by phase (%), and streaming phases as a multiple of their bandwidth bound (x):\n")
    print("| phase | " + " | ".join(n for n, _ in phases) + " |")
    print("|---|" + "---|" * len(phases))
    for p in names:
        cells = []
        for _, b in phases:
            cell = f"{b.get(p + '_%', 0):.1f} %"
            if p + "_xbound" in b:
                cell += f" ({b[p + '_xbound']:.2f}x)"
            cells.append(cell)
        print(f"| {p} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
