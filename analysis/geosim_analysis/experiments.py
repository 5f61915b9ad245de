"""Experiments in the layout of the EMA Workbench: sample uncertainties and
levers, run them through geosim's sweep machinery, and return
``(experiments, outcomes)`` as ``ema_workbench.perform_experiments`` does, so
that its analyses (``prim.Prim``, ``feature_scoring``, ``dimensional_stacking``,
``plotting.lines``, ...) take them unchanged.

    import geosim_analysis as ga
    x, y = ga.experiments(
        uncertainties={"tolerance": ("parameters.risk.tolerance_scale", 0.5, 2.0)},
        levers={"cap": ("events[crude_price_cap].cap", [45, 60])},
        n=16, replicates=2, scenario="scenarios/sweeps/reduced_baseline.yaml")
    x.head()                      # tolerance, cap, scenario, policy, model, replicate, seed
    y["trade_share_RUS_CHN"]      # shape (64, n_months)

The sweep is an ordinary sweep file (docs/sweeps.md) written to a temporary
folder, run in process by ``geosim.sweep`` (or by the ``geosim`` command when
the module is not built); ``output=`` keeps the merged sweep file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import warnings
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
import xarray as xr

from .io import ok_runs, open_sweep, param_variable_name

MODEL_NAME = "geosim"

#: Outcomes when none are given: time series of the China-Russia trade shares
#: and of the discount on Russian crude to China (for scenarios with these labels).
DEFAULT_OUTCOMES = {
    "trade_share_RUS_CHN": ("trade_share", {"state": "RUS", "partner": "CHN"}),
    "trade_share_CHN_RUS": ("trade_share", {"state": "CHN", "partner": "RUS"}),
    "discount_RUS_CHN_crude": ("discount", {"state": "RUS", "partner": "CHN", "sector": "crude"}),
}

Outcome = "tuple[str, dict] | str | Callable[[xr.Dataset], xr.DataArray]"


def _parameter(name: str, spec, kind: str, sampling: str, policies: int) -> dict:
    """One sweep parameter from (key, low, high), (key, [values]) or a dict
    {"key", "min", "max"} / {"key", "values"} (``integer: True`` allowed)."""
    if isinstance(spec, Mapping):
        key = spec.get("key")
        values = spec.get("values")
        low, high = spec.get("min"), spec.get("max")
        integer = bool(spec.get("integer", False))
    elif isinstance(spec, (tuple, list)) and len(spec) == 2 and isinstance(spec[1], (list, tuple, np.ndarray)):
        key, values, low, high, integer = spec[0], list(spec[1]), None, None, False
    elif isinstance(spec, (tuple, list)) and len(spec) == 3:
        key, low, high = spec
        values, integer = None, isinstance(low, (int, np.integer)) and isinstance(high, (int, np.integer))
    else:
        raise ValueError(f"{kind} {name!r}: expected (key_path, low, high), (key_path, [values]) or a dict "
                         f"with 'key' and 'min'/'max' or 'values'; got {spec!r}")
    if not isinstance(key, str) or not key:
        raise ValueError(f"{kind} {name!r}: the scenario key path is missing")
    out: dict[str, Any] = {"key": key, "name": name}
    if values is not None:
        out["values"] = [v.item() if hasattr(v, "item") else v for v in values]
    elif kind == "lever":
        # Levers are policies: evenly spaced, as a decision maker would pick them.
        points = np.linspace(float(low), float(high), policies)
        out["values"] = [int(round(p)) for p in points] if integer else [float(p) for p in points]
    else:
        if float(low) >= float(high):
            raise ValueError(f"uncertainty {name!r}: min {low} is not below max {high}")
        out[sampling] = {"min": float(low), "max": float(high)}
        if integer:
            out["integer"] = True
    return out


def sweep_text(uncertainties: Mapping, levers: Mapping | None, n: int, replicates: int, scenario,
               sampling: str = "lhs", seed: int | None = None, policies: int = 3,
               name: str = "experiments") -> str:
    """The sweep file that :func:`experiments` runs: uncertainties sampled
    with ``sampling`` (lhs, uniform or sobol; ``n`` points, one joint
    factor) or listed, crossed factorially with the levers' values."""
    import yaml
    if sampling not in ("lhs", "uniform", "sobol"):
        raise ValueError(f"sampling must be 'lhs', 'uniform' or 'sobol', not {sampling!r}")
    if int(n) < 1 or int(replicates) < 1:
        raise ValueError("n and replicates must be at least 1")
    params = [_parameter(k, v, "uncertainty", sampling, policies) for k, v in uncertainties.items()]
    params += [_parameter(k, v, "lever", sampling, policies) for k, v in (levers or {}).items()]
    if not params:
        raise ValueError("experiments need at least one uncertainty or lever")
    doc: dict[str, Any] = {"sweep_version": 1, "name": name,
                           "description": "geosim_analysis.experiments: uncertainties x levers",
                           "base": os.path.abspath(os.fspath(scenario)),
                           "replicates": int(replicates), "combination": "factorial"}
    if seed is not None:
        doc["seed"] = int(seed)
    if any(sampling in p for p in params):
        doc["samples"] = int(n)
        if sampling == "sobol":
            doc["saltelli"] = False
    doc["parameters"] = params
    return yaml.safe_dump(doc, sort_keys=False)


