"""Fixtures for the analysis tests: small real runs (geosim on
tests/data/world.yaml, 24 months), sweep files in the sweep layout built from
them, and a tiny hand-made run file with values simple enough to compute by
hand.

ctest passes the simulator in GEOSIM_BIN. By hand:
    GEOSIM_BIN=build/sim/cli/geosim PYTHONPATH=analysis /usr/bin/python3 -m pytest analysis/tests
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "analysis"))

import geosim_analysis as ga  # noqa: E402

WORLD = ROOT / "tests" / "data" / "world.yaml"
# 24 months keep a run at ~0.1 s; the snapshot month is set so that whatever
# the world file lists stays inside the horizon.
SHORT = ["--set", "horizon.end=2014-12", "--set", "output={snapshots: [2014-06]}"]
MARGIN = "parameters.risk.margin"
REOPT = "parameters.orders.reoptimise_share"


def geosim_bin():
    program = os.environ.get("GEOSIM_BIN")
    if not program:
        pytest.fail("GEOSIM_BIN is not set (run through ctest, or set it to build/sim/cli/geosim)")
    return program


def run_many(jobs, parallel=2):
    """jobs: list of (output path, [--set args], seed or None); runs geosim two at a time."""
    program = geosim_bin()
    pending = list(jobs)
    while pending:
        batch, pending = pending[:parallel], pending[parallel:]
        procs = []
        for out, sets, seed in batch:
            cmd = [program, "run", str(WORLD), "-o", str(out), "--force", "-q", "--threads", "1"] + SHORT
            for s in sets:
                cmd += ["--set", s]
            if seed is not None:
                cmd += ["--seed", str(seed)]
            procs.append((cmd, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                text=True)))
        for cmd, p in procs:
            out, err = p.communicate()
            assert p.returncode == 0, f"{' '.join(cmd)} failed: {err}"


def write_sweep(ds: xr.Dataset, path, attrs=None):
    """Writes a stacked Dataset in the sweep file layout: param_*, seed, status
    and error as data variables over `run`."""
    ds = ds.reset_coords([c for c in ds.coords if ds[c].dims == ("run",) and c != "run"])
    ds = ds.drop_vars([v for v in ("price_unit",) if v in ds.variables])
    ds.attrs.update(attrs or {})
    ds.attrs.setdefault("geosim_version", "test")
    ds.to_netcdf(path, engine="h5netcdf")
    return path


@pytest.fixture(scope="session")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("analysis")


@pytest.fixture(scope="session")
def run_path(out_dir):
    path = out_dir / "world.h5"
    run_many([(path, [], None)])
    return path


@pytest.fixture(scope="session")
def run_b_path(out_dir):
    """A second scenario: a financial sanction on RUS from 2014-03 (USD blocked)."""
    path = out_dir / "world_sanctioned.h5"
    event = ("events=[{id: usd_block, kind: financial_sanctions, start: 2014-03, by: USA, target: RUS},"
             " {id: dual_use, kind: export_control, start: 2014-03, by: EU, target: RUS,"
             " sectors: [machinery_electronics], intensity: 0.8}]")
    run_many([(path, [event, "name=sanctioned"], None)])
    return path


@pytest.fixture(scope="session")
def grid_sweep_path(out_dir):
    """2 x 2 parameter grid x 2 replicates (seeds) = 8 real runs, stacked."""
    jobs, params = [], {MARGIN: [], REOPT: []}
    for margin in (0.05, 0.3):
        for reopt in (0.05, 0.5):
            for seed in (11, 12):
                path = out_dir / f"grid_{margin}_{reopt}_{seed}.h5"
                jobs.append((path, [f"{MARGIN}={margin}", f"{REOPT}={reopt}"], seed))
                params[MARGIN].append(margin)
                params[REOPT].append(reopt)
    run_many(jobs)
    ds = ga.combine_runs([j[0] for j in jobs], params)
    return write_sweep(ds, out_dir / "grid_sweep.h5", {"sweep_name": "grid"})


@pytest.fixture(scope="session")
def sobol_sweep_path(out_dir):
    """A Saltelli design over two parameters with N = 4 base samples (16 runs)."""
    rng = np.random.default_rng(7)
    lo = np.array([0.05, 0.05])
    hi = np.array([0.3, 0.5])
    n, k = 4, 2
    a = lo + (hi - lo) * rng.random((n, k))
    b = lo + (hi - lo) * rng.random((n, k))
    matrices = [a, b] + [np.where(np.arange(k) == i, b, a) for i in range(k)]
    jobs, matrix, sample, values = [], [], [], []
    for m, x in enumerate(matrices):
        for s in range(n):
            path = out_dir / f"sobol_{m}_{s}.h5"
            jobs.append((path, [f"{MARGIN}={x[s, 0]:.6f}", f"{REOPT}={x[s, 1]:.6f}"], 5))
            matrix.append(m)
            sample.append(s)
            values.append(x[s])
    run_many(jobs)
    values = np.array(values)
    ds = ga.combine_runs([j[0] for j in jobs], {MARGIN: values[:, 0], REOPT: values[:, 1]})
    ds = ds.assign_coords(sobol_matrix=("run", np.array(matrix, np.int32)),
                          sobol_sample=("run", np.array(sample, np.int32)))
    names = [ga.param_variable_name(MARGIN)[6:], ga.param_variable_name(REOPT)[6:]]
    return write_sweep(ds, out_dir / "sobol_sweep.h5", {"sobol_parameters": names, "sweep_name": "sobol"})


# ---------------------------------------------------------------------------
# The tiny hand-made file

TINY_STATES = ["RUS", "CHN", "EU"]
TINY_SECTORS = ["crude", "goods"]
TINY_CURRENCIES = ["USD", "CNY"]


def tiny_dataset():
    """18 months (2020-01 .. 2021-06). trade_value[t, i, j, k] = (t + 1) *
    base[i, j, k] USD/month with base = 100 * (1 + i) + 10 * j + k (zero on
    the diagonal), so yearly sums are base * (sum of t + 1 over the year)."""
    months = pd.date_range("2020-01-01", periods=18, freq="MS")
    ns, nk = len(TINY_STATES), len(TINY_SECTORS)
    i, j, k = np.meshgrid(np.arange(ns), np.arange(ns), np.arange(nk), indexing="ij")
    base = (100.0 * (1 + i) + 10.0 * j + k) * (i != j)
    t = np.arange(18).reshape(-1, 1, 1, 1)
    trade = (t + 1) * base[None]
    tv = trade.sum(axis=3)
    total = tv.sum(axis=2) + tv.sum(axis=1)                       # (t, state)
    share = (tv + tv.transpose(0, 2, 1)) / total[:, :, None]
    lev = np.full((18, ns, ns), 0.5)
    lev[:, 0, 1] = np.linspace(0.5, 0.9, 18)                      # CHN over RUS
    lev[:, 1, 0] = 1 - lev[:, 0, 1]
    disc = np.zeros((18, ns, ns, nk))
    disc[:, 0, 1, 0] = 0.2                                       # RUS crude to CHN
    disc[:, 0, 2, 0] = 0.1                                       # RUS crude to EU
    settle = np.zeros((18, ns, ns, 2))
    settle[..., 0] = 0.75
    settle[..., 1] = 0.25
    cautious = np.zeros((18, ns, nk))
    cautious[:, 1, 1] = np.arange(18) / 17
    banks = np.zeros((18, ns))
    banks[:, 1] = 0.4
    dims3 = ("time", "state", "partner")
    ds = xr.Dataset(
        {
            "trade_value": (dims3 + ("sector",), trade, {"units": "USD month-1", "long_name": "exports"}),
            "trade_share": (dims3, share, {"units": "1", "long_name": "partner's share"}),
            "leverage": (dims3, lev, {"units": "1", "long_name": "leverage, bounded"}),
            "leverage_ratio": (dims3, lev / (1 - lev), {"units": "1", "long_name": "leverage, ratio"}),
            "discount": (dims3 + ("sector",), disc, {"units": "1", "long_name": "discount"}),
            "discount_price": (dims3 + ("sector",), disc * 50.0,
                               {"units": "price_unit", "long_name": "discount in money"}),
            "settlement_share": (dims3 + ("currency",), settle, {"units": "1", "long_name": "currency shares"}),
            "cautious_share": (("time", "state", "sector"), cautious, {"units": "1", "long_name": "cautious"}),
            "cautious_bank_share": (("time", "state"), banks, {"units": "1", "long_name": "cautious banks"}),
            "energy_revenue": (("time", "state"), np.ones((18, ns)) * 1e9, {"units": "USD month-1",
                                                                           "long_name": "energy revenue"}),
        },
        coords={"time": months, "state": TINY_STATES, "partner": TINY_STATES, "sector": TINY_SECTORS,
                "currency": TINY_CURRENCIES},
        attrs={"geosim_version": "test", "scenario_name": "tiny", "seed": 1,
               "scenario": "schema_version: 1\nname: tiny\nsectors:\n  - {code: crude, price_unit: USD/bbl}\n"
                           "  - {code: goods}\n"},
    )
    return ds


@pytest.fixture(scope="session")
def tiny_path(out_dir):
    path = out_dir / "tiny.h5"
    ds = tiny_dataset()
    ds.to_netcdf(path, engine="h5netcdf",
                 encoding={"time": {"units": "days since 2020-01-01", "calendar": "standard"}})
    return path
