"""Figures of runs and sweeps (matplotlib). Every function returns the Figure;
:func:`save` writes it as PNG and SVG. Shares are drawn in percent, flows in
USD bn; axis labels carry the unit in words. Every time axis marks the 2014
and 2022 sanctions and where history ends (:mod:`.figure_marks`); a quantity
undefined in a month (a share of no trade) is a gap, not a 0; bands over
replicates say how many and are not drawn from fewer than 5."""

from __future__ import annotations

import os

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.ticker import PercentFormatter

from . import metrics
from .figure_marks import MIN_BAND_RUNS, can_band, is_fraction, mark_history, unit_words
from .io import parameter_label
from .sweep import grid_mean, replicate_bands, response

STATE_COLORS = {"RUS": "#c0392b", "CHN": "#e6a800", "USA": "#1f4e9c", "EU": "#4aa3df",
                "IND": "#2e9d4b", "TUR": "#8e44ad", "G7X": "#34495e", "HKG": "#d35400",
                "ARE": "#16a085", "KAZ": "#a04000", "ROW": "#7f8c8d"}
CURRENCY_COLORS = {"USD": "#2e7d32", "EUR": "#1565c0", "CNY": "#c62828", "RUB": "#6a1b9a"}
SECTOR_COLORS = {"crude": "#3b3b3b", "energy_other": "#8d6e63", "metals_minerals": "#78909c",
                 "machinery_electronics": "#0277bd", "consumer_goods": "#f9a825"}
SCENARIO_COLORS = ["#1f4e9c", "#c0392b", "#2e9d4b", "#8e44ad"]


def _color(table: dict, key: str, i: int):
    return table.get(key, plt.get_cmap("tab10")(i % 10))


def _figure(ax=None, size=(8, 4.5)):
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def _time_axis(ax, ds=None):
    locator = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(True, alpha=0.3)
    mark_history(ax, ds)


def _percent_axis(ax, label):
    """Shares (fractions in the data) drawn as percent; ``label`` says of what,
    e.g. "% of Russia's trade"."""
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_ylabel(label)


def _point_value(v) -> str:
    """A parameter value for a legend: numbers with %g, a scenario file by its stem."""
    if isinstance(v, bytes):
        v = v.decode()
    if isinstance(v, str):
        return os.path.splitext(os.path.basename(v))[0] if v.endswith((".yaml", ".yml")) else v
    return f"{v:g}"


def _value_label(name: str, units) -> str:
    """An axis label from a variable's long name and its units in words."""
    words = unit_words(units)
    return f"{name} ({words})" if words else name


def _title(ds) -> str:
    name = ds.attrs.get("scenario_name") or ds.attrs.get("title", "")
    return f" — {name}" if name else ""


def save(fig, path_stem, formats=("png", "svg"), dpi: int = 120) -> list:
    """Writes ``fig`` as ``path_stem.png`` and ``path_stem.svg``; returns the paths."""
    paths = []
    os.makedirs(os.path.dirname(os.fspath(path_stem)) or ".", exist_ok=True)
    for fmt in formats:
        path = f"{os.fspath(path_stem)}.{fmt}"
        fig.savefig(path, dpi=dpi)
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------
# One run


def trade_shares(ds, state: str = "RUS", partners=None, ax=None):
    """Each partner's share of ``state``'s trade over time."""
    fig, ax = _figure(ax)
    partners = partners or [p for p in ds["partner"].values.tolist() if p != state]
    for i, p in enumerate(partners):
        da = metrics.partner_share(ds, state, p)
        ax.plot(da["time"].values, da.values, label=p, color=_color(STATE_COLORS, p, i),
                lw=2.2 if p == "CHN" else 1.4)
    _time_axis(ax, ds)
    _percent_axis(ax, f"% of {state}'s trade (exports + imports)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Partners' shares of {state}'s trade (exports + imports){_title(ds)}")
    ax.legend(title="partner", ncol=min(len(partners), 4), fontsize="small")
    return fig


