"""Answers to the questions modelers ask of a run (or of every run of a sweep:
each helper keeps any leading ``run`` dimension).

Units: flows in the file are USD per month; the yearly helpers sum the twelve
months of each calendar year and return USD per year (``units = "USD yr-1"``).
Shares and the discount are fractions (``units = "1"``).
"""

from __future__ import annotations

import numpy as np
import xarray as xr


def _pair(da: xr.DataArray, state: str, partner: str) -> xr.DataArray:
    return da.sel(state=state, partner=partner).drop_vars(["state", "partner"], errors="ignore")


def _pair_trade(ds: xr.Dataset, a: str, b: str) -> xr.DataArray:
    """Trade between ``a`` and ``b``, both directions, all sectors, USD/month."""
    tv = ds["trade_value"].sum("sector", skipna=False)
    return _pair(tv, a, b) + _pair(tv, b, a)


def annual(da: xr.DataArray, how: str = "sum", complete_years: bool = True) -> xr.DataArray:
    """Calendar-year aggregate of a monthly variable, with a ``year`` dimension.

    ``how="sum"`` adds the months (a USD/month flow becomes USD/yr);
    ``how="mean"`` averages them (for shares, prices, stocks). Years with fewer
    than 12 months in the run are dropped unless ``complete_years=False``. A
    month that is NaN (an aborted run) makes its year NaN.
    """
    years = da["time"].dt.year
    grouped = da.groupby(years.rename("year"))
    if how == "sum":
        out = grouped.sum("time", skipna=False)
    elif how == "mean":
        out = grouped.mean("time", skipna=False)
    else:
        raise ValueError(f"annual: how must be 'sum' or 'mean', not {how!r}")
    if complete_years:
        counts = years.groupby(years.rename("year")).count()
        out = out.sel(year=counts["year"][counts == 12].values)
    attrs = dict(da.attrs)
    units = attrs.get("units", "")
    if how == "sum" and (units.endswith("/month") or units.endswith(" month-1")):
        # either spelling: "USD/month" -> "USD/yr", UDUNITS "USD month-1" -> "USD yr-1"
        attrs["units"] = units[: -len("/month")] + "/yr" if units.endswith("/month") else units[: -len("month-1")] + "yr-1"
        attrs["long_name"] = attrs.get("long_name", da.name or "") + ", summed over the 12 months of the year"
    elif how == "mean":
        attrs["long_name"] = attrs.get("long_name", da.name or "") + ", mean over the year"
    out.attrs = attrs
    out["year"].attrs["long_name"] = "calendar year"
    return out


def bilateral_trade(ds: xr.Dataset, a: str, b: str, sector=None, yearly: bool = True) -> xr.Dataset:
    """Trade between states ``a`` and ``b``: exports ``a``→``b``, exports
    ``b``→``a`` and their total, summed over sectors (or over ``sector``, a
    code or list of codes).

    With ``yearly`` (default) each variable is USD per year: the sum of the 12
    months of each complete calendar year. Otherwise USD per month.
    """
    tv = ds["trade_value"]
    if sector is not None:
        tv = tv.sel(sector=[sector] if isinstance(sector, str) else list(sector))
    tv = tv.sum("sector", skipna=False)
    ab = _pair(tv, a, b)
    ba = _pair(tv, b, a)
    out = xr.Dataset({f"{a}->{b}": ab, f"{b}->{a}": ba, "total": ab + ba})
    for name in out.data_vars:
        out[name].attrs = {"units": "USD month-1", "long_name": (
            f"exports {name.replace('->', ' to ')}" if name != "total" else f"trade between {a} and {b}")}
    if yearly:
        out = xr.Dataset({k: annual(v) for k, v in out.data_vars.items()})
    return out


def total_trade(ds: xr.Dataset, state: str) -> xr.DataArray:
    """State's total trade (exports + imports, all partners and sectors), USD/month."""
    tv = ds["trade_value"].sum("sector", skipna=False)
    out = tv.sel(state=state).sum("partner", skipna=False) + tv.sel(partner=state).sum("state", skipna=False)
    out = out.drop_vars(["state", "partner"], errors="ignore")
    out.attrs = {"units": "USD month-1", "long_name": f"total trade of {state} (exports + imports)"}
    return out


def partner_share(ds: xr.Dataset, state: str, partner: str, yearly: bool = False) -> xr.DataArray:
    """Partner's share of state's total trade (exports + imports), a fraction.

    Monthly: the file's ``trade_share[state, partner]``, NaN in months when
    the state trades nothing (a share of nothing is undefined). With ``yearly``: the
    share of the year's trade, i.e. trade-value weighted over the 12 months
    (sum of the pair's trade over the year / sum of the state's trade).
    """
    if not yearly:
        # Undefined (NaN, a gap in a plot) in months when the state trades nothing.
        out = _pair(ds["trade_share"], state, partner).where(total_trade(ds, state) > 0)
        out.attrs = {"units": "1", "long_name": f"{partner}'s share of {state}'s trade"}
        return out
    tv = ds["trade_value"].sum("sector", skipna=False)
    pair = _pair(tv, state, partner) + _pair(tv, partner, state)
    out = annual(pair) / annual(total_trade(ds, state))
    out.attrs = {"units": "1", "long_name": f"{partner}'s share of {state}'s trade over the year"}
    return out


