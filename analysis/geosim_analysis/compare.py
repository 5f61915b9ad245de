"""Scenarios against a reference over common seeds: paired effects.

    import geosim_analysis as ga
    c = ga.compare.paired(["scenarios/baseline.yaml", "scenarios/india_withdraws.yaml"],
                          seeds=20, out_dir="out/compare", windows=["2025-2030"])
    c.effects          # each scenario minus the first, seed by seed: mean and 90 % interval
    c.levels           # each scenario's own values: mean and 90 % interval over seeds
    c.values           # tidy: scenario, replicate, seed, outcome, period, value

    python3 -m geosim_analysis compare A.yaml B.yaml C.yaml ... --seeds 20 -o DIR [--window 2025-2030]

writes DIR/values.csv (tidy), levels.csv, effects.csv, table.md, a figure per
outcome (each scenario's levels with bands, and its paired effect against the
first) and DIR/index.html; ``Comparison.report(DIR)`` does the same.

Pairing (common random numbers). Each scenario runs as one ``geosim sweep``
with ``replicates: N`` and the same master seed. Run r of every sweep then
has run id r and seed ``run_seed(master, r)`` (docs/sweeps.md, "Seeds"):
the same random streams, so that the difference between two scenarios in
replicate r is due to the scenarios, not to different draws. The seeds and
replicate indices read back from the output files are checked to be equal
across scenarios (:func:`check_pairing`).

Intervals (90 %). ``interval="t"`` (the default): the t-interval of the mean
over seeds, mean ± t(0.95, n−1)·sd/√n: where the mean effect lies, which is
what says whether a difference between scenarios is a finding.
``interval="percentile"``: the 5th to 95th percentile of the per-seed values
(numpy's linear interpolation): how far a single run may fall from the mean.
The tables carry both (``lo``/``hi`` for the chosen one, ``p05``/``p95``).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.ticker import MaxNLocator

from .calibration import _is_current, default_geosim, write_replicate_sweep
from .figure_marks import HISTORY_END, MIN_BAND_RUNS, can_band, mark_history
from .io import ok_runs, open_sweep

LEVEL = 0.90  # coverage of every interval here


# ---------------------------------------------------------------------------
# Outcomes: functions of a run's (or a sweep's) Dataset, one value per year


@dataclass(frozen=True)
class Outcome:
    """A quantity compared between scenarios. ``function`` maps a Dataset
    (with or without a leading ``run`` dimension) to yearly values, a
    DataArray over ``time`` (first day of each year) and possibly ``run``."""
    name: str
    title: str
    unit: str
    function: Callable[[xr.Dataset], xr.DataArray]
    axis: str = ""   # the y-axis label, in words (default: the unit)

    @property
    def axis_label(self) -> str:
        return self.axis or self.unit


def _yearly(da: xr.DataArray) -> xr.DataArray:
    return da.resample(time="YS").mean()


def bilateral_trade_bn(ds):
    """China-Russia trade, both directions, all sectors: USD bn/yr."""
    tv = ds.trade_value
    return _yearly((tv.sel(state="CHN", partner="RUS") + tv.sel(state="RUS", partner="CHN")).sum("sector")) * 12 / 1e9


def cautious_machinery_pct(ds):
    """Share of Chinese machinery and electronics firms that are cautious, %."""
    return 100 * _yearly(ds.cautious_share.sel(state="CHN", sector="machinery_electronics"))


def crude_discount_usd(ds):
    """Discount on Russian crude sold to China, USD/bbl."""
    return _yearly(ds.discount_price.sel(state="RUS", partner="CHN", sector="crude"))


def china_crude_share_pct(ds):
    """China's share of the value of Russia's crude exports, % (NaN in a year without any)."""
    crude = ds.trade_value.sel(state="RUS", sector="crude").resample(time="YS").sum()
    return 100 * crude.sel(partner="CHN") / crude.sum("partner")


def energy_revenue_bn(ds):
    """Russia's energy export revenue, USD bn/yr."""
    return _yearly(ds.energy_revenue.sel(state="RUS")) * 12 / 1e9


def payment_backlog_bn(ds):
    """Russia-China payments waiting for a channel, USD bn (stock)."""
    return _yearly(ds.payment_backlog.sel(state="RUS", partner="CHN")) / 1e9


