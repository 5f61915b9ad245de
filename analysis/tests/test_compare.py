"""Paired comparison of scenarios (geosim_analysis.compare): seeds shared by
replicate across scenarios, exact zero effects where nothing differs, the
intervals, and the command line. Runs tests/data/world.yaml cut to 2014 with
4 seeds (a few seconds)."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, WORLD, geosim_bin

import geosim_analysis as ga

SEEDS = 4
HORIZON_END = "2014-12"


@pytest.fixture(scope="session")
def sanctioned_yaml(tmp_path_factory):
    """world.yaml with USD settlement with Russia blocked from 2014-03."""
    path = tmp_path_factory.mktemp("compare_scenarios") / "sanctioned.yaml"
    path.write_text("schema_version: 1\n"
                    f"base: {WORLD}\n"
                    "name: sanctioned\n"
                    "events:\n"
                    "  - {id: usd_block, kind: financial_sanctions, start: 2014-03, by: USA, target: RUS}\n")
    return path


@pytest.fixture(scope="session")
def comparison(tmp_path_factory, sanctioned_yaml):
    """world (reference), sanctioned, and world again (its own counterfactual)."""
    out = tmp_path_factory.mktemp("compare")
    return ga.compare.paired([WORLD, sanctioned_yaml, WORLD], seeds=SEEDS, out_dir=out, geosim=geosim_bin(),
                             windows=["2013-2014"], horizon_end=HORIZON_END)


def test_scenarios_get_labels_from_their_file_names_made_unique(comparison):
    assert comparison.scenarios == ["world", "sanctioned", "world_2"]


def test_replicate_r_has_the_same_seed_in_every_scenario(comparison):
    seeds = {}
    for label, path in comparison.files.items():
        ds = ga.open_sweep(path)
        seeds[label] = (ds["replicate"].values.tolist(), ds["seed"].values.tolist())
    assert seeds["world"] == seeds["sanctioned"] == seeds["world_2"]
    assert seeds["world"][0] == list(range(SEEDS))
    assert len(set(seeds["world"][1])) == SEEDS  # and the replicates differ from each other
    per_row = comparison.values.groupby("replicate")["seed"].nunique()
    assert (per_row == 1).all()


def test_runs_that_are_not_paired_are_refused(tmp_path):
    out = tmp_path / "unpaired"
    a = ga.compare.run_replicates(WORLD, out, 2, 1, name="a", geosim=geosim_bin(), horizon_end=HORIZON_END)
    b = ga.compare.run_replicates(WORLD, out, 2, 2, name="b", geosim=geosim_bin(), horizon_end=HORIZON_END)
    with pytest.raises(ValueError, match="b: seed differs from a's at replicate 0: runs are not paired"):
        ga.compare.check_pairing({"a": ga.open_sweep(a), "b": ga.open_sweep(b)})


def test_a_scenario_against_itself_has_an_effect_of_exactly_zero(comparison):
    same = comparison.effects[comparison.effects.scenario == "world_2"]
    assert len(same) > 0
    for column in ("mean", "sd", "lo", "hi", "p05", "p95"):
        assert (same[column].dropna() == 0.0).all(), column
    assert (same["n"] == SEEDS).all()


def test_the_effect_is_exactly_zero_before_the_counterfactual_event_starts(comparison):
    # The sanction starts in 2014-03: with common random numbers 2013 is identical.
    e = comparison.effects
    before = e[(e.scenario == "sanctioned") & (e.period == "2013")]
    assert len(before) == len(comparison.outcomes)
    assert (before["mean"].dropna() == 0.0).all() and (before["hi"] - before["lo"]).dropna().eq(0).all()


def test_the_effect_is_the_mean_of_per_seed_differences(comparison):
    v = comparison.values.set_index(["scenario", "replicate", "outcome", "period"])["value"]
    diff = (v.loc["sanctioned"] - v.loc["world"]).xs(("bilateral_trade", "2014"), level=("outcome", "period"))
    row = comparison.effects.query("scenario == 'sanctioned' and outcome == 'bilateral_trade' and period == '2014'")
    assert row["mean"].item() == pytest.approx(diff.mean())
    assert row["mean"].item() < 0  # blocking USD payments cuts trade


@pytest.mark.parametrize("table", ["levels", "effects"])
def test_the_90_percent_interval_contains_the_mean(comparison, table):
    t = getattr(comparison, table).dropna(subset=["mean"])
    assert len(t) > 0
    assert ((t["lo"] <= t["mean"]) & (t["mean"] <= t["hi"])).all()
    assert (t["p05"] <= t["p95"]).all()


def test_the_t_interval_is_mean_plus_minus_t_times_the_standard_error():
    s = ga.compare.summarise(pd.Series([1.0, 2.0, 4.0, 7.0]), "t")
    half = 2.3533634 * np.std([1, 2, 4, 7], ddof=1) / 2
    assert s["lo"] == pytest.approx(3.5 - half, rel=1e-6) and s["hi"] == pytest.approx(3.5 + half, rel=1e-6)
    p = ga.compare.summarise(pd.Series([1.0, 2.0, 4.0, 7.0]), "percentile")
    assert (p["lo"], p["hi"]) == (p["p05"], p["p95"]) == pytest.approx((1.15, 6.55))


@pytest.mark.parametrize("df, q", [(1, 6.313752), (2, 2.919986), (4, 2.131847), (19, 1.729133), (99, 1.660391)])
def test_t_quantiles_match_the_tables(df, q):
    assert ga.compare.t_quantile(0.95, df) == pytest.approx(q, abs=1e-6)


def test_the_markdown_table_has_a_row_per_scenario_and_outcome(comparison):
    md = comparison.markdown(rows=[("sanctioned", "bilateral_trade")], period="2013-2014")
    lines = md.splitlines()
    assert lines[0].startswith("| scenario | outcome | unit | world mean [90 %")
    assert len(lines) == 3 and lines[2].startswith("| sanctioned | China-Russia trade | USD bn/yr | ")
    assert lines[2].endswith(f" | {SEEDS} |")


def test_the_command_line_writes_the_tidy_values_the_effects_and_a_table(tmp_path, sanctioned_yaml):
    out = tmp_path / "cli"
    res = subprocess.run([sys.executable, "-m", "geosim_analysis", "compare", str(WORLD), str(sanctioned_yaml),
                          "--seeds", "2", "--horizon-end", HORIZON_END, "--outcome", "bilateral_trade",
                          "--outcome", "payment_backlog", "-o", str(out), "--geosim", geosim_bin()],
                         capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    values = pd.read_csv(out / "values.csv", dtype={"period": str})
    assert list(values.columns) == ["scenario", "replicate", "seed", "outcome", "period", "value"]
    assert set(values.scenario) == {"world", "sanctioned"}
    assert set(values.period) == {"2013", "2014", "2013-2014"}  # the default window: the whole horizon
    assert len(values) == 2 * 2 * 2 * 3
    effects = pd.read_csv(out / "effects.csv", dtype={"period": str})
    assert {"scenario", "against", "outcome", "unit", "period", "n", "mean", "lo", "hi"} <= set(effects.columns)
    assert set(effects.scenario) == {"sanctioned"} and set(effects.against) == {"world"}
    table = (out / "table.md").read_text()
    assert "| sanctioned | Russia-China payment backlog | USD bn | 2013-2014 |" in table
    assert table in res.stdout
    assert (out / "index.html").exists() and (out / "compare_payment_backlog.png").exists()


def synthetic(seeds, scenarios=("base", "a", "b"), years=range(2012, 2031)):
    """A comparison of made-up values: scenario k adds k to the reference, plus seed noise."""
    rng = np.random.default_rng(1)
    rows = []
    for k, s in enumerate(scenarios):
        for r in range(seeds):
            for y in years:
                rows.append((s, r, 100 + r, "bilateral_trade", str(y), 10 + k + rng.normal()))
    values = pd.DataFrame(rows, columns=["scenario", "replicate", "seed", "outcome", "period", "value"])
    return ga.compare.comparison_of(values, list(scenarios), {}, ["bilateral_trade"], np.arange(seeds))


@pytest.mark.parametrize("seeds,bands", [(6, True), (4, False)])
def test_bands_are_drawn_from_five_seeds_up_and_say_how_many(seeds, bands):
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection
    c = synthetic(seeds)
    fig, (a, b) = plt.subplots(1, 2)
    c.plot(a, "bilateral_trade")
    c.plot_effect(b, "bilateral_trade")
    for ax in (a, b):
        fills = [p for p in ax.collections if isinstance(p, PolyCollection)]
        assert len(fills) == (3 if ax is a else 2) * bands   # a band per scenario drawn
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert texts[-1] == (f"band: 90 % t-interval of the mean over {seeds} seeds" if bands
                             else f"no band: {seeds} seeds (fewer than 5)")
    assert a.get_ylabel() == "USD bn per year (both directions)"
    plt.close(fig)


def test_three_scenarios_give_a_figure_per_outcome_and_an_html_page(tmp_path):
    c = synthetic(5)
    paths = c.report(tmp_path)
    page = (tmp_path / "index.html").read_text()
    assert (tmp_path / "compare_bilateral_trade.png").stat().st_size > 10000
    assert 'src="compare_bilateral_trade.png"' in page
    assert page.count("<tr><td>") == 2 * 19   # two scenarios against the reference, one row per year
    assert "5 seeds" in page and paths["html"].endswith("index.html")
