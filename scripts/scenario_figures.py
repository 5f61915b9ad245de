#!/usr/bin/python3
"""Figures and numbers of docs/scenarios.md: each counterfactual against the
baseline over the same seeds.

Runs the baseline and every scenario of the library for N paired seeds
(geosim_analysis.compare.paired: replicate r has the same seed in every
scenario) into out/scenarios/ (keeping runs of unchanged scenarios and
binary), draws one PNG per counterfactual into docs/figures/scenarios/ (yearly
mean over seeds and its 90 % t-interval, baseline and scenario), writes the
table of means over 2025-2030 between the markers of docs/scenarios.md
(baseline, scenario, paired effect; each mean [90 % interval]), and the CSVs
of compare into out/scenarios/.

With ``--posterior CSV --draws D`` every scenario is run instead for D
posterior draws x N seeds (geosim_analysis.predict: paired draw by draw and
seed by seed, into out/scenarios/predict/), and the figures and tables give
the median and the 90 % predictive interval over draws x seeds of each
scenario and of its paired effect, the mean effect with its 90 % interval,
and the number of draws and seeds; the seed-dependence table is then the
worst draw's dispersion over its seeds.

    /usr/bin/python3 scripts/scenario_figures.py [--seeds 20] [--geosim build/sim/cli/geosim] [--jobs 2]
        [--posterior docs/calibration/posterior.csv --draws 20]
"""

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "analysis"))
from geosim_analysis import compare, dispersion  # noqa: E402
from geosim_analysis import predict as gp  # noqa: E402
from geosim_analysis.figure_marks import MIN_BAND_RUNS, can_band, mark_history  # noqa: E402
from geosim_analysis.io import open_sweep  # noqa: E402

SCENARIOS = ROOT / "scenarios"
OUT = ROOT / "out" / "scenarios"
FIGURES = ROOT / "docs" / "figures" / "scenarios"
DOC = ROOT / "docs" / "scenarios.md"
WINDOW = "2025-2030"

# counterfactual -> its two panels (outcomes of compare.OUTCOMES)
PANELS = {
    "no_secondary_sanctions": ["bilateral_trade", "cautious_share"],
    "secondary_doubled_2024": ["bilateral_trade", "cautious_share"],
    "eu_embargo_lifted_2025": ["discount_usd", "china_crude_share"],
    "price_cap_tightened": ["discount_usd", "energy_revenue"],
    "china_dual_use_cutoff": ["dual_use_direct", "dual_use_via_hub"],
    "china_big_banks_withdraw": ["bilateral_trade", "payment_backlog"],
    "india_withdraws": ["discount_usd", "china_crude_share"],
    "enforcement_escalates": ["bilateral_trade", "cautious_share"],
}


def write_table(table: str, marker: str = "numbers") -> None:
    """Puts the table between the markers of docs/scenarios.md."""
    text = DOC.read_text()
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(head + begin + "\n" + table + end + tail)


def draw(c: compare.Comparison, name: str) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, outcome in zip(axes, PANELS[name]):
        c.plot(ax, outcome, ["baseline", name], colors={"baseline": "0.4", name: "tab:red"})
    fig.suptitle(f"{name} against the baseline: yearly means over {len(c.seeds)} paired seeds, "
                 "90 % t-interval of the mean")
    fig.tight_layout()
    fig.savefig(FIGURES / f"{name}.png", dpi=90)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20, help="paired seeds per scenario (default 20)")
    parser.add_argument("--geosim", type=Path, default=ROOT / "build" / "sim" / "cli" / "geosim")
    parser.add_argument("--jobs", type=int, default=2, help="runs at once")
    parser.add_argument("--posterior", type=Path, default=None,
                        help="posterior CSV: run every scenario over posterior draws x seeds (needs --draws)")
    parser.add_argument("--draws", type=int, default=None, help="posterior draws per scenario (with --posterior)")
    args = parser.parse_args()
    if (args.posterior is None) != (args.draws is None):
        parser.error("--posterior and --draws go together")
    FIGURES.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    files = [SCENARIOS / "baseline.yaml"] + [SCENARIOS / f"{name}.yaml" for name in PANELS]
    outcomes = sorted({o for panels in PANELS.values() for o in panels})
    if args.posterior is not None:
        with_posterior(args, files, outcomes, started)
        return
    c = compare.paired(files, args.seeds, OUT, outcomes=outcomes, windows=[WINDOW], geosim=str(args.geosim),
                       jobs=args.jobs, reuse=True)
    print(f"{len(files)} scenarios x {len(c.seeds)} seeds in {time.monotonic() - started:.0f} s")
    for name in PANELS:
        draw(c, name)
    c.write(OUT)
    table = c.markdown(rows=[(name, o) for name, panels in PANELS.items() for o in panels], period=WINDOW)
    write_table(table)
    print(table, end="")
    write_table(seed_dependence(c), "dispersion")


