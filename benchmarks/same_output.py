#!/usr/bin/python3
"""Compares two geosim output files dataset by dataset, bit for bit.

  benchmarks/same_output.py A.h5 B.h5

Every dataset's bytes and every attribute must match, except the attributes
that describe the run rather than its results (wall time, threads, commit,
creation time). Exit status 0 when identical, 1 otherwise (differences
printed). Used to check that a performance change leaves results unchanged.
"""
import sys

import h5py
import numpy as np

# Attributes that name how or when a run was made, not what it computed.
# The checksum covers those too. Dimension scales' references point into
# each file and are compared as the datasets they name.
RUN_ATTRIBUTES = {"wall_time_seconds", "threads", "git_commit", "source", "created", "date_created", "history",
                  "geosim_checksum", "DIMENSION_LIST", "REFERENCE_LIST"}


def items(f):
    out = {}

    def visit(name, obj):
        out[name] = obj
    f.visititems(visit)
    return out


def same_attrs(a, b, where, problems):
    for key in sorted(set(a.attrs) | set(b.attrs)):
        if key in RUN_ATTRIBUTES:
            continue
        if key not in a.attrs or key not in b.attrs:
            problems.append(f"{where}: attribute {key} only in one file")
            continue
        x, y = np.asarray(a.attrs[key]), np.asarray(b.attrs[key])
        if x.shape != y.shape or x.tobytes() != y.tobytes():
            problems.append(f"{where}: attribute {key} differs: {a.attrs[key]!r} vs {b.attrs[key]!r}")


def same_data(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    if x.dtype.kind == "O":  # variable-length strings: compare the values
        return x.tolist() == y.tolist()
    return x.tobytes() == y.tobytes()


def main(path_a, path_b):
    problems = []
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        same_attrs(fa, fb, "/", problems)
        ia, ib = items(fa), items(fb)
        for name in sorted(set(ia) | set(ib)):
            if name not in ia or name not in ib:
                problems.append(f"{name}: only in one file")
                continue
            a, b = ia[name], ib[name]
            same_attrs(a, b, name, problems)
            if isinstance(a, h5py.Dataset) and not same_data(a[()], b[()]):
                problems.append(f"{name}: data differ")
        print(f"{len(ia)} objects compared")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
