"""The Python module geosim (sim/python): an in-memory run equals the file
`geosim run` writes, bad input raises InputError as the CLI reports it, the
GIL is released while the engine runs and Ctrl-C stops a run; the output's
units parse with UDUNITS-2; `info` describes sweep files; scenario and sweep
files given to the wrong command say so.

Environment (set by ctest): GEOSIM_BIN, the geosim binary; PYTHONPATH with
the build's python/ folder."""

import _thread
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import geosim

ROOT = Path(__file__).resolve().parents[2]
WORLD = ROOT / "tests" / "data" / "world.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"
UDUNITS_XML = ROOT / "tests" / "data" / "udunits-geosim.xml"
SETS = {"parameters.risk.margin": 0.15}
# Attributes that differ between two runs of the same scenario by design.
VOLATILE = {"created", "wall_time_seconds", "history", "geosim_checksum"}


def geosim_bin():
    return os.environ.get("GEOSIM_BIN") or shutil.which("geosim")


def cli(*args, check=True):
    return subprocess.run([geosim_bin(), *map(str, args)], capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same run of tests/data/world.yaml from the CLI (a file) and in memory."""
    out = tmp_path_factory.mktemp("cli") / "world.h5"
    cli("run", WORLD, "-o", out, "--seed", 7, "--threads", 1, "--set", "parameters.risk.margin=0.15", "-q")
    with xr.open_dataset(out, engine="h5netcdf") as f:
        from_file = f.load()
    in_memory = geosim.run(str(WORLD), set=SETS, seed=7, threads=1)
    return from_file, in_memory


def test_run_in_memory_equals_the_cli_file_variable_by_variable(pair):
    from_file, in_memory = pair
    assert set(in_memory.variables) == set(from_file.variables)
    assert dict(in_memory.sizes) == dict(from_file.sizes)
    for name in from_file.variables:
        a, b = from_file[name], in_memory[name]
        assert a.dims == b.dims, name
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a.values, b.values, err_msg=name)
        drop = lambda attrs: {k: v for k, v in attrs.items() if k not in VOLATILE}  # noqa: E731
        assert drop(a.attrs) == drop(b.attrs), name
        assert a.encoding.get("_FillValue") is None or np.isnan(b.encoding.get("_FillValue")), name


def test_run_in_memory_has_the_files_global_attributes(pair):
    from_file, in_memory = pair
    keep = lambda attrs: {k: v for k, v in attrs.items() if k not in VOLATILE}  # noqa: E731
    assert keep(in_memory.attrs) == keep(from_file.attrs)
    for k, v in keep(from_file.attrs).items():
        assert type(in_memory.attrs[k]) is type(v), k


def test_history_records_the_command_and_its_overrides(pair):
    from_file, in_memory = pair
    assert "geosim run" in from_file.attrs["history"]
    assert "--set parameters.risk.margin=0.15" in from_file.attrs["history"]
    assert "--seed 7" in from_file.attrs["history"]
    assert "--set parameters.risk.margin=0.15" in in_memory.attrs["history"]
    assert "geosim.run" in in_memory.attrs["history"]


def test_state_labels_select_values(pair):
    _, ds = pair
    share = ds["trade_share"].sel(state="RUS", partner="CHN")
    assert share.dims == ("time",) and np.isfinite(share.values).all()
    assert str(ds["time"].values[0])[:7] == "2013-01"


def test_monthly_flows_have_cell_methods_and_time_bounds(pair):
    from_file, _ = pair
    assert from_file["time"].attrs.get("bounds") == "time_bnds" or from_file["time"].encoding.get("bounds") == "time_bnds"
    bounds = from_file["time_bnds"]
    assert bounds.dims == ("time", "nv")
    assert (bounds.values[:, 0] == from_file["time"].values).all()
    assert (bounds.values[:-1, 1] == from_file["time"].values[1:]).all()
    assert from_file["trade_value"].attrs["cell_methods"] == "time: mean"
    assert from_file["trade_value"].attrs["units"] == "USD month-1"
    assert "cell_methods" not in from_file["trade_share"].attrs


def test_yaml_text_runs_like_the_file(pair):
    _, in_memory = pair
    text = WORLD.read_text().replace("base: ../../scenarios/baseline.yaml", f"base: {BASELINE}")
    ds = geosim.run(text, set=SETS, seed=7)
    np.testing.assert_array_equal(ds["trade_value"].values, in_memory["trade_value"].values)


def test_every_unit_parses_with_udunits2(pair):
    if shutil.which("udunits2") is None:
        pytest.skip("udunits-bin (udunits2) is not installed")
    from_file, _ = pair
    units = {v.attrs["units"] for v in from_file.variables.values() if "units" in v.attrs}
    units |= {from_file["time"].encoding["units"]}
    for u in sorted(units):
        r = subprocess.run(["udunits2", "-H", u, "-W", "", str(UDUNITS_XML)], capture_output=True, text=True)
        assert "Don't recognize" not in r.stdout + r.stderr and r.returncode == 0, f"{u!r}: {r.stdout} {r.stderr}"


def test_bad_value_raises_input_error_with_the_clis_message_and_parts(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"schema_version: 1\nbase: {BASELINE}\nname: bad\nhorizon: {{start: 2013-01, end: 2012-12}}\n")
    result = cli("validate", bad, check=False)
    assert result.returncode == 2
    with pytest.raises(geosim.InputError) as info:
        geosim.validate(str(bad))
    e = info.value
    assert result.stderr.strip() == f"geosim: error: {e}"
    assert e.file == str(bad) and e.line > 0 and e.column > 0
    assert e.key_path.startswith("horizon")
    assert e.detail and e.detail in str(e)


def test_bad_override_names_the_override():
    with pytest.raises(geosim.InputError) as info:
        geosim.run(str(WORLD), set={"parameters.risk.margn": 0.1})
    e = info.value
    assert e.file == "--set parameters.risk.margn=0.1" and e.line == 0
    assert "did you mean 'margin'" in str(e)
    assert e.key_path == "parameters.risk.margn"


def test_validate_and_load_return_the_resolved_scenario():
    summary = geosim.validate(str(WORLD), set=SETS)
    assert summary["name"] == "test_world" and summary["steps"] == 48
    assert "RUS" in summary["states"] and "crude" in summary["sectors"]
    scenario = geosim.load(str(WORLD), set=SETS)
    assert scenario["name"] == "test_world"
    assert scenario["parameters"]["risk"]["margin"] == 0.15
    assert "base" not in scenario


def test_a_sweep_file_is_not_a_scenario():
    smoke = ROOT / "scenarios" / "sweeps" / "smoke.yaml"
    with pytest.raises(geosim.InputError, match="this is a sweep file"):
        geosim.validate(str(smoke))
    result = cli("validate", smoke, check=False)
    assert result.returncode == 2
    assert "smoke.yaml:" in result.stderr
    assert "this is a sweep file, not a scenario; use geosim plan" in result.stderr


def test_a_scenario_is_not_a_sweep_file():
    result = cli("plan", WORLD, check=False)
    assert result.returncode == 2
    assert "this is a scenario, not a sweep file; use geosim validate" in result.stderr


def test_the_gil_is_released_while_the_engine_runs():
    counts = []
    stop = threading.Event()

    def count():
        n = 0
        while not stop.is_set():
            n += 1
            if n % 1000 == 0:
                counts.append((time.perf_counter(), n))

    worker = threading.Thread(target=count)
    worker.start()
    try:
        time.sleep(0.2)
        before = counts[-1]
        geosim.run(str(WORLD), threads=1)
        after = counts[-1]
    finally:
        stop.set()
        worker.join()
    rate_before = before[1] / 0.2
    rate_during = (after[1] - before[1]) / (after[0] - before[0])
    # Holding the GIL would stop the counter for the whole run (~0 iterations).
    assert rate_during > 0.1 * rate_before, (rate_before, rate_during)


def test_an_interrupt_stops_a_run_and_the_next_run_works():
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        geosim.run(str(BASELINE), threads=1)
    assert time.perf_counter() - started < 5
    timer.join()
    ds = geosim.run(str(WORLD))
    assert np.isfinite(ds["trade_share"].values).all()


def test_progress_callback_sees_every_month():
    seen = []
    geosim.run(str(WORLD), progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (48, 48)
    assert all(t == 48 for _, t in seen) and [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    path = folder / "tiny.yaml"
    path.write_text(f"""sweep_version: 1
name: tiny
base: {WORLD}
seed: 11
replicates: 1
parameters:
  - key: parameters.risk.margin
    name: margin
    values: [0.1, 0.2]
""")
    return path


def test_sweep_returns_the_merged_dataset(sweep_file, tmp_path):
    out = tmp_path / "tiny.h5"
    ds = geosim.sweep(str(sweep_file), output=out)
    assert ds.sizes["run"] == 2
    assert ds["param_margin"].values.tolist() == [0.1, 0.2]
    assert out.exists()
    assert ds["trade_share"].sel(state="RUS", partner="CHN").dims == ("run", "time")


def test_info_on_a_sweep_file_shows_runs_parameters_and_status(sweep_file, tmp_path):
    out = tmp_path / "tiny.h5"
    cli("sweep", sweep_file, "-o", out, "--quiet")
    text = cli("info", out).stdout
    assert text.startswith(f"geosim sweep {out}")
    assert "seed        ?" not in text and "run         ?" not in text
    assert "runs        2 of 2 planned: 2 ok, 0 failed, 0 invalid" in text
    assert "parameters  margin" in text
    lines = [line.split() for line in text.splitlines() if line.startswith("  0 ") or line.startswith("  1 ")]
    assert [line[2] for line in lines] == ["0.1", "0.2"] and [line[-1] for line in lines] == ["ok", "ok"]


def test_install_python_makes_both_packages_importable_from_any_folder(tmp_path):
    site_dir = tmp_path / "site"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["GEOSIM_PYTHON_SITE"] = str(site_dir)
    env["GEOSIM_BUILD_DIR"] = os.environ.get("GEOSIM_BUILD_DIR", str(Path(geosim.__file__).parents[2]))
    subprocess.run([str(ROOT / "scripts" / "install-python.sh")], check=True, env=env, capture_output=True)
    code = ("import site; site.addsitedir({!r}); import geosim, geosim_analysis; "
            "print(geosim.__file__); print(geosim_analysis.__file__)").format(str(site_dir))
    out = subprocess.run(["/usr/bin/python3", "-c", code], check=True, env=env, cwd="/", capture_output=True,
                         text=True).stdout.split()
    assert Path(out[0]).parent == Path(geosim.__file__).parent
    assert Path(out[1]).parent == ROOT / "analysis" / "geosim_analysis"