def dual_use_direct_bn(ds):
    """Dual-use exports China -> Russia on the direct route, USD bn/yr."""
    return _yearly(ds.dual_use_trade.sel(state="CHN", partner="RUS", route="direct")) * 12 / 1e9


def dual_use_via_hub_bn(ds):
    """Dual-use exports of every state to Russia through a hub, USD bn/yr."""
    return _yearly(ds.dual_use_trade.sel(partner="RUS", route="via_hub").sum("state")) * 12 / 1e9


OUTCOMES = {o.name: o for o in [
    Outcome("bilateral_trade", "China-Russia trade", "USD bn/yr", bilateral_trade_bn,
            "USD bn per year (both directions)"),
    Outcome("cautious_share", "Cautious Chinese machinery firms", "%", cautious_machinery_pct,
            "% of China's machinery and electronics firms"),
    Outcome("discount_usd", "Urals discount to China", "USD/bbl", crude_discount_usd,
            "USD per barrel below the world price"),
    Outcome("china_crude_share", "China's share of Russian crude", "% of value", china_crude_share_pct,
            "% of the value of Russia's crude exports"),
    Outcome("energy_revenue", "Russia's energy export revenue", "USD bn/yr", energy_revenue_bn,
            "USD bn per year"),
    Outcome("payment_backlog", "Russia-China payment backlog", "USD bn", payment_backlog_bn,
            "USD bn waiting (stock, yearly mean)"),
    Outcome("dual_use_direct", "Dual-use exports China -> Russia, direct", "USD bn/yr", dual_use_direct_bn,
            "USD bn per year"),
    Outcome("dual_use_via_hub", "Dual-use exports to Russia via hubs", "USD bn/yr", dual_use_via_hub_bn,
            "USD bn per year"),
]}


def _outcome(o) -> Outcome:
    if isinstance(o, Outcome):
        return o
    if o not in OUTCOMES:
        raise ValueError(f"unknown outcome {o!r}; expected one of: {', '.join(OUTCOMES)}")
    return OUTCOMES[o]


# ---------------------------------------------------------------------------
# Running the replicates


def _parse_window(w, years) -> tuple[str, int, int]:
    """"2025-2030" or (2025, 2030) or "2025" -> (label, first year, last year);
    "all" -> the run's first to last year (``years``)."""
    if w == "all":
        w = (int(years[0]), int(years[-1]))
    if isinstance(w, str):
        parts = w.split("-")
        if len(parts) not in (1, 2) or not all(p.strip().isdigit() for p in parts):
            raise ValueError(f"window {w!r}: expected YEAR or FIRST-LAST, e.g. 2025-2030")
        first, last = int(parts[0]), int(parts[-1])
    else:
        first, last = (int(v) for v in w)
    if last < first:
        raise ValueError(f"window {w!r}: the last year is before the first")
    return (f"{first}" if first == last else f"{first}-{last}"), first, last


def _labels(scenarios: Sequence) -> list[str]:
    """File stems, made unique with a suffix (_2, _3, ...) in order."""
    labels, seen = [], {}
    for s in scenarios:
        stem = os.path.splitext(os.path.basename(os.fspath(s)))[0]
        seen[stem] = seen.get(stem, 0) + 1
        labels.append(stem if seen[stem] == 1 else f"{stem}_{seen[stem]}")
    return labels


def run_replicates(scenario, out_dir, replicates: int, master_seed: int, *, name=None, geosim=None,
                   jobs: int = 2, horizon_end=None, reuse: bool = False) -> str:
    """Runs ``replicates`` seeds of ``scenario`` as one ``geosim sweep`` into
    ``out_dir/NAME.h5`` (the sweep file and any derived scenario go to
    ``out_dir/NAME/``) and returns the output path. ``jobs`` runs at once.
    ``horizon_end`` ("YYYY-MM") cuts the horizon. With ``reuse`` an existing
    output of the same sweep (same fingerprint, newer than the binary) is kept.
    Raises subprocess.CalledProcessError when geosim fails."""
    geosim = geosim or default_geosim()
    name = name or _labels([scenario])[0]
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    sweep = os.path.join(folder, "replicates.sweep.yaml")
    out = os.path.join(out_dir, f"{name}.h5")
    write_replicate_sweep(sweep, scenario, replicates, master_seed, horizon_end, name=name)
    if reuse and _is_current(geosim, sweep, out):
        return out
    subprocess.run([geosim, "sweep", sweep, "-o", out, "--jobs", str(jobs), "--force", "-q"], check=True)
    return out


