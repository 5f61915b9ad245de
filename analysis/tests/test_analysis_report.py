"""`python3 -m geosim_analysis report` on a run, a grid sweep and a Sobol sweep."""

import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

ANALYSIS = Path(__file__).resolve().parents[1]


def report(*args):
    env = dict(os.environ, PYTHONPATH=str(ANALYSIS), MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "geosim_analysis", "report", *map(str, args)],
                          capture_output=True, text=True, env=env)


def check_png(path):
    """A readable, non-blank image."""
    image = mpimg.imread(path)
    assert image.shape[0] >= 300 and image.shape[1] >= 400, path
    assert float(np.std(image[..., :3])) > 0.02, f"{path} looks blank"


def check_page(out):
    page = (out / "index.html").read_text(encoding="utf-8")
    images = re.findall(r"<img src='([^']+)'", page)
    assert images
    for name in images:
        check_png(out / name)
        svg = out / name.replace(".png", ".svg")
        assert svg.stat().st_size > 1000 and svg.read_text()[:200].lstrip().startswith("<?xml")
        assert f"href='{svg.name}'" in page
    return page, images


def test_report_of_a_run_writes_figures_and_a_page(run_path, run_b_path, tmp_path):
    out = tmp_path / "run"
    result = report(run_path, "-o", out, "--compare", run_b_path)
    assert result.returncode == 0, result.stderr
    assert "index.html" in result.stdout
    page, images = check_page(out)
    for stem in ("overview", "bilateral_trade", "trade_shares_RUS", "leverage", "discount",
                 "settlement_mix", "cautious", "compare"):
        assert f"{stem}.png" in images
    assert "test_world" in page and "USD bn/yr" in page
    assert "2014" in page                                   # the per-year table
    # The headline reads the same on the page as in `geosim info`.
    from conftest import geosim_bin
    info = subprocess.run([geosim_bin(), "info", str(run_path)], capture_output=True, text=True, check=True).stdout
    line = next(l for l in info.splitlines() if l.startswith("headline "))
    sentence = line[len("headline"):].strip()
    assert sentence.startswith("China's share of Russia's trade, ") and sentence.endswith(" %")
    assert sentence.replace("'", "&#x27;") in page


def test_report_of_a_grid_sweep_has_fans_responses_and_heatmaps(grid_sweep_path, tmp_path):
    out = tmp_path / "grid"
    result = report(grid_sweep_path, "-o", out, "--formats", "png,svg")
    assert result.returncode == 0, result.stderr
    page, images = check_page(out)
    assert {"fan_trade_share.png", "heatmap_trade_share.png",
            "response_leverage_param_parameters_risk_margin.png"} <= set(images)
    assert "8 (8 finished)" in page
    assert (out / "outputs_per_run.csv").read_text().count("\n") == 1 + 3 * 8


def test_report_of_a_sobol_sweep_shows_the_indices(sobol_sweep_path, tmp_path):
    out = tmp_path / "sobol"
    result = report(sobol_sweep_path, "-o", out)
    assert result.returncode == 0, result.stderr
    page, images = check_page(out)
    assert "sobol_trade_share.png" in images
    assert "Sobol indices" in page and "parameters_risk_margin" in page


def test_report_names_a_missing_file(tmp_path):
    result = report(tmp_path / "missing.h5", "-o", tmp_path / "x")
    assert result.returncode == 1
    assert "missing.h5" in result.stderr and "error" in result.stderr


def test_report_of_a_sweep_over_scenario_files_draws_a_fan_per_scenario(tmp_path):
    """The scenario axis of a sweep (docs/sweeps.md): two scenario files, 5
    replicates each; the fan chart has a band per scenario, named by file."""
    from conftest import WORLD, geosim_bin
    other = tmp_path / "usd_blocked.yaml"
    other.write_text(f"schema_version: 1\nbase: {WORLD}\nname: usd_blocked\nevents:\n"
                     "  - {id: usd_block, kind: financial_sanctions, start: 2014-03, by: USA, target: RUS}\n")
    sweep = tmp_path / "scenarios.sweep.yaml"
    sweep.write_text(f"sweep_version: 1\nname: scenarios\nbase: {WORLD}\nreplicates: 5\nparameters:\n"
                     f"  - {{key: scenario, values: ['{WORLD}', '{other}']}}\n")
    out = tmp_path / "sweep.h5"
    subprocess.run([geosim_bin(), "sweep", str(sweep), "-o", str(out), "--jobs", "2", "-q"], check=True)
    import xarray as xr
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert [str(v) for v in ds["param_scenario"].values] == [str(WORLD)] * 5 + [str(other)] * 5
    result = report(out, "-o", tmp_path / "rep", "--formats", "png")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "rep" / "index.html").read_text()
    assert "fan_trade_share.png" in page and "response_" not in page   # no response to a file name
    check_png(tmp_path / "rep" / "fan_trade_share.png")
