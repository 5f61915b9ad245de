"""Checkpoints and forks end to end (docs/sweeps.md, "Forks").

A forked run must write a file whose every dataset is bit-identical to a full
run of the same scenario; these tests compare them dataset by dataset, on the
small test world (tests/data/fork_base.yaml, a 2014-12 checkpoint) and on a
shipped counterfactual forked from a 2024-12 checkpoint of the baseline, and
check the messages that refuse a fork. By hand:
    GEOSIM_BIN=build/sim/cli/geosim /usr/bin/python3 -m pytest tests/python/test_fork.py
"""

import os
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BASE = DATA / "fork_base.yaml"
COUNTERFACTUAL = DATA / "fork_counterfactual.yaml"
SCENARIOS = ROOT / "scenarios"
CHECKPOINT = "2014-12"


def geosim(*args, check=None):
    binary = os.environ.get("GEOSIM_BIN")
    if not binary:
        pytest.fail("GEOSIM_BIN is not set (run through ctest)")
    args = [str(a) for a in args]
    if args and args[0] in ("run", "sweep"):
        args += ["--check", "-q"] if args[0] == "run" else ["--check"]
    result = subprocess.run([binary, *args], capture_output=True, text=True, timeout=900)
    if check is not None:
        assert result.returncode == check, result.stderr
    return result


