"""Summaries over the runs of a sweep: replicate bands, responses to a
parameter, Sobol sensitivity indices, and a tidy pandas export.

Replicates are runs with the same values of every ``param_`` variable. Runs
whose ``status`` says they did not finish are left out of every summary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .io import ok_runs, parameter_label, parameter_names

DEFAULT_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def finished(ds_or_da, ds: xr.Dataset | None = None):
    """Only the runs that finished (see :func:`geosim_analysis.io.ok_runs`)."""
    ref = ds if ds is not None else ds_or_da
    if "status" not in ref.coords and "status" not in getattr(ref, "variables", {}):
        return ds_or_da
    mask = ok_runs(ref if isinstance(ref, xr.Dataset) else ref.to_dataset(name="_y"))
    return ds_or_da.isel(run=np.flatnonzero(mask.values))


def parameter_points(ds) -> xr.DataArray:
    """``point(run)``: an integer per distinct combination of parameter values
    (in order of first appearance); replicates share a point."""
    names = parameter_names(ds)
    n = ds.sizes["run"]
    if not names:
        return xr.DataArray(np.zeros(n, int), dims="run", coords={"run": ds["run"]}, name="point")
    keys = list(zip(*[ds[p].values.tolist() for p in names]))
    index: dict = {}
    points = [index.setdefault(k, len(index)) for k in keys]
    return xr.DataArray(np.asarray(points), dims="run", coords={"run": ds["run"]}, name="point")


def scalar(ds, var: str, time=None, reduce: str = "mean", **sel) -> xr.DataArray:
    """One number per run (plus any dimension not selected): ``ds[var]``
    selected with ``sel`` (labels, e.g. state="RUS"), restricted to ``time``
    (a label or slice, e.g. ``slice("2024-01", "2024-12")``) and reduced over
    time with ``reduce`` ("mean", "sum", "last", "max", "min")."""
    da = ds[var].sel(**sel) if sel else ds[var]
    if time is not None:
        da = da.sel(time=time)
    if "time" in da.dims:
        if reduce == "last":
            da = da.isel(time=-1)
        else:
            da = getattr(da, reduce)("time", skipna=False, keep_attrs=True)
    da.attrs = dict(ds[var].attrs)
    return da


def replicate_bands(da: xr.DataArray, quantiles=DEFAULT_QUANTILES) -> xr.Dataset:
    """Mean and quantiles over the replicates of each parameter point.

    ``da`` has a ``run`` dimension (e.g. ``sweep.trade_share.sel(state="RUS",
    partner="CHN")``). The result has ``mean``, ``std``, ``quantiles`` (with a
    ``quantile`` dimension) and ``count``, over a ``point`` dimension whose
    coordinates are the parameter values; the other dimensions of ``da`` stay.
    """
    da = finished(da)
    points = parameter_points(da)
    names = parameter_names(da)
    pieces = []
    for p in np.unique(points.values):
        runs = da.isel(run=np.flatnonzero(points.values == p))
        piece = xr.Dataset({
            "mean": runs.mean("run"),
            "std": runs.std("run", ddof=1) if runs.sizes["run"] > 1 else runs.isel(run=0) * np.nan,
            "quantiles": runs.quantile(list(quantiles), dim="run"),
            "count": runs.notnull().sum("run"),
        })
        piece = piece.drop_vars([c for c in piece.coords if c in names or c in
                                 ("run", "seed", "status", "error", "sobol_matrix", "sobol_sample")],
                                errors="ignore")
        pieces.append(piece)
    out = xr.concat(pieces, dim="point")
    out = out.assign_coords(point=np.arange(len(pieces)))
    first = [int(np.flatnonzero(points.values == p)[0]) for p in np.unique(points.values)]
    for name in names:
        out = out.assign_coords({name: ("point", da[name].values[first])})
        out[name].attrs = dict(da[name].attrs)
    for v in ("mean", "std", "quantiles"):
        out[v].attrs = {"units": da.attrs.get("units", ""),
                        "long_name": f"{v} over replicates of " + da.attrs.get("long_name", da.name or "")}
    out.attrs["description"] = "summary over replicates (runs with equal parameter values)"
    return out


def response(y: xr.DataArray, param: str, quantiles=(0.05, 0.5, 0.95)) -> xr.Dataset:
    """Response of a per-run output ``y`` to the parameter ``param`` (a
    ``param_`` name, or the name without the prefix): mean, standard deviation
    and quantiles of ``y`` over all runs at each value of the parameter (the
    other parameters vary over their swept values: a main-effect curve)."""
    if not param.startswith("param_"):
        param = "param_" + param
    y = finished(y)
    values = y[param].values
    levels = np.unique(values)
    pieces = []
    for v in levels:
        runs = y.isel(run=np.flatnonzero(values == v))
        pieces.append(xr.Dataset({
            "mean": runs.mean("run"),
            "std": runs.std("run", ddof=1) if runs.sizes["run"] > 1 else runs.isel(run=0) * np.nan,
            "quantiles": runs.quantile(list(quantiles), dim="run"),
            "count": runs.notnull().sum("run"),
        }).drop_vars([c for c in runs.coords if c not in runs.dims and c != "quantile"],
                     errors="ignore"))
    out = xr.concat(pieces, dim=param).assign_coords({param: levels})
    out[param].attrs = dict(y[param].attrs)
    out[param].attrs.setdefault("long_name", parameter_label(y, param))
    out["mean"].attrs = {"units": y.attrs.get("units", ""), "long_name": y.attrs.get("long_name", "")}
    return out


def grid_mean(y: xr.DataArray, px: str, py: str) -> xr.DataArray:
    """Mean of a per-run scalar ``y`` over replicates on the grid of two swept
    parameters (dims ``py``, ``px``); other parameters are averaged out."""
    px = px if px.startswith("param_") else "param_" + px
    py = py if py.startswith("param_") else "param_" + py
    y = finished(y)
    frame = pd.DataFrame({"x": y[px].values, "y": y[py].values, "v": y.values})
    table = frame.groupby(["y", "x"])["v"].mean().unstack("x")
    out = xr.DataArray(table.values, dims=(py, px), coords={py: table.index.values, px: table.columns.values},
                       attrs=dict(y.attrs))
    out[px].attrs = dict(y[px].attrs)
    out[py].attrs = dict(y[py].attrs)
    return out


# ---------------------------------------------------------------------------
# Sobol indices from a Saltelli design


def sobol_parameters(ds) -> list:
    """Parameter names of a Sobol design, in design order (global attribute
    ``sobol_parameters``: a list, or a string separated by commas or spaces)."""
    value = ds.attrs.get("sobol_parameters")
    if value is None:
        raise ValueError("not a Sobol design: no 'sobol_parameters' attribute")
    if isinstance(value, str):
        parts = value.replace(",", " ").split()
    else:
        parts = [v.decode() if isinstance(v, bytes) else str(v) for v in np.atleast_1d(value).tolist()]
    return parts


def _sobol_arrays(y: xr.DataArray, ds) -> tuple:
    """Splits y(run, ...) into f_A (N, E), f_B (N, E), f_AB (k, N, E);
    replicates of a design point are averaged, base samples with any missing
    evaluation are dropped."""
    names = sobol_parameters(ds)
    k = len(names)
    matrix = ds["sobol_matrix"].values.astype(int)
    sample = ds["sobol_sample"].values.astype(int)
    ok = ok_runs(ds).values if "status" in ds.variables else np.ones(len(matrix), bool)
    other = [d for d in y.dims if d != "run"]
    values = y.transpose("run", *other).values.reshape(y.sizes["run"], -1)
    n = sample.max() + 1
    sums = np.zeros((k + 2, n, values.shape[1]))
    counts = np.zeros((k + 2, n, values.shape[1]))
    for r in np.flatnonzero(ok):
        v = values[r]
        good = np.isfinite(v)
        sums[matrix[r], sample[r], good] += v[good]
        counts[matrix[r], sample[r], good] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        f = sums / counts
    complete = np.all(np.isfinite(f), axis=(0, 2))
    f = f[:, complete]
    return f[0], f[1], f[2:], names, other, int((~complete).sum())


def _indices(fa, fb, fab):
    # Centring on the mean of A and B leaves the estimators' expectations
    # unchanged and removes the mean's noise from S1 (as SALib does): without
    # it an output with a large mean and a small variance gives |S1| >> 1.
    centre = np.mean(np.concatenate([fa, fb], axis=0), axis=0)
    fa, fb, fab = fa - centre, fb - centre, fab - centre
    variance = np.var(np.concatenate([fa, fb], axis=0), axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.mean(fb[None] * (fab - fa[None]), axis=1) / variance          # Saltelli 2010
        total = 0.5 * np.mean((fa[None] - fab) ** 2, axis=1) / variance          # Jansen 1999
    return first, total, variance


def sobol_indices(y: xr.DataArray, ds=None, bootstrap: int = 200, seed: int = 0) -> xr.Dataset:
    """First-order and total Sobol indices of a per-run output from a Saltelli
    design (``sobol_matrix(run)``: 0 = A, 1 = B, 2+i = AB_i; ``sobol_sample(run)``).

    First order: Saltelli et al. (2010), S_i = mean(f_B (f_ABi - f_A)) / V,
    with every f centred on the mean of f_A and f_B.
    Total: Jansen (1999), S_Ti = mean((f_A - f_ABi)^2) / (2 V), with V the
    variance of f_A and f_B together. ``S1_conf`` and ``ST_conf`` are half
    widths of 95 % bootstrap intervals over base samples. Any dimension of
    ``y`` besides ``run`` (e.g. time) is kept: one set of indices per element.
    """
    ds = y if ds is None else ds
    fa, fb, fab, names, other, dropped = _sobol_arrays(y, ds)
    first, total, variance = _indices(fa, fb, fab)
    rng = np.random.default_rng(seed)
    n = fa.shape[0]
    boot_first, boot_total = [], []
    for _ in range(bootstrap):
        pick = rng.integers(0, n, n)
        b1, bt, _ = _indices(fa[pick], fb[pick], fab[:, pick])
        boot_first.append(b1)
        boot_total.append(bt)
    shape = [len(names)] + [y.sizes[d] for d in other]
    coords = {"parameter": names}
    coords.update({d: y[d].values for d in other if d in y.coords})
    dims = ["parameter"] + other

    def wrap(a, long_name):
        return xr.DataArray(np.asarray(a).reshape(shape), dims=dims, coords=coords,
                            attrs={"units": "1", "long_name": long_name})

    def half_width(samples):
        if not samples:
            return np.full_like(first, np.nan)
        s = np.asarray(samples)
        return 0.5 * (np.nanquantile(s, 0.975, axis=0) - np.nanquantile(s, 0.025, axis=0))

    out = xr.Dataset({
        "S1": wrap(first, "first-order Sobol index (Saltelli 2010)"),
        "ST": wrap(total, "total Sobol index (Jansen 1999)"),
        "S1_conf": wrap(half_width(boot_first), "half width of the 95 % bootstrap interval of S1"),
        "ST_conf": wrap(half_width(boot_total), "half width of the 95 % bootstrap interval of ST"),
    })
    out["variance"] = xr.DataArray(variance.reshape(shape[1:]), dims=other,
                                   coords={d: coords[d] for d in other if d in coords},
                                   attrs={"long_name": "variance of the output over A and B",
                                          "units": f"({y.attrs.get('units', '')})^2"})
    out.attrs.update({"base_samples": n, "dropped_samples": dropped,
                      "output": y.attrs.get("long_name", y.name or "")})
    return out


# ---------------------------------------------------------------------------
# Tidy export


def to_frame(ds: xr.Dataset, variables=None, **sel) -> pd.DataFrame:
    """A tidy (long) pandas frame: one row per value, with a column per
    dimension (run, time, state, ...), the parameters of the run (``param_*``,
    ``seed``), ``variable``, ``units`` and ``value``.

    ``variables``: a name or list (default: every data variable); ``sel``:
    label selections applied first where a variable has the dimension
    (e.g. ``state="RUS"``, ``time=slice("2022", "2024")``).
    """
    if variables is None:
        variables = [v for v in ds.data_vars if v not in ("sobol_matrix", "sobol_sample")]
    elif isinstance(variables, str):
        variables = [variables]
    run_vars = [] if "run" not in ds.dims else [
        str(v) for v in ds.variables
        if ds[v].dims == ("run",) and v != "run" and ds[v].dtype.kind in "iufb"]
    frames = []
    for name in variables:
        da = ds[name]
        picks = {k: v for k, v in sel.items() if k in da.dims}
        da = da.sel(**picks) if picks else da
        da = da.reset_coords(drop=True)
        frame = da.to_dataframe(name="value").reset_index()
        frame.insert(0, "variable", name)
        frame["units"] = ds[name].attrs.get("units", "")
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True, sort=False)
    if run_vars and "run" in out.columns:
        runs = pd.DataFrame({v: ds[v].values for v in run_vars})
        runs["run"] = ds["run"].values
        out = out.merge(runs, on="run", how="left")
    columns = ["variable"] + [c for c in out.columns if c not in ("variable", "units", "value")] \
        + ["units", "value"]
    return out[columns]
