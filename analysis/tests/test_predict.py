"""Predictions over posterior draws x seeds (geosim_analysis.predict): the
runs and their parameters, pairing across scenarios, bands and paired effects
on hand-made values, and bad posteriors. Runs tests/data/world.yaml cut to
2014 for 2 draws x 2 seeds per scenario (a few seconds)."""

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from conftest import ROOT, WORLD, geosim_bin

import geosim_analysis as ga
from geosim_analysis import predict as gp

DRAWS, SEEDS = 2, 2
HORIZON_END = "2014-12"
MARGIN = "parameters.risk.margin"
REOPT = "parameters.orders.reoptimise_share"
# Three draws with ids of their own; a uniform weight column is accepted.
POSTERIOR = f"draw,{MARGIN},{REOPT},weight\n10,0.1,0.2,0.25\n20,0.25,0.4,0.25\n30,0.15,0.3,0.25\n"


@pytest.fixture(scope="session")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("predict")


@pytest.fixture(scope="session")
def posterior(folder):
    path = folder / "posterior.csv"
    path.write_text(POSTERIOR)
    return path


@pytest.fixture(scope="session")
def sanctioned_yaml(folder):
    """world.yaml with USD settlement with Russia blocked from 2014-03."""
    path = folder / "sanctioned.yaml"
    path.write_text("schema_version: 1\n"
                    f"base: {WORLD}\n"
                    "name: sanctioned\n"
                    "events:\n"
                    "  - {id: usd_block, kind: financial_sanctions, start: 2014-03, by: USA, target: RUS}\n")
    return path


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "geosim_analysis", "predict", *map(str, args),
                           "--geosim", geosim_bin()], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="session")
def world_prediction(folder, posterior):
    """The world through the command line."""
    out = folder / "world.h5"
    res = cli(WORLD, "--draws", DRAWS, "--seeds", SEEDS, "-o", out, "--posterior", posterior,
              "--horizon-end", HORIZON_END, "--jobs", 2, "-q")
    assert res.returncode == 0, res.stderr
    assert f"{DRAWS} draws x {SEEDS} seeds = {DRAWS * SEEDS} runs" in res.stdout
    return out


@pytest.fixture(scope="session")
def sanctioned_prediction(folder, posterior, sanctioned_yaml):
    """The sanctioned world through the Python function."""
    p = gp.predict(sanctioned_yaml, folder / "sanctioned.h5", DRAWS, SEEDS, posterior=posterior,
                   geosim=geosim_bin(), horizon_end=HORIZON_END)
    return p.output


# ---------------------------------------------------------------------------
# The runs


def test_the_file_has_a_run_for_every_draw_and_seed(world_prediction):
    ds = gp.open_prediction(world_prediction)
    assert ds.sizes["run"] == DRAWS * SEEDS
    pairs = list(zip(ds["draw"].values.tolist(), ds["seed_index"].values.tolist()))
    draws = sorted(set(d for d, _ in pairs))
    assert len(draws) == DRAWS and set(draws) <= {10, 20, 30}
    assert sorted(pairs) == sorted((d, s) for d in draws for s in range(SEEDS))
    assert len(set(ds["seed"].values.tolist())) == DRAWS * SEEDS  # every run its own seed
    assert bool(ga.ok_runs(ds).all())


def test_each_run_has_exactly_the_values_of_its_draws_row(world_prediction):
    ds = gp.open_prediction(world_prediction)
    rows = pd.read_csv(pd.io.common.StringIO(POSTERIOR)).set_index("draw")
    names = {ds[p].attrs["key_path"]: p for p in ga.parameter_names(ds) if p != "param_draw"}
    assert set(names) == {MARGIN, REOPT}
    for i, d in enumerate(ds["draw"].values):
        for key, p in names.items():
            assert float(ds[p].values[i]) == rows.loc[int(d), key]


def test_the_draws_are_a_seeded_sample_without_replacement_nested_in_their_number():
    # Known answers: the rows with the smallest SHA-256 of "<seed>:<row>".
    assert gp.select_draws(10, 3, 20240101).tolist() == [1, 3, 7]
    assert gp.select_draws(10, 5, 20240101).tolist() == [0, 1, 3, 7, 9]
    assert gp.select_draws(10, 3, 7).tolist() == [3, 4, 7]
    assert gp.select_draws(4, 4, 1).tolist() == [0, 1, 2, 3]
    with pytest.raises(gp.PredictError, match=r"--draws 5: expected 1 to 4 \(the posterior's rows\)"):
        gp.select_draws(4, 5, 1)