def check_pairing(sweeps: dict) -> np.ndarray:
    """Checks that every sweep (label -> Dataset) has the same runs, replicate
    indices and seeds as the first, and that every run finished; returns the
    seeds. Raises ValueError naming the scenario and the replicate otherwise."""
    labels = list(sweeps)
    ref = sweeps[labels[0]]
    for label, ds in sweeps.items():
        failed = ~ok_runs(ds).values
        if failed.any():
            r = int(np.flatnonzero(failed)[0])
            msg = str(ds["error"].values[r]) if "error" in ds.variables else ""
            raise ValueError(f"{label}: run {r} did not finish: {msg}")
        for var in ("run", "replicate", "seed"):
            a, b = np.asarray(ref[var].values), np.asarray(ds[var].values)
            if a.shape != b.shape or not np.array_equal(a, b):
                diff = next((i for i in range(min(a.size, b.size)) if a[i] != b[i]), min(a.size, b.size))
                raise ValueError(f"{label}: {var} differs from {labels[0]}'s at replicate {diff}: "
                                 "runs are not paired")
    return np.asarray(ref["seed"].values, dtype=np.uint64)


def outcome_values(ds: xr.Dataset, outcomes, windows=()) -> pd.DataFrame:
    """Tidy values of a sweep Dataset: replicate, seed, outcome, period, value.
    Periods are the calendar years ("2025") and each window's mean of the
    yearly values ("2025-2030"; "all" is the whole horizon)."""
    frames = []
    for o in (_outcome(o) for o in outcomes):
        da = o.function(ds).load()
        years = da["time"].dt.year.values
        series = {str(y): da.isel(time=i).values for i, y in enumerate(years)}
        for label, first, last in (_parse_window(w, years) for w in windows):
            inside = (years >= first) & (years <= last)
            if not inside.any():
                raise ValueError(f"window {label}: no year of the run ({years[0]}-{years[-1]}) is inside")
            series[label] = da.isel(time=np.flatnonzero(inside)).mean("time", skipna=False).values
        for period, v in series.items():
            frames.append(pd.DataFrame({"replicate": ds["replicate"].values.astype(int),
                                        "seed": ds["seed"].values.astype(np.uint64),
                                        "outcome": o.name, "period": period, "value": np.asarray(v, float)}))
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------
# Intervals


def t_quantile(p: float, df: int) -> float:
    """Quantile of Student's t with integer ``df`` >= 1 degrees of freedom, for
    p in (0.5, 1): bisection on the exact finite-sum CDF (Abramowitz and
    Stegun 26.7.3-4), so no SciPy is needed."""
    def central(t):  # P(|T| < t)
        theta = math.atan(t / math.sqrt(df))
        s, c = math.sin(theta), math.cos(theta)
        if df % 2:
            term, total = c, c if df > 1 else 0.0
            for k in range(3, df - 1, 2):   # the odd-df series up to cos^(df-2)
                term *= c * c * (k - 1) / k
                total += term
            return 2 / math.pi * (theta + s * total)
        term, total = 1.0, 1.0
        for k in range(2, df - 1, 2):       # the even-df series up to cos^(df-2)
            term *= c * c * (k - 1) / k
            total += term
        return s * total
    target = 2 * p - 1
    lo, hi = 0.0, 1.0
    while central(hi) < target:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if central(mid) < target else (lo, mid)
    return (lo + hi) / 2


def summarise(values: pd.Series, interval: str = "t") -> dict:
    """n, mean, sd, the 90 % interval (lo, hi) of the kind ``interval`` ("t" or
    "percentile", see the module's docstring), and the 5th and 95th
    percentiles, over the non-missing values. A constant sample gives a
    zero-width interval at its value."""
    v = np.asarray(values, float)
    v = v[~np.isnan(v)]
    n = v.size
    if n == 0:
        return {"n": 0, "mean": np.nan, "sd": np.nan, "lo": np.nan, "hi": np.nan, "p05": np.nan, "p95": np.nan}
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if n > 1 else 0.0
    tail = 100 * (1 - LEVEL) / 2
    p05, p95 = (float(x) for x in np.percentile(v, [tail, 100 - tail]))
    if interval == "t":
        half = t_quantile(1 - (1 - LEVEL) / 2, n - 1) * sd / math.sqrt(n) if n > 1 and sd > 0 else 0.0
        lo, hi = mean - half, mean + half
    elif interval == "percentile":
        lo, hi = p05, p95
    else:
        raise ValueError(f"interval {interval!r}: expected 't' or 'percentile'")
    return {"n": n, "mean": mean, "sd": sd, "lo": lo, "hi": hi, "p05": p05, "p95": p95}


