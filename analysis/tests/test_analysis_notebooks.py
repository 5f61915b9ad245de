"""The notebooks in analysis/notebooks run top to bottom (nbclient) on small
outputs made by the fixtures, and show and save non-empty figures."""

import base64
import io
from pathlib import Path

import matplotlib.image as mpimg
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def execute(name, monkeypatch, figures, **env):
    monkeypatch.setenv("GEOSIM_FIGURES", str(figures))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return nb


def shown_images(nb):
    images = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                images.append(mpimg.imread(io.BytesIO(base64.b64decode(data["image/png"])), format="png"))
    return images


def check_figures(nb, figures, at_least):
    images = shown_images(nb)
    assert len(images) >= at_least, f"{len(images)} figures shown"
    saved = sorted(figures.glob("*.png"))
    assert len(saved) >= at_least
    for image in images + [mpimg.imread(p) for p in saved]:
        assert image.shape[0] > 200 and image.shape[1] > 300
        assert float(np.std(image[..., :3])) > 0.02, "a blank figure"
    for png in saved:
        svg = png.with_suffix(".svg")
        assert svg.exists() and svg.stat().st_size > 1000


def test_baseline_walkthrough_runs_and_draws(run_b_path, monkeypatch, tmp_path):
    nb = execute("baseline_walkthrough.ipynb", monkeypatch, tmp_path, GEOSIM_RUN=run_b_path)
    check_figures(nb, tmp_path, 6)


def test_scenario_comparison_runs_and_draws(run_path, run_b_path, monkeypatch, tmp_path):
    nb = execute("scenario_comparison.ipynb", monkeypatch, tmp_path, GEOSIM_RUN=run_path, GEOSIM_RUN_B=run_b_path)
    check_figures(nb, tmp_path, 3)
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                   for c in nb.cells for o in c.get("outputs", []))
    assert "sanctioned" in text and "test_world" in text


@pytest.mark.parametrize("design", ["grid", "sobol"])
def test_sweep_analysis_runs_and_draws(design, grid_sweep_path, sobol_sweep_path, monkeypatch, tmp_path):
    path = grid_sweep_path if design == "grid" else sobol_sweep_path
    nb = execute("sweep_analysis.ipynb", monkeypatch, tmp_path, GEOSIM_SWEEP=path)
    # fan + two responses + heatmap (grid) or Sobol bars
    check_figures(nb, tmp_path, 4)
    if design == "sobol":
        assert (tmp_path / "sweep_sobol.png").exists()
    else:
        assert (tmp_path / "sweep_heatmap.png").exists()