def bilateral_trade(ds, a: str = "RUS", b: str = "CHN", ax=None):
    """Yearly trade between ``a`` and ``b`` by direction, stacked bars (USD bn/yr)."""
    fig, ax = _figure(ax)
    trade = metrics.bilateral_trade(ds, a, b)
    years = trade["year"].values
    ab = trade[f"{a}->{b}"].values / 1e9
    ba = trade[f"{b}->{a}"].values / 1e9
    ax.bar(years, ba, color=_color(STATE_COLORS, b, 0), label=f"{b} → {a}")
    ax.bar(years, ab, bottom=ba, color=_color(STATE_COLORS, a, 1), label=f"{a} → {b}")
    ax.set_ylabel("trade (USD bn per year)")
    ax.set_xlabel("year")
    ax.set_xticks(years if len(years) <= 12 else years[:: int(np.ceil(len(years) / 12))])
    ax.grid(True, axis="y", alpha=0.3)
    mark_history(ax, ds, yearly=True)
    ax.set_title(f"{a}–{b} trade by direction (sum of 12 months){_title(ds)}")
    ax.legend(title="exports")
    return fig


def leverage(ds, pairs=(("CHN", "RUS"),), ax=None):
    """Bounded leverage of holder over dependent, for each (holder, dependent) pair;
    0.5 is symmetric dependence."""
    fig, ax = _figure(ax)
    for i, (holder, over) in enumerate(pairs):
        da = metrics.leverage(ds, holder, over)
        ax.plot(da["time"].values, da.values, color=_color(STATE_COLORS, holder, i), lw=2,
                label=f"{holder} over {over}")
    ax.axhline(0.5, color="0.4", lw=0.8, ls="--", label="symmetric (0.5)")
    _time_axis(ax, ds)
    ax.set_ylim(0, 1)
    ax.set_ylabel("leverage index, 0 to 1 (0.5 = symmetric dependence)")
    ax.set_title(f"Leverage from asymmetric dependence{_title(ds)}")
    ax.legend(fontsize="small")
    return fig


def discount(ds, exporter: str = "RUS", sector: str = "crude", importers=None, ax=None):
    """Discount on ``exporter``'s ``sector`` exports, per importer (months
    with trade only) and trade-weighted over all importers, in percent of the
    world price."""
    fig, ax = _figure(ax)
    importers = importers or [p for p in ds["partner"].values.tolist() if p != exporter]
    for i, p in enumerate(importers):
        da = metrics.discount_path(ds, exporter, p, sector, traded_only=True)
        ax.plot(da["time"].values, da.values, color=_color(STATE_COLORS, p, i), lw=1.2, label=p)
    avg = metrics.discount_path(ds, exporter, None, sector)
    ax.plot(avg["time"].values, avg.values, color="black", lw=2.4, label="all (trade-weighted)")
    _time_axis(ax, ds)
    _percent_axis(ax, "discount (% of world price)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Discount on {exporter}'s {sector} exports{_title(ds)}")
    ax.legend(title="importer", ncol=4, fontsize="small")
    return fig