def _summary_frame(groups, keys, interval) -> pd.DataFrame:
    rows = [dict(zip(keys, k), **summarise(g["value"], interval)) for k, g in groups]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# The comparison


@dataclass
class Comparison:
    """What :func:`paired` returns. ``scenarios`` are labels (file stems made
    unique), the first the reference; ``files`` maps a label to its sweep
    output. ``values``: tidy (scenario, replicate, seed, outcome, period,
    value). ``levels``: per scenario, outcome, period: n, mean, sd, lo, hi,
    p05, p95 over seeds. ``effects``: the same for the per-seed difference
    scenario − reference (the reference itself is left out)."""
    scenarios: list
    files: dict
    outcomes: dict
    seeds: np.ndarray
    interval: str
    values: pd.DataFrame
    levels: pd.DataFrame = field(repr=False)
    effects: pd.DataFrame = field(repr=False)

    @property
    def reference(self) -> str:
        return self.scenarios[0]

    def _row(self, table, scenario, outcome, period):
        sel = table[(table.scenario == scenario) & (table.outcome == outcome) & (table.period == period)]
        if sel.empty:
            raise KeyError(f"no {outcome} for {scenario} in {period}")
        return sel.iloc[0]

    def markdown(self, rows=None, period=None, digits: int = 1) -> str:
        """A markdown table: scenario, outcome, unit, [period,] reference,
        scenario and paired effect as mean [lo, hi], and seeds. ``rows``:
        (scenario, outcome) pairs, default every counterfactual × outcome;
        ``period``: one period (then no period column), default all windows."""
        if rows is None:
            rows = [(s, o) for s in self.scenarios[1:] for o in self.outcomes]
        periods = [period] if period else sorted({p for p in self.levels.period if "-" in p}) or \
            sorted(set(self.levels.period))
        show_period = period is None
        kind = "t-interval of the mean" if self.interval == "t" else "5th-95th percentile over seeds"

        def cell(r):
            return f"{r['mean']:.{digits}f} [{r['lo']:.{digits}f}, {r['hi']:.{digits}f}]"
        head = ["scenario", "outcome", "unit"] + (["period"] if show_period else []) + \
            [f"{self.reference} mean [90 % {kind}]", "scenario mean [90 %]", "paired effect mean [90 %]", "seeds"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for s, o in rows:
            for p in periods:
                base, lev, eff = (self._row(self.levels, self.reference, o, p), self._row(self.levels, s, o, p),
                                  self._row(self.effects, s, o, p))
                cells = [s, self.outcomes[o].title, self.outcomes[o].unit] + ([p] if show_period else []) + \
                    [cell(base), cell(lev), cell(eff), str(int(eff["n"]))]
                lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def write(self, out_dir) -> dict:
        """Writes values.csv (tidy), levels.csv, effects.csv and table.md into
        ``out_dir``; returns {name: path}."""
        os.makedirs(out_dir, exist_ok=True)
        paths = {k: os.path.join(out_dir, f) for k, f in
                 (("values", "values.csv"), ("levels", "levels.csv"), ("effects", "effects.csv"),
                  ("table", "table.md"))}
        self.values.to_csv(paths["values"], index=False)
        self.levels.to_csv(paths["levels"], index=False)
        self.effects.to_csv(paths["effects"], index=False)
        with open(paths["table"], "w", encoding="utf-8") as f:
            f.write(self.markdown())
        return paths

    def yearly(self, table: str, scenario: str, outcome: str) -> pd.DataFrame:
        """Rows of ``levels`` or ``effects`` for the calendar years, with an
        integer ``year`` column, in order (for plotting bands)."""
        t = getattr(self, table)
        t = t[(t.scenario == scenario) & (t.outcome == outcome) & t.period.str.fullmatch(r"\d{4}")]
        return t.assign(year=t.period.astype(int)).sort_values("year")

    def _band_text(self, n: int) -> str:
        kind = "90 % t-interval of the mean" if self.interval == "t" else "5th-95th percentile"
        return f"band: {kind} over {n} seeds" if can_band(n) else f"no band: {n} seeds (fewer than {MIN_BAND_RUNS})"

    def plot(self, ax, outcome: str, scenarios=None, colors=None):
        """Draws each scenario's mean (line) and 90 % interval (band, when
        there are at least 5 seeds) of ``outcome`` by year on a matplotlib
        Axes, with the sanctions and the start of the projection marked."""
        scenarios = scenarios or self.scenarios
        colors = colors or {}
        n = 0
        for i, s in enumerate(scenarios):
            t = self.yearly("levels", s, outcome)
            n = int(t.n.max()) if len(t) else 0
            color = colors.get(s, _scenario_color(i, s == self.reference))
            if can_band(n):
                ax.fill_between(t.year, t.lo, t.hi, color=color, alpha=0.22, lw=0)
            ax.plot(t.year, t["mean"], color=color, lw=2.4 if s == self.reference else 1.8,
                    label=s + (" (reference)" if s == self.reference else ""))
        self._finish(ax, outcome, self.outcomes[outcome].title, self.outcomes[outcome].axis_label, n)
        return ax

    def plot_effect(self, ax, outcome: str, scenarios=None, colors=None):
        """Draws each scenario's paired effect against the reference (mean of
        per-seed differences, line; its 90 % interval, band from 5 seeds up)."""
        scenarios = scenarios or self.scenarios[1:]
        colors = colors or {}
        n = 0
        ax.axhline(0, color=_scenario_color(0, True), lw=1.2)
        for s in scenarios:
            i = self.scenarios.index(s)
            t = self.yearly("effects", s, outcome)
            n = int(t.n.max()) if len(t) else 0
            color = colors.get(s, _scenario_color(i, False))
            if can_band(n):
                ax.fill_between(t.year, t.lo, t.hi, color=color, alpha=0.22, lw=0)
            ax.plot(t.year, t["mean"], color=color, lw=1.8, label=f"{s} − {self.reference}")
        o = self.outcomes[outcome]
        self._finish(ax, outcome, f"Effect against {self.reference}, paired by seed",
                     f"difference, {o.axis_label}", n)
        return ax

    def _finish(self, ax, outcome, title, ylabel, n):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title, fontsize="medium")
        ax.set_ylabel(ylabel)
        ax.set_xlabel("year (yearly mean of the months)")
        ax.grid(alpha=0.3)
        mark_history(ax, yearly=True)
        handles, labels = ax.get_legend_handles_labels()
        from matplotlib.patches import Patch
        handles.append(Patch(color="0.6", alpha=0.35 if can_band(n) else 0.0))
        labels.append(self._band_text(n))
        ax.legend(handles, labels, fontsize="small", loc="best", framealpha=0.9)

    def figures(self, out_dir, formats=("png",)) -> dict:
        """One figure per outcome: the scenarios' levels (left) and their
        paired effects against the reference (right). Writes
        ``out_dir/compare_<outcome>.<fmt>``; returns {outcome: png path}."""
        import matplotlib.pyplot as plt
        os.makedirs(out_dir, exist_ok=True)
        paths = {}
        for name, o in self.outcomes.items():
            fig, (a, b) = plt.subplots(1, 2, figsize=(13, 4.6), layout="constrained")
            self.plot(a, name)
            self.plot_effect(b, name)
            a.set_title(f"{o.title}: each scenario", fontsize="medium")
            fig.suptitle(f"{o.title} — {len(self.scenarios)} scenarios, {len(self.seeds)} paired seeds each")
            for fmt in formats:
                path = os.path.join(out_dir, f"compare_{name}.{fmt}")
                fig.savefig(path, dpi=110)
                paths.setdefault(name, path)
            plt.close(fig)
        return paths

    def html(self, out_dir, figures: dict, files: dict) -> str:
        """Writes ``out_dir/index.html``: what was compared, the table of
        levels and paired effects for every window, the figures and the
        files; returns its path."""
        import html as h
        periods = sorted({p for p in self.effects.period if "-" in p}) or sorted(set(self.effects.period))
        kind = "t-interval of the mean" if self.interval == "t" else "5th–95th percentile over seeds"
        rows = []
        for s in self.scenarios[1:]:
            for o in self.outcomes.values():
                for p in periods:
                    base = self._row(self.levels, self.reference, o.name, p)
                    lev = self._row(self.levels, s, o.name, p)
                    eff = self._row(self.effects, s, o.name, p)
                    cell = lambda r: f"{r['mean']:.2f} <small>[{r['lo']:.2f}, {r['hi']:.2f}]</small>"
                    rows.append(f"<tr><td>{h.escape(s)}</td><td>{h.escape(o.title)}</td><td>{h.escape(o.unit)}</td>"
                                f"<td>{p}</td><td>{cell(base)}</td><td>{cell(lev)}</td><td><b>{cell(eff)}</b></td>"
                                f"<td>{int(eff['n'])}</td></tr>")
        figs = "\n".join(f'<figure><img src="{h.escape(os.path.basename(p))}" alt="{h.escape(n)}" width="1100">'
                          f"</figure>" for n, p in figures.items())
        links = " · ".join(f'<a href="{h.escape(os.path.basename(p))}">{h.escape(os.path.basename(p))}</a>'
                           for p in files.values())
        page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>geosim: scenarios compared</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1150px;margin:1em auto;color:#222}}