def with_posterior(args, files, outcomes, started) -> None:
    """The figures and tables over posterior draws x seeds (geosim_analysis.predict)."""
    out = OUT / "predict"
    paths = {}
    for f in files:
        try:
            p = gp.predict(f, out / f"{f.stem}.h5", args.draws, args.seeds, posterior=args.posterior,
                           geosim=str(args.geosim), jobs=args.jobs, reuse=True)
        except gp.PredictError as e:
            sys.exit(f"scenario_figures: {f.name}: {e}")
        paths[f.stem] = p.output
    print(f"{len(files)} scenarios x {args.draws} draws x {args.seeds} seeds in {time.monotonic() - started:.0f} s")
    table = gp.summary(paths, outcomes, windows=[WINDOW])
    table.to_csv(out / "summary.csv", index=False)
    for name in PANELS:
        draw_bands(table, name)
    md = gp.markdown(table, rows=[(name, o) for name, panels in PANELS.items() for o in panels], period=WINDOW)
    write_table(md)
    print(md, end="")
    write_table(seed_dependence_by_draw(paths), "dispersion")


def draw_bands(table, name: str) -> None:
    """Per panel: the baseline's and the scenario's yearly median and 90 %
    predictive band over draws x seeds (a band from 5 runs up), with the
    sanctions and the start of the projection marked (figure_marks)."""
    years = table[table.period.str.fullmatch(r"\d{4}") & (table.quantity == "level")]
    first = years.iloc[0]
    draws, seeds = int(first["draws"]), int(first["seeds"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, outcome in zip(axes, PANELS[name]):
        n = 0
        for label, color in (("baseline", "0.4"), (name, "tab:red")):
            t = years[(years.scenario == label) & (years.outcome == outcome)]
            x = t.period.astype(int)
            n = int(t.n.max()) if len(t) else 0
            if can_band(n):
                ax.fill_between(x, t.predictive_lo, t.predictive_hi, color=color, alpha=0.22, lw=0)
            ax.plot(x, t["median"], color=color, lw=2, label=label)
        o = compare.OUTCOMES[outcome]
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(o.title, fontsize="medium")
        ax.set_ylabel(o.axis_label)
        ax.set_xlabel("year (yearly mean of the months)")
        ax.grid(alpha=0.3)
        mark_history(ax, yearly=True)
        handles, labels = ax.get_legend_handles_labels()
        handles.append(Patch(color="0.6", alpha=0.35 if can_band(n) else 0.0))
        labels.append(f"band: 90 % predictive interval over {n} runs" if can_band(n) else
                      f"no band: {n} runs (fewer than {MIN_BAND_RUNS})")
        ax.legend(handles, labels, fontsize="small", loc="best", framealpha=0.9)
    fig.suptitle(f"{name} against the baseline: yearly median over {draws} posterior draws × {seeds} paired "
                 "seeds")
    fig.tight_layout()
    fig.savefig(FIGURES / f"{name}.png", dpi=90)
    plt.close(fig)


def seed_dependence_by_draw(paths: dict) -> str:
    """The dispersion table over seeds, draw by draw: the largest yearly cv
    of any draw, and the large moves summed over every run."""
    lines = ["| scenario | largest yearly cv of China–Russia trade over seeds (worst draw) | in | "
             "moves > 10 % (all runs) | unexplained (month or month before) | unexplained (within 3 months) |",
             "|---|---|---|---|---|---|"]
    for label, path in paths.items():
        with open_sweep(path, load=True) as raw:
            ds = gp.open_prediction(raw)
            worst, moves, unexplained, unexplained_3 = None, 0, 0, 0
            for d in dict.fromkeys(ds["draw"].values.tolist()):
                r = dispersion.summary(ds.isel(run=(ds["draw"] == d).values), label)
                if worst is None or r["max_cv"] > worst["max_cv"]:
                    worst = r
                moves, unexplained, unexplained_3 = (moves + r["large_moves"], unexplained + r["unexplained"],
                                                     unexplained_3 + r["unexplained_3"])
        lines.append(f"| {label} | {100 * worst['max_cv']:.1f} % | {worst['max_cv_year']} | {moves} | "
                     f"{unexplained} | {unexplained_3} |")
    return "\n".join(lines) + "\n"


def seed_dependence(c: compare.Comparison) -> str:
    """The dispersion table of every scenario's runs (geosim_analysis.dispersion)."""
    lines = ["| scenario | largest yearly cv of China–Russia trade | in | moves > 10 % (all runs) | "
             "unexplained (month or month before) | unexplained (within 3 months) |", "|---|---|---|---|---|---|"]
    for label in c.scenarios:
        with open_sweep(c.files[label], load=True) as ds:
            r = dispersion.summary(ds, label)
        lines.append(f"| {label} | {100 * r['max_cv']:.1f} % | {r['max_cv_year']} | {r['large_moves']} | "
                     f"{r['unexplained']} | {r['unexplained_3']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
