#!/usr/bin/python3
"""Prints the out-of-sample table of docs/calibration.md (2022, 2023, 2024):
mean ± sd over the replicates of a calibration check (`calibrate check ... -o DIR`),
or, with --intervals, the median and 90 % interval over the runs of a
posterior predictive sweep (posterior draws x seeds, `estimate ... -o DIR`:
DIR/predictive_full.h5), each run one draw of parameters and seed.

    PYTHONPATH=analysis /usr/bin/python3 scripts/out_of_sample.py out/calibration/check/check.h5
    PYTHONPATH=analysis /usr/bin/python3 scripts/out_of_sample.py --intervals out/estimation/predictive_full.h5
"""
import sys

from geosim_analysis.calibration import crude_volumes
from geosim_analysis.io import open_sweep
from geosim_analysis.metrics import (annual, bilateral_trade, cautious_shares, discount_path,
                                     partner_share, settlement_mix)

YEARS = [2022, 2023, 2024]


INTERVALS = False


def ms(da, scale=1.0, digits=3):
    """'mean ± sd' over runs, per year; with INTERVALS 'median [5 %, 95 %]'."""
    if INTERVALS:
        out = []
        for y in YEARS:
            q = da.sel(year=y).quantile([0.05, 0.5, 0.95], dim="run").values * scale
            out.append(f"{q[1]:.{digits}g} [{q[0]:.{digits}g}, {q[2]:.{digits}g}]")
        return out
    return [f"{float(da.sel(year=y).mean('run')) * scale:.{digits}g} ± "
            f"{float(da.sel(year=y).std('run')) * scale:.2g}" for y in YEARS]


def main(path):
    ds = open_sweep(path)
    rows = []
    trade = bilateral_trade(ds, "RUS", "CHN")
    rows.append(("China–Russia trade, USD bn", ms(trade["total"], 1e-9)))
    rows.append(("China's exports to Russia, USD bn", ms(trade["CHN->RUS"], 1e-9)))
    rows.append(("Russia's exports to China, USD bn", ms(trade["RUS->CHN"], 1e-9)))
    rows.append(("China's share of Russia's trade, %", ms(partner_share(ds, "RUS", "CHN", yearly=True), 100)))
    rows.append(("Russia's share of China's trade, %", ms(partner_share(ds, "CHN", "RUS", yearly=True), 100)))
    mix = annual(settlement_mix(ds, "RUS", "CHN"), how="mean").mean("run")
    rows.append(("settlement of China–Russia trade, % (USD / EUR / CNY / RUB)",
                 [" / ".join(f"{100 * float(mix.sel(year=y, currency=c)):.2g}" for c in ["USD", "EUR", "CNY", "RUB"])
                  for y in YEARS]))
    vol = annual(crude_volumes(ds))
    for who, name in [("CHN", "China"), ("IND", "India"), ("EU", "EU")]:
        rows.append((f"{name}'s share of Russian crude (volume), %", ms(vol.sel(partner=who) / vol.sum("partner"), 100)))
    caution = cautious_shares(ds, "CHN")
    firms = caution["firms"].sel(sector="machinery_electronics")
    rows.append(("Chinese machinery/electronics firms cautious, % (year mean)", ms(annual(firms, how="mean"), 100, 2)))
    rows.append(("Chinese banks refusing Russia-linked payments, % (year mean)",
                 ms(annual(caution["banks"], how="mean"), 100, 2)))
    print("| quantity | " + " | ".join(str(y) for y in YEARS) + " |")
    print("|---|" + "---|" * len(YEARS))
    for name, cells in rows:
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    usd = discount_path(ds, "RUS", None, "crude", money=True)
    frac = discount_path(ds, "RUS", None, "crude")
    head = "median [90 %] over runs" if INTERVALS else "mean over runs"
    print(f"| discount, USD/bbl (% of Brent), {head} | Q1 | Q2 | Q3 | Q4 |\n|---|---|---|---|---|")
    for y in YEARS:
        cells = []
        for q in range(4):
            window = slice(f"{y}-{3 * q + 1:02d}", f"{y}-{3 * q + 3:02d}")
            u, f = usd.sel(time=window).mean("time"), frac.sel(time=window).mean("time")
            if INTERVALS:
                a = u.quantile([0.05, 0.5, 0.95], dim="run").values
                cells.append(f"{a[1]:.1f} [{a[0]:.1f}, {a[2]:.1f}] ({100 * float(f.median('run')):.1f})")
            else:
                cells.append(f"{float(u.mean()):.1f} ({100 * float(f.mean()):.1f})")
        print(f"| {y} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--intervals":
        INTERVALS = True
        args = args[1:]
    main(args[0])