def test_two_scenarios_with_the_same_draws_seeds_and_master_seed_are_paired_run_by_run(
        world_prediction, sanctioned_prediction):
    a, b = gp.open_prediction(sanctioned_prediction), gp.open_prediction(world_prediction)
    for var in ("run", "draw", "seed_index", "seed", f"param_{MARGIN.replace('.', '_')}"):
        assert a[var].values.tolist() == b[var].values.tolist(), var
    gp.check_paired(a, b)
    # Same streams: identical before the sanction starts (2014-03), different after.
    tv_a, tv_b = a.trade_value.sel(state="CHN", partner="RUS"), b.trade_value.sel(state="CHN", partner="RUS")
    assert (tv_a.sel(time="2013") == tv_b.sel(time="2013")).all()
    assert not (tv_a.sel(time="2014-12") == tv_b.sel(time="2014-12")).all()


def test_runs_that_are_not_paired_are_refused_naming_what_differs(world_prediction):
    a = gp.open_prediction(world_prediction).load()
    b = a.assign_coords(seed=("run", a["seed"].values[::-1]))
    with pytest.raises(gp.PredictError, match=r"scenario and baseline are not paired: seed differs at run 0: .*"
                                               r"\(a different master seed\?\)"):
        gp.check_paired(b, a)
    fewer = a.isel(run=[0, 1])
    with pytest.raises(gp.PredictError, match=r"not paired: 2 runs \(1 draws x 2 seeds\) against 4 "
                                               r"\(2 draws x 2 seeds\)"):
        gp.check_paired(fewer, a)
    p = f"param_{MARGIN.replace('.', '_')}"
    other = a.assign_coords({p: ("run", a[p].values + 0.01)})
    other[p].attrs = dict(a[p].attrs)
    with pytest.raises(gp.PredictError, match=rf"not paired: {MARGIN} differs at run 0 \(draw \d+\)"):
        gp.check_paired(other, a)


# ---------------------------------------------------------------------------
# Bands and effects on hand-made values


def synthetic(values, seeds=(1, 2, 3, 4)):
    """4 runs: draws 1, 1, 2, 2 x seed indices 0, 1; x(run, time) given."""
    values = np.asarray(values, float)
    return xr.Dataset({"x": (("run", "time"), values, {"units": "u", "long_name": "x"})},
                      coords={"run": np.arange(4, dtype=np.uint32),
                              "time": pd.date_range("2020-01-01", periods=values.shape[1], freq="MS"),
                              "draw": ("run", [1, 1, 2, 2]), "seed_index": ("run", [0, 1, 0, 1]),
                              "seed": ("run", np.asarray(seeds, np.uint64)),
                              "status": ("run", np.zeros(4, np.uint8))})


BASE = [[1.0, 10.0], [3.0, 20.0], [5.0, 30.0], [7.0, 40.0]]
T1 = 6.313752  # t(0.95, 1 degree of freedom)


def test_bands_give_the_median_and_percentiles_over_runs_and_the_mean_from_the_draws():
    b = gp.bands(synthetic(BASE), "x")
    first = b.isel(time=0)
    # Runs 1, 3, 5, 7: numpy's linear percentiles; draws' means 2 and 6.
    assert float(first["median"]) == 4.0
    assert float(first["predictive_lo"]) == pytest.approx(1.3)
    assert float(first["predictive_hi"]) == pytest.approx(6.7)
    assert float(first["mean"]) == 4.0
    half = T1 * np.std([2.0, 6.0], ddof=1) / np.sqrt(2)
    assert float(first["mean_lo"]) == pytest.approx(4.0 - half, rel=1e-6)
    assert float(first["mean_hi"]) == pytest.approx(4.0 + half, rel=1e-6)
    assert int(first["n"]) == 4 and int(first["n_draws"]) == 2
    assert float(b["median"].isel(time=1)) == 25.0
    assert b.attrs["draws"] == 2 and b.attrs["seeds"] == 2
    assert "predictive interval" in b["predictive_lo"].attrs["long_name"]
    assert "interval of the mean" in b["mean_lo"].attrs["long_name"].replace("t-interval", "interval")


