"""One run of a scenario, in memory, as an xarray Dataset.

    from geosim_analysis.runner import run
    ds = run("scenarios/baseline.yaml", set={"events[crude_price_cap].cap": 45}, seed=1)

In process through the ``geosim`` Python module (``geosim.run``) when it can
be imported; otherwise through the command line (``geosim run ... -o
TMP.h5 --set k=v``), whose file is read into memory and deleted. Both give
the variables, coordinates and attributes of the output file.
"""

from __future__ import annotations

import os
import subprocess
import tempfile

import xarray as xr

from .io import open_run


def _module():
    """The in-process ``geosim`` module, or None when it is not importable."""
    try:
        import geosim  # the pybind11 module built with the simulator
    except ImportError:
        return None
    return geosim if hasattr(geosim, "run") else None


def in_process() -> bool:
    """True when runs go through ``geosim.run`` (no subprocess, no file)."""
    return _module() is not None


def _value_text(v) -> str:
    """A --set value as YAML text: booleans as true/false, the rest as written."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def run(scenario, set=None, seed=None, threads=None, *, geosim=None) -> xr.Dataset:
    """Runs ``scenario`` (a YAML file path) with the overrides ``set`` (a dict
    of key paths, as ``--set``: ``{"parameters.risk.margin": 0.2}``) and
    returns the run as a Dataset loaded into memory. ``seed``: the master
    seed (default the scenario's); ``threads``: engine threads (default all
    cores; 1 is the serial back-end, the same values). ``geosim``: the CLI
    binary for the fallback (default $GEOSIM_BIN or the build's).

    Raises whatever ``geosim.run`` raises (``geosim.InputError`` for bad
    input) or, through the CLI, RuntimeError with geosim's message."""
    overrides = {str(k): _value_text(v) for k, v in (set or {}).items()}
    module = _module() if geosim is None else None
    if module is not None:
        return module.run(os.fspath(scenario), set=overrides or None, seed=seed, threads=threads)
    from .calibration import default_geosim
    binary = geosim or default_geosim()
    with tempfile.TemporaryDirectory(prefix="geosim-run-") as tmp:
        out = os.path.join(tmp, "run.h5")
        cmd = [binary, "run", os.fspath(scenario), "-o", out, "--force", "-q"]
        for k, v in overrides.items():
            cmd += ["--set", f"{k}={v}"]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        if threads is not None:
            cmd += ["--threads", str(threads)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError((done.stderr or done.stdout).strip() or f"geosim exited with {done.returncode}")
        return open_run(out, load=True)
