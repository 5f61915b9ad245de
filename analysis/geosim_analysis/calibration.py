"""Calibration of a geosim scenario against the targets file, by the method of
simulated moments (MSM) with a multi-stage Latin-hypercube search.

    python3 -m geosim_analysis calibrate search scenarios/data/calibration.yaml -o out/calib
    python3 -m geosim_analysis calibrate evaluate OUT.h5 --targets scenarios/data/targets.yaml -o DIR
    python3 -m geosim_analysis calibrate check scenarios/baseline.yaml --replicates 20 -o DIR [--figures F]
    python3 -m geosim_analysis calibrate apply scenarios/data/calibration.yaml out/calib/points.csv

The method (docs/calibration.md):

- Each target figure t has a value y_t, a band b_t (the half-width that counts
  as reached) and a moment m_t(run) computed from a run's output.
- A parameter point theta is run R times with different seeds; the simulated
  moment is the mean over replicates, mbar_t(theta).
- The distance is J(theta) = sum_t w_t (mbar_t(theta) - y_t)^2 with weights
  w_t = 1 / b_t^2 (a diagonal weighting matrix: one band is one unit of
  distance). Sign targets (a year-on-year change up or down) cost
  (the change on the wrong side / b_t)^2, and nothing when the sign is right.
- The search: stage 1 draws a Latin hypercube over the free parameters' ranges
  (``geosim sweep`` with an ``lhs`` design); stage s+1 draws a new hypercube in
  a box around the best point of stage s, narrowed by the stage's factor.

Moments are computed with the package's helpers (bilateral_trade,
partner_share, discount_path, settlement_mix) and keep any leading ``run``
dimension, so a sweep is evaluated in one pass.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from .io import ok_runs, open_run, open_sweep, parameter_names
from .metrics import annual, bilateral_trade, discount_path, partner_share, settlement_mix

try:
    import yaml
except ImportError:  # pragma: no cover - Debian's python3-yaml is a dependency
    yaml = None


# ---------------------------------------------------------------------------
# Targets


@dataclass
class Target:
    id: str
    moment: str
    period: str
    value: float
    unit: str
    band: float
    source: str
    fit: bool = True
    note: str = ""
    args: dict = field(default_factory=dict)

    @property
    def weight(self) -> float:
        return 1.0 / self.band ** 2 if self.fit else 0.0

    @property
    def is_sign(self) -> bool:
        return self.unit == "sign"


_TARGET_KEYS = {"id", "moment", "period", "value", "unit", "band", "source", "fit", "note"}


def load_targets(path) -> tuple[list, dict]:
    """Reads a targets file: returns (targets, sources). Raises ValueError
    naming the target for a missing key, an unknown moment, an unknown source
    or a band that is not > 0."""
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or doc.get("targets_version") != 1:
        raise ValueError(f"{path}: not a targets file (targets_version: 1 expected)")
    sources = doc.get("sources") or {}
    out, seen = [], set()
    for i, raw in enumerate(doc.get("targets") or []):
        where = f"{path}: targets[{i}]"
        for key in ("id", "moment", "period", "value", "unit", "band", "source"):
            if key not in raw:
                raise ValueError(f"{where}: missing key '{key}'")
        if raw["id"] in seen:
            raise ValueError(f"{where}: duplicate id '{raw['id']}'")
        seen.add(raw["id"])
        if raw["moment"] not in MOMENTS:
            raise ValueError(f"{where} ({raw['id']}): unknown moment '{raw['moment']}'; "
                             f"expected one of {', '.join(sorted(MOMENTS))}")
        if raw["source"] not in sources:
            raise ValueError(f"{where} ({raw['id']}): source '{raw['source']}' is not in sources")
        if not float(raw["band"]) > 0:
            raise ValueError(f"{where} ({raw['id']}): band {raw['band']} must be > 0")
        args = {k: v for k, v in raw.items() if k not in _TARGET_KEYS}
        out.append(Target(id=str(raw["id"]), moment=raw["moment"], period=str(raw["period"]),
                          value=float(raw["value"]), unit=str(raw["unit"]), band=float(raw["band"]),
                          source=str(raw["source"]), fit=bool(raw.get("fit", True)),
                          note=str(raw.get("note", "")), args=args))
    return out, sources


# ---------------------------------------------------------------------------
# Moments: each takes a Dataset (with or without a leading run dimension) and
# a Target, and returns a DataArray with dims () or ("run",).


def _window(period: str):
    """'2022-04/2022-06' -> slice of months; '2015' -> the calendar year."""
    if "/" in period:
        a, b = period.split("/")
        return slice(a, b)
    return slice(period, period)


def _drop_extra(da: xr.DataArray) -> xr.DataArray:
    keep = set(da.dims)
    return da.drop_vars([c for c in da.coords if c not in keep and c not in ("run",)
                         and not str(c).startswith("param_")], errors="ignore")


def m_bilateral_trade(ds, t):
    trade = bilateral_trade(ds, "CHN", "RUS")
    name = {"total": "total"}.get(t.args.get("direction", "total"), t.args.get("direction"))
    return _drop_extra(trade[name].sel(year=int(t.period)) / 1e9)


def m_bilateral_trade_change(ds, t):
    total = bilateral_trade(ds, "CHN", "RUS")["total"]
    y = int(t.period)
    return _drop_extra(total.sel(year=y) / total.sel(year=y - 1) - 1.0)


def m_trade_share(ds, t):
    share = partner_share(ds, t.args["state"], t.args["partner"], yearly=True)
    return _drop_extra(100.0 * share.sel(year=int(t.period)))


def crude_volumes(ds) -> xr.DataArray:
    """Russia's crude exports by importer in barrels per month: trade value
    (USD/month, at the discounted price) / (world price x (1 - discount))."""
    value = ds["trade_value"].sel(state="RUS", sector="crude")
    price = ds["world_price"].sel(sector="crude") * (1.0 - ds["discount"].sel(state="RUS", sector="crude"))
    vol = value / price.where(price > 0)
    return vol.fillna(0.0).drop_vars(["state", "sector", "price_unit"], errors="ignore")


def m_crude_destination_share(ds, t):
    """An importer's share of Russia's crude exports by volume, percent: over
    a calendar year ('2022') or the months of a window ('2022-12/2022-12'),
    barrels summed over the period before the share is taken."""
    vol = crude_volumes(ds)
    if "/" in t.period:
        vol = vol.sel(time=_window(t.period)).sum("time")
    else:
        vol = annual(vol).sel(year=int(t.period))
    total = vol.sum("partner")
    return _drop_extra(100.0 * vol.sel(partner=t.args["importer"]) / total.where(total > 0))


def _stat(da, stat):
    if stat == "max":
        return da.max("time")
    if stat == "min":
        return da.min("time")
    return da.mean("time")


def m_crude_discount_usd(ds, t):
    d = discount_path(ds, "RUS", None, "crude", money=True).fillna(0.0)
    return _drop_extra(_stat(d.sel(time=_window(t.period)), t.args.get("stat", "mean")))


def m_crude_discount_fraction(ds, t):
    d = discount_path(ds, "RUS", None, "crude").fillna(0.0)
    return _drop_extra(100.0 * _stat(d.sel(time=_window(t.period)), t.args.get("stat", "mean")))


def m_settlement_share(ds, t):
    mix = settlement_mix(ds, "RUS", "CHN").sel(currency=list(t.args["currencies"])).sum("currency")
    return _drop_extra(100.0 * mix.sel(time=_window(t.period)).mean("time"))


def local_settlement(ds) -> xr.DataArray:
    """Annual mean share (percent) of CNY + RUB in settling China-Russia trade."""
    mix = settlement_mix(ds, "RUS", "CHN").sel(currency=["CNY", "RUB"]).sum("currency")
    return 100.0 * annual(mix, how="mean")


def m_settlement_local_change(ds, t):
    y = int(t.period)
    local = local_settlement(ds)
    return _drop_extra(local.sel(year=y) - local.sel(year=y - 1))


def m_state_imports(ds, t):
    """A state's total imports (all exporters and sectors), USD bn per year."""
    tv = ds["trade_value"].sum("sector", skipna=False).sel(partner=t.args["state"]).sum("state", skipna=False)
    return _drop_extra(annual(tv).sel(year=int(t.period)) / 1e9)


