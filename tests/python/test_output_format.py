"""The output file as Python users see it: xarray with the h5netcdf engine, and
netCDF-C's ncdump when it is installed.

The sample file comes from tests/write_sample_output (see tests/output_sample.hpp
for its contents); ctest passes the program's path in GEOSIM_WRITE_SAMPLE_OUTPUT.
Run by hand with
    GEOSIM_WRITE_SAMPLE_OUTPUT=build/tests/write_sample_output \
        /usr/bin/python3 -m pytest tests/python
"""

import os
import shutil
import subprocess

import numpy as np
import pytest
import xarray as xr

STATES = ["RUS", "CHN", "TÜR"]
SECTORS = ["crude", "chips"]
CURRENCIES = ["USD", "CNY"]
ROUTES = ["direct", "via_hub"]
STEPS = 5

# (name, dims, units, scale) in catalogue order, as in output_sample.hpp.
VARIABLES = [
    ("trade_share", ("time", "state", "partner"), "1", 1e-4),
    ("energy_revenue", ("time", "state"), "USD month-1", 1e9 / 12),
    ("discount", ("time", "state", "partner", "sector"), "1", 1e-4),
    ("dual_use_trade", ("time", "state", "partner", "route"), "USD month-1", 1.0),
    ("world_price", ("time", "sector"), "price_unit", 1.0),
    ("settlement_share", ("time", "state", "partner", "currency"), "1", 1e-4),
]


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):
    program = os.environ.get("GEOSIM_WRITE_SAMPLE_OUTPUT")
    if not program:
        pytest.fail("GEOSIM_WRITE_SAMPLE_OUTPUT is not set (run through ctest)")
    path = tmp_path_factory.mktemp("output") / "sample.h5"
    subprocess.run([program, str(path), "2"], check=True)
    return path


@pytest.fixture(scope="module")
def ds(sample_path):
    with xr.open_dataset(sample_path, engine="h5netcdf") as d:
        yield d.load()


def test_dimensions_are_named_and_sized(ds):
    assert dict(ds.sizes) == {
        "time": STEPS, "nv": 2, "state": 3, "partner": 3, "sector": 2, "currency": 2, "route": 2,
    }


def test_label_coordinates_come_back_as_str(ds):
    for name, labels in [("state", STATES), ("partner", STATES), ("sector", SECTORS),
                         ("currency", CURRENCIES), ("route", ROUTES)]:
        values = ds[name].values.tolist()
        assert values == labels
        assert all(type(v) is str for v in values), name
        assert ds[name].attrs["long_name"]


def test_time_decodes_to_month_starts(ds):
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    expected = np.array(["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01"],
                        dtype="datetime64[ns]")
    np.testing.assert_array_equal(ds["time"].values, expected)
    assert ds["time"].encoding["units"] == "days since 2020-01-01"
    assert ds["time"].encoding["calendar"] == "standard"


def test_raw_time_is_days_since_the_start_month(sample_path):
    with xr.open_dataset(sample_path, engine="h5netcdf", decode_times=False) as d:
        assert d["time"].values.tolist() == [0, 31, 60, 91, 121]
        assert d["time"].attrs["units"] == "days since 2020-01-01"
        assert d["time"].attrs["bounds"] == "time_bnds"
        assert d["time_bnds"].dims == ("time", "nv")
        assert d["time_bnds"].values.tolist() == [[0, 31], [31, 60], [60, 91], [91, 121], [121, 152]]


def test_variables_have_dims_units_and_long_name(ds):
    assert list(ds.data_vars) == ["time_bnds"] + [v[0] for v in VARIABLES]
    for name, dims, units, _ in VARIABLES:
        var = ds[name]
        assert var.dims == dims
        assert var.dtype == np.float64
        assert var.attrs["units"] == units
        assert isinstance(var.attrs["long_name"], str) and var.attrs["long_name"]


def test_values_encode_variable_step_and_index(ds):
    for v, (name, dims, _, scale) in enumerate(VARIABLES):
        values = ds[name].values
        row = values[0].size
        t = np.arange(STEPS).reshape(-1, 1)
        i = np.arange(row).reshape(1, -1)
        expected = (v * 1000.0 + t * 100.0 + i + 0.25) * scale
        np.testing.assert_array_equal(values.reshape(STEPS, row), expected)


def test_labels_select_values(ds):
    # trade_share[time=2020-05, state=RUS, partner=CHN]: step 4, flat index 1
    got = ds["trade_share"].sel(time="2020-05", state="RUS", partner="CHN").item()
    assert got == (400 + 1 + 0.25) * 1e-4


def test_global_attributes(ds):
    a = ds.attrs
    assert a["Conventions"] == "geosim-1.0"
    assert "string-valued coordinate variables" in a["cf_departures"]
    assert "docs/ODD.md" in a["references"]
    assert a["scenario_name"] == "sample"
    assert "TÜR" in a["scenario"]
    assert int(a["seed"]) == 42
    assert int(a["run"]) == 3
    assert int(a["threads"]) == 1
    assert a["wall_time_seconds"] == 1.5
    for key in ("geosim_version", "git_commit", "title", "created"):
        assert isinstance(a[key], str) and a[key]


def test_snapshot_group_opens_with_xarray(sample_path):
    with xr.open_dataset(sample_path, engine="h5netcdf", group="snapshots/2020-03") as g:
        assert dict(g.sizes) == {"firm": 4}
        assert g["firm"].values.tolist() == [0, 1, 2, 3]
        assert g["state"].values.tolist() == [0, 0, 1, 2]
        assert g["role"].values.tolist() == [0, 0, 1, 2]
        assert g["trade"].attrs["units"] == "USD month-1"
        np.testing.assert_array_equal(g["size"].values, [1.5, 0.5, 2.0, 1.0])
        assert g.attrs["month"] == "2020-03"


@pytest.mark.skipif(shutil.which("ncdump") is None, reason="netcdf-bin (ncdump) is not installed")
def test_netcdf_c_reads_the_file(sample_path):
    header = subprocess.run(["ncdump", "-h", str(sample_path)], check=True,
                            capture_output=True, text=True).stdout
    assert "time = 5 ;" in header
    assert "double trade_share(time, state, partner) ;" in header
    assert "string state(state) ;" in header
    assert 'time:units = "days since 2020-01-01" ;' in header
    assert "nv = 2 ;" in header and "double time_bnds(time, nv) ;" in header
    assert 'time:bounds = "time_bnds" ;' in header
    assert "group: snapshots" in header
    data = subprocess.run(["ncdump", "-v", "state,time", str(sample_path)], check=True,
                          capture_output=True, text=True).stdout
    assert '"RUS", "CHN", "TÜR"' in data
    assert "0, 31, 60, 91, 121" in data
