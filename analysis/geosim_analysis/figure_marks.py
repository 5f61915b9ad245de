"""What every time-series figure shows the same way: the 2014 and 2022
sanctions, where history ends and projection begins, units written for
people, and the headline number.

History: the baseline replays dated policy events 2013-2024 and observed
prices to 2024-12 (docs/ODD.md, scenarios/baseline.yaml); from 2025-01 it
holds policies and assumes prices: a projection. A file may carry its own
``history_end`` attribute ("YYYY-MM"), which then wins.
"""

from __future__ import annotations

import re

import numpy as np

# (month, label): the first month of each sanctions wave in the baseline.
SANCTIONS = (("2014-03", "2014 sanctions"), ("2022-02", "2022 sanctions"))
HISTORY_END = "2024-12"   # last month of history; projection from the month after
MIN_BAND_RUNS = 5         # no band is drawn from fewer replicates


def history_end(ds=None) -> str:
    """The last month of history ("YYYY-MM") for ``ds`` (its ``history_end``
    attribute when it has one), else :data:`HISTORY_END`."""
    if ds is not None:
        value = getattr(ds, "attrs", {}).get("history_end")
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
            return value
    return HISTORY_END


def _month_after(month: str) -> np.datetime64:
    return np.datetime64(month, "M") + np.timedelta64(1, "M")


def mark_history(ax, ds=None, yearly: bool = False, labels: bool = True):
    """Draws the sanctions markers (dotted lines) and the divider where
    projection begins (a solid line and a light shade to the right) on a
    matplotlib time axis, within the axis' current x range. ``yearly``: the
    x axis is in calendar years (numbers) rather than dates."""
    import matplotlib.dates as mdates
    lo, hi = ax.get_xlim()
    first, last = ax.dataLim.x0, ax.dataLim.x1   # marks only where there are data
    if not (np.isfinite(first) and np.isfinite(last)) or last < first:
        first, last = lo, hi

    def x_of(month):
        d = np.datetime64(month, "M")
        if yearly:  # year as a number, months as fractions
            y = d.astype("datetime64[Y]").astype(int) + 1970
            return y + (d.astype(int) % 12) / 12
        return mdates.date2num(d.astype("datetime64[D]"))

    trans = ax.get_xaxis_transform()
    for month, label in SANCTIONS:
        x = x_of(month)
        if first <= x <= last:
            ax.axvline(x, color="0.3", lw=0.9, ls=":", zorder=1)
            if labels:
                ax.text(x, 0.99, " " + label, transform=trans, rotation=90, va="top", ha="left",
                        fontsize="x-small", color="0.3")
    start = _month_after(history_end(ds))
    x = x_of(str(start)) if not yearly else x_of(str(start)) - 0.5
    if first < x < last:
        ax.axvline(x, color="0.45", lw=1.1, zorder=1)
        ax.axvspan(x, hi, color="0.5", alpha=0.07, lw=0, zorder=0)
        if labels:
            ax.text(x, 0.01, " projection →", transform=trans, va="bottom", ha="left", fontsize="x-small",
                    color="0.3")
            ax.text(x, 0.01, "← history ", transform=trans, va="bottom", ha="right", fontsize="x-small",
                    color="0.3")
    ax.set_xlim(lo, hi)
    return ax


# Units as the file writes them (old "USD/month" or UDUNITS "USD month-1")
# -> words for an axis label. Keys are normalised by _normal_unit.
_UNIT_WORDS = {
    "1": "fraction", "": "", "usd": "USD", "usd/month": "USD per month", "usd/yr": "USD per year",
    "usd/year": "USD per year", "firms/month": "firms per month", "banks/month": "banks per month",
    "usd/bbl": "USD per barrel", "usd per sector price unit": "USD per unit of the sector's price",
}


def _normal_unit(units: str) -> str:
    u = " ".join(str(units).strip().split()).lower()
    u = re.sub(r"\b(month|yr|year|a|bbl)-1\b", r"/\1", u)   # UDUNITS "USD month-1" -> "USD /month"
    u = re.sub(r"\s*/\s*", "/", u)
    u = re.sub(r"\s*(?:\*|\.)\s*", " ", u)
    return u.replace("/a", "/yr")


def unit_words(units) -> str:
    """A unit string of the output (either spelling: ``USD/month`` or
    ``USD month-1``, ``1``) in words for a label: "USD per month",
    "fraction"; unknown units come back as written."""
    return _UNIT_WORDS.get(_normal_unit(units or ""), str(units))


def is_fraction(units) -> bool:
    """True for dimensionless shares written ``1`` (or empty / ``fraction``)."""
    return _normal_unit(units or "") in ("1", "fraction")


def is_monthly_usd(units) -> bool:
    """True for USD flows per month in either spelling."""
    return _normal_unit(units or "") == "usd/month"


def band_label(n: int, what: str = "90 % of runs") -> str:
    """The legend text of a band over ``n`` replicates."""
    return f"{what}, {n} replicates"


def can_band(n) -> bool:
    """Whether a band over ``n`` replicates may be drawn (at least :data:`MIN_BAND_RUNS`)."""
    return n is not None and int(n) >= MIN_BAND_RUNS


def headline(ds) -> tuple[str, float]:
    """The headline number of a run: China's share of Russia's trade
    (exports + imports, ``trade_share[RUS, CHN]``) in the run's last month,
    as ``geosim info`` reads it. Returns (month "YYYY-MM", fraction); NaN
    when Russia has no trade that month."""
    share = ds["trade_share"].sel(state="RUS", partner="CHN").isel(time=-1)
    month = str(np.datetime64(share["time"].values, "M"))
    return month, float(share.values)


def headline_text(month: str, value: float) -> str:
    """The headline, written the same way in ``geosim info``, the report and
    the HTML pages: "China's share of Russia's trade, 2024-12: 22.9 %"."""
    if value is None or not np.isfinite(value):
        return f"China's share of Russia's trade, {month}: undefined (no trade)"
    return f"China's share of Russia's trade, {month}: {100 * value:.1f} %"