def leverage(ds: xr.Dataset, holder: str, over: str, ratio: bool = False) -> xr.DataArray:
    """Leverage of ``holder`` over ``over`` (e.g. CHN over RUS).

    Bounded form (1 + d_ij - d_ji) / 2 in [0, 1] (0.5 = symmetric), or with
    ``ratio`` its odds (1 + d_ij - d_ji) / (1 - d_ij + d_ji), where d is the
    dependence (trade share), i = ``over`` (the dependent state) and
    j = ``holder`` (docs/ODD.md §7.15). NaN in months when the two do not
    trade at all (the file's 0.5 there is no finding).
    """
    name = "leverage_ratio" if ratio else "leverage"
    # Undefined (NaN) in months when the two states do not trade at all.
    out = _pair(ds[name], over, holder).where(_pair_trade(ds, over, holder) > 0)
    out.attrs = {"units": "1", "long_name": (
        f"leverage of {holder} over {over}" + (" (odds, (1 + d_ij - d_ji) / (1 - d_ij + d_ji))" if ratio
                                                else " (bounded, (1 + d_ij - d_ji) / 2)"))}
    return out


def discount_path(ds: xr.Dataset, exporter: str = "RUS", importer: str | None = "CHN",
                  sector: str = "crude", money: bool = False, traded_only: bool = False) -> xr.DataArray:
    """Discount on ``exporter``'s exports of ``sector`` to ``importer``.

    A fraction of the world price, or with ``money`` in the sector's price unit
    (USD per unit, e.g. USD/bbl). With ``importer=None`` the discount is
    averaged over importers weighted by the month's trade value (NaN when the
    exporter sells nothing). ``traded_only`` masks (NaN) months in which the
    exporter sells nothing to the importer: the bargained discount exists
    even then, but no trade pays it.
    """
    var = ds["discount_price" if money else "discount"].sel(state=exporter, sector=sector)
    if importer is not None:
        out = var.sel(partner=importer)
        if traded_only:
            out = out.where(ds["trade_value"].sel(state=exporter, partner=importer, sector=sector) > 0)
        what = f"to {importer}"
    else:
        w = ds["trade_value"].sel(state=exporter, sector=sector)
        total = w.sum("partner")
        out = (var * w).sum("partner") / total.where(total > 0)
        what = "to all importers (trade-weighted)"
    out = out.drop_vars(["state", "partner", "sector", "price_unit"], errors="ignore")
    unit = "1"
    if money:
        unit = str(ds["price_unit"].sel(sector=sector).item()) if "price_unit" in ds.coords \
            else "USD per sector price unit"
    out.attrs = {"units": unit, "long_name": f"discount on {exporter}'s {sector} exports {what}"
                 + ("" if money else ", fraction of the world price")}
    return out


def settlement_mix(ds: xr.Dataset, a: str = "RUS", b: str = "CHN") -> xr.DataArray:
    """Currency shares of the trade between ``a`` and ``b`` (dims time, currency);
    fractions that sum to 1 in months with trade, NaN in months without."""
    out = _pair(ds["settlement_share"], a, b).where(_pair_trade(ds, a, b) > 0)
    out.attrs = {"units": "1", "long_name": f"settlement currency shares of {a}-{b} trade (NaN without trade)"}
    return out


def cautious_shares(ds: xr.Dataset, state: str = "CHN") -> xr.Dataset:
    """Share of the state's firms that withdrew from sanctioned trade, by
    sector (``firms``), and of its banks that refuse sanctioned payments
    (``banks``); fractions."""
    firms = ds["cautious_share"].sel(state=state).drop_vars("state")
    banks = ds["cautious_bank_share"].sel(state=state).drop_vars("state")
    firms.attrs = {"units": "1", "long_name": f"share of {state}'s firms that are cautious, by sector"}
    banks.attrs = {"units": "1", "long_name": f"share of {state}'s banks that refuse sanctioned payments"}
    return xr.Dataset({"firms": firms, "banks": banks})


def headline(ds: xr.Dataset, a: str = "RUS", b: str = "CHN") -> dict:
    """A few numbers for the last complete year of a run: bilateral trade
    (USD bn/yr), shares, leverage, mean crude discount."""
    trade = bilateral_trade(ds, a, b)
    if trade.sizes.get("year", 0) == 0:
        return {}
    year = int(trade["year"][-1])
    sel = dict(time=str(year))
    return {
        "year": year,
        f"{a}-{b} trade, USD bn/yr": float(trade["total"].sel(year=year)) / 1e9,
        f"{b}'s share of {a}'s trade": float(partner_share(ds, a, b, yearly=True).sel(year=year)),
        f"{a}'s share of {b}'s trade": float(partner_share(ds, b, a, yearly=True).sel(year=year)),
        f"leverage of {b} over {a} (mean)": float(leverage(ds, b, a).sel(**sel).mean()),
        f"{a} crude discount to {b} (mean)": float(discount_path(ds, a, b).sel(**sel).mean())
        if "crude" in ds["sector"].values.tolist() else np.nan,
    }