def datasets(path, skip=("checkpoint",)):
    """Every dataset of a file by path: (dtype, shape, contents as bytes or strings)."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset) or name.split("/")[0] in skip:
                return
            if obj.dtype.kind == "O":
                value = [str(x) for x in obj.asstr()[()]]
            else:
                value = np.ascontiguousarray(obj[()]).tobytes()
            out[name] = (obj.dtype.str, obj.shape, value)
        f.visititems(visit)
    return out


def assert_identical(forked, full):
    a, b = datasets(forked), datasets(full)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"datasets that differ from the full run: {different}"


@pytest.fixture(scope="module")
def base_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("base") / "base.h5"
    geosim("run", BASE, "-o", out, "--threads", "2", "--checkpoint-at", CHECKPOINT, check=0)
    return out


def test_a_checkpoint_holds_the_state_and_the_scenario(base_run):
    with h5py.File(base_run, "r") as f:
        cp = f["checkpoint"]
        assert cp.attrs["month"] == CHECKPOINT
        assert cp.attrs["step"] == 23
        assert cp.attrs["seed"] == f.attrs["seed"]
        assert cp.attrs["scenario"] == f.attrs["scenario"]
        for name in ("firms.belief", "network.weight", "agg.backlog", "banks.offer", "groups.cautious"):
            assert name in cp
        assert cp["firms.belief"].shape == f["snapshots/2014-06/size"].shape
    info = geosim("info", base_run, check=0).stdout
    assert f"checkpoint  {CHECKPOINT}, 85 state arrays (geosim run --fork-from)" in info


def test_a_checkpoint_leaves_the_run_s_other_datasets_unchanged(base_run, tmp_path):
    plain = tmp_path / "plain.h5"
    geosim("run", BASE, "-o", plain, "--threads", "1", check=0)
    assert_identical(base_run, plain)


def test_a_fork_of_the_same_scenario_is_the_full_run(base_run, tmp_path):
    forked = tmp_path / "forked.h5"
    geosim("run", BASE, "-o", forked, "--fork-from", base_run, check=0)
    assert_identical(forked, base_run)


def test_a_forked_counterfactual_is_bit_identical_to_its_full_run(base_run, tmp_path):
    full, forked = tmp_path / "full.h5", tmp_path / "forked.h5"
    geosim("run", COUNTERFACTUAL, "-o", full, "--threads", "2", check=0)
    geosim("run", COUNTERFACTUAL, "-o", forked, "--threads", "1", "--fork-from", base_run, check=0)
    assert_identical(forked, full)
    # The counterfactual does differ from the base after the checkpoint.
    with h5py.File(full, "r") as f, h5py.File(base_run, "r") as g:
        assert not np.array_equal(f["trade_value"][()], g["trade_value"][()])
        assert np.array_equal(f["trade_value"][:24], g["trade_value"][:24])


def test_a_fork_can_store_a_later_checkpoint(base_run, tmp_path):
    forked, full = tmp_path / "forked.h5", tmp_path / "full.h5"
    geosim("run", COUNTERFACTUAL, "-o", forked, "--fork-from", base_run, "--checkpoint-at", "2015-12", check=0)
    geosim("run", COUNTERFACTUAL, "-o", full, "--checkpoint-at", "2015-12", check=0)
    a, b = datasets(forked, skip=()), datasets(full, skip=())
    assert a == b


def refused(base_run, tmp_path, *args):
    out = tmp_path / "refused.h5"
    result = geosim("run", *args, "-o", out, "--fork-from", base_run)
    assert result.returncode == 2, result.stderr
    assert not out.exists() and not list(tmp_path.glob("refused.h5.tmp-*"))
    return result.stderr


def test_a_fork_is_refused_when_an_event_before_the_checkpoint_differs(base_run, tmp_path):
    err = refused(base_run, tmp_path, BASE, "--set", "events[fork_finance].intensity=0.3")
    assert "intensity: 0.29999999999999999 here, 0.20000000000000001 in the run that stored the checkpoint" in err
    assert f"cannot fork from {base_run} (checkpoint {CHECKPOINT})" in err


def test_a_fork_is_refused_when_an_event_ends_before_the_checkpoint(base_run, tmp_path):
    err = refused(base_run, tmp_path, BASE, "--set", "events[fork_finance].end=2014-10")
    assert ".end: 2014-10-01 here, absent in the run that stored the checkpoint" in err
    assert "an end may differ only when both fall after 2014-12" in err


def test_a_fork_is_refused_when_a_parameter_differs(base_run, tmp_path):
    err = refused(base_run, tmp_path, BASE, "--set", "parameters.risk.margin=0.2")
    assert "parameters.risk.margin: 0.20000000000000001 here, 0.10000000000000001 in the run" in err


def test_a_fork_is_refused_when_the_horizon_starts_in_another_month(base_run, tmp_path):
    err = refused(base_run, tmp_path, BASE, "--set", "horizon.start=2013-02")
    assert "horizon.start: 2013-02 here, 2013-01 in the run that stored the checkpoint" in err


def test_a_fork_is_refused_when_a_later_path_point_moves_earlier_months(base_run, tmp_path):
    # The machinery price runs from 2013-01 to a point in 2030: moving that
    # point changes every month in between, the checkpoint's past included.
    err = refused(base_run, tmp_path, BASE, "--set", "sectors[machinery_electronics].price=[[2013-01, 1.0], [2030-12, 1.5]]")
    assert "sectors[3].price[1]: 2030-12: 1.5 here, 2030-12: 1.25 in the run that stored the checkpoint" in err
    assert "the path's values up to 2014-12 interpolate toward it" in err


def test_a_fork_is_refused_when_a_later_event_adds_a_target(base_run, tmp_path):
    cf = tmp_path / "new_target.yaml"
    cf.write_text(f"schema_version: 1\nbase: {BASE}\nevents:\n"
                  "  - {id: late, kind: export_control, start: 2016-01, by: USA, target: TUR, intensity: 0.5}\n")
    err = refused(base_run, tmp_path, cf)
    assert "target: TUR is a target of export_control only here: that gives its importers hub routes" in err


def test_a_fork_is_refused_with_another_seed(base_run, tmp_path):
    err = refused(base_run, tmp_path, COUNTERFACTUAL, "--seed", "7")
    assert "seed: 7 here, 20130101 in the run that stored the checkpoint" in err and "pass --seed 20130101" in err


def test_a_fork_is_refused_from_a_file_without_a_checkpoint(tmp_path):
    plain = tmp_path / "plain.h5"
    geosim("run", BASE, "-o", plain, check=0)
    err = refused(plain, tmp_path, COUNTERFACTUAL)
    assert "holds no checkpoint: run the base scenario with --checkpoint-at YYYY-MM" in err


def test_a_checkpoint_month_outside_the_horizon_is_refused(tmp_path):
    result = geosim("run", BASE, "-o", tmp_path / "x.h5", "--checkpoint-at", "2019-01")
    assert result.returncode == 2
    assert "--checkpoint-at 2019-01: is outside the horizon (2013-01 to 2016-12)" in result.stderr


def test_a_forked_sweep_shares_the_base_s_history(base_run, tmp_path):
    sweep = tmp_path / "fork_sweep.yaml"
    sweep.write_text(f"sweep_version: 1\nname: fork_sweep\nbase: {COUNTERFACTUAL}\nseed: 5\n"
                     "parameters:\n  - {key: 'events[fork_secondary].intensity', name: secondary, values: [0.2, 0.9]}\n")
    out = tmp_path / "sweep.h5"
    geosim("sweep", sweep, "-o", out, "--jobs", "2", "--fork-from", base_run, check=0)
    with h5py.File(out, "r") as s:
        assert list(s["seed"][()]) == [20130101, 20130101]
        for r, value in enumerate((0.2, 0.9)):
            single = tmp_path / f"run{r}.h5"
            geosim("run", COUNTERFACTUAL, "--set", f"events[fork_secondary].intensity={value}", "-o", single, check=0)
            with h5py.File(single, "r") as f:
                for name in s.attrs["run_variables"]:
                    assert np.array_equal(s[name][r], f[name][()], equal_nan=True), name


def test_a_forked_sweep_on_mpi_ranks_is_the_local_forked_sweep(base_run, tmp_path):
    # Every rank reads the base file's checkpoint itself (sim/cli/fork.cpp);
    # the runs it hands out must be those of a local forked sweep.
    mpi_bin = os.environ.get("GEOSIM_MPI_BIN")
    if not mpi_bin or not shutil.which("mpirun"):
        pytest.skip("no MPI build of geosim (GEOSIM_MPI_BIN) or no mpirun")
    sweep = tmp_path / "fork_sweep.yaml"
    sweep.write_text(f"sweep_version: 1\nname: fork_sweep\nbase: {COUNTERFACTUAL}\nseed: 5\n"
                     "parameters:\n  - {key: 'events[fork_secondary].intensity', name: secondary, values: [0.2, 0.5, 0.9]}\n")
    local = tmp_path / "local.h5"
    geosim("sweep", sweep, "-o", local, "--jobs", "2", "--fork-from", base_run, check=0)
    env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe="1")
    if "ASAN_OPTIONS" in env:  # as in tests/sweep/test_sweep.py: OpenMPI's leaks need whole stacks
        env["ASAN_OPTIONS"] += ":fast_unwind_on_malloc=0"
    out = tmp_path / "mpi.h5"
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2", mpi_bin,
           "sweep", str(sweep), "-o", str(out), "--fork-from", str(base_run), "--check"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "on 2 MPI ranks" in p.stdout
    with h5py.File(local, "r") as a, h5py.File(out, "r") as b:
        names = list(a.attrs["run_variables"])
        assert names and list(b.attrs["run_variables"]) == names
        for name in names + ["seed"]:
            assert np.array_equal(a[name][()], b[name][()], equal_nan=True), name


def test_a_forked_sweep_refuses_a_run_that_differs_before_the_checkpoint(base_run, tmp_path):
    sweep = tmp_path / "bad_sweep.yaml"
    sweep.write_text(f"sweep_version: 1\nname: bad\nbase: {COUNTERFACTUAL}\n"
                     "parameters:\n  - {key: 'events[fork_finance].intensity', name: finance, values: [0.2, 0.5]}\n")
    result = geosim("sweep", sweep, "-o", tmp_path / "bad.h5", "--fork-from", base_run)
    assert result.returncode == 2
    assert "intensity: 0.5 here, 0.20000000000000001 in the run that stored the checkpoint" in result.stderr


def test_a_forked_sweep_refuses_replicates(base_run, tmp_path):
    sweep = tmp_path / "replicated.yaml"
    sweep.write_text(f"sweep_version: 1\nname: replicated\nbase: {COUNTERFACTUAL}\nreplicates: 2\n"
                     "parameters:\n  - {key: 'events[fork_secondary].intensity', name: secondary, values: [0.2]}\n")
    result = geosim("sweep", sweep, "-o", tmp_path / "r.h5", "--fork-from", base_run)
    assert result.returncode == 2
    assert "replicates: 2 replicates of a forked sweep would be identical" in result.stderr


def test_a_forked_sweep_does_not_resume_the_parts_of_an_unforked_one(base_run, tmp_path):
    sweep = tmp_path / "resumed.yaml"
    sweep.write_text(f"sweep_version: 1\nname: resumed\nbase: {COUNTERFACTUAL}\n"
                     "parameters:\n  - {key: 'events[fork_secondary].intensity', name: secondary, values: [0.2]}\n")
    out = tmp_path / "resumed.h5"
    geosim("sweep", sweep, "-o", out, "--keep-parts", check=0)
    out.unlink()
    result = geosim("sweep", sweep, "-o", out, "--resume", "--fork-from", base_run)
    assert result.returncode == 2
    assert "belongs to another sweep" in result.stderr


# The shipped counterfactuals that change the baseline only after 2024 fork
# from its 2024-12 checkpoint; the others are refused, naming why.
FORKABLE = ["china_dual_use_cutoff", "eu_embargo_lifted_2025", "india_withdraws", "price_cap_tightened"]
REFUSED = {
    "china_big_banks_withdraw": "events[",
    "enforcement_escalates": "parameters.adaptive.escalation",
    "no_secondary_sanctions": "events",
    "secondary_doubled_2024": "events[",
}


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("baseline") / "baseline.h5"
    geosim("run", SCENARIOS / "baseline.yaml", "-o", out, "--threads", "2", "--checkpoint-at", "2024-12", check=0)
    return out


def test_every_shipped_counterfactual_either_forks_or_is_refused_naming_why(baseline_run, tmp_path):
    for name in FORKABLE + list(REFUSED):
        assert (SCENARIOS / f"{name}.yaml").exists()
    shipped = {p.stem for p in SCENARIOS.glob("*.yaml")} - {"baseline"}
    assert shipped == set(FORKABLE) | set(REFUSED)
    for name, key in REFUSED.items():
        err = refused(baseline_run, tmp_path, SCENARIOS / f"{name}.yaml")
        assert key in err and "cannot fork from" in err, err


def test_a_shipped_counterfactual_forked_from_the_baseline_is_its_full_run(baseline_run, tmp_path):
    full, forked = tmp_path / "full.h5", tmp_path / "forked.h5"
    scenario = SCENARIOS / "price_cap_tightened.yaml"
    geosim("run", scenario, "-o", full, "--threads", "2", check=0)
    geosim("run", scenario, "-o", forked, "--threads", "2", "--fork-from", baseline_run, check=0)
    assert_identical(forked, full)