def settlement_mix(ds, a: str = "RUS", b: str = "CHN", ax=None):
    """Currency shares of ``a``–``b`` trade as stacked areas."""
    fig, ax = _figure(ax)
    mix = metrics.settlement_mix(ds, a, b)
    currencies = mix["currency"].values.tolist()
    # NaN in months without trade: a gap in the stack, not an empty bar.
    ax.stackplot(mix["time"].values, *[mix.sel(currency=c).values for c in currencies],
                 labels=currencies, colors=[_color(CURRENCY_COLORS, c, i) for i, c in enumerate(currencies)],
                 alpha=0.85)
    ax.set_xlim(mix["time"].values[0], mix["time"].values[-1])
    _time_axis(ax, ds)
    ax.set_ylim(0, 1)
    _percent_axis(ax, f"% of {a}–{b} trade settled in each currency")
    ax.set_title(f"Settlement currencies of {a}–{b} trade{_title(ds)}")
    ax.legend(title="currency", loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


def cautious(ds, state: str = "CHN", ax=None):
    """Share of ``state``'s firms (by sector) and banks that are cautious."""
    fig, ax = _figure(ax)
    shares = metrics.cautious_shares(ds, state)
    for i, s in enumerate(shares["sector"].values.tolist()):
        da = shares["firms"].sel(sector=s)
        ax.plot(da["time"].values, da.values, color=_color(SECTOR_COLORS, s, i), lw=1.6, label=f"firms: {s}")
    ax.plot(shares["time"].values, shares["banks"].values, color="black", ls="--", lw=2, label="banks")
    _time_axis(ax, ds)
    ax.set_ylim(0, 1.02)
    _percent_axis(ax, "% cautious (withdrawn from sanctioned trade)")
    ax.set_title(f"Caution of {state}'s firms and banks toward sanctioned trade{_title(ds)}")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


def energy_revenue(ds, state: str = "RUS", ax=None):
    """The state's energy export revenue, USD bn per year (monthly value × 12)."""
    fig, ax = _figure(ax)
    da = ds["energy_revenue"].sel(state=state) * 12 / 1e9
    ax.plot(da["time"].values, da.values, color=_color(STATE_COLORS, state, 0), lw=2)
    _time_axis(ax, ds)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("energy export revenue (USD bn per year, month × 12)")
    ax.set_title(f"{state}'s energy export revenue{_title(ds)}")
    return fig


def overview(ds, a: str = "RUS", b: str = "CHN"):
    """Four panels: b's share of a's trade, leverage, crude discount, caution of b."""
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), layout="constrained")
    trade_shares(ds, a, [b, "EU", "USA"] if "EU" in ds["partner"].values else [b], ax=axes[0, 0])
    leverage(ds, ((b, a), (a, b)), ax=axes[0, 1])
    discount(ds, a, "crude", [b], ax=axes[1, 0])
    cautious(ds, b, ax=axes[1, 1])
    for ax in axes.flat:
        ax.set_title(ax.get_title().split(" — ")[0], fontsize="medium")
    fig.suptitle(f"Overview{_title(ds)}")
    return fig


# ---------------------------------------------------------------------------
# Two scenarios


def compare(runs: dict, a: str = "RUS", b: str = "CHN"):
    """Scenarios side by side: one column per scenario (``runs`` maps a label to
    a run Dataset), rows for b's share of a's trade, leverage of b over a, the
    crude discount a gives b, and caution of b's firms (machinery) and banks.
    Rows share their y axis so the columns compare directly."""
    labels = list(runs)
    rows = [
        ("trade share", lambda d: metrics.partner_share(d, a, b), f"{b}'s share of {a}'s trade (%)", True),
        ("leverage", lambda d: metrics.leverage(d, b, a), f"leverage of {b} over {a}\n(0 to 1, 0.5 = symmetric)",
         False),
        ("discount", lambda d: metrics.discount_path(d, a, b, "crude", traded_only=True),
         f"{a} crude discount to {b}\n(% of world price)", True),
        ("cautious", lambda d: metrics.cautious_shares(d, b)["banks"], f"{b} banks cautious (% of banks)", True),
    ]
    fig, axes = plt.subplots(len(rows), len(labels), figsize=(5.5 * len(labels), 2.6 * len(rows)),
                             sharey="row", sharex=True, layout="constrained", squeeze=False)
    for j, label in enumerate(labels):
        ds = runs[label]
        for i, (_, fn, ylabel, percent) in enumerate(rows):
            ax = axes[i, j]
            da = fn(ds)
            ax.plot(da["time"].values, da.values, color=SCENARIO_COLORS[j % len(SCENARIO_COLORS)], lw=2,
                    zorder=3)
            # The other scenarios, faint, for reference.
            for k, other in enumerate(labels):
                if other != label:
                    do = fn(runs[other])
                    ax.plot(do["time"].values, do.values, color="0.55", lw=1.2, ls=":", zorder=2)
            _time_axis(ax, ds)
            if percent:
                ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
            if j == 0:
                ax.set_ylabel(ylabel, fontsize="small")
        axes[0, j].set_title(label, fontsize="large", fontweight="bold")
    fig.suptitle(f"Scenarios side by side (dotted: the other scenario{'s' if len(labels) > 2 else ''})")
    return fig


