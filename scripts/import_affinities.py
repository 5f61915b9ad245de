#!/usr/bin/env python3
"""Set Russia's import affinities by supplier from 2013 data.

Each supplier's weight (scenarios/baseline.yaml, `affinities` with importer
RUS and no sector) is the multiplier that makes the model's 2013 imports from
it match the data below: an iterative proportional fit, a few full runs of the
scenario with `--set affinities[n].weight=...`. China's weight is not set here
(affinities[5] is fitted to China's exports to Russia, docs/calibration.md).

Data, USD bn, Russia's imports in 2013 (sources in scenarios/baseline.yaml at
the entries): the EU 132, the US 16.7, the coalition (G7X) 28, Turkey 7.0,
India 3.0, Kazakhstan/Kyrgyzstan/Armenia (KAZ) 7.0, the neutral rest 70.8.

Usage: /usr/bin/python3 scripts/import_affinities.py [--geosim BIN] [--scenario FILE]
Prints the weights to write into the scenario.
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import xarray as xr
import yaml

DATA_2013 = {"EU": 132.0, "USA": 16.7, "G7X": 28.0, "TUR": 7.0, "IND": 3.0, "KAZ": 7.0, "ROW": 70.8}


def main(argv=None) -> int:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--geosim", default=str(root / "build/sim/cli/geosim"))
    ap.add_argument("--scenario", default=str(root / "scenarios/baseline.yaml"))
    ap.add_argument("--iterations", type=int, default=4)
    ap.add_argument("--tolerance", type=float, default=0.01, help="relative; stop when every supplier is within it")
    args = ap.parse_args(argv)

    spec = yaml.safe_load(Path(args.scenario).read_text())
    index = {a["exporter"]: n for n, a in enumerate(spec["affinities"])
             if a["importer"] == "RUS" and "sector" not in a and a["exporter"] in DATA_2013}
    missing = sorted(set(DATA_2013) - set(index))
    if missing:
        print(f"{args.scenario}: no affinities entry with importer RUS for {', '.join(missing)}", file=sys.stderr)
        return 2
    weight = {k: float(spec["affinities"][n]["weight"]) for k, n in index.items()}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.h5"
        for it in range(args.iterations + 1):
            sets = [f"--set=affinities[{index[k]}].weight={w:.6g}" for k, w in weight.items()]
            subprocess.run([args.geosim, "run", args.scenario, "-o", str(out), "--force", "-q", *sets], check=True)
            with xr.open_dataset(out) as ds:
                imports = (ds["trade_value"].sel(partner="RUS", time="2013").sum(["time", "sector"]) / 1e9).to_series()
            ratio = {k: DATA_2013[k] / imports[k] for k in DATA_2013}
            print(f"iteration {it}: " + ", ".join(f"{k} {imports[k]:.1f} (w {weight[k]:.3g})" for k in DATA_2013)
                  + f"; CHN {imports['CHN']:.1f}, total {imports.sum():.1f}")
            if all(abs(r - 1) <= args.tolerance for r in ratio.values()):
                break
            for k in weight:
                weight[k] *= ratio[k]
    for k, n in index.items():
        print(f"affinities[{n}] RUS <- {k}: weight {weight[k]:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
