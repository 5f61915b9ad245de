"""``python3 -m geosim_analysis report OUT.h5 -o DIR``: a figure set (PNG and
SVG) and an index.html that shows them, for a run or for a sweep."""

from __future__ import annotations

import argparse
import html
import os
import sys

import matplotlib

matplotlib.use("Agg")  # the report never needs a screen

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from . import figure_marks, metrics, plots  # noqa: E402
from .io import ENGINE, ok_runs, open_run, open_sweep, parameter_label, parameter_names  # noqa: E402
from .sweep import scalar, sobol_indices, to_frame  # noqa: E402


class Report:
    def __init__(self, out_dir, formats):
        self.out_dir = out_dir
        self.formats = formats
        self.figures = []  # (stem, caption)
        os.makedirs(out_dir, exist_ok=True)

    def add(self, fig, stem, caption):
        plots.save(fig, os.path.join(self.out_dir, stem), self.formats)
        plt.close(fig)
        self.figures.append((stem, caption))

    def write_html(self, title, meta: list, tables: list) -> str:
        parts = ["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
                 f"<title>{html.escape(title)}</title>",
                 "<style>body{font-family:sans-serif;max-width:1250px;margin:auto;padding:1em}"
                 "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;"
                 "padding:3px 8px;text-align:left}figure{margin:1.5em 0}img{max-width:100%;"
                 "border:1px solid #eee}figcaption{color:#444}</style></head><body>",
                 f"<h1>{html.escape(title)}</h1>", "<table>"]
        for key, value in meta:
            parts.append(f"<tr><th>{html.escape(str(key))}</th><td>{html.escape(str(value))}</td></tr>")
        parts.append("</table>")
        for caption, rows in tables:
            parts.append(f"<h2>{html.escape(caption)}</h2><table>")
            for i, row in enumerate(rows):
                tag = "th" if i == 0 else "td"
                parts.append("<tr>" + "".join(f"<{tag}>{html.escape(str(c))}</{tag}>" for c in row) + "</tr>")
            parts.append("</table>")
        parts.append("<h2>Figures</h2>")
        png = "png" if "png" in self.formats else self.formats[0]
        for stem, caption in self.figures:
            links = " ".join(f"<a href='{stem}.{f}'>{f.upper()}</a>" for f in self.formats)
            parts.append(f"<figure id='{stem}'><img src='{stem}.{png}' alt='{html.escape(caption)}'>"
                         f"<figcaption>{html.escape(caption)} [{links}]</figcaption></figure>")
        parts.append("</body></html>")
        path = os.path.join(self.out_dir, "index.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(parts))
        return path


def _pick_pair(ds, a, b):
    states = ds["state"].values.tolist()
    if a not in states or b not in states:
        a, b = states[0], states[1] if len(states) > 1 else states[0]
    return a, b


def _sector(ds):
    sectors = ds["sector"].values.tolist()
    return "crude" if "crude" in sectors else sectors[0]


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return v


def _meta(ds, path):
    keys = ["scenario_name", "scenario_description", "seed", "geosim_version", "git_commit", "created",
            "wall_time_seconds"]
    meta = [("file", os.path.abspath(path))]
    meta += [(k, ds.attrs[k]) for k in keys if k in ds.attrs]
    if "time" in ds.coords and ds.sizes["time"]:
        t = ds["time"].values
        meta.append(("months", f"{ds.sizes['time']} ({str(t[0])[:7]} to {str(t[-1])[:7]})"))
    return meta


def run_report(path, out_dir, a="RUS", b="CHN", compare=None, formats=("png", "svg")) -> str:
    ds = open_run(path)
    a, b = _pick_pair(ds, a, b)
    sector = _sector(ds)
    rep = Report(out_dir, formats)
    rep.add(plots.overview(ds, a, b), "overview", f"Overview: {b}'s share of {a}'s trade, leverage, "
            f"{sector} discount, caution of {b}")
    rep.add(plots.bilateral_trade(ds, a, b), "bilateral_trade",
            f"{a}–{b} trade by direction, USD bn per year (sum of the 12 months of each complete year)")
    rep.add(plots.trade_shares(ds, a), f"trade_shares_{a}", f"Partners' shares of {a}'s trade (fractions, in %)")
    rep.add(plots.trade_shares(ds, b), f"trade_shares_{b}", f"Partners' shares of {b}'s trade (fractions, in %)")
    rep.add(plots.leverage(ds, ((b, a), (a, b))), "leverage",
            f"Bounded leverage of {b} over {a} and of {a} over {b} (0.5 = symmetric)")
    rep.add(plots.discount(ds, a, sector), "discount",
            f"Discount on {a}'s {sector} exports, fraction of the world price (months with trade)")
    rep.add(plots.settlement_mix(ds, a, b), "settlement_mix", f"Settlement currency mix of {a}–{b} trade")
    rep.add(plots.cautious(ds, b), "cautious", f"Share of {b}'s firms (by sector) and banks that are cautious")
    if "energy_revenue" in ds:
        rep.add(plots.energy_revenue(ds, a), "energy_revenue",
                f"{a}'s energy export revenue, USD bn per year (monthly value × 12)")
    if compare:
        other = open_run(compare)
        label_a = ds.attrs.get("scenario_name", "A")
        label_b = other.attrs.get("scenario_name", "B")
        if label_a == label_b:
            label_a, label_b = os.path.basename(path), os.path.basename(compare)
        rep.add(plots.compare({label_a: ds, label_b: other}, a, b), "compare",
                f"{label_a} and {label_b} side by side")
    head = metrics.headline(ds, a, b)
    tables = []
    if head:
        tables.append((f"Headline numbers, {head.pop('year')}", [["quantity", "value"]]
                       + [[k, _fmt(v)] for k, v in head.items()]))
    trade = metrics.bilateral_trade(ds, a, b)
    rows = [["year", f"{a}→{b} (USD bn/yr)", f"{b}→{a} (USD bn/yr)", "total (USD bn/yr)",
             f"{b}'s share of {a}'s trade"]]
    share = metrics.partner_share(ds, a, b, yearly=True)
    for y in trade["year"].values:
        rows.append([int(y), f"{float(trade[f'{a}->{b}'].sel(year=y)) / 1e9:.1f}",
                     f"{float(trade[f'{b}->{a}'].sel(year=y)) / 1e9:.1f}",
                     f"{float(trade['total'].sel(year=y)) / 1e9:.1f}", f"{float(share.sel(year=y)):.1%}"])
    tables.append((f"{a}–{b} trade per year", rows))
    title = f"geosim run: {ds.attrs.get('scenario_name', os.path.basename(path))}"
    # The headline as geosim info and the explorer write it.
    return rep.write_html(title, [("headline", figure_marks.headline_text(*figure_marks.headline(ds)))]
                          + _meta(ds, path), tables)


def sweep_report(path, out_dir, a="RUS", b="CHN", formats=("png", "svg")) -> str:
    ds = open_sweep(path, load=True)
    a, b = _pick_pair(ds, a, b)
    sector = _sector(ds)
    rep = Report(out_dir, formats)
    ok = ok_runs(ds).values
    names = parameter_names(ds)
    last_year = slice(ds["time"].values[max(0, ds.sizes["time"] - 12)], None)
    series = {
        "trade_share": (metrics.partner_share(ds, a, b), f"{b}'s share of {a}'s trade"),
        "leverage": (metrics.leverage(ds, b, a), f"leverage of {b} over {a}"),
        "discount": (metrics.discount_path(ds, a, b, sector, traded_only=True),
                     f"discount on {a}'s {sector} exports to {b}, of the world price"),
    }
    outputs = {}
    for key, (da, label) in series.items():
        da.attrs["long_name"] = label
        da.attrs.setdefault("units", "1")
        rep.add(plots.fan_chart(da), f"fan_{key}", f"{label}: median and 50 % / 90 % bands over replicates "
                "(one colour per parameter point, first 6)")
        y = da.sel(time=last_year).mean("time")
        y.attrs = {"units": "1", "long_name": f"{label}, mean of the last 12 months"}
        outputs[key] = y
    numeric = [p for p in names if np.issubdtype(ds[p].dtype, np.number)]  # a scenario axis has file names
    for p in numeric:
        if np.unique(ds[p].values).size < 2:
            continue
        for key, y in outputs.items():
            rep.add(plots.response_plot(y, p), f"response_{key}_{p}",
                    f"Response of {y.attrs['long_name']} to {parameter_label(ds, p)}")
    varying = [p for p in numeric if np.unique(ds[p].values).size > 1]
    if len(varying) >= 2 and "sobol_matrix" not in ds.variables:
        for key, y in outputs.items():
            rep.add(plots.heatmap(y, varying[0], varying[1]), f"heatmap_{key}",
                    f"{y.attrs['long_name']} over {parameter_label(ds, varying[0])} × "
                    f"{parameter_label(ds, varying[1])}, mean over replicates")
    tables = []
    if "sobol_matrix" in ds.variables and "sobol_parameters" in ds.attrs:
        for key, y in outputs.items():
            idx = sobol_indices(y, ds)
            rep.add(plots.sobol_bars(idx), f"sobol_{key}", f"Sobol indices of {y.attrs['long_name']}")
            rows = [["parameter", "S1", "± (95 %)", "ST", "± (95 %)"]]
            for i, n in enumerate(idx["parameter"].values.tolist()):
                rows.append([n] + [f"{float(idx[v][i]):.3f}" for v in ("S1", "S1_conf", "ST", "ST_conf")])
            tables.append((f"Sobol indices: {y.attrs['long_name']}", rows))
    frame = to_frame(xr.Dataset({k: v for k, v in outputs.items()}).assign_coords(
        {c: ds[c] for c in ds.coords if ds[c].dims == ("run",)}))
    frame.to_csv(os.path.join(out_dir, "outputs_per_run.csv"), index=False)
    meta = _meta(ds, path) + [("runs", f"{ds.sizes['run']} ({int(ok.sum())} finished)"),
                              ("parameters", ", ".join(parameter_label(ds, p) for p in names) or "none"),
                              ("outputs per run (tidy CSV)", "outputs_per_run.csv")]
    title = f"geosim sweep: {ds.attrs.get('sweep_name', ds.attrs.get('scenario_name', os.path.basename(path)))}"
    return rep.write_html(title, meta, tables)


def report(path, out_dir, **kwargs) -> str:
    """Writes the report for a run or a sweep file; returns the HTML path."""
    with xr.open_dataset(path, engine=ENGINE) as probe:
        sweep = "run" in probe.dims
    if sweep:
        kwargs.pop("compare", None)
        return sweep_report(path, out_dir, **kwargs)
    return run_report(path, out_dir, **kwargs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m geosim_analysis",
                                     description="Figures and reports from geosim output")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("report", help="write figures (PNG, SVG) and index.html for a run or a sweep")
    r.add_argument("file", help="geosim output file (.h5): a run or a sweep")
    r.add_argument("-o", "--output", required=True, help="directory for the figures and index.html")
    r.add_argument("--state", default="RUS", help="the dependent state (default RUS)")
    r.add_argument("--partner", default="CHN", help="its partner (default CHN)")
    r.add_argument("--compare", help="a second run file to show side by side (runs only)")
    r.add_argument("--formats", default="png,svg", help="figure formats, comma-separated (default png,svg)")
    args = parser.parse_args(argv)
    try:
        page = report(args.file, args.output, a=args.state, b=args.partner,
                      formats=tuple(f.strip() for f in args.formats.split(",") if f.strip()),
                      **({"compare": args.compare} if args.compare else {}))
    except (OSError, ValueError, KeyError) as e:
        print(f"geosim_analysis: error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {page}")
    return 0