def dual_use_dispatch(ds, importer: str, dispatch) -> xr.DataArray:
    """Share (percent, annual) of `importer`'s dual-use imports dispatched from
    the states in `dispatch`, as the exporting countries' statistics record
    them: their direct dual-use exports to it, plus everything re-exported to
    it through those of them that are hubs (any origin: goods made in China
    or in the West that Hong Kong ships on count as Hong Kong's). Goods made
    in a dispatching state but shipped on through another hub count as that
    hub's. Values at the first leg's value (dual_use_trade, dual_use_via_hub)."""
    dispatch = list(dispatch)
    du = ds["dual_use_trade"].sel(partner=importer)
    total = annual(du.sum(["state", "route"]))
    own = annual(du.sel(state=dispatch, route="direct").sum("state"))
    if "dual_use_via_hub" in ds:
        hubs = [s for s in dispatch if s in ds["dual_use_via_hub"]["state"].values.tolist()]
        own = own + annual(ds["dual_use_via_hub"].sel(partner=importer, state=hubs).sum("state"))
    return 100.0 * own / total.where(total > 0)


def m_dual_use_share(ds, t):
    share = dual_use_dispatch(ds, t.args.get("importer", "RUS"), t.args["dispatch"])
    return _drop_extra(share.sel(year=int(t.period)))


