"""Figures of the calibrated baseline against the targets (docs/calibration.md):

    python3 -m geosim_analysis calibrate figures CHECK.h5 --targets scenarios/data/targets.yaml \
        -o docs/figures/calibration

CHECK.h5 is the replicate sweep written by ``calibrate check``. Each figure
shows the mean over replicates (line), the range over replicates (band) and
the target figures with their tolerance bands (points with error bars);
years after 2022 are shaded: they are not fitted (out-of-sample).
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .figure_marks import can_band, mark_history  # noqa: E402
from .calibration import crude_volumes  # noqa: E402
from .metrics import annual, bilateral_trade, discount_path, partner_share, settlement_mix  # noqa: E402

FIT_END = 2022
COLORS = {"total": "#222222", "CHN->RUS": "#c0392b", "RUS->CHN": "#2471a3",
          "USD": "#1e8449", "EUR": "#2471a3", "CNY": "#c0392b", "RUB": "#7d3c98",
          "CHN": "#c0392b", "IND": "#e67e22", "EU": "#2471a3", "TUR": "#16a085"}


def _style():
    plt.rcParams.update({"font.size": 11, "axes.titlesize": 12, "axes.grid": True, "grid.alpha": 0.3,
                         "figure.dpi": 110, "savefig.dpi": 130, "legend.fontsize": 9})


def _by(targets, moment, **kw):
    out = []
    for t in targets:
        if t.moment != moment:
            continue
        if all(t.args.get(k) == v for k, v in kw.items()):
            out.append(t)
    return out


def _shade(ax, x_end, years=True):
    lo, hi = ax.get_xlim()
    start = FIT_END + 0.5 if years else mdates.date2num(np.datetime64(f"{FIT_END + 1}-01-01", "D"))
    ax.axvspan(start, hi, color="#f4d03f", alpha=0.15, lw=0)
    ax.set_xlim(lo, hi)
    ax.text(0.995, 0.98, "not fitted\n(out of sample)", transform=ax.transAxes, ha="right", va="top",
            fontsize=8, color="#7d6608")


def _band_line(ax, x, da, color, label, scale=1.0):
    """Mean over runs (line) and their range (band, from MIN_BAND_RUNS runs up)."""
    vals = np.asarray(da.transpose("run", ...).values, dtype=float) * scale
    mean = np.nanmean(vals, axis=0)
    n = vals.shape[0]
    if can_band(n):
        ax.fill_between(x, np.nanmin(vals, axis=0), np.nanmax(vals, axis=0), color=color, alpha=0.2, lw=0,
                        label=f"range of {n} runs")
    ax.plot(x, mean, color=color, lw=2, label=label + (f" (mean of {n} runs)" if n > 1 else ""))


def _points(ax, xs, ys, bands, color, label, marker="o"):
    ax.errorbar(xs, ys, yerr=bands, fmt=marker, color=color, mfc="white", mew=1.8, ms=6, capsize=3,
                lw=1.2, label=label, zorder=5)


def fig_bilateral(ds, targets):
    fig, ax = plt.subplots(figsize=(9, 5))
    trade = bilateral_trade(ds, "CHN", "RUS")
    years = trade["year"].values
    for name, label in (("total", "total"), ("CHN->RUS", "China's exports to Russia"),
                        ("RUS->CHN", "Russia's exports to China")):
        _band_line(ax, years, trade[name], COLORS[name], f"simulated: {label}", 1e-9)
        ts = _by(targets, "bilateral_trade", direction=name)
        if ts:
            _points(ax, [int(t.period) for t in ts], [t.value for t in ts], [t.band for t in ts],
                    COLORS[name], f"China customs: {label} (band)")
    ax.set_ylabel("USD bn per year")
    ax.set_title("China-Russia trade: simulated (mean, range of replicates) vs data")
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_ylim(bottom=0)
    _shade(ax, years[-1])
    ax.legend(loc="upper left", ncol=2)
    return fig


def fig_shares(ds, targets):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    for ax, (state, partner, title) in zip(axes, (("RUS", "CHN", "China's share of Russia's trade"),
                                                  ("CHN", "RUS", "Russia's share of China's trade"))):
        share = partner_share(ds, state, partner, yearly=True)
        years = share["year"].values
        _band_line(ax, years, share, COLORS["CHN"] if partner == "CHN" else COLORS["RUS->CHN"],
                   "simulated (mean, range)", 100.0)
        ts = _by(targets, "trade_share", state=state, partner=partner)
        _points(ax, [int(t.period) for t in ts], [t.value for t in ts], [t.band for t in ts], "#222222",
                "data (band)")
        ax.set_title(title)
        ax.set_ylabel("% of total trade (exports + imports)")
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax.set_ylim(bottom=0)
        _shade(ax, years[-1])
        ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def fig_crude(ds, targets):
    monthly = crude_volumes(ds)
    vol = annual(monthly)
    share = 100.0 * vol / vol.sum("partner")
    importers = ["CHN", "IND", "EU", "TUR"]
    years = [2021, 2022] + [y for y in (2023, 2024) if y in share["year"].values]
    fig, axes = plt.subplots(1, 2, figsize=(15, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    ax = axes[0]
    width = 0.8 / len(importers)
    for i, imp in enumerate(importers):
        x = np.arange(len(years)) + (i - (len(importers) - 1) / 2) * width
        s = share.sel(partner=imp, year=years)
        mean = s.mean("run").values
        ax.bar(x, mean, width * 0.9, color=COLORS[imp], alpha=0.75, label=f"simulated: {imp}",
               yerr=[mean - s.min("run").values, s.max("run").values - mean], capsize=2,
               error_kw={"lw": 0.8})
        ts = [t for t in _by(targets, "crude_destination_share", importer=imp)
              if "/" not in t.period and int(t.period) in years]
        _points(ax, [x[years.index(int(t.period))] for t in ts], [t.value for t in ts], [t.band for t in ts],
                "#222222", "data (band)" if i == 0 else None, marker="D")
    ax.set_xticks(np.arange(len(years)))
    ax.set_xticklabels([f"{y}" + ("\n(not fitted)" if y > FIT_END else "") for y in years])
    ax.set_ylabel("% of Russia's crude exports (volume)")
    ax.set_title("Russian crude exports by destination: simulated vs data (IEA, Kpler)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", ncol=3)
    # India's path by month: its relationship with Russian suppliers forms
    # in 2022 (ODD 7.7); the months MODEL.md gives are targets.
    ax = axes[1]
    path = monthly.sel(time=slice(f"{FIT_END - 1}-01", None))
    india = path.sel(partner="IND") / path.sum("partner")
    _band_line(ax, india["time"].values, india, COLORS["IND"], "simulated: IND (monthly)", 100.0)
    for t in _by(targets, "crude_destination_share", importer="IND"):
        if "/" in t.period:
            first = np.datetime64(t.period.split("/")[0] + "-15")
            _points(ax, [first], [t.value], [t.band], "#222222", None, marker="D")
        elif int(t.period) >= FIT_END - 1:
            ax.hlines(t.value, np.datetime64(f"{t.period}-01-01"), np.datetime64(f"{t.period}-12-31"),
                      colors="#222222", linestyles="--", lw=1)
    ax.plot([], [], "D", color="#222222", mfc="white", mew=1.8, label="data, Mar and Dec 2022 (band)")
    ax.plot([], [], "--", color="#222222", lw=1, label="data, annual")
    ax.set_ylabel("% of Russia's crude exports (volume)")
    ax.set_title("India's share by month")
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_ylim(bottom=0)
    _shade(ax, None, years=False)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def fig_discount(ds, targets):
    fig, ax = plt.subplots(figsize=(10, 4.8))
    d = discount_path(ds, "RUS", None, "crude", money=True).fillna(0.0).sel(time=slice("2019-01", None))
    t = d["time"].values
    _band_line(ax, t, d, "#c0392b", "simulated: discount on Russian crude, trade-weighted (USD/bbl)")
    brent = ds["world_price"].sel(sector="crude").isel(run=0).sel(time=slice("2019-01", None))
    q2 = [x for x in targets if x.id == "discount_2022q2"][0]
    ax.errorbar([np.datetime64("2022-05-15")], [q2.value], yerr=[q2.band], fmt="o", color="#222222",
                mfc="white", mew=1.8, capsize=4, label="Urals discount, Q2 2022: ~35 (band 25-45)", zorder=5)
    ax.plot([np.datetime64("2022-01-15"), np.datetime64("2022-02-15")], [0, 0], "s", color="#222222",
            mfc="white", mew=1.8, label="Jan-Feb 2022: about 0")
    aug = [x for x in targets if x.id == "discount_2022_08_fraction"][0]
    price_aug = float(brent.sel(time="2022-08").values[0])
    ax.plot([np.datetime64("2022-08-15")], [aug.value / 100 * price_aug], "^", color="#222222", mfc="white",
            mew=1.8, ms=8, label=f"Aug 2022: 24 % of Brent (= {aug.value / 100 * price_aug:.0f} USD/bbl here)")
    ax.axvline(np.datetime64("2022-12-05"), color="#555", ls=":", lw=1)
    ax.text(np.datetime64("2022-12-20"), ax.get_ylim()[1] * 0.9, "EU embargo,\n$60 cap", fontsize=8)
    ax.set_ylabel("USD per barrel below Brent")
    ax.set_title("Discount on Russian crude: simulated vs Urals-Brent differential")
    ax.set_ylim(bottom=-1)
    _shade(ax, None, years=False)
    ax.legend(loc="upper left")
    return fig


def fig_settlement(ds, targets):
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    ax = axes[0]
    mix = settlement_mix(ds, "RUS", "CHN")
    t = mix["time"].values
    for c in ["USD", "EUR", "CNY", "RUB"]:
        _band_line(ax, t, mix.sel(currency=c), COLORS[c], f"simulated {c}", 100.0)
    for tg in _by(targets, "settlement_share"):
        c = tg.args["currencies"][0]
        if "/" in tg.period:
            x = np.datetime64("2020-02-15")
        else:
            x = np.datetime64(f"{tg.period}-07-01")
        ax.errorbar([x], [tg.value], yerr=[tg.band], fmt="o" if tg.fit else "x", color=COLORS[c],
                    mfc="white", mew=1.8, capsize=3, zorder=5)
    ax.plot([], [], "o", color="#444", mfc="white", mew=1.8, label="Bank of Russia, Q1 2020 (fitted)")
    ax.plot([], [], "x", color="#444", mew=1.8, label="USD 2015, 2018, 2019 (reported, not fitted)")
    ax.set_ylabel("% of China-Russia settlement")
    ax.set_title("Settlement currency of China-Russia trade")
    ax.set_ylim(0, 100)
    _shade(ax, None, years=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    ax = axes[1]
    local = 100.0 * annual(mix.sel(currency=["CNY", "RUB"]).sum("currency"), how="mean")
    years = local["year"].values
    _band_line(ax, years, local / 100.0, "#7d3c98", "simulated CNY + RUB (annual mean)", 100.0)
    ax.errorbar([2020], [24], yerr=[10], fmt="o", color="#222", mfc="white", mew=1.8, capsize=3,
                label="Q1 2020: CNY 17 + RUB 7")
    ax.set_title("CNY + RUB share (target: rising 2014-2022)")
    ax.set_ylabel("% of China-Russia trade settled in CNY or RUB")
    ax.set_ylim(0, 100)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    _shade(ax, years[-1])
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


FIGURES = {
    "bilateral_trade": fig_bilateral,
    "trade_shares": fig_shares,
    "crude_destinations": fig_crude,
    "crude_discount": fig_discount,
    "settlement_mix": fig_settlement,
}


def draw_all(ds, targets, out_dir) -> list:
    """Writes one PNG per figure into ``out_dir``; returns the paths."""
    _style()
    if "run" not in ds.dims:
        ds = ds.expand_dims("run")
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for stem, fn in FIGURES.items():
        fig = fn(ds, targets)
        for ax in fig.axes:  # the sanctions and where history ends, on every time axis
            mark_history(ax, ds, yearly=ax.get_xlim()[1] < 5000)
        path = os.path.join(out_dir, f"{stem}.png")
        fig.savefig(path, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths
