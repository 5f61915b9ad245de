"""open_run / open_sweep / combine_runs on real geosim output."""

import re
import subprocess

import h5py
import numpy as np
import pytest
import xarray as xr

import geosim_analysis as ga
from conftest import MARGIN, ROOT, geosim_bin, write_sweep

# docs/output-schema.md: variable -> (dims after time, units)
SCHEMA = {
    "trade_value": (("state", "partner", "sector"), "USD month-1"),
    "trade_value_via_hub": (("state", "partner", "sector"), "USD month-1"),
    "dual_use_trade": (("state", "partner", "route"), "USD month-1"),
    "trade_share": (("state", "partner"), "1"),
    "leverage": (("state", "partner"), "1"),
    "hhi": (("state",), "1"),
    "discount": (("state", "partner", "sector"), "1"),
    "settlement_share": (("state", "partner", "currency"), "1"),
    "cautious_share": (("state", "sector"), "1"),
    "cautious_bank_share": (("state",), "1"),
    "payment_backlog": (("state", "partner"), "USD"),
    "energy_revenue": (("state",), "USD month-1"),
}


@pytest.fixture(scope="module")
def run(run_path):
    return ga.open_run(run_path)


def test_open_run_has_the_dimensions_geosim_wrote(run):
    assert dict(run.sizes) == {"time": 24, "nv": 2, "state": 11, "partner": 11, "sector": 5, "currency": 4,
                               "route": 2}
    assert "time_bnds" in run.coords and "time_bnds" not in run.data_vars
    assert run["state"].values.tolist() == ["RUS", "CHN", "USA", "EU", "IND", "TUR", "G7X", "HKG", "ARE", "KAZ",
                                            "ROW"]
    assert run["partner"].values.tolist() == run["state"].values.tolist()
    assert all(type(s) is str for s in run["sector"].values.tolist())


def test_time_is_month_starts(run):
    assert run["time"].dtype == np.dtype("datetime64[ns]")
    assert str(run["time"].values[0])[:10] == "2013-01-01"
    assert str(run["time"].values[-1])[:10] == "2014-12-01"
    assert run["time"].attrs["long_name"]


def test_variables_carry_dims_and_units(run):
    for name, (dims, units) in SCHEMA.items():
        assert run[name].dims == ("time",) + dims, name
        assert run[name].attrs["units"] == units, name
        assert run[name].attrs["long_name"], name


def test_sector_price_units_come_from_the_scenario(run):
    assert run["price_unit"].sel(sector="crude").item() == "USD/bbl"
    assert run["price_unit"].dims == ("sector",)


def test_values_are_the_ones_in_the_hdf5_file(run, run_path):
    with h5py.File(run_path, "r") as f:
        for name in ("trade_value", "trade_share", "discount", "settlement_share", "energy_revenue"):
            np.testing.assert_array_equal(run[name].values, f[name][...], err_msg=name)


def test_values_match_geosim_info_headline_numbers(run, run_path):
    info = subprocess.run([geosim_bin(), "info", str(run_path)], check=True, capture_output=True,
                          text=True).stdout
    rus_chn = float(re.search(r"trade_share RUS -> CHN\s+([0-9.]+)", info).group(1))
    chn_rus = float(re.search(r"trade_share CHN -> RUS\s+([0-9.]+)", info).group(1))
    revenue = float(re.search(r"energy_revenue RUS\s+([0-9.]+) USD bn/yr", info).group(1))
    last = run.isel(time=-1)
    assert ga.partner_share(last, "RUS", "CHN").item() == pytest.approx(rus_chn, abs=5e-5)
    assert ga.partner_share(last, "CHN", "RUS").item() == pytest.approx(chn_rus, abs=5e-5)
    assert last["energy_revenue"].sel(state="RUS").item() * 12 / 1e9 == pytest.approx(revenue, abs=5e-3)


def test_trade_share_in_the_file_equals_the_share_recomputed_from_trade_value(run):
    for state in ("RUS", "CHN", "ROW"):
        for partner in ("CHN", "EU", "ROW"):
            tv = run["trade_value"].sum("sector")
            pair = tv.sel(state=state, partner=partner) + tv.sel(state=partner, partner=state)
            expected = pair / ga.total_trade(run, state)
            np.testing.assert_allclose(ga.partner_share(run, state, partner).values, expected.values,
                                       rtol=1e-12, atol=1e-15)


def test_open_run_rejects_a_file_that_is_not_geosim_output(out_dir):
    path = out_dir / "other.h5"
    xr.Dataset({"x": ("t", [1.0])}).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(ValueError, match="not a geosim output file"):
        ga.open_run(path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        ga.open_run(out_dir / "missing.h5")


def test_open_sweep_puts_run_in_front_and_parameters_on_run(grid_sweep_path):
    sweep = ga.open_sweep(grid_sweep_path)
    assert sweep.sizes["run"] == 8
    assert sweep["trade_share"].dims == ("run", "time", "state", "partner")
    assert sweep["trade_value"].attrs["units"] == "USD month-1"
    assert ga.parameter_names(sweep) == ["param_parameters_risk_margin", "param_parameters_orders_reoptimise_share"]
    assert sweep["param_parameters_risk_margin"].values.tolist() == [0.05] * 4 + [0.3] * 4
    assert ga.parameter_label(sweep, "param_parameters_risk_margin") == MARGIN
    assert sweep["seed"].values.tolist() == [11, 12] * 4
    assert ga.ok_runs(sweep).values.all()
    # a selection keeps the parameters with the runs
    assert sweep.isel(run=[5])["param_parameters_orders_reoptimise_share"].values.tolist() == [0.05]


def test_open_sweep_runs_are_the_run_files(grid_sweep_path, out_dir):
    sweep = ga.open_sweep(grid_sweep_path)
    one = ga.open_run(out_dir / "grid_0.3_0.5_12.h5")
    np.testing.assert_array_equal(sweep["trade_value"].isel(run=7).values, one["trade_value"].values)
    picked = ga.open_run(grid_sweep_path, run=7)
    np.testing.assert_array_equal(picked["discount"].values, one["discount"].values)
    with pytest.raises(ValueError, match="is a sweep"):
        ga.open_run(grid_sweep_path)
    with pytest.raises(ValueError, match="not a sweep file"):
        ga.open_sweep(out_dir / "grid_0.3_0.5_12.h5")


def test_replicates_share_a_parameter_point(grid_sweep_path):
    sweep = ga.open_sweep(grid_sweep_path)
    assert ga.parameter_points(sweep).values.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]


def test_a_list_of_run_files_becomes_a_sweep_over_the_keys_that_differ(out_dir, grid_sweep_path):
    files = [out_dir / f"grid_{m}_0.5_11.h5" for m in (0.05, 0.3)]
    sweep = ga.open_sweep(files)
    assert ga.parameter_names(sweep) == ["param_parameters_risk_margin"]
    assert sweep["param_parameters_risk_margin"].values.tolist() == [0.05, 0.3]


def test_failed_runs_are_left_out_of_summaries(grid_sweep_path, out_dir):
    sweep = ga.open_sweep(grid_sweep_path, load=True)
    status = sweep["status"].values.copy()
    status[0] = 2
    bad = sweep.assign_coords(status=("run", status))
    path = write_sweep(bad, out_dir / "with_failure.h5")
    reopened = ga.open_sweep(path)
    assert ga.ok_runs(reopened).values.tolist() == [False] + [True] * 7
    bands = ga.replicate_bands(reopened["hhi"].sel(state="RUS"))
    assert bands["count"].isel(point=0).values.max() == 1
    words = bad.assign_coords(status=("run", np.array(["failed"] + ["ok"] * 7, dtype=object)))
    assert ga.ok_runs(words).values.tolist() == [False] + [True] * 7


# ---------------------------------------------------------------------------
# A real sweep file from `geosim sweep` (skipped until the simulator has it)

SMOKE = ROOT / "scenarios" / "sweeps" / "smoke.yaml"


@pytest.fixture(scope="module")
def smoke_path(out_dir):
    program = geosim_bin()
    usage = subprocess.run([program, "--help"], capture_output=True, text=True).stdout
    has_sweep = re.search(r"^\s+sweep\s", usage, re.MULTILINE) is not None
    if not has_sweep or not SMOKE.exists():
        pytest.skip("geosim has no 'sweep' subcommand or scenarios/sweeps/smoke.yaml is missing")
    path = out_dir / "smoke.h5"
    subprocess.run([program, "sweep", str(SMOKE), "-o", str(path), "--force", "-q", "--jobs", "2"],
                   check=True, capture_output=True)
    return path


def test_a_real_sweep_opens_with_runs_parameters_and_replicates(smoke_path):
    sweep = ga.open_sweep(smoke_path)
    assert sweep["trade_share"].dims == ("run", "time", "state", "partner")
    params = ga.parameter_names(sweep)
    assert len(params) == 2
    labels = [ga.parameter_label(sweep, p) for p in params]
    assert "parameters.risk.margin" in labels
    points = ga.parameter_points(sweep).values
    assert np.bincount(points).tolist() == [2, 2, 2, 2]           # 2 x 2 grid x 2 replicates
    assert ga.ok_runs(sweep).values.all()
    with h5py.File(smoke_path, "r") as f:
        np.testing.assert_array_equal(sweep["trade_value"].values, f["trade_value"][...])
    bands = ga.replicate_bands(sweep["hhi"].sel(state="RUS"))
    assert bands.sizes["point"] == 4 and int(bands["count"].min()) == 2