def _run_sweep(path: str, output: str, jobs: int) -> None:
    try:
        import geosim
    except ImportError:
        geosim = None
    if geosim is not None:
        geosim.sweep(path, output=output, jobs=jobs, keep_going=True, force=True)
        return
    binary = os.environ.get("GEOSIM_BIN") or shutil.which("geosim")
    if not binary:
        raise RuntimeError("neither the geosim module nor the geosim command is available; "
                           "build geosim (scripts/build.sh) first")
    subprocess.run([binary, "sweep", path, "-o", output, "--force", "--keep-going", "--quiet",
                    "--jobs", str(jobs)], check=True)


def _outcome(ds: xr.Dataset, name: str, spec) -> xr.DataArray:
    if callable(spec):
        da = spec(ds)
    elif isinstance(spec, str):
        da = ds[spec]
    else:
        var, sel = spec
        da = ds[var].sel(**sel)
    if not isinstance(da, xr.DataArray) or "run" not in da.dims:
        raise ValueError(f"outcome {name!r}: expected a DataArray over run (and time), got "
                         f"{getattr(da, 'dims', type(da).__name__)}")
    extra = [d for d in da.dims if d not in ("run", "time")]
    if extra:
        raise ValueError(f"outcome {name!r}: select or reduce the dimensions {extra}; "
                         "outcomes are one number or one time series per experiment")
    return da.transpose("run", *[d for d in da.dims if d == "time"])


def experiments(uncertainties: Mapping, levers: Mapping | None = None, n: int = 16, replicates: int = 1,
                scenario="scenarios/baseline.yaml", outcomes: Mapping | None = None, sampling: str = "lhs",
                seed: int | None = None, policies: int = 3, jobs: int = 0, output=None):
    """Runs ``n`` samples of the uncertainties crossed with the levers'
    values, ``replicates`` seeds each, and returns ``(experiments, outcomes)``
    in the EMA Workbench's layout.

    uncertainties: {name: (key_path, low, high)} sampled with ``sampling``
        (lhs, uniform or sobol; ``n`` points), or {name: (key_path, [values])}
        for a categorical one. Key paths are those of ``--set``.
    levers: {name: (key_path, [values])}, or (key_path, low, high) for
        ``policies`` evenly spaced values; every combination is a policy.
    outcomes: {name: (variable, {dim: label, ...})}, {name: variable} or
        {name: callable(sweep Dataset) -> DataArray over run [and time]};
        default DEFAULT_OUTCOMES.
    scenario: the base scenario. seed: the sweep's master seed (default the
        scenario's). jobs: runs at once (0 = all cores). output: keep the
        merged sweep file there.

    Returns ``experiments``, a DataFrame with one row per finished run: the
    uncertainty and lever columns, ``scenario`` (index of the uncertainty
    sample), ``policy`` (index of the lever combination), ``model``
    ("geosim"), ``replicate`` and ``seed``; and ``outcomes``, a dict of numpy
    arrays of shape (n_experiments,) or (n_experiments, n_months), plus
    ``TIME`` (n_experiments, n_months) when any outcome is a time series.
    Runs that failed are left out with a warning.
    """
    text = sweep_text(uncertainties, levers, n, replicates, scenario, sampling, seed, policies)
    with tempfile.TemporaryDirectory(prefix="geosim-experiments-") as tmp:
        path = os.path.join(tmp, "experiments.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        target = os.fspath(output) if output is not None else os.path.join(tmp, "experiments.h5")
        _run_sweep(path, target, jobs)
        ds = open_sweep(target, load=True)
    return to_ema(ds, list(uncertainties), list(levers or {}), outcomes)


def to_ema(ds: xr.Dataset, uncertainties: list[str], levers: list[str], outcomes: Mapping | None = None):
    """``(experiments, outcomes)`` from an opened sweep (open_sweep) whose
    ``param_`` variables include the named uncertainties and levers."""
    outcomes = dict(DEFAULT_OUTCOMES if outcomes is None else outcomes)
    ok = np.asarray(ok_runs(ds).values, dtype=bool)
    if not ok.all():
        warnings.warn(f"{int((~ok).sum())} of {ok.size} runs did not finish and are left out", stacklevel=3)
    ds = ds.isel(run=np.flatnonzero(ok))

    def column(name: str) -> np.ndarray:
        return ds[param_variable_name(name)].values

    frame = pd.DataFrame({name: column(name) for name in uncertainties + levers})

    def index_of(names: list[str]) -> np.ndarray:
        if not names:
            return np.zeros(len(frame), dtype=int)
        seen: dict = {}
        return np.asarray([seen.setdefault(k, len(seen)) for k in frame[names].itertuples(index=False, name=None)])

    frame["scenario"] = index_of(uncertainties)
    frame["policy"] = index_of(levers)
    frame["model"] = MODEL_NAME
    if "replicate" in ds.coords or "replicate" in ds:
        frame["replicate"] = ds["replicate"].values.astype(int)
    frame["seed"] = ds["seed"].values.astype(np.uint64)
    for name in ("scenario", "policy", "model"):
        frame[name] = frame[name].astype("category")

    out: dict[str, np.ndarray] = {}
    for name, spec in outcomes.items():
        out[name] = np.asarray(_outcome(ds, name, spec).values)
    if any(v.ndim == 2 for v in out.values()):
        out["TIME"] = np.broadcast_to(ds["time"].values, (len(frame), ds.sizes["time"])).copy()
    return frame, out