def test_bands_reduce_over_time_and_leave_out_runs_that_did_not_finish():
    ds = synthetic(BASE)
    b = gp.bands(ds, "x", reduce="mean")
    assert float(b["median"]) == pytest.approx(np.median([5.5, 11.5, 17.5, 23.5]))
    ds["status"] = ("run", np.array([0, 0, 0, 1], np.uint8))
    b = gp.bands(ds, "x", reduce="last")
    assert int(b["n"]) == 3 and float(b["median"]) == 20.0


def test_the_effect_is_taken_run_by_run_then_summarised(tmp_path):
    base = synthetic(BASE)
    scenario = synthetic(np.asarray(BASE) + [[1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [4.0, 0.0]])
    e = gp.effect(scenario, base, "x").isel(time=0)
    # Differences 1, 2, 3, 4; the draws' mean differences 1.5 and 3.5.
    assert float(e["median"]) == 2.5
    assert float(e["predictive_lo"]) == pytest.approx(1.15)
    assert float(e["predictive_hi"]) == pytest.approx(3.85)
    assert float(e["mean"]) == 2.5
    assert float(e["mean_hi"]) - 2.5 == pytest.approx(T1 * np.std([1.5, 3.5], ddof=1) / np.sqrt(2), rel=1e-6)


def test_the_effect_refuses_files_that_are_not_paired():
    with pytest.raises(gp.PredictError, match=r"a and b are not paired: seed differs at run 2: 9 against 3"):
        gp.effect(synthetic(BASE, seeds=(1, 2, 9, 4)), synthetic(BASE), "x", names=("a", "b"))


# ---------------------------------------------------------------------------
# Real runs: effect and summary


def test_the_effect_of_a_sanction_is_the_paired_difference_of_the_runs(world_prediction, sanctioned_prediction):
    e = gp.effect(sanctioned_prediction, world_prediction, "trade_value",
                  sel=dict(state="CHN", partner="RUS", sector="machinery_electronics"), time="2014",
                  reduce="sum")
    a, b = gp.open_prediction(sanctioned_prediction), gp.open_prediction(world_prediction)
    by_hand = (a.trade_value - b.trade_value).sel(state="CHN", partner="RUS", sector="machinery_electronics",
                                                   time="2014").sum("time").values
    assert float(e["median"]) == pytest.approx(np.median(by_hand))
    assert float(e["mean"]) == pytest.approx(np.mean(by_hand))
    assert e.attrs["pairs"] == DRAWS * SEEDS


def test_the_summary_has_levels_and_paired_effects_with_draws_and_seeds(world_prediction, sanctioned_prediction):
    t = gp.summary({"world": world_prediction, "sanctioned": sanctioned_prediction},
                   ["bilateral_trade", "payment_backlog"], windows=["2013-2014"])
    assert set(t.quantity) == {"level", "effect"}
    assert set(t[t.quantity == "effect"].scenario) == {"sanctioned"}
    assert set(t.period) == {"2013", "2014", "2013-2014"}
    assert (t.draws == DRAWS).all() and (t.seeds == SEEDS).all() and (t.n == DRAWS * SEEDS).all()
    before = t[(t.quantity == "effect") & (t.period == "2013")]
    assert (before[["median", "predictive_lo", "predictive_hi", "mean"]] == 0.0).all().all()
    ok = t.dropna(subset=["median"])
    assert ((ok.predictive_lo <= ok["median"]) & (ok["median"] <= ok.predictive_hi)).all()
    md = gp.markdown(t, rows=[("sanctioned", "bilateral_trade")], period="2013-2014")
    lines = md.splitlines()
    assert lines[0].startswith("| scenario | outcome | unit | world median [90 % predictive] |")
    assert lines[2].startswith("| sanctioned | China-Russia trade | USD bn/yr | ")
    assert lines[2].endswith(f" | {DRAWS} × {SEEDS} |")


# ---------------------------------------------------------------------------
# Bad posteriors


def test_a_posterior_column_the_model_does_not_know_is_an_error_naming_it(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(f"parameters.risk.margni,{REOPT}\n0.1,0.2\n")
    res = cli(WORLD, "--draws", 1, "--seeds", 1, "-o", tmp_path / "bad.h5", "--posterior", path,
              "--horizon-end", HORIZON_END, "-q")
    assert res.returncode == 2, res.stderr
    assert res.stderr == (f"predict: {path}: column 'parameters.risk.margni', draw 0 (row 1, value 0.1): "
                          "parameters.risk.margni: unknown key 'margni' (did you mean 'margin'?)\n")
    assert not (tmp_path / "bad.h5").exists()


@pytest.mark.parametrize("header, message", [
    ("parameters risk margin", r"column 'parameters risk margin' is not a scenario key path \(expected names "
                               r"joined by '\.', with list selectors \[i\] or \[CODE\]"),
    ("events[fdpr_row.intensity", r"column 'events\[fdpr_row.intensity' is not a scenario key path"),
    ("seed", r"column 'seed' is not a model parameter"),
])
def test_a_posterior_column_that_is_not_a_key_path_is_an_error_naming_it(tmp_path, header, message):
    path = tmp_path / "bad.csv"
    path.write_text(f"{header},{REOPT}\n0.1,0.2\n")
    with pytest.raises(gp.PredictError, match=re.escape(str(path)) + ": " + message):
        gp.read_posterior(path)


def test_the_key_paths_of_the_brief_are_accepted_and_the_abc_distance_ignored(tmp_path):
    keys = ["parameters.orders.income_elasticity", "events[fdpr_row].intensity", "affinities[5].weight",
            "sectors[crude].max_discount", "states[RUS].export_capacity.crude"]
    path = tmp_path / "post.csv"
    path.write_text("draw," + ",".join(keys) + ",distance\n3," + ",".join(["0.5"] * len(keys)) + ",1.25\n")
    p = gp.read_posterior(path)
    assert p.keys == tuple(keys) and p.draws.tolist() == [3] and p.values.shape == (1, len(keys))


def test_a_value_the_model_refuses_names_the_column_and_the_draw(tmp_path):
    path = tmp_path / "negative.csv"
    path.write_text(f"{MARGIN}\n0.1\n-3\n")
    with pytest.raises(gp.PredictError, match=rf"column '{MARGIN}', draw 1 \(row 2, value -3\): {MARGIN}: "
                                               r"-3 is negative"):
        gp.predict(WORLD, tmp_path / "neg.h5", 2, 1, posterior=path, geosim=geosim_bin(), horizon_end=HORIZON_END)


@pytest.mark.parametrize("text, message", [
    (f"{MARGIN},weight\n0.1,1\n0.2,3\n", r"column 'weight': the weights are not uniform \(1 to 3\); resample"),
    (f"{MARGIN}\n0.1\nabc\n", rf"column '{MARGIN}', row 2: 'abc' is not a finite number"),
    (f"{MARGIN},{MARGIN}\n0.1,0.2\n", rf"column '{MARGIN}' appears twice"),
    (f"{MARGIN},draw\n0.1,1\n", r"column 'draw' must be the first column"),
])
def test_a_posterior_that_cannot_be_read_as_draws_is_refused(tmp_path, text, message):
    path = tmp_path / "post.csv"
    path.write_text(text)
    with pytest.raises(gp.PredictError, match=message):
        gp.read_posterior(path)


def test_a_scenario_change_at_a_posterior_key_is_reported_as_overridden():
    def with_scenario(text):
        ds = synthetic(BASE)
        ds.attrs["scenario"] = text
        ds = ds.assign_coords(param_margin=("run", [0.1, 0.1, 0.2, 0.2]))
        ds["param_margin"].attrs["key_path"] = MARGIN
        return ds
    base = with_scenario("parameters: {risk: {margin: 0.1}}\nevents: [{id: cap, cap: 60}]\n")
    same = with_scenario("parameters: {risk: {margin: 0.1}}\nevents: [{id: cap, cap: 45}]\n")
    changed = with_scenario("parameters: {risk: {margin: 0.3}}\nevents: [{id: cap, cap: 60}]\n")
    assert gp.overridden_changes(same, base) == []
    assert gp.overridden_changes(changed, base) == [(MARGIN, 0.3, 0.1)]
    with pytest.warns(UserWarning, match=rf"scenario sets {MARGIN} to 0.3 where baseline has 0.1; the "
                                         "posterior's draws replace both"):
        gp.effect(changed, base, "x")
