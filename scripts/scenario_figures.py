#!/usr/bin/python3
"""Figures of docs/scenarios.md: each counterfactual against the baseline.

Runs every scenario of the library (skipping those whose output is newer than
the scenario files and the binary) into out/scenarios/, then draws one PNG per
counterfactual into docs/figures/scenarios/, and prints the numbers the
document quotes (means over 2025-2030).

    /usr/bin/python3 scripts/scenario_figures.py [--geosim build/sim/cli/geosim]
"""

import argparse
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import xarray as xr  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
OUT = ROOT / "out" / "scenarios"
FIGURES = ROOT / "docs" / "figures" / "scenarios"
LIBRARY = ["no_secondary_sanctions", "secondary_doubled_2024", "eu_embargo_lifted_2025", "price_cap_tightened",
           "china_dual_use_cutoff", "china_big_banks_withdraw", "india_withdraws"]


def run(geosim: Path, name: str) -> xr.Dataset:
    out = OUT / f"{name}.h5"
    inputs = [SCENARIOS / f"{name}.yaml", SCENARIOS / "baseline.yaml", geosim]
    if not out.exists() or out.stat().st_mtime < max(p.stat().st_mtime for p in inputs):
        subprocess.run([str(geosim), "run", str(SCENARIOS / f"{name}.yaml"), "-o", str(out), "--force", "-q"],
                       check=True)
    return xr.open_dataset(out, engine="h5netcdf")


def yearly(da):
    return da.resample(time="YS").mean()


def bilateral(ds):
    tv = ds.trade_value
    return yearly((tv.sel(state="CHN", partner="RUS") + tv.sel(state="RUS", partner="CHN")).sum("sector")) * 12 / 1e9


def cautious(ds):
    return 100 * yearly(ds.cautious_share.sel(state="CHN", sector="machinery_electronics"))


def discount_usd(ds):
    return yearly(ds.discount_price.sel(state="RUS", partner="CHN", sector="crude"))


def china_crude_share(ds):
    cr = ds.trade_value.sel(state="RUS", sector="crude").resample(time="YS").sum()
    return 100 * cr.sel(partner="CHN") / cr.sum("partner")


def energy_revenue(ds):
    return yearly(ds.energy_revenue.sel(state="RUS")) * 12 / 1e9


def backlog(ds):
    return yearly(ds.payment_backlog.sel(state="RUS", partner="CHN")) / 1e9


def dual_direct(ds):
    return yearly(ds.dual_use_trade.sel(state="CHN", partner="RUS", route="direct")) * 12 / 1e9


def dual_hub(ds):
    return yearly(ds.dual_use_trade.sel(partner="RUS", route="via_hub").sum("state")) * 12 / 1e9


# Panels used by more than one scenario: (title, unit, function).
TRADE = ("China-Russia trade", "USD bn/yr", bilateral)
CAUTIOUS = ("Cautious Chinese machinery firms", "%", cautious)
DISCOUNT = ("Urals discount to China", "USD/bbl", discount_usd)
CRUDE_SHARE = ("China's share of Russian crude", "% of value", china_crude_share)

# name -> two panels
PANELS = {
    "no_secondary_sanctions": [TRADE, CAUTIOUS],
    "secondary_doubled_2024": [TRADE, CAUTIOUS],
    "eu_embargo_lifted_2025": [DISCOUNT, CRUDE_SHARE],
    "price_cap_tightened": [DISCOUNT, ("Russia's energy export revenue", "USD bn/yr", energy_revenue)],
    "china_dual_use_cutoff": [("Dual-use exports China -> Russia, direct", "USD bn/yr", dual_direct),
                              ("Dual-use exports to Russia via hubs", "USD bn/yr", dual_hub)],
    "china_big_banks_withdraw": [TRADE, ("Russia-China payment backlog", "USD bn", backlog)],
    "india_withdraws": [DISCOUNT, CRUDE_SHARE],
}


def late_mean(da):
    return float(da.sel(time=slice("2025-01-01", "2030-12-31")).mean())


def write_table(rows) -> None:
    """Puts the numbers between the markers of docs/scenarios.md."""
    doc = ROOT / "docs" / "scenarios.md"
    text = doc.read_text()
    begin, end = "<!-- numbers:begin -->", "<!-- numbers:end -->"
    table = ["| scenario | outcome | unit | baseline | scenario |", "|---|---|---|---|---|"]
    table += [f"| {n} | {t} | {u} | {b:.1f} | {s:.1f} |" for n, t, u, b, s in rows]
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(head + begin + "\n" + "\n".join(table) + "\n" + end + tail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--geosim", type=Path, default=ROOT / "build" / "sim" / "cli" / "geosim")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    FIGURES.mkdir(parents=True, exist_ok=True)
    base = run(args.geosim, "baseline")
    rows = []
    for name in LIBRARY:
        ds = run(args.geosim, name)
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
        for ax, (title, unit, f) in zip(axes, PANELS[name]):
            b, s = f(base), f(ds)
            ax.plot(b.time, b, color="0.4", lw=2, label="baseline")
            ax.plot(s.time, s, color="tab:red", lw=2, label=name)
            ax.set_title(title)
            ax.set_ylabel(unit)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
            rows.append((name, title, unit, late_mean(b), late_mean(s)))
            print(f"{name:26s} {title:42s} baseline {late_mean(b):8.2f}  scenario {late_mean(s):8.2f}  {unit}")
        fig.suptitle(f"{name} against the baseline (yearly means)")
        fig.tight_layout()
        fig.savefig(FIGURES / f"{name}.png", dpi=90)
        plt.close(fig)
    write_table(rows)


if __name__ == "__main__":
    main()