table{{border-collapse:collapse;font-size:0.9em}}td,th{{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}}
small{{color:#666}}</style></head><body>
<h1>Scenarios compared with {h.escape(self.reference)}</h1>
<p>{len(self.scenarios)} scenarios ({", ".join(h.escape(s) for s in self.scenarios)}), each run for the same
{len(self.seeds)} seeds: replicate r has the same seed and run id in every scenario, so each effect is the mean of
per-seed differences (common random numbers). Intervals: 90 % {kind}; bands are drawn from
{MIN_BAND_RUNS} seeds up. Dotted lines: the 2014 and 2022 sanctions; shaded: projection after
{HISTORY_END}.</p>
<h2>Levels and paired effects</h2>
<table><tr><th>scenario</th><th>outcome</th><th>unit</th><th>period</th><th>{h.escape(self.reference)} mean [90 %]</th>
<th>scenario mean [90 %]</th><th>effect mean [90 %]</th><th>seeds</th></tr>
{"".join(rows)}</table>
<h2>By year</h2>
{figs}
<p>Files: {links}</p>
</body></html>
"""
        path = os.path.join(out_dir, "index.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
        return path

    def report(self, out_dir, formats=("png",)) -> dict:
        """Everything into ``out_dir``: the tables (:meth:`write`), a figure
        per outcome (:meth:`figures`) and index.html; returns {name: path}."""
        paths = self.write(out_dir)
        figures = self.figures(out_dir, formats)
        paths["html"] = self.html(out_dir, figures, dict(paths))
        paths.update({f"figure_{k}": v for k, v in figures.items()})
        return paths


def _scenario_color(i: int, reference: bool):
    return "0.25" if reference else f"C{(i - 1) % 10}"


def paired(scenarios: Sequence, seeds: int = 20, out_dir="out/compare", *, master_seed: int = 20240101,
           outcomes=None, windows=(), interval: str = "t", geosim=None, jobs: int = 2, horizon_end=None,
           reuse: bool = False) -> Comparison:
    """Runs every scenario file for the same ``seeds`` replicates (paired:
    replicate r has the same seed and run id in every scenario) and compares
    each with the first.

    scenarios: scenario YAML paths, the reference first.
    seeds: number of replicates N; run r's seed is run_seed(master_seed, r).
    out_dir: one sweep output per scenario, ``out_dir/LABEL.h5``.
    outcomes: names in :data:`OUTCOMES` or :class:`Outcome` objects (default all).
    windows: periods averaged over years, e.g. ["2025-2030"] or ["all"] (the
        whole horizon); the single years are always there.
    interval: "t" (90 % t-interval of the mean, the default) or "percentile"
        (5th-95th percentile over seeds).
    jobs: runs at once (geosim sweep --jobs). horizon_end: "YYYY-MM" cuts every run.
    reuse: keep an output already made by the same sweep and binary.

    Raises ValueError if fewer than two scenarios or one seed are given, if a
    run failed or if the runs are not paired; subprocess.CalledProcessError if
    geosim fails.
    """
    scenarios = [os.fspath(s) for s in scenarios]
    if len(scenarios) < 2:
        raise ValueError("paired: give at least two scenarios (the reference first)")
    if int(seeds) < 1:
        raise ValueError(f"paired: seeds must be >= 1, got {seeds}")
    outcomes = [_outcome(o) for o in (outcomes or OUTCOMES)]
    labels = _labels(scenarios)
    files = {label: run_replicates(s, out_dir, int(seeds), master_seed, name=label, geosim=geosim, jobs=jobs,
                                   horizon_end=horizon_end, reuse=reuse)
             for label, s in zip(labels, scenarios)}
    sweeps = {label: open_sweep(path) for label, path in files.items()}
    seed_values = check_pairing(sweeps)
    values = pd.concat([outcome_values(ds, outcomes, windows).assign(scenario=label)
                        for label, ds in sweeps.items()], ignore_index=True)
    for ds in sweeps.values():
        ds.close()
    return comparison_of(values, labels, files, outcomes, seed_values, interval)


def comparison_of(values: pd.DataFrame, labels, files, outcomes, seeds, interval: str = "t") -> Comparison:
    """The levels and paired effects of tidy ``values`` (scenario, replicate,
    seed, outcome, period, value), the first of ``labels`` the reference."""
    outcomes = [_outcome(o) for o in outcomes]
    values = values[["scenario", "replicate", "seed", "outcome", "period", "value"]]
    keys = ["scenario", "outcome", "period"]
    levels = _summary_frame(values.groupby(keys, sort=False), keys, interval)
    ref = values[values.scenario == labels[0]].set_index(["replicate", "outcome", "period"])["value"]
    diff = values[values.scenario != labels[0]].copy()
    diff["value"] = diff["value"].to_numpy() - ref.reindex(
        pd.MultiIndex.from_frame(diff[["replicate", "outcome", "period"]])).to_numpy()
    effects = _summary_frame(diff.groupby(keys, sort=False), keys, interval)
    effects.insert(1, "against", labels[0])
    units = {o.name: o.unit for o in outcomes}
    for t in (levels, effects):
        t.insert(t.columns.get_loc("outcome") + 1, "unit", t.outcome.map(units))
        t["interval"] = interval
    return Comparison(list(labels), dict(files), {o.name: o for o in outcomes}, np.asarray(seeds), interval, values,
                      levels, effects)


# ---------------------------------------------------------------------------
# Command line


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m geosim_analysis compare",
                                 description="Scenarios against the first over the same seeds: "
                                             "values per seed, levels and paired effects with 90 % intervals.")
    ap.add_argument("scenarios", nargs="+", help="scenario YAML files, the reference first")
    ap.add_argument("--seeds", type=int, default=20, help="replicates per scenario (default 20)")
    ap.add_argument("--master-seed", type=int, default=20240101, help="the sweeps' master seed")
    ap.add_argument("-o", "--out", required=True, help="output directory (runs in DIR/runs)")
    ap.add_argument("--outcome", action="append", choices=list(OUTCOMES),
                    help="an outcome to compare (repeatable; default all)")
    ap.add_argument("--window", action="append", default=None,
                    help="years to average, FIRST-LAST or all (repeatable; default all: the whole horizon)")
    ap.add_argument("--interval", choices=["t", "percentile"], default="t")
    ap.add_argument("--horizon-end", default=None, help="cut every run at YYYY-MM")
    ap.add_argument("--geosim", default=default_geosim())
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reuse", action="store_true", help="keep runs made by the same sweep and binary")
    ap.add_argument("--formats", default="png", help="figure formats, comma-separated (default png; png,svg)")
    args = ap.parse_args(argv)
    if len(args.scenarios) < 2:
        ap.error("give at least two scenarios, the reference first")
    c = paired(args.scenarios, args.seeds, os.path.join(args.out, "runs"), master_seed=args.master_seed,
               outcomes=args.outcome, windows=args.window or ["all"], interval=args.interval,
               geosim=args.geosim, jobs=args.jobs, horizon_end=args.horizon_end, reuse=args.reuse)
    paths = c.report(args.out, formats=tuple(args.formats.split(",")))
    print(c.markdown(), end="")
    print(f"{len(c.seeds)} paired seeds per scenario (master seed {args.master_seed}); "
          f"{paths['html']} with the figures, {paths['values']} (tidy), {paths['effects']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