# ---------------------------------------------------------------------------
# Sweeps


def fan_chart(da: xr.DataArray, point: int | None = None, ax=None, color="#1f4e9c", label=None,
              quantiles=(0.05, 0.25, 0.5, 0.75, 0.95), percent: bool | None = None):
    """Median and 50 % / 90 % bands over replicates of a time series
    ``da(run, time)``. With several parameter points, ``point`` picks one
    (default: a band per point, up to 6)."""
    fig, ax = _figure(ax)
    bands = replicate_bands(da, quantiles)
    points = [point] if point is not None else list(bands["point"].values[:6])
    colors = plt.get_cmap("tab10")
    names = [c for c in bands.coords if str(c).startswith("param_")]
    short = {n: parameter_label(bands, n).split(".")[-1] for n in names}
    drawn = []
    for i, p in enumerate(points):
        b = bands.sel(point=p)
        c = color if len(points) == 1 else colors(i % 10)
        t = b["time"].values
        q = b["quantiles"]
        n = int(b["count"].min())
        lab = label or (", ".join(f"{short[k]}={_point_value(b[k].item())}" for k in names) or "replicates")
        if can_band(n):  # no spread from fewer than MIN_BAND_RUNS replicates
            ax.fill_between(t, q.sel(quantile=quantiles[0]), q.sel(quantile=quantiles[-1]), color=c, alpha=0.15,
                            lw=0)
            ax.fill_between(t, q.sel(quantile=quantiles[1]), q.sel(quantile=quantiles[-2]), color=c, alpha=0.3,
                            lw=0)
        drawn.append(n)
        ax.plot(t, q.sel(quantile=0.5), color=c, lw=2,
                label=f"{lab} (n = {n}{'' if can_band(n) else ', no band'})")
    # One legend entry per band width, in grey, for all points.
    if any(can_band(n) for n in drawn):
        counts = sorted(set(n for n in drawn if can_band(n)))
        of = f"of {counts[0]} replicates" if len(counts) == 1 else "of the replicates"
        ax.fill_between([], [], [], color="0.5", alpha=0.3, lw=0,
                        label=f"band: {quantiles[1]:.0%}–{quantiles[-2]:.0%} {of}")
        ax.fill_between([], [], [], color="0.5", alpha=0.15, lw=0,
                        label=f"band: {quantiles[0]:.0%}–{quantiles[-1]:.0%} {of}")
    else:
        ax.plot([], [], " ", label=f"no bands: fewer than {MIN_BAND_RUNS} replicates")
    _time_axis(ax)
    units = da.attrs.get("units", "")
    name = da.attrs.get("long_name", da.name or "")
    if percent is None:
        percent = is_fraction(units)
    if percent:
        _percent_axis(ax, f"{name} (%)")
    else:
        ax.set_ylabel(_value_label(name, units))
    ax.set_title("Median and spread over replicates")
    ax.legend(fontsize="small", loc="best", title="median line", title_fontsize="small")
    return fig


