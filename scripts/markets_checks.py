#!/usr/bin/python3
"""The numbers behind tests/markets_test.cpp, for docs/scenarios.md: each
claim of the markets issue on N paired seeds (seed s of every variant shares
its random numbers), means and the paired effects with their 90 % t-interval.

    /usr/bin/python3 scripts/markets_checks.py [--seeds 5] [--geosim build/sim/cli/geosim]
"""

import argparse
import math
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "analysis"))
import geosim_analysis as ga  # noqa: E402
from geosim_analysis.compare import t_quantile  # noqa: E402

OUT = ROOT / "out" / "markets_checks"
BRENT_105 = ["sectors[crude].price[144]=[2025-06, 105]", "sectors[crude].price[145]=[2030-12, 105]"]
HELD = ["parameters.adaptive.shadow_fleet_investment=false", "parameters.adaptive.fleet_depreciation=0"]
VARIANTS = {
    "baseline": ("baseline", []),
    "cap_tightened": ("price_cap_tightened", []),
    "embargo_lifted": ("eu_embargo_lifted_2025", []),
    "brent_105": ("baseline", BRENT_105),
    "fleet_20": ("baseline", HELD + BRENT_105 + ["states[RUS].shadow_fleet=0.2"]),
    "fleet_60": ("baseline", HELD + BRENT_105 + ["states[RUS].shadow_fleet=0.6"]),
    "weaker_controls": ("baseline", ["events[invasion_export_controls_eu].intensity=0.2",
                                     "events[invasion_export_controls_us].intensity=0.2"]),
}


def run(geosim, name, seed):
    scenario, sets = VARIANTS[name]
    out = OUT / f"{name}_{seed}.h5"
    cmd = [geosim, "run", str(ROOT / "scenarios" / f"{scenario}.yaml"), "-o", str(out), "--force", "-q",
           "--seed", str(seed)]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)
    return out


def crude_discount(ds, years, market=False, freight=True):
    """Russia's crude discount, USD/bbl, volume-weighted over buyers (FOB: + freight)."""
    d = ds.sel(time=slice(f"{years[0]}-01", f"{years[1]}-12"), state="RUS", sector="crude")
    q = d.trade_quantity
    disc = (d.market_discount if market else d.discount) * d.world_price + (d.freight_cost if freight else 0.0)
    return float(((q * disc).sum("partner") / q.sum("partner")).mean("time"))


def revenue(ds, year):
    return float(ds.energy_revenue.sel(state="RUS", time=str(year)).mean("time")) * 12e-9


def crude_mbd(ds, years):
    q = ds.trade_quantity.sel(state="RUS", sector="crude", time=slice(f"{years[0]}-01", f"{years[1]}-12"))
    return float(q.sum("partner").mean("time")) * 12 / 365e6


def premium(ds, years):
    d = ds.discount.sel(state="CHN", partner="RUS", sector="machinery_electronics",
                        time=slice(f"{years[0]}-01", f"{years[1]}-12"))
    return -100 * float(d.mean("time"))


def summary(x):
    x = np.asarray(x, dtype=float)
    half = t_quantile(0.95, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)) if len(x) > 1 else 0.0
    return f"{x.mean():.2f} [{x.mean() - half:.2f}, {x.mean() + half:.2f}]"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--geosim", default=str(ROOT / "build" / "sim" / "cli" / "geosim"))
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    seeds = range(1, args.seeds + 1)
    jobs = [(n, s) for n in VARIANTS for s in seeds]
    with ThreadPoolExecutor(2) as pool:
        files = dict(zip(jobs, pool.map(lambda j: run(args.geosim, *j), jobs)))
    ds = {j: ga.open_run(f) for j, f in files.items()}
    per = lambda name, f: [f(ds[(name, s)]) for s in seeds]  # noqa: E731
    eff = lambda a, b, f: [f(ds[(a, s)]) - f(ds[(b, s)]) for s in seeds]  # noqa: E731
    print(f"seeds 1-{args.seeds}, paired; mean [90 % t-interval of the mean]")
    for y in range(2025, 2031):
        print(f"tighter cap, Russia's energy revenue {y} (USD bn/yr): baseline {summary(per('baseline', lambda d: revenue(d, y)))},"
              f" effect {summary(eff('cap_tightened', 'baseline', lambda d: revenue(d, y)))}")
    vol = lambda d: crude_mbd(d, (2026, 2030))  # noqa: E731
    fob = lambda d: crude_discount(d, (2026, 2030))  # noqa: E731
    print(f"embargo lifted, Russia's crude exports 2026-30 (mb/d): baseline {summary(per('baseline', vol))},"
          f" effect {summary(eff('embargo_lifted', 'baseline', vol))}")
    print(f"embargo lifted, FOB discount 2026-30 (USD/bbl): baseline {summary(per('baseline', fob))},"
          f" effect {summary(eff('embargo_lifted', 'baseline', fob))}")
    rev = lambda d: (revenue(d, 2027) + revenue(d, 2028)) / 2  # noqa: E731
    mkt = lambda d: crude_discount(d, (2027, 2030), market=True)  # noqa: E731
    paid = lambda d: crude_discount(d, (2027, 2030))  # noqa: E731
    print(f"Brent 105, revenue 2027-28 (USD bn/yr): {summary(per('brent_105', rev))} against {summary(per('baseline', rev))}")
    print(f"Brent 105, market FOB discount 2027-30 (USD/bbl): {summary(per('brent_105', mkt))} against "
          f"{summary(per('baseline', mkt))} (ratio {np.mean(per('brent_105', mkt)) / np.mean(per('baseline', mkt)):.2f});"
          f" paid FOB {summary(per('brent_105', paid))} against {summary(per('baseline', paid))}")
    dlv = lambda d: crude_discount(d, (2025, 2030), freight=False)  # noqa: E731
    print(f"fleet 60 % against 20 % at Brent 105, discount paid 2025-30 (USD/bbl): {summary(per('fleet_60', dlv))}"
          f" against {summary(per('fleet_20', dlv))}, effect {summary(eff('fleet_60', 'fleet_20', dlv))};"
          f" FOB effect {summary(eff('fleet_60', 'fleet_20', lambda d: crude_discount(d, (2025, 2030))))}")
    pre = lambda y0, y1: (lambda d: premium(d, (y0, y1)))  # noqa: E731
    print(f"China's machinery premium to Russia (% of world price): 2019-21 {summary(per('baseline', pre(2019, 2021)))},"
          f" 2023-30 {summary(per('baseline', pre(2023, 2030)))}; with weaker Western controls"
          f" {summary(per('weaker_controls', pre(2023, 2030)))}, effect of the stronger controls"
          f" {summary(eff('baseline', 'weaker_controls', pre(2023, 2030)))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
