"""Helpers of the sweep integration tests: run geosim, compare sweep files."""

import os
import subprocess

import h5py
import numpy as np

SOURCE = os.environ.get("GEOSIM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SMOKE = os.path.join(SOURCE, "scenarios", "sweeps", "smoke.yaml")
REDUCED = os.path.join(SOURCE, "scenarios", "sweeps", "reduced_baseline.yaml")


def geosim():
    return os.environ["GEOSIM_BIN"]


def run(*args, check=True, binary=None, prefix=()):
    """Runs geosim with args; returns the CompletedProcess (text). Sweeps run
    with --check: every run's outputs are held to their invariants."""
    args = [str(a) for a in args]
    if args and args[0] == "sweep" and "--no-check" not in args:
        args.append("--check")
    cmd = [*prefix, binary or geosim(), *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def write_sweep(path, body, base=REDUCED):
    """A sweep file at path on the reduced baseline."""
    with open(path, "w") as f:
        f.write(f"sweep_version: 1\nname: {os.path.basename(path)[:-5]}\nbase: {base}\n{body}")
    return path


def _value(d):
    v = d[()]
    if d.dtype.kind == "O":  # vlen strings
        return [x.decode() if isinstance(x, bytes) else x for x in np.atleast_1d(v)]
    return np.asarray(v)


def assert_same_sweep(a, b, ignore_attrs=("shard",)):
    """Every variable bit-identical (NaN included) and the same global attributes."""
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        assert sorted(fa.keys()) == sorted(fb.keys()), (sorted(fa.keys()), sorted(fb.keys()))
        for name in fa:
            da, db = fa[name], fb[name]
            assert da.shape == db.shape, name
            assert da.dtype == db.dtype, name
            va, vb = _value(da), _value(db)
            if isinstance(va, list):
                assert va == vb, name
            else:
                assert va.tobytes() == vb.tobytes(), f"variable {name} differs"
            attrs_a = {k: v for k, v in da.attrs.items() if k not in ("DIMENSION_LIST", "REFERENCE_LIST")}
            attrs_b = {k: v for k, v in db.attrs.items() if k not in ("DIMENSION_LIST", "REFERENCE_LIST")}
            assert attrs_a.keys() == attrs_b.keys(), name
        ka = {k: v for k, v in fa.attrs.items() if k not in ignore_attrs}
        kb = {k: v for k, v in fb.attrs.items() if k not in ignore_attrs}
        assert ka.keys() == kb.keys()
        for k in ka:
            assert np.array_equal(np.asarray(ka[k]), np.asarray(kb[k])), f"attribute {k} differs"
