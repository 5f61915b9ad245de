"""The in-memory run of geosim._core.run as an xarray Dataset, decoded as
xr.open_dataset decodes the file that ``geosim run`` writes."""

from __future__ import annotations

import numpy as np
import xarray as xr


def _attrs(pairs) -> dict:
    """[(name, (numpy type, value))] -> {name: value} with the file's types."""
    out = {}
    for name, (kind, value) in pairs:
        out[name] = value if kind == "str" else np.dtype(kind).type(value)
    return out


def to_dataset(raw: dict) -> xr.Dataset:
    coords = {"time": ("time", raw["time"], _attrs(raw["time_attrs"]))}
    for label in raw["labels"]:
        coords[label["dim"]] = (label["dim"], np.array(label["labels"], dtype=object), _attrs(label["attrs"]))
    data = {}
    bounds = raw["time_bounds"]
    data[bounds["name"]] = (tuple(bounds["dims"]), bounds["values"], _attrs(bounds["attrs"]))
    for v in raw["variables"]:
        attrs = {"_FillValue": np.float64(np.nan), **_attrs(v["attrs"])}
        data[v["name"]] = (tuple(v["dims"]), v["values"], attrs)
    ds = xr.Dataset(data, coords=coords, attrs=_attrs(raw["attrs"]))
    return xr.decode_cf(ds).load()
