"""Opening geosim output as labelled xarray Datasets.

A run file (docs/output-schema.md) holds variables dimensioned (time, ...); a
sweep file holds the same variables with a `run` dimension in front, plus
`param_<name>(run)`, `seed(run)`, `status(run)` and `error(run)`.
"""

from __future__ import annotations

import os
import re
from typing import Iterable, Mapping, Sequence

import numpy as np
import xarray as xr

ENGINE = "h5netcdf"
PARAM_PREFIX = "param_"

# Status values that mark a finished run when `status(run)` holds strings.
_OK_WORDS = {"ok", "done", "success", "succeeded", "completed", "complete", "finished"}


def _open(path, load: bool) -> xr.Dataset:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    ds = xr.open_dataset(path, engine=ENGINE)
    if load:
        loaded = ds.load()
        ds.close()
        ds = loaded
    ds.attrs.setdefault("source_file", path)
    return ds


def _decorate(ds: xr.Dataset) -> xr.Dataset:
    """Adds what the file leaves implicit: long names and units on coordinates,
    and each sector's price unit (from the resolved scenario) as a coordinate."""
    if "time" in ds.coords:
        ds["time"].attrs.setdefault("long_name", "month (first day; a step stands for the whole month)")
    # The time bounds describe the time coordinate; as a coordinate they follow
    # selections and stay out of loops over data variables.
    if "time_bnds" in ds.data_vars:
        ds = ds.set_coords("time_bnds")
    if "run" in ds.dims and "run" not in ds.coords:
        ds = ds.assign_coords(run=np.arange(ds.sizes["run"]))
    if "run" in ds.coords:
        ds["run"].attrs.setdefault("long_name", "run index within the sweep")
    if "sector" in ds.coords and "price_unit" not in ds.coords:
        units = sector_price_units(ds)
        if units:
            ds = ds.assign_coords(price_unit=("sector", [units.get(s, "sector price unit")
                                                         for s in ds["sector"].values.tolist()]))
            ds["price_unit"].attrs["long_name"] = "unit of the sector's world price"
    for name in parameter_names(ds):
        ds[name].attrs.setdefault("long_name", parameter_label(ds, name))
    return ds


def sector_price_units(ds: xr.Dataset) -> dict:
    """Maps sector code -> price unit (e.g. ``{"crude": "USD/bbl"}``), read from
    the resolved scenario YAML in the ``scenario`` attribute; empty if absent."""
    scenario = scenario_of(ds)
    if not scenario:
        return {}
    return {s.get("code"): s.get("price_unit", "USD per unit")
            for s in scenario.get("sectors", []) if isinstance(s, dict)}


def scenario_of(ds: xr.Dataset) -> dict:
    """The resolved scenario as a dict (needs PyYAML, Debian's python3-yaml);
    an empty dict if the file has no scenario or YAML is not available."""
    text = ds.attrs.get("scenario")
    if not isinstance(text, str):
        return {}
    try:
        import yaml
    except ImportError:  # optional: only labels depend on it
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return value if isinstance(value, dict) else {}


def open_run(path, run: int | None = None, load: bool = True) -> xr.Dataset:
    """Opens one run's output as an xarray Dataset.

    Coordinates are labelled (time as datetime64 month starts, state, partner,
    sector, currency, route) and every data variable carries ``units`` and
    ``long_name``; ``price_unit(sector)`` gives each sector's price unit.
    Given a sweep file, ``run`` selects one run (by position).
    ``load`` reads everything into memory and closes the file.

    Raises FileNotFoundError for a missing file and ValueError for a file that
    is not geosim output.
    """
    ds = _open(path, load)
    if "run" in ds.dims:
        if run is None:
            raise ValueError(f"{path}: is a sweep ({ds.sizes['run']} runs); "
                             "pass run=<index> or use open_sweep")
        ds = ds.isel(run=run)
    elif "geosim_version" not in ds.attrs:
        raise ValueError(f"{path}: not a geosim output file (no 'geosim_version' attribute)")
    return _decorate(ds)


def open_sweep(path, load: bool = False) -> xr.Dataset:
    """Opens a sweep's output as one Dataset with a leading ``run`` dimension.

    ``param_<name>(run)`` variables are made coordinates along ``run`` (so they
    follow selections), as are the other per-run variables (``seed``,
    ``status``, ``error``, ``replicate``, ``sobol_matrix``, ...).
    ``path`` may also be a list of run files: they are stacked with
    :func:`combine_runs`, and the scenario keys that differ between them
    become the parameters.
    """
    if isinstance(path, (list, tuple)):
        return combine_runs(path)
    ds = _open(path, load)
    if "run" not in ds.dims:
        raise ValueError(f"{path}: not a sweep file (no 'run' dimension); use open_run")
    # Every per-run variable (param_*, seed, status, error, replicate,
    # sobol_matrix, ...) becomes a coordinate, so it follows selections.
    extra = [v for v in ds.data_vars if ds[v].dims == ("run",)]
    ds = ds.set_coords(extra)
    return _decorate(ds)


def is_sweep(ds: xr.Dataset) -> bool:
    return "run" in ds.dims