def response_plot(y: xr.DataArray, param: str, ax=None, percent: bool | None = None):
    """Mean and 5–95 % range of a per-run output against a swept parameter."""
    fig, ax = _figure(ax, size=(6.5, 4.5))
    r = response(y, param, quantiles=(0.05, 0.5, 0.95))
    pname = param if param.startswith("param_") else "param_" + param
    x = r[pname].values
    q = r["quantiles"]
    n = int(r["count"].min()) if "count" in r else None
    if n is None or can_band(n):
        ax.fill_between(x, q.sel(quantile=0.05), q.sel(quantile=0.95), alpha=0.25, color="#1f4e9c",
                        label="5–95 % of runs" + (f", {n} per point" if n else ""))
    ax.plot(x, r["mean"].values, "o-", color="#1f4e9c", lw=2,
            label="mean" + (f" of {n} runs per point" if n else "") + ("" if n is None or can_band(n) else
                                                                        ", too few for a band"))
    units = y.attrs.get("units", "")
    if percent is None:
        percent = is_fraction(units)
    label = y.attrs.get("long_name", y.name or "output")
    if percent:
        _percent_axis(ax, f"{label} (%)")
    else:
        ax.set_ylabel(_value_label(label, units))
    ax.set_xlabel(parameter_label(y, pname))
    ax.grid(True, alpha=0.3)
    ax.set_title(f"Response to {parameter_label(y, pname)}")
    ax.legend(fontsize="small")
    return fig


def heatmap(y: xr.DataArray, px: str, py: str, ax=None, percent: bool | None = None, cmap="viridis"):
    """Mean of a per-run output over replicates on the grid of two swept parameters."""
    fig, ax = _figure(ax, size=(7, 5.5))
    grid = grid_mean(y, px, py)
    xs, ys = grid.dims[1], grid.dims[0]
    units = y.attrs.get("units", "")
    if percent is None:
        percent = is_fraction(units)
    values = grid.values * (100 if percent else 1)
    im = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(range(grid.sizes[xs]), [f"{v:g}" for v in grid[xs].values])
    ax.set_yticks(range(grid.sizes[ys]), [f"{v:g}" for v in grid[ys].values])
    ax.set_xlabel(parameter_label(y, xs))
    ax.set_ylabel(parameter_label(y, ys))
    label = y.attrs.get("long_name", y.name or "output")
    bar = fig.colorbar(im, ax=ax)
    bar.set_label(f"{label} (%)" if percent else _value_label(label, units))
    if values.size <= 64:
        lo, hi = np.nanmin(values), np.nanmax(values)
        for (i, j), v in np.ndenumerate(values):
            bright = (v - lo) / (hi - lo) > 0.6 if hi > lo else False
            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize="small",
                    color="black" if bright else "white")
    ax.set_title("Mean over replicates")
    return fig


def sobol_bars(indices: xr.Dataset, ax=None):
    """First-order and total Sobol indices with 95 % bootstrap intervals."""
    fig, ax = _figure(ax, size=(7, 4.5))
    names = indices["parameter"].values.tolist()
    x = np.arange(len(names))
    if not np.isfinite(indices["ST"].values).any():
        ax.text(0.5, 0.5, "the output does not vary over the design:\nno indices", ha="center",
                va="center", transform=ax.transAxes)
    ax.bar(x - 0.2, np.nan_to_num(indices["S1"].values), 0.4,
           yerr=np.nan_to_num(indices["S1_conf"].values), capsize=3, label="first order S1", color="#1f4e9c")
    ax.bar(x + 0.2, np.nan_to_num(indices["ST"].values), 0.4,
           yerr=np.nan_to_num(indices["ST_conf"].values), capsize=3, label="total ST", color="#e6a800")
    ax.set_xticks(x, names, rotation=20 if max(len(n) for n in names) > 12 else 0, ha="right"
                  if max(len(n) for n in names) > 12 else "center")
    ax.set_ylabel("Sobol index (share of the output's variance)")
    ax.axhline(0, color="black", lw=0.8)
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_title(f"Sensitivity of {indices.attrs.get('output', 'the output')}"
                 f" (N = {indices.attrs.get('base_samples')})", fontsize="medium")
    ax.legend()
    return fig


__all__ = ["save", "trade_shares", "bilateral_trade", "leverage", "discount", "settlement_mix",
           "cautious", "energy_revenue", "overview", "compare", "fan_chart", "response_plot", "heatmap",
           "sobol_bars"]
