"""How much an answer depends on the seed, over replicates of one scenario.

    import geosim_analysis as ga
    ds = ga.open_sweep("out/compare/baseline.h5")       # a replicate sweep
    ga.dispersion.coefficient_of_variation(ds)          # per year: mean, sd, cv
    ga.dispersion.large_moves(ds)                       # month-to-month jumps > 10 %

    python3 -m geosim_analysis dispersion A.yaml B.yaml ... --seeds 20 -o DIR

The coefficient of variation of an outcome in a year is its standard
deviation over runs (ddof 1) over its mean. A large move is a change of more
than ``threshold`` from one month to the next in a bilateral flow (exports of
one state to another, all sectors). It is *explained* when it falls in a
month with a policy event (an event's start or end, or the month after, since
orders answer a step late) or a price shock (a sector's world price moving by
more than ``price_shock`` in the month or the month before); otherwise it is
*unexplained*: a jump made by agents' draws, not by policy or prices.
``window`` widens "the month after" to that many months after (agents review
their caution at random months and payment agents build up over
``payments.alternative_lag``, so a policy's effect can take a few months).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .compare import bilateral_trade_bn, run_replicates
from .io import ok_runs, open_sweep, scenario_of

FLOWS = (("CHN", "RUS"), ("RUS", "CHN"))


def coefficient_of_variation(ds: xr.Dataset, outcome=bilateral_trade_bn) -> pd.DataFrame:
    """Per year: mean, sd (over runs, ddof 1) and cv = sd / mean of
    ``outcome(ds)`` (default China-Russia trade, USD bn/yr). ``ds`` is a
    replicate sweep (a ``run`` dimension); failed runs are left out."""
    y = outcome(ds.isel(run=np.flatnonzero(ok_runs(ds).values)))
    if "run" not in y.dims or y.sizes["run"] < 2:
        raise ValueError("coefficient_of_variation: needs at least two finished runs")
    mean = y.mean("run")
    sd = y.std("run", ddof=1)
    return pd.DataFrame({"year": y.time.dt.year.values, "mean": mean.values, "sd": sd.values,
                         "cv": (sd / mean).values}).set_index("year")


def _month_key(value) -> int | None:
    """'2022-02-24' or '2022-02' -> months since year 0 (None if unreadable)."""
    text = str(value)
    try:
        return int(text[:4]) * 12 + int(text[5:7]) - 1
    except ValueError:
        return None


def shock_months(ds: xr.Dataset, events: Sequence[dict] | None = None, price_shock: float = 0.05,
                 window: int = 1) -> set:
    """Month keys (year * 12 + month - 1) with a policy event or a price
    shock, and the ``window`` months after each. ``events`` defaults to the
    scenario's stored in the file."""
    if events is None:
        events = scenario_of(ds).get("events", [])
    months = set()
    for e in events:
        for when in (e.get("start"), e.get("end")):
            m = _month_key(when) if when is not None else None
            if m is not None:
                months.update(range(m, m + window + 1))
    price = ds.world_price
    if "run" in price.dims:
        price = price.isel(run=0)
    change = np.abs(price / price.shift(time=1) - 1).max("sector")
    times = pd.DatetimeIndex(price.time.values)
    for t, c in zip(times, change.values):
        if np.isfinite(c) and c > price_shock:
            m = t.year * 12 + t.month - 1
            months.update(range(m, m + window + 1))
    return months


def large_moves(ds: xr.Dataset, threshold: float = 0.10, flows=FLOWS, events=None,
                price_shock: float = 0.05, window: int = 1) -> pd.DataFrame:
    """Every month-to-month change above ``threshold`` (relative) in the
    bilateral ``flows`` (exporter, importer), per run: run, flow, month,
    change, and whether a policy event or price shock explains it."""
    shocks = shock_months(ds, events, price_shock, window)
    rows = []
    runs = np.flatnonzero(ok_runs(ds).values)
    for exporter, importer in flows:
        f = ds.trade_value.sel(state=exporter, partner=importer).sum("sector")
        rel = (f / f.shift(time=1) - 1).isel(run=runs)
        values = rel.values
        times = pd.DatetimeIndex(rel.time.values)
        for r_pos, r in enumerate(runs):
            for t_pos in np.flatnonzero(np.abs(np.nan_to_num(values[r_pos])) > threshold):
                t = times[t_pos]
                rows.append({"run": int(r), "flow": f"{exporter}->{importer}", "month": t.strftime("%Y-%m"),
                             "change": float(values[r_pos, t_pos]),
                             "explained": t.year * 12 + t.month - 1 in shocks})
    return pd.DataFrame(rows, columns=["run", "flow", "month", "change", "explained"])


def summary(ds: xr.Dataset, label: str, **kw) -> dict:
    """One row: the largest yearly cv and its year, and the large moves
    (explained, unexplained), over the runs of ``ds``."""
    cv = coefficient_of_variation(ds)
    moves = large_moves(ds, **kw)
    within3 = large_moves(ds, **{**kw, "window": 3})
    return {"scenario": label, "runs": int(ok_runs(ds).sum()), "max_cv": float(cv.cv.max()),
            "max_cv_year": int(cv.cv.idxmax()), "large_moves": len(moves),
            "unexplained": int((~moves.explained).sum()) if len(moves) else 0,
            "unexplained_3": int((~within3.explained).sum()) if len(within3) else 0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m geosim_analysis dispersion",
                                 description="Seed dependence of China-Russia trade over replicates.")
    ap.add_argument("scenarios", nargs="+")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--master-seed", type=int, default=20240101)
    ap.add_argument("-o", "--out", default="out/dispersion")
    ap.add_argument("--geosim", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    for s in args.scenarios:
        label = os.path.splitext(os.path.basename(s))[0]
        path = run_replicates(s, args.out, args.seeds, args.master_seed, name=label, geosim=args.geosim,
                              jobs=args.jobs, reuse=args.reuse)
        with open_sweep(path, load=True) as ds:
            rows.append(summary(ds, label))
            coefficient_of_variation(ds).to_csv(os.path.join(args.out, f"{label}_cv.csv"))
            large_moves(ds).to_csv(os.path.join(args.out, f"{label}_moves.csv"), index=False)
    table = pd.DataFrame(rows)
    table.to_csv(os.path.join(args.out, "dispersion.csv"), index=False)
    print(f"China-Russia trade over {args.seeds} seeds: largest yearly coefficient of variation, and "
          "month-to-month moves above 10 % in either direction's flow, summed over runs (unexplained: no "
          "policy event or price shock that month or the month before; or within the three months before)\n")
    print("| scenario | max cv | year | moves > 10 % | unexplained | unexplained, 3 months |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['scenario']} | {100 * r['max_cv']:.1f} % | {r['max_cv_year']} | {r['large_moves']} | "
              f"{r['unexplained']} | {r['unexplained_3']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
