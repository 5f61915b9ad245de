"""The estimation's pieces on synthetic data: the estimation file, tied
parameters, the sweep of listed points, emulators and implausibility, the
region of the next wave and the posterior summary. No simulator runs here:
scenarios/data/estimation.yaml is run by hand (docs/calibration.md)."""
import numpy as np
import pandas as pd
import pytest
import yaml

from geosim_analysis import estimate as E
from geosim_analysis.calibration import Target


def est_doc(tmp_path, **over):
    doc = {
        "estimation_version": 1, "targets": "t.yaml", "scenario": "s.yaml", "search_scenario": "s.yaml",
        "free_parameters": [{"key": "parameters.a", "name": "a", "min": 0.0, "max": 1.0},
                            {"key": "events[x].intensity", "name": "b", "min": 2.0, "max": 4.0}],
        "tied": [{"key": "events[y].intensity", "from": "b", "factor": 0.5}],
        "waves": [{"samples": 10, "seed": 1}],
    }
    doc.update(over)
    p = tmp_path / "est.yaml"
    p.write_text(yaml.safe_dump(doc))
    return p


def test_estimation_file_paths_defaults_and_errors(tmp_path):
    est = E.load_estimation(est_doc(tmp_path))
    assert est["targets"] == str(tmp_path / "t.yaml")
    assert est["cutoff"] == 3.0 and est["implausibility_rank"] == 3
    with pytest.raises(ValueError, match="min must be < max"):
        E.load_estimation(est_doc(tmp_path, free_parameters=[{"key": "k", "name": "a", "min": 1, "max": 1}]))
    with pytest.raises(ValueError, match="'from' must name a free parameter"):
        E.load_estimation(est_doc(tmp_path, tied=[{"key": "k", "from": "nope"}]))
    with pytest.raises(ValueError, match="not an estimation file"):
        E.load_estimation(est_doc(tmp_path, estimation_version=2))


def test_tied_keys_follow_their_parameter(tmp_path):
    est = E.load_estimation(est_doc(tmp_path))
    keys = E.with_tied(est, pd.DataFrame({"a": [0.1, 0.2], "b": [2.0, 3.0]}))
    assert list(keys.columns) == ["parameters.a", "events[x].intensity", "events[y].intensity"]
    assert keys["events[y].intensity"].tolist() == [1.0, 1.5]


def test_points_sweep_lists_every_point_in_one_zip_group(tmp_path):
    est = E.load_estimation(est_doc(tmp_path))
    pts = E.with_tied(est, pd.DataFrame({"a": [0.1, 0.2, 0.3], "b": [2.0, 3.0, 4.0]}))
    path = tmp_path / "w.sweep.yaml"
    E.write_points_sweep(path, "w", tmp_path / "s.yaml", pts, replicates=2, seed=7, horizon_end="2024-12")
    doc = yaml.safe_load(path.read_text())
    assert doc["replicates"] == 2 and doc["seed"] == 7 and doc["base"] == "w.scenario.yaml"
    (group,) = doc["parameters"]
    assert [g["key"] for g in group["zip"]] == list(pts.columns)
    assert group["zip"][2]["values"] == [1.0, 1.5, 2.0]
    assert "horizon: {end: 2024-12}" in (tmp_path / "w.scenario.yaml").read_text()


def toy(est, n, seed, f):
    pts = E.lhs(est, n, seed)
    runs = pts.copy()
    runs["m"] = f(pts["a"], pts["b"])
    runs["s"] = pts["a"] - 0.5
    return runs


def test_emulators_rule_out_what_the_data_exclude(tmp_path):
    # The moment is 10 a + b; the data say 7 +- 1 (band 2): a far from 0.3 at b = 4
    # is ruled out, and so on. The sign target wants a - 0.5 > 0.
    est = E.load_estimation(est_doc(tmp_path))
    runs = toy(est, 80, 3, lambda a, b: 10 * a + b)
    targets = [Target("m", "m", "2013", 7.0, "USD", 2.0, "x"), Target("s", "m", "2013", 1.0, "sign", 0.05, "x")]
    em = E.Emulators(est, runs, targets, seed=1)
    probe = pd.DataFrame({"a": [0.3, 0.9, 0.6], "b": [4.0, 2.0, 2.0]})
    imp = em.implausibility(est, probe)
    assert imp[0, 0] < 1 and imp[1, 0] > 3                     # 7 = 10 * 0.3 + 4; 11 is two bands off
    assert imp[0, 1] > 3 and imp[2, 1] < 1                     # a = 0.3 has the wrong sign, a = 0.6 the right one
    # The next wave's points are all in the region the emulators keep.
    est["implausibility_rank"] = 1
    pts, share = E.draw_region(est, [em], runs, 30, seed=5)
    assert len(pts) == 30 and 0 < share < 1
    assert (E.kth_largest(em.implausibility(est, pts), 1) <= 3).all()
    # |10 a + b - 7| <= 3 sigma = 3 (band 2), a - 0.5 >= -3 x 0.025 (sign band 0.05); emulator error on top
    assert (np.abs(10 * pts["a"] + pts["b"] - 7) < 3.5).all() and (pts["a"] > 0.4).all()


def test_posterior_summary_says_what_the_data_pin_down(tmp_path):
    est = E.load_estimation(est_doc(tmp_path))
    rng = np.random.default_rng(0)
    accepted = pd.DataFrame({"a": rng.uniform(0.0, 1.0, 400), "b": rng.normal(3.0, 0.05, 400)})
    summ = E.posterior_summary(est, accepted, epsilon=1.0).set_index("name")
    assert summ.loc["a", "pinned"].startswith("no")            # uniform over its prior: the data say nothing
    assert summ.loc["b", "pinned"] == "yes"
    assert summ.loc["b", "median"] == pytest.approx(3.0, abs=0.02)
    assert summ.loc["b", "q05"] < 3.0 < summ.loc["b", "q95"]


def test_the_posterior_median_is_written_in_place_with_its_tied_copies(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("parameters:\n  a: 0.5   # fitted\nevents:\n"
                        "  - {id: x, intensity: 3.0}\n  - {id: y, intensity: 1.5}   # half of x's\n")
    est_doc(tmp_path)
    post = tmp_path / "posterior.csv"
    pd.DataFrame({"draw": [0, 1, 2], "parameters.a": [0.1, 0.2, 0.9], "events[x].intensity": [2.0, 2.5, 3.5],
                  "events[y].intensity": [1.0, 1.25, 1.75]}).to_csv(post, index=False)
    written = E.apply_median(tmp_path / "est.yaml", post)
    assert written == {"parameters.a": "0.2", "events[x].intensity": "2.5", "events[y].intensity": "1.25"}
    text = scenario.read_text()
    assert "a: 0.2   # fitted" in text and "{id: y, intensity: 1.25}   # half of x's" in text