MOMENTS = {
    "bilateral_trade": m_bilateral_trade,
    "state_imports": m_state_imports,
    "bilateral_trade_change": m_bilateral_trade_change,
    "trade_share": m_trade_share,
    "crude_destination_share": m_crude_destination_share,
    "crude_discount_usd": m_crude_discount_usd,
    "crude_discount_fraction": m_crude_discount_fraction,
    "settlement_share": m_settlement_share,
    "settlement_local_change": m_settlement_local_change,
    "dual_use_share": m_dual_use_share,
}


def moments(ds: xr.Dataset, targets) -> pd.DataFrame:
    """One row per run (a single run file gives one row, index 0), one column
    per target id: the simulated moment in the target's unit."""
    cols = {}
    for t in targets:
        da = MOMENTS[t.moment](ds, t)
        cols[t.id] = np.atleast_1d(np.asarray(da.values, dtype=float))
    index = ds["run"].values if "run" in ds.dims else [0]
    return pd.DataFrame(cols, index=pd.Index(index, name="run"))


# ---------------------------------------------------------------------------
# Distance


def contribution(t: Target, sim: float) -> float:
    """Weighted squared error of one figure (without the fit flag)."""
    if not np.isfinite(sim):
        return math.inf
    if t.is_sign:
        slack = float(t.args.get("allow", 0.0))
        miss = max(0.0, -t.value * sim - slack)
        return (miss / t.band) ** 2
    return ((sim - t.value) / t.band) ** 2


def reached(t: Target, sim: float) -> bool:
    if not np.isfinite(sim):
        return False
    if t.is_sign:
        # Right sign; a target with `allow` also accepts a change within
        # `allow` of zero on the wrong side (flat counts as not falling).
        slack = float(t.args.get("allow", 0.0))
        return t.value * sim > 0 or (slack > 0 and t.value * sim >= -slack)
    return abs(sim - t.value) <= t.band + 1e-12


def distance(targets, sim: dict | pd.Series) -> float:
    """J = sum over fitted targets of w_t (sim_t - y_t)^2 with w_t = 1/band_t^2
    (sign targets: the wrong-side change over the band, squared)."""
    return float(sum(contribution(t, float(sim[t.id])) for t in targets if t.fit))


def fit_table(targets, per_run: pd.DataFrame) -> pd.DataFrame:
    """Per target: the figure, the mean and sd of the simulated moment over
    the runs given (replicates of one point), the error, the band, whether it
    is reached, and the figure's contribution to the distance."""
    rows = []
    for t in targets:
        vals = per_run[t.id].to_numpy(dtype=float)
        mean = float(np.nanmean(vals)) if np.isfinite(vals).any() else math.nan
        sd = float(np.nanstd(vals, ddof=1)) if np.isfinite(vals).sum() > 1 else 0.0
        err = mean - t.value if not t.is_sign else math.nan
        rows.append({
            "id": t.id, "moment": t.moment, "period": t.period, "unit": t.unit, "target": t.value,
            "band": t.band, "sim_mean": mean, "sim_sd": sd, "error": err,
            "rel_error": err / t.value if (not t.is_sign and t.value) else math.nan,
            "reached": reached(t, mean), "fit": t.fit,
            "contribution": contribution(t, mean) if t.fit else 0.0, "source": t.source,
        })
    return pd.DataFrame(rows)


