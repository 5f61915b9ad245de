"""geosim_analysis.experiments: the EMA Workbench's (experiments, outcomes)
layout from a sweep run through geosim's sweep machinery."""

from pathlib import Path

import numpy as np
import pytest

import geosim_analysis as ga
from geosim_analysis.experiments import sweep_text

ROOT = Path(__file__).resolve().parents[2]
WORLD = ROOT / "tests" / "data" / "world.yaml"


def test_sweep_text_samples_uncertainties_and_lists_levers():
    import yaml
    doc = yaml.safe_load(sweep_text({"margin": ("parameters.risk.margin", 0.05, 0.3)},
                                    {"tolerance": ("parameters.risk.tolerance_scale", 0.5, 2.0)},
                                    n=8, replicates=2, scenario=WORLD, policies=3))
    assert doc["samples"] == 8 and doc["replicates"] == 2 and doc["combination"] == "factorial"
    assert doc["parameters"][0] == {"key": "parameters.risk.margin", "name": "margin",
                                    "lhs": {"min": 0.05, "max": 0.3}}
    assert doc["parameters"][1]["values"] == [0.5, 1.25, 2.0]
    assert doc["base"] == str(WORLD)


def test_bad_uncertainty_is_refused_before_running():
    with pytest.raises(ValueError, match="min 0.3 is not below max 0.1"):
        sweep_text({"margin": ("parameters.risk.margin", 0.3, 0.1)}, None, 4, 1, WORLD)


@pytest.fixture(scope="module")
def result():
    return ga.experiments({"margin": ("parameters.risk.margin", 0.05, 0.3)},
                          {"tolerance": ("parameters.risk.tolerance_scale", [0.5, 1.0])},
                          n=2, replicates=1, scenario=WORLD, seed=5,
                          outcomes={"share": ("trade_share", {"state": "RUS", "partner": "CHN"}),
                                    "share_2016": lambda ds: ds["trade_share"].sel(
                                        state="RUS", partner="CHN", time="2016").mean("time")})


def test_experiments_have_one_row_per_run_with_ema_columns(result):
    x, _ = result
    assert len(x) == 4
    for column in ("margin", "tolerance", "scenario", "policy", "model", "replicate", "seed"):
        assert column in x.columns
    assert set(x["model"]) == {"geosim"}
    assert sorted(set(x["tolerance"])) == [0.5, 1.0]
    # two uncertainty samples x two policies, every combination once
    assert sorted(zip(x["scenario"], x["policy"])) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert ((x["margin"] >= 0.05) & (x["margin"] < 0.3)).all()


def test_outcomes_are_arrays_per_experiment(result):
    x, y = result
    assert y["share"].shape == (4, 48)
    assert y["share_2016"].shape == (4,)
    assert y["TIME"].shape == (4, 48)
    np.testing.assert_allclose(y["share_2016"], y["share"][:, 36:].mean(axis=1))