def parameter_names(ds) -> list:
    """Names of the swept parameters: every variable (of a Dataset) or
    coordinate (of a DataArray) that starts with ``param_``."""
    names = ds.variables if isinstance(ds, xr.Dataset) else ds.coords
    return [str(v) for v in names if str(v).startswith(PARAM_PREFIX)]


def parameter_label(ds: xr.Dataset, name: str) -> str:
    """A readable name for a parameter variable: its ``key`` (the scenario key
    path) or ``long_name`` attribute when present, else the name without the
    ``param_`` prefix."""
    attrs = ds[name].attrs
    for key in ("key", "key_path", "long_name"):
        if isinstance(attrs.get(key), str) and attrs[key]:
            return attrs[key]
    return name[len(PARAM_PREFIX):] if name.startswith(PARAM_PREFIX) else name


def param_variable_name(key: str) -> str:
    """``parameters.risk.margin`` -> ``param_parameters_risk_margin``: the key
    path with every non-identifier character replaced by ``_``."""
    return PARAM_PREFIX + re.sub(r"\W", "_", key)


def ok_runs(ds: xr.Dataset) -> xr.DataArray:
    """Boolean mask over ``run``: True for runs that finished. Uses ``status``
    (0 or a word such as "ok" means finished); without ``status`` every run
    counts as finished."""
    if "status" not in ds.variables:
        return xr.DataArray(np.ones(ds.sizes["run"], bool), dims="run",
                            coords={"run": ds["run"]})
    status = ds["status"]
    values = status.values
    if values.dtype.kind in "iub":
        ok = values == 0
    elif values.dtype.kind == "f":
        ok = values == 0.0
    else:
        words = [v.decode() if isinstance(v, bytes) else str(v) for v in values.tolist()]
        ok = np.array([w.strip().lower() in _OK_WORDS for w in words])
    return xr.DataArray(ok, dims="run", coords={"run": ds["run"]})


# ---------------------------------------------------------------------------
# Stacking run files into a sweep-shaped Dataset


def _flatten(value, prefix: str, out: dict) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            ident = next((v[k] for k in ("code", "id", "name") if k in v and isinstance(v[k], str)), i)
            _flatten({kk: vv for kk, vv in v.items()}, f"{prefix}[{ident}]", out)
    else:
        out[prefix] = value


def differing_keys(datasets: Sequence[xr.Dataset]) -> dict:
    """Scalar scenario keys whose values differ between runs:
    ``{key path: [value per run]}`` (numbers and booleans only; the seed and
    names are not parameters)."""
    flat = []
    for ds in datasets:
        out: dict = {}
        _flatten(scenario_of(ds), "", out)
        flat.append(out)
    keys = sorted(set().union(*flat)) if flat else []
    result = {}
    for key in keys:
        if key in ("seed", "name", "description"):
            continue
        values = [f.get(key) for f in flat]
        if all(isinstance(v, (int, float, bool)) and v is not None for v in values) \
                and len(set(values)) > 1:
            result[key] = values
    return result


def combine_runs(runs: Iterable, params: Mapping[str, Sequence] | None = None) -> xr.Dataset:
    """Stacks run files (paths or Datasets from :func:`open_run`) along a new
    ``run`` dimension, in the layout of a sweep file.

    ``params`` maps a scenario key path (or a ``param_`` name) to one value per
    run; without it the scalar scenario keys that differ between the runs are
    used. ``seed(run)`` comes from each file's ``seed`` attribute and
    ``status(run)`` is 0 (finished) unless the file lacks ``wall_time_seconds``.
    """
    datasets = [r if isinstance(r, xr.Dataset) else open_run(r) for r in runs]
    if not datasets:
        raise ValueError("combine_runs: no runs given")
    if params is None:
        params = differing_keys(datasets)
    n = len(datasets)
    stripped = [d.drop_vars([c for c in ("price_unit",) if c in d.coords]) for d in datasets]
    ds = xr.concat(stripped, dim="run", data_vars="all", coords="minimal",
                   combine_attrs="drop_conflicts")
    ds = ds.assign_coords(run=np.arange(n))
    for key, values in params.items():
        values = list(values)
        if len(values) != n:
            raise ValueError(f"combine_runs: parameter {key!r} has {len(values)} values for {n} runs")
        name = key if key.startswith(PARAM_PREFIX) else param_variable_name(key)
        ds = ds.assign_coords({name: ("run", np.asarray(values))})
        ds[name].attrs["key"] = key[len(PARAM_PREFIX):] if key.startswith(PARAM_PREFIX) else key
    seeds = [int(d.attrs.get("seed", 0)) for d in datasets]
    status = [0 if "wall_time_seconds" in d.attrs else 1 for d in datasets]
    ds = ds.assign_coords(seed=("run", np.asarray(seeds, dtype=np.uint64)),
                          status=("run", np.asarray(status, dtype=np.int32)),
                          error=("run", np.asarray(["" if s == 0 else "aborted" for s in status],
                                                   dtype=object)))
    for attr in ("seed", "run", "threads", "created", "wall_time_seconds", "source_file", "steps"):
        ds.attrs.pop(attr, None)
    return _decorate(ds)