def _fmt(x, digits=3):
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "**no**"
    if isinstance(x, float):
        if not np.isfinite(x):
            return ""
        return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:.0f}"
    return str(x)


def fit_table_markdown(table: pd.DataFrame) -> str:
    cols = ["id", "period", "unit", "target", "band", "sim_mean", "sim_sd", "error", "reached", "fit"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in table.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if c == "target" and r["unit"] == "sign":
                v = "up" if v > 0 else "down"
            if c == "sim_mean" and r["unit"] == "sign":
                v = f"{v:+.3f}"
            if c == "fit":
                v = "yes" if v else "reported"
            cells.append(_fmt(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Sweeps: points, evaluation


def point_keys(ds: xr.Dataset) -> list:
    return [n for n in parameter_names(ds) if n in ds.coords or n in ds.variables]


def evaluate_sweep(ds: xr.Dataset, targets) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Moments per run and, per parameter point (runs with equal param_*
    values, i.e. the replicates of one point), the mean moments and the
    distance. Returns (per_run, per_point) sorted by distance."""
    ds = ds.isel(run=np.flatnonzero(ok_runs(ds).values))
    per_run = moments(ds, targets)
    params = point_keys(ds)
    for p in params:
        per_run[p] = np.asarray(ds[p].values)
    if params:
        groups = per_run.groupby(params if len(params) > 1 else params[0], sort=False)
    else:
        groups = [((), per_run)]
    rows = []
    for key, sub in groups:
        key = key if isinstance(key, tuple) else (key,)
        means = sub[[t.id for t in targets]].mean()
        row = dict(zip(params, key))
        row["replicates"] = len(sub)
        row["distance"] = distance(targets, means)
        row["reached"] = sum(reached(t, float(means[t.id])) for t in targets if t.fit)
        row["fitted"] = sum(1 for t in targets if t.fit)
        row.update({f"m:{k}": v for k, v in means.items()})
        rows.append(row)
    per_point = pd.DataFrame(rows).sort_values("distance").reset_index(drop=True)
    return per_run, per_point


# ---------------------------------------------------------------------------
# The search


def read_versioned(path, kind: str, paths=(), required=()) -> dict:
    """Reads a YAML file of ``kind`` (its ``<kind>_version`` must be 1) and
    makes the file paths at ``paths`` absolute, relative to the file's folder.
    Raises ValueError naming the file for a wrong version or a missing
    ``required`` key."""
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or doc.get(f"{kind}_version") != 1:
        article = "an" if kind[0] in "aeiou" else "a"
        raise ValueError(f"{path}: not {article} {kind} file ({kind}_version: 1 expected)")
    for key in required:
        if key not in doc:
            raise ValueError(f"{path}: missing key '{key}'")
    base = os.path.dirname(os.path.abspath(path))
    for key in paths:
        if key in doc:
            doc[key] = os.path.normpath(os.path.join(base, doc[key]))
    return doc


def load_calibration(path) -> dict:
    doc = read_versioned(path, "calibration", paths=("targets", "search_scenario", "scenario"))
    for p in doc["free_parameters"]:
        if not p["min"] < p["max"]:
            raise ValueError(f"{path}: free parameter {p['key']}: min must be < max")
    return doc


def _yaml_value(v):
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def write_sweep(path, name, base, params, samples, replicates, seed, fixed=None) -> None:
    """A sweep file with one Latin hypercube over ``params`` (list of
    {key, name, min, max}) and, optionally, fixed values for other keys."""
    lines = ["sweep_version: 1", f"name: {name}",
             "description: calibration stage written by geosim_analysis.calibration",
             f"base: {os.path.relpath(base, os.path.dirname(os.path.abspath(path)))}",
             f"seed: {seed}", f"replicates: {replicates}", f"samples: {samples}", "parameters:"]
    for p in params:
        lines += [f"  - key: '{p['key']}'", f"    name: {p['name']}",
                  f"    lhs: {{min: {_yaml_value(float(p['min']))}, max: {_yaml_value(float(p['max']))}}}"]
    for key, value in (fixed or {}).items():
        lines += [f"  - key: '{key}'", f"    values: [{_yaml_value(value)}]"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def _fingerprint(geosim, sweep) -> str | None:
    """The sweep's fingerprint as ``geosim plan`` prints it (None if it cannot)."""
    res = subprocess.run([geosim, "plan", sweep, "--no-validate"], capture_output=True, text=True)
    for line in res.stdout.splitlines():
        if line.startswith("fingerprint"):
            return line.split()[-1]
    return None


def _is_current(geosim, sweep, out) -> bool:
    """An existing output of this very sweep (same fingerprint: geosim version,
    resolved scenario, seeds, runs), written after the binary was built."""
    if not os.path.exists(out):
        return False
    binary = geosim if os.path.exists(geosim) else None
    if binary and os.path.getmtime(out) < os.path.getmtime(binary):
        return False
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        stored = ds.attrs.get("sweep_fingerprint")
    return stored is not None and stored == _fingerprint(geosim, sweep)


def run_sweep(geosim, sweep, out, jobs) -> None:
    """Runs a sweep into ``out``; resumes an interrupted one, and keeps a
    complete output only if it is of this very sweep (same fingerprint: the
    resolved scenario, seeds and geosim version) and newer than the binary,
    so that stages can be re-run without recomputing but a changed scenario
    is never answered from an old file."""
    cmd = [geosim, "sweep", sweep, "-o", out, "--jobs", str(jobs), "-q"]
    if os.path.exists(out + ".parts"):
        cmd.append("--resume")
    elif os.path.exists(out):
        if _is_current(geosim, sweep, out):
            return
        print(f"{out}: made by another scenario or binary; running again", flush=True)
        cmd.append("--force")
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def narrowed(params, best: dict, factor: float) -> list:
    """A box of width ``factor`` x the original range around ``best``,
    shifted to stay inside the original range."""
    out = []
    for p in params:
        lo, hi = float(p["min"]), float(p["max"])
        width = factor * (hi - lo)
        c = float(best[p["name"]])
        a = min(max(lo, c - width / 2), hi - width)
        out.append(dict(p, min=a, max=a + width))
    return out


def search(cal_path, out_dir, geosim, jobs, stages=None, start=None) -> pd.DataFrame:
    """Runs the stages of the calibration file. ``start``: a points.csv of an
    earlier search whose points compete for the centre of narrowed stages
    (parameters it lacks take the value given as ``start_value`` in the
    calibration file, i.e. the scenario's value when that search ran)."""
    cal = load_calibration(cal_path)
    targets, _ = load_targets(cal["targets"])
    params = cal["free_parameters"]
    os.makedirs(out_dir, exist_ok=True)
    box = params
    best_all = None
    if start:
        best_all = pd.read_csv(start)
        for p in params:
            if p["name"] not in best_all:
                best_all[p["name"]] = float(p["start_value"])
    for s, stage in enumerate(cal["stages"]):
        if stages is not None and s >= stages:
            break
        name = stage["name"]
        if best_all is not None and "narrow" in stage:
            # Around the best point of all stages so far (and of `start`).
            leader = best_all.sort_values("distance").iloc[0]
            box = narrowed(params, leader, float(stage["narrow"]))
        sweep = os.path.join(out_dir, f"{name}.sweep.yaml")
        out = os.path.join(out_dir, f"{name}.h5")
        write_sweep(sweep, f"calibration_{name}", cal["search_scenario"], box, stage["samples"],
                    stage.get("replicates", 1), stage.get("seed", 1000 + s))
        run_sweep(geosim, sweep, out, jobs)
        ds = open_sweep(out)
        _, per_point = evaluate_sweep(ds, targets)
        per_point = per_point.rename(columns={f"param_{p['name']}": p["name"] for p in params})
        per_point.insert(0, "stage", name)
        per_point.to_csv(os.path.join(out_dir, f"{name}.points.csv"), index=False)
        best = per_point.iloc[0]
        print(f"{name}: best distance {best['distance']:.2f}, {int(best['reached'])}/{int(best['fitted'])} "
              "bands reached at " + ", ".join(f"{p['name']}={best[p['name']]:.4g}" for p in params), flush=True)
        best_all = per_point if best_all is None else pd.concat([best_all, per_point], ignore_index=True)
    best_all = best_all.sort_values("distance").reset_index(drop=True)
    best_all.to_csv(os.path.join(out_dir, "points.csv"), index=False)
    top = best_all.head(10)
    with open(os.path.join(out_dir, "best.md"), "w", encoding="utf-8") as f:
        cols = ["stage"] + [p["name"] for p in params] + ["distance", "reached"]
        f.write("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n")
        for _, r in top.iterrows():
            f.write("| " + " | ".join(_fmt(r[c], 4) for c in cols) + " |\n")
    return best_all


# ---------------------------------------------------------------------------
# Check: replicates of a scenario, the fit table


def write_replicate_sweep(path, scenario, replicates, seed, horizon_end=None,
                          name="calibration_check") -> None:
    """A sweep of ``replicates`` seeds of ``scenario``, named ``name``. Run r
    has seed ``run_seed(seed, r)`` and run id r whatever the scenario, so two
    such sweeps with the same ``seed`` pair their runs (common random
    numbers). A sweep cannot change the horizon, so the horizon is cut in a
    derived scenario written next to the sweep file; the one swept key is the
    scenario's free-text ``description`` (a sweep needs a parameter; it
    changes nothing)."""
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.abspath(scenario)
    if horizon_end:
        derived = os.path.join(folder, "check_scenario.yaml")
        with open(derived, "w", encoding="utf-8") as f:
            f.write("schema_version: 1\n"
                    f"base: {os.path.relpath(base, folder)}\n"
                    f"name: {name}\n"
                    f"horizon: {{end: {horizon_end}}}\n"
                    "output: {snapshots: []}\n")
        base = derived
    lines = ["sweep_version: 1", f"name: {name}",
             "description: replicates of one scenario (geosim_analysis)",
             f"base: {os.path.relpath(base, folder)}",
             f"seed: {seed}", f"replicates: {replicates}", "parameters:",
             "  - key: description", "    name: check", "    values: [calibration check]"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# The sections of docs/calibration.md's fit tables: (title, moments).
FIT_SECTIONS = [
    ("China–Russia trade, USD bn/yr (band ±15 %)", ["bilateral_trade:total"]),
    ("Sign of the year-on-year change of that total (moment: relative change)", ["bilateral_trade_change"]),
    ("The two directions, USD bn/yr (band ±25 %)", ["bilateral_trade:direction"]),
    ("Russia's total imports, USD bn/yr (reported, not fitted)", ["state_imports"]),
    ("Shares of each other's trade, % (bands ±4 points for China's share of Russia's, ±1 point for "
     "Russia's share of China's)", ["trade_share"]),
    ("Russian crude exports by destination, % of volume (band ±10 points)", ["crude_destination_share"]),
    ("Discount on Russian crude (USD/bbl; % of Brent)", ["crude_discount_usd", "crude_discount_fraction"]),
    ("Settlement of China–Russia trade, % (band ±10 points; rise: CNY + RUB not falling, 0.5-point "
     "allowance)", ["settlement_share", "settlement_local_change"]),
    ("Russia's dual-use imports by dispatching country, % (band ±10 points; China and Hong Kong "
     "together, the EU)", ["dual_use_share"]),
]


def _section_of(r) -> str:
    if r["moment"] == "bilateral_trade":
        return "bilateral_trade:" + ("total" if str(r["id"]).startswith("trade_total") else "direction")
    return r["moment"]


def fit_sections_markdown(table: pd.DataFrame) -> str:
    """The fit table as docs/calibration.md shows it: a section per kind of
    target, mean ± sd over replicates, error (relative for money), reached
    (in parentheses for targets reported, not fitted)."""
    out = []
    kinds = table.apply(_section_of, axis=1)
    for title, moments in FIT_SECTIONS:
        rows = table[kinds.isin(moments)]
        if rows.empty:
            continue
        out += [f"**{title}**", "", "| target | period | data | simulated mean ± sd | error | reached |",
                "|---|---|---|---|---|---|"]
        for _, r in rows.iterrows():
            sign = r["unit"] == "sign"
            data = ("up" if r["target"] > 0 else "down") if sign else _fmt(float(r["target"]))
            sim = (f"{r['sim_mean']:+.3f}" if sign else _fmt(float(r["sim_mean"]))) + " ± " + _fmt(float(r["sim_sd"]), 2)
            err = ""
            if not sign and np.isfinite(r["error"]):
                err = f"{r['error']:+.3g}"
                if str(r["unit"]).startswith("USD bn"):
                    err += f" ({100 * r['rel_error']:+.0f} %)"
            mark = "✔" if r["reached"] else "✘"
            out.append(f"| {r['id']} | {r['period']} | {data} | {sim} | {err} | "
                       f"{mark if r['fit'] else f'({mark}) reported'} |")
        out.append("")
    return "\n".join(out)


def write_fit(table: pd.DataFrame, out_dir, stem="fit_table") -> None:
    os.makedirs(out_dir, exist_ok=True)
    table.to_csv(os.path.join(out_dir, f"{stem}.csv"), index=False)
    with open(os.path.join(out_dir, f"{stem}.md"), "w", encoding="utf-8") as f:
        f.write(fit_table_markdown(table))
    with open(os.path.join(out_dir, f"{stem}_sections.md"), "w", encoding="utf-8") as f:
        f.write(fit_sections_markdown(table))


def summary(targets, table: pd.DataFrame) -> str:
    """One line: the distance J of the mean moments and the fitted bands reached."""
    n_fit = int(table["fit"].sum())
    n_ok = int((table["reached"] & table["fit"]).sum())
    J = distance(targets, table.set_index("id")["sim_mean"])
    return f"distance {J:.2f}, {n_ok}/{n_fit} fitted bands reached"


def check(scenario, out_dir, geosim, jobs, replicates, seed, horizon_end, targets_path, figures=None):
    os.makedirs(out_dir, exist_ok=True)
    sweep = os.path.join(out_dir, "check.sweep.yaml")
    out = os.path.join(out_dir, "check.h5")
    write_replicate_sweep(sweep, scenario, replicates, seed, horizon_end)
    run_sweep(geosim, sweep, out, jobs)
    targets, _ = load_targets(targets_path)
    ds = open_sweep(out)
    per_run, _ = evaluate_sweep(ds, targets)
    table = fit_table(targets, per_run)
    write_fit(table, out_dir)
    per_run.to_csv(os.path.join(out_dir, "moments_per_run.csv"))
    print(f"{scenario}: {replicates} replicates, {summary(targets, table)}")
    if figures:
        from .calibration_figures import draw_all
        draw_all(ds, targets, figures)
    return table


# ---------------------------------------------------------------------------
# Writing a point into the scenario


def _key_path(key: str) -> list:
    """'events[swift_eur].intensity' -> ['events', 'swift_eur', 'intensity'];
    '[3]' selects by position, '[CODE]' the list item whose code, id or name is CODE."""
    out = []
    for name, sel in re.findall(r"([^.\[\]]+)|\[([^\]]+)\]", key):
        out.append(name if name else (int(sel) if sel.isdigit() else sel))
    return out


def _find(node, path, key, scenario):
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == step]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            match = node.value[step:step + 1]
        elif isinstance(node, yaml.SequenceNode):
            match = [item for item in node.value if isinstance(item, yaml.MappingNode) and any(
                k.value in ("code", "id", "name") and v.value == step for k, v in item.value)]
        else:
            match = []
        if len(match) != 1:
            raise ValueError(f"{scenario}: {key}: no single '{step}' in this file "
                             f"(a key the file inherits through base: cannot be written here)")
        node = match[0]
    if not isinstance(node, yaml.ScalarNode):
        raise ValueError(f"{scenario}:{node.start_mark.line + 1}: {key}: expected a number, got a "
                         f"{'list' if isinstance(node, yaml.SequenceNode) else 'map'}")
    return node


def apply_point(cal_path, points_csv, scenario=None, row=0, digits=3) -> dict:
    """Writes row ``row`` of a search's points.csv (0 = the best) into the
    scenario file, in place: each free parameter's number is replaced where it
    stands, so comments and layout stay. Returns {key: value written}."""
    cal = load_calibration(cal_path)
    scenario = scenario or cal["scenario"]
    point = pd.read_csv(points_csv).iloc[row]
    values = {}
    for p in cal["free_parameters"]:
        if p["name"] not in point.index or pd.isna(point[p["name"]]):
            raise ValueError(f"{points_csv}: no value for free parameter {p['name']} in row {row}")
        values[p["key"]] = float(point[p["name"]])
    return apply_values(scenario, values, digits)


def apply_values(scenario, values: dict, digits=3) -> dict:
    """Writes {key path: number} into the scenario file, in place: each number
    is replaced where it stands, so comments and layout stay. Returns
    {key: value written}."""
    with open(scenario, encoding="utf-8") as f:
        text = f.read()
    root = yaml.compose(text)
    edits = []
    for key, v in values.items():
        node = _find(root, _key_path(key), key, scenario)
        edits.append((node.start_mark.index, node.end_mark.index, key, f"{v:.{digits}g}"))
    for start, end, _, value in sorted(edits, reverse=True):
        text = text[:start] + value + text[end:]
    tmp = scenario + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, scenario)
    return {key: value for _, _, key, value in edits}


# ---------------------------------------------------------------------------
# Command line


def default_geosim() -> str:
    env = os.environ.get("GEOSIM_BIN")
    if env:
        return env
    return shutil.which("geosim") or "geosim"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m geosim_analysis calibrate",
                                 description="Calibrate a scenario against a targets file (MSM).")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("search", help="run the calibration stages (LHS sweeps) and rank the points")
    s.add_argument("calibration")
    s.add_argument("-o", "--out", required=True)
    s.add_argument("--stages", type=int, default=None, help="run only the first N stages")
    s.add_argument("--start", default=None, help="points.csv of an earlier search to start from")
    e = sub.add_parser("evaluate", help="fit table of a run or sweep file")
    e.add_argument("file")
    e.add_argument("--targets", required=True)
    e.add_argument("-o", "--out", required=True)
    c = sub.add_parser("check", help="replicates of a scenario, fit table and figures")
    c.add_argument("scenario")
    c.add_argument("--targets", required=True)
    c.add_argument("-o", "--out", required=True)
    c.add_argument("--replicates", type=int, default=20)
    c.add_argument("--seed", type=int, default=20221231)
    c.add_argument("--horizon-end", default="2024-12")
    c.add_argument("--figures", default=None, help="directory for the PNG figures")
    a = sub.add_parser("apply", help="write a point of a search into the scenario file, in place")
    a.add_argument("calibration")
    a.add_argument("points", help="points.csv of a search")
    a.add_argument("--row", type=int, default=0, help="row of points.csv (0, the default, is the best)")
    a.add_argument("--scenario", default=None, help="file to edit (default: the calibration's scenario)")
    f = sub.add_parser("figures", help="figures of simulated against data from a check sweep")
    f.add_argument("file")
    f.add_argument("--targets", required=True)
    f.add_argument("-o", "--out", required=True)
    for p in (s, c):
        p.add_argument("--geosim", default=default_geosim())
        p.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    if args.cmd == "search":
        search(args.calibration, args.out, args.geosim, args.jobs, args.stages, args.start)
    elif args.cmd == "evaluate":
        targets, _ = load_targets(args.targets)
        ds = xr.open_dataset(args.file, engine="h5netcdf")
        ds = open_sweep(args.file) if "run" in ds.dims else open_run(args.file)
        if "run" in ds.dims:
            per_run, per_point = evaluate_sweep(ds, targets)
            os.makedirs(args.out, exist_ok=True)
            per_point.to_csv(os.path.join(args.out, "points.csv"), index=False)
        else:
            per_run = moments(ds, targets)
        table = fit_table(targets, per_run)
        write_fit(table, args.out)
        print(fit_table_markdown(table))
        print(f"{args.file}: {summary(targets, table)}")
    elif args.cmd == "check":
        check(args.scenario, args.out, args.geosim, args.jobs, args.replicates, args.seed,
              args.horizon_end, args.targets, args.figures)
    elif args.cmd == "apply":
        for key, value in apply_point(args.calibration, args.points, args.scenario, args.row).items():
            print(f"{key} = {value}")
    elif args.cmd == "figures":
        from .calibration_figures import draw_all
        targets, _ = load_targets(args.targets)
        draw_all(open_sweep(args.file), targets, args.out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
