"""Answers with intervals: a scenario run over posterior draws x seeds.

    python3 -m geosim_analysis predict SCENARIO.yaml --draws D --seeds S -o OUT.h5
        [--posterior docs/calibration/posterior.csv] [--master-seed M] [--geosim BIN]
        [--jobs N] [--threads-per-run T] [--shard K/N] [--launcher 'mpirun -np 16']
        [--resume | --force] [--horizon-end YYYY-MM] [--write-sweep] [-q]

    from geosim_analysis import predict as gp
    b = gp.bands("out/baseline.h5", "trade_share", sel=dict(state="RUS", partner="CHN"), reduce="annual")
    b.median, b.predictive_lo, b.predictive_hi     # spread of outcomes over draws x seeds
    b["mean"], b.mean_lo, b.mean_hi                # where the mean lies (Monte Carlo error)
    e = gp.effect("out/cap.h5", "out/baseline.h5", "energy_revenue", sel=dict(state="RUS"))
    gp.summary({"baseline": "out/baseline.h5", "cap": "out/cap.h5"}, ["energy_revenue"], windows=["2025-2030"])

The posterior. A CSV with one row per posterior draw and one column per
parameter, headed by the scenario key path exactly as ``--set`` takes it
(``parameters.orders.income_elasticity``, ``events[fdpr_row].intensity``); an
optional leading integer ``draw`` column names the draws (else a draw is its
0-based row number), an optional ``weight`` column must be uniform (a
weighted sample must be resampled first: it is refused, not silently used),
and a ``distance`` column (estimate.py's ABC distance) is ignored.

Which draws. ``--draws D`` takes D rows sampled without replacement with a
fixed seed, the master seed: the D rows whose SHA-256 of
``"<master seed>:<row>"`` is smallest, run in row order. The sample is nested
(the D rows for a larger D include those for a smaller one) and depends only
on the number of rows and the master seed, never on numpy's version. D equal
to the number of rows takes every row.

The runs. One ``geosim sweep`` (docs/sweeps.md): a ``zip`` group that gives
every posterior key its D values (draw i's row in point i), ``replicates: S``
and ``seed: M``. Run ``i*S + s`` is draw i with seed index s and has seed
``run_seed(M, i*S + s)``: so two predictions of different scenarios with the
same posterior, D, S and M have the same run ids, draws and seeds, run by
run (paired; :func:`check_paired`). The posterior's values replace the
scenario's own at those keys: a scenario that changes a posterior key loses
that change (:func:`effect` warns when it finds one).

The output is the sweep's file, exactly as geosim writes it (shards, MPI,
merge and resume work as for any sweep): a ``run`` dimension, the posterior
values of each run as ``param_*`` (attribute ``key_path``), ``seed``, and
the run's identity as (draw, seed): ``param_draw`` holds the draw's id (swept
as the value of the scenario's free-text ``description``, which changes
nothing in a run) and ``replicate`` the seed index 0..S-1.
:func:`open_prediction` opens it with integer ``draw`` and ``seed_index``
coordinates along ``run``. The sweep file, stored in the output's ``sweep``
attribute, names the posterior file, its SHA-256 and the rows taken.

Two intervals, both 90 % by default, never to be confused:

- the *predictive interval* (``predictive_lo``, ``predictive_hi``, with the
  ``median``): quantiles of the outcome over all D x S runs (numpy's linear
  interpolation). Where an outcome may fall, given what the data leave
  uncertain about the parameters and the agents' draws. It does not shrink
  as D and S grow.
- the *interval of the mean* (``mean``, ``mean_lo``, ``mean_hi``): a
  t-interval for the posterior-predictive mean, from the D per-draw means
  (mean over seeds): mean +- t(D-1) sd / sqrt(D) (with one draw, from the
  seeds). The Monte Carlo error of the estimate; it shrinks as D grows.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import math
import os
import re
import shlex
import subprocess
import sys
import warnings
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .calibration import _is_current, default_geosim
from .compare import OUTCOMES, Outcome, _parse_window, t_quantile
from .io import ok_runs, open_sweep
from .metrics import annual

try:
    import yaml
except ImportError:  # pragma: no cover - Debian's python3-yaml is a dependency
    yaml = None

DEFAULT_POSTERIOR = os.path.join("docs", "calibration", "posterior.csv")
DEFAULT_MASTER_SEED = 20240101  # compare's default, so both pair with each other's runs
QUANTILES = (0.05, 0.5, 0.95)
LEVEL = 0.90
PREDICT_MARK = "# geosim_analysis.predict:"


class PredictError(ValueError):
    """Bad input to a prediction (posterior, options, unpaired files); the
    command line exits with 2."""


# ---------------------------------------------------------------------------
# The posterior


# A key path as --set takes it: names joined by '.', each name optionally
# followed by list selectors [i] or [CODE] (docs/scenario-reference.md).
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_SELECTOR = r"\[[A-Za-z0-9_.\-]+\]"
KEY_PATH = re.compile(rf"{_NAME}(?:{_SELECTOR})*(?:\.{_NAME}(?:{_SELECTOR})*)*")
# Keys a posterior cannot set: they are not parameters of the model, and a
# sweep refuses to sweep seed and base.
_NOT_PARAMETERS = {"seed", "base", "schema_version", "name", "description", "horizon"}
# Columns of a posterior CSV that are not parameters: the draw's id, its
# weight (must be uniform) and the ABC distance estimate.py records (ignored).
BOOKKEEPING = ("draw", "weight", "distance")


@dataclass(frozen=True)
class Posterior:
    """A posterior sample as read from its CSV. ``keys``: the key paths, in
    column order; ``values``: rows x keys; ``draws``: each row's draw id;
    ``sha256``: of the file's bytes (recorded in the output)."""
    path: str
    keys: tuple
    values: np.ndarray
    draws: np.ndarray
    sha256: str

    def __len__(self) -> int:
        return self.values.shape[0]


def read_posterior(path) -> Posterior:
    """Reads a posterior CSV (module docstring). Raises PredictError naming
    the file and the column (and row) for a header that is not a key path, a
    duplicate column, a value that is not a finite number, a ``draw`` column
    that is not of unique integers, or non-uniform weights."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise PredictError(f"{path}: cannot read the posterior: {e.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PredictError(f"{path}: not a UTF-8 text file") from None
    table = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
    if not table:
        raise PredictError(f"{path}: empty (expected a header of key paths and one row per draw)")
    columns = [c.strip() for c in table[0]]
    for i, c in enumerate(columns):
        if not c:
            raise PredictError(f"{path}: column {i + 1} has no name")
        if c in columns[:i]:
            raise PredictError(f"{path}: column '{c}' appears twice")
    for i, r in enumerate(table[1:]):
        if len(r) != len(columns):
            raise PredictError(f"{path}: row {i + 1} has {len(r)} values for {len(columns)} columns")
    frame = pd.DataFrame([[c.strip() for c in r] for r in table[1:]], columns=columns, dtype=str)
    if frame.empty:
        raise PredictError(f"{path}: no draws (the file has a header and no rows)")
    draws = np.arange(len(frame), dtype=np.int64)
    if "draw" in columns:
        if columns[0] != "draw":
            raise PredictError(f"{path}: column 'draw' must be the first column")
        try:
            draws = np.array([int(v) for v in frame["draw"]], dtype=np.int64)
        except ValueError:
            bad = next(v for v in frame["draw"] if not re.fullmatch(r"[+-]?\d+", v.strip()))
            raise PredictError(f"{path}: column 'draw': {bad!r} is not an integer") from None
        if len(set(draws.tolist())) != len(draws):
            raise PredictError(f"{path}: column 'draw': draw ids must be unique")
    if "weight" in columns:
        w = _numbers(path, frame, "weight")
        if not np.allclose(w, w[0], rtol=1e-9, atol=0.0):
            raise PredictError(f"{path}: column 'weight': the weights are not uniform "
                               f"({w.min():g} to {w.max():g}); resample the draws by weight first, "
                               "predict treats every row as one equally likely draw")
    keys = [c for c in columns if c not in BOOKKEEPING]
    if not keys:
        raise PredictError(f"{path}: no parameter columns (only {', '.join(columns)})")
    for k in keys:
        if not KEY_PATH.fullmatch(k):
            raise PredictError(f"{path}: column '{k}' is not a scenario key path (expected names joined by "
                               "'.', with list selectors [i] or [CODE], as --set takes them: "
                               "parameters.orders.income_elasticity, events[fdpr_row].intensity)")
        if k.split(".")[0].split("[")[0] in _NOT_PARAMETERS:
            raise PredictError(f"{path}: column '{k}' is not a model parameter ({k.split('.')[0]} cannot vary "
                               "between the runs of a prediction)")
    values = np.column_stack([_numbers(path, frame, k) for k in keys])
    return Posterior(path, tuple(keys), values, draws, hashlib.sha256(raw).hexdigest())


def _numbers(path, frame, column) -> np.ndarray:
    out = np.empty(len(frame))
    for i, v in enumerate(frame[column]):
        try:
            out[i] = float(v)
        except ValueError:
            out[i] = math.nan
        if not math.isfinite(out[i]):
            raise PredictError(f"{path}: column '{column}', row {i + 1}: {v!r} is not a finite number")
    return out


def select_draws(n_rows: int, draws: int, master_seed: int) -> np.ndarray:
    """The rows (0-based, ascending) of the ``draws`` draws taken from a
    posterior of ``n_rows`` rows: those whose SHA-256 of ``"<seed>:<row>"`` is
    smallest (a sample without replacement, nested in ``draws``)."""
    if not 1 <= int(draws) <= n_rows:
        raise PredictError(f"--draws {draws}: expected 1 to {n_rows} (the posterior's rows)")
    order = sorted(range(n_rows), key=lambda r: hashlib.sha256(f"{int(master_seed)}:{r}".encode()).digest())
    return np.sort(np.asarray(order[:int(draws)], dtype=np.int64))


# ---------------------------------------------------------------------------
# The sweep


def _name(key: str) -> str:
    """The sweep's default parameter name for a key path (sweep/plan.cpp
    default_name): runs of non-alphanumerics become one '_'."""
    return re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")


def _number(v: float) -> str:
    """Shortest text that reads back as the same float64 (so a run's
    param_ value equals its draw's value exactly)."""
    if float(v).is_integer() and abs(v) < 2 ** 53:
        return str(int(v))
    return repr(float(v))


def _scenario_name(path) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        if isinstance(doc, dict) and doc.get("name"):
            return str(doc["name"])
    except (OSError, yaml.YAMLError):
        pass
    return os.path.splitext(os.path.basename(path))[0]


def _quoted(text) -> str:
    """A YAML single-quoted scalar."""
    return "'" + str(text).replace("'", "''") + "'"


def write_sweep(path, scenario, posterior: Posterior, rows, seeds: int, master_seed: int,
                horizon_end=None) -> str:
    """Writes the prediction's sweep file (module docstring) at ``path`` and,
    with ``horizon_end`` ("YYYY-MM"), a derived scenario next to it that cuts
    the horizon (a sweep cannot change it). Returns the sweep file's path."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    base = os.path.abspath(os.fspath(scenario))
    stem = os.path.splitext(os.path.basename(base))[0]
    if horizon_end:
        derived = os.path.join(folder, f"{stem}.horizon.yaml")
        with open(derived, "w", encoding="utf-8") as f:
            f.write("schema_version: 1\n"
                    f"base: {_quoted(os.path.relpath(base, folder))}\n"
                    f"name: {_quoted(_scenario_name(base))}\n"
                    f"horizon: {{end: {horizon_end}}}\n"
                    "output: {snapshots: []}\n")
        base = derived
    names, used = [], set()
    for k in posterior.keys:
        n = _name(k) or "p"
        n = n if not n[0].isdigit() else "p_" + n
        candidate, i = n, 2
        while candidate in used or candidate == "draw":
            candidate, i = f"{n}_{i}", i + 1
        used.add(candidate)
        names.append(candidate)
    ids = " ".join(str(int(posterior.draws[r])) for r in rows)
    lines = [f"{PREDICT_MARK} posterior={os.path.basename(posterior.path)} sha256={posterior.sha256}",
             f"{PREDICT_MARK} rows={' '.join(str(int(r)) for r in rows)}",
             f"{PREDICT_MARK} draws={ids}",
             "sweep_version: 1",
             f"name: predict_{re.sub(r'[^A-Za-z0-9_]+', '_', stem)}",
             "description: " + _quoted(f"{_scenario_name(os.path.abspath(os.fspath(scenario)))} over {len(rows)} "
                                       f"posterior draws x {seeds} seeds (geosim_analysis.predict)"),
             f"base: {_quoted(os.path.relpath(base, folder))}",
             f"seed: {int(master_seed)}",
             f"replicates: {int(seeds)}",
             "parameters:",
             "  - zip:"]
    # The draw's id rides along as the value of the scenario's free-text
    # description (it changes nothing in a run), so that geosim itself
    # records it per run as param_draw: shards, MPI, merge and resume keep it
    # and the file stays exactly as geosim wrote and checksummed it.
    lines += ["      - key: description", "        name: draw", f"        values: [{ids.replace(' ', ', ')}]"]
    for j, (k, n) in enumerate(zip(posterior.keys, names)):
        values = ", ".join(_number(posterior.values[r, j]) for r in rows)
        lines += [f"      - key: '{k}'", f"        name: {n}", f"        values: [{values}]"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def _parse_marks(sweep_text: str) -> dict:
    marks = {}
    for line in sweep_text.splitlines():
        if line.startswith(PREDICT_MARK):
            for item in line[len(PREDICT_MARK):].split():
                if "=" in item:
                    k, v = item.split("=", 1)
                    marks[k] = v
            if "rows=" in line:
                marks["rows"] = line.split("rows=", 1)[1].split()
            if "draws=" in line:
                marks["draws"] = line.split("draws=", 1)[1].split()
    return marks


def _posterior_problem(message: str, posterior: Posterior, rows, seeds: int) -> str:
    """geosim's refusal of a prediction's runs said in the posterior's terms:
    per column, the first draw it names (with its row and value) and how many
    other draws have the same problem; lines that are not about a column
    (the scenario itself is invalid) stay as geosim wrote them."""
    found, other = {}, []
    for line in message.strip().splitlines():
        m = re.search(r"run (\d+): --set ([^=\s]+)=(.*?): (\S+: .*)$", line)
        if not m or m.group(2) not in posterior.keys:
            if not re.match(r"geosim: \d+ of \d+ runs are invalid", line):
                other.append(line)
            continue
        r = int(rows[int(m.group(1)) // seeds])
        found.setdefault(m.group(2), {}).setdefault(r, (m.group(3), m.group(4)))
    out = []
    for key, per_row in found.items():
        r, (value, text) = next(iter(per_row.items()))
        more = len(per_row) - 1
        out.append(f"{posterior.path}: column '{key}', draw {int(posterior.draws[r])} (row {r + 1}, value {value}): "
                   f"{text}" + (f" (and {more} other draw{'s' if more > 1 else ''})" if more else ""))
    return "\n".join(out + other) or message.strip()


def _run(cmd, capture=False) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=capture, text=True)
    except OSError as e:
        raise PredictError(f"cannot run {cmd[0]}: {e.strerror}") from None


@dataclass
class Prediction:
    """What :func:`predict` returns: the output (None with ``write_sweep_only``),
    the sweep file, the posterior rows and draw ids used."""
    output: str | None
    sweep: str
    rows: np.ndarray
    draws: np.ndarray
    seeds: int
    master_seed: int


def predict(scenario, out, draws: int, seeds: int, *, posterior=DEFAULT_POSTERIOR,
            master_seed: int = DEFAULT_MASTER_SEED, geosim=None, jobs: int | None = 2,
            threads_per_run: int | None = None, shard: str | None = None, launcher: str | Sequence = (),
            resume: bool = False, force: bool = False, reuse: bool = False, horizon_end=None,
            write_sweep_only: bool = False, validate: bool = True, quiet: bool = True) -> Prediction:
    """Runs ``scenario`` for ``draws`` posterior draws x ``seeds`` seeds into
    ``out`` (module docstring) and returns a :class:`Prediction`.

    The sweep file goes to ``OUT.predict/predict.sweep.yaml``. ``shard``
    ("K/N") runs one shard into ``out`` (merge the shards with ``geosim
    merge``); ``launcher`` prefixes geosim (e.g. "mpirun -np 16").
    ``resume``: keep the finished runs of an interrupted prediction (geosim
    sweep --resume; nothing to do on a complete one). ``force``: replace an
    existing output. ``reuse``: keep an existing output of this very sweep
    (same fingerprint) made after the binary, resume an interrupted one, and
    replace anything else (as the scenario figures want).
    ``write_sweep_only``: write (and check) the sweep file and run nothing,
    e.g. for scripts/slurm/sweep.sbatch. ``validate``: check each draw's
    scenario with ``geosim plan`` first, so that a posterior column the
    model does not know is named as a column.

    Raises PredictError for a bad posterior, bad options, or a run the model
    refuses (naming the column and draw); subprocess.CalledProcessError when
    geosim fails otherwise.
    """
    if int(seeds) < 1:
        raise PredictError(f"--seeds {seeds}: expected at least 1")
    if shard is not None and not re.fullmatch(r"\d+/\d+", shard):
        raise PredictError(f"--shard {shard}: expected K/N")
    geosim = geosim or default_geosim()
    post = read_posterior(posterior)
    rows = select_draws(len(post), draws, master_seed)
    out = os.fspath(out)
    work = out + ".predict"
    sweep = write_sweep(os.path.join(work, "predict.sweep.yaml"), scenario, post, rows, int(seeds), master_seed,
                        horizon_end)
    result = Prediction(None, sweep, rows, post.draws[rows], int(seeds), int(master_seed))
    if validate:
        # One seed per draw is enough: a draw's runs differ only in their seed.
        check = write_sweep(os.path.join(work, "validate.sweep.yaml"), scenario, post, rows, 1, master_seed,
                            horizon_end)
        plan = _run([geosim, "plan", check], capture=True)
        if plan.returncode == 2:
            raise PredictError(_posterior_problem(plan.stderr or plan.stdout, post, rows, 1))
        if plan.returncode != 0:
            raise subprocess.CalledProcessError(plan.returncode, plan.args, plan.stdout, plan.stderr)
    if write_sweep_only:
        return result
    if reuse and not shard:
        if os.path.exists(out + ".parts"):
            resume = True
        elif os.path.exists(out):
            if _is_current(geosim, sweep, out):
                result.output = out
                return result
            force = True
    prefix = shlex.split(launcher) if isinstance(launcher, str) else list(launcher)
    cmd = prefix + [geosim, "sweep", sweep, "-o", out]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if threads_per_run:
        cmd += ["--threads-per-run", str(threads_per_run)]
    if shard:
        cmd += ["--shard", shard]
    if resume:
        cmd.append("--resume")
    if force:
        cmd.append("--force")
    if quiet:
        cmd.append("-q")
    # Quiet: geosim's messages are captured, so that a refusal can be said in
    # the posterior's terms; otherwise they (and the progress bar) stream.
    res = _run(cmd, capture=quiet)
    if res.returncode == 2:
        raise PredictError(_posterior_problem(res.stderr, post, rows, int(seeds)) if quiet else
                           f"geosim sweep refused {sweep} (its message is above)")
    if res.returncode != 0:
        raise subprocess.CalledProcessError(res.returncode, cmd, res.stdout, res.stderr)
    result.output = out
    return result


# ---------------------------------------------------------------------------
# Identifying the runs


def identification(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(draw, seed_index) of every run of a prediction's Dataset: its
    ``param_draw`` (the draw's id, swept as the description) and its
    ``replicate``. Raises PredictError for a file that is not a prediction."""
    if "draw" in ds.variables and "seed_index" in ds.variables:
        return np.asarray(ds["draw"].values, np.int64), np.asarray(ds["seed_index"].values, np.int64)
    if "param_draw" not in ds.variables or "replicate" not in ds.variables:
        raise PredictError("not a prediction of geosim_analysis.predict (no param_draw and replicate per run)")
    return (np.asarray(ds["param_draw"].values, float).astype(np.int64),
            np.asarray(ds["replicate"].values, np.int64))


def provenance(ds: xr.Dataset) -> dict:
    """What the prediction's sweep file records about its posterior:
    ``posterior`` (file name), ``sha256``, ``rows`` and ``draws`` (lists)."""
    return _parse_marks(str(ds.attrs.get("sweep", "")))


def open_prediction(path_or_ds) -> xr.Dataset:
    """A prediction's file as a Dataset with ``draw`` and ``seed_index``
    coordinates along ``run`` (see :func:`identification`)."""
    ds = open_sweep(path_or_ds) if not isinstance(path_or_ds, xr.Dataset) else path_or_ds
    if "run" not in ds.dims:
        raise PredictError("not a prediction: no 'run' dimension")
    if "draw" not in ds.coords or "seed_index" not in ds.coords:
        draw, seed_index = identification(ds)
        ds = ds.assign_coords(draw=("run", draw), seed_index=("run", seed_index))
        ds["draw"].attrs["long_name"] = "posterior draw (the posterior's draw column, else its 0-based row)"
        ds["seed_index"].attrs["long_name"] = "index of the run's seed among its draw's seeds (replicate)"
    return ds


def check_paired(a: xr.Dataset, b: xr.Dataset, names=("scenario", "baseline")) -> None:
    """Raises PredictError naming what differs unless the two predictions
    are paired run by run: the same run ids, draw, seed_index and seed, the
    same posterior file, and the same values of the posterior's parameters."""
    na, nb = names
    va, vb = provenance(a).get("sha256"), provenance(b).get("sha256")
    if va and vb and va != vb:
        raise PredictError(f"{na} and {nb} are not paired: they come from different posterior files "
                           f"(SHA-256 {va[:12]}... against {vb[:12]}...)")
    if a.sizes["run"] != b.sizes["run"]:
        da, db = (np.unique(x["draw"].values).size for x in (a, b))
        sa, sb = (np.unique(x["seed_index"].values).size for x in (a, b))
        raise PredictError(f"{na} and {nb} are not paired: {a.sizes['run']} runs ({da} draws x {sa} seeds) "
                           f"against {b.sizes['run']} ({db} draws x {sb} seeds)")
    for var in ("run", "draw", "seed_index", "seed"):
        if var not in a.variables or var not in b.variables:
            raise PredictError(f"{na} and {nb} are not paired: '{var}' is missing from "
                               f"{na if var not in a.variables else nb}")
        x, y = np.asarray(a[var].values), np.asarray(b[var].values)
        if not np.array_equal(x, y):
            i = int(np.flatnonzero(x != y)[0])
            hint = " (a different master seed?)" if var == "seed" else \
                " (a different posterior, --draws or master seed?)" if var == "draw" else ""
            raise PredictError(f"{na} and {nb} are not paired: {var} differs at run {int(a['run'].values[i])}: "
                               f"{x[i]} against {y[i]}{hint}")
    keys = {str(a[p].attrs.get("key_path", p)): p for p in a.variables if str(p).startswith("param_")}
    other = {str(b[p].attrs.get("key_path", p)): p for p in b.variables if str(p).startswith("param_")}
    if set(keys) != set(other):
        only = sorted(set(keys) ^ set(other))
        raise PredictError(f"{na} and {nb} are not paired: the posterior's parameters differ "
                           f"({', '.join(only)} in one only)")
    for key, p in keys.items():
        x, y = np.asarray(a[p].values), np.asarray(b[other[key]].values)
        if not np.array_equal(x, y):
            i = int(np.flatnonzero(x != y)[0])
            raise PredictError(f"{na} and {nb} are not paired: {key} differs at run {int(a['run'].values[i])} "
                               f"(draw {int(a['draw'].values[i])}): {x[i]} against {y[i]}")


# ---------------------------------------------------------------------------
# Bands and effects


def _values(ds: xr.Dataset, variable, sel=None, reduce=None, time=None) -> xr.DataArray:
    """The per-run values of ``variable`` (run, ...): a data variable of the
    file, an :class:`~geosim_analysis.compare.Outcome` or its name in
    compare.OUTCOMES (yearly values), or a function of the Dataset."""
    if isinstance(variable, str) and variable in ds.data_vars:
        da = ds[variable]
    elif isinstance(variable, Outcome) or (isinstance(variable, str) and variable in OUTCOMES):
        o = variable if isinstance(variable, Outcome) else OUTCOMES[variable]
        da = o.function(ds)
        da.attrs.setdefault("units", o.unit)
        da.attrs.setdefault("long_name", o.title)
    elif callable(variable):
        da = variable(ds)
    else:
        raise PredictError(f"{variable!r} is neither a variable of the file nor an outcome "
                           f"({', '.join(OUTCOMES)})")
    attrs = dict(da.attrs)
    if sel:
        da = da.sel(**sel)
    if time is not None:
        da = da.sel(time=time)
    if reduce is None:
        pass
    elif callable(reduce):
        da = reduce(da)
    elif reduce in ("annual", "annual_mean"):
        da = annual(da, how="mean")
    elif reduce == "annual_sum":
        da = annual(da, how="sum")
    elif reduce == "last":
        da = da.isel(time=-1)
    elif reduce in ("mean", "sum", "max", "min"):
        da = getattr(da, reduce)("time", skipna=False)
    else:
        raise PredictError(f"reduce={reduce!r}: expected None, 'annual', 'annual_sum', 'mean', 'sum', "
                           "'last', 'max', 'min' or a function")
    if "run" not in da.dims:
        raise PredictError(f"{variable!r}: the values have no 'run' dimension")
    da.attrs = {**attrs, **da.attrs}
    return da


def _finished(ds: xr.Dataset) -> np.ndarray:
    return ok_runs(ds).values if "status" in ds.variables else np.ones(ds.sizes["run"], bool)


def interval_summary(da: xr.DataArray, q=QUANTILES, level: float = LEVEL) -> xr.Dataset:
    """Over the ``run`` dimension of ``da`` (with ``draw`` along ``run``):
    ``quantiles`` at ``q``, ``median``, the predictive interval
    (``predictive_lo``, ``predictive_hi``: the smallest and largest of
    ``q``), and the mean with its ``level`` t-interval from the per-draw
    means (``mean``, ``mean_lo``, ``mean_hi``), ``n`` runs and ``n_draws``."""
    q = sorted(set(float(x) for x in q) | {0.5})
    others = [c for c in da.coords if c != "run" and "run" in da[c].dims and c != "draw"]
    da = da.drop_vars(others)
    quant = da.quantile(q, dim="run", skipna=True)
    per_draw = da.groupby("draw").mean("run", skipna=True)
    n_draws = per_draw.notnull().sum("draw")
    if da.sizes["run"] and np.unique(da["draw"].values).size == 1:
        # One draw: the mean's uncertainty comes from the seeds alone.
        spread, n = da.std("run", ddof=1, skipna=True), da.notnull().sum("run")
    else:
        spread, n = per_draw.std("draw", ddof=1, skipna=True), n_draws
    mean = per_draw.mean("draw", skipna=True)
    tq = xr.apply_ufunc(np.vectorize(lambda k: t_quantile(1 - (1 - level) / 2, int(k) - 1) if k > 1 else np.nan,
                                     otypes=[float]), n)
    half = (tq * spread / np.sqrt(n.where(n > 0))).fillna(0.0).where(n > 1, np.nan)
    units = da.attrs.get("units", "")
    what = da.attrs.get("long_name", da.name or "")
    lo_q, hi_q = q[0], q[-1]
    out = xr.Dataset({
        "quantiles": quant,
        "median": quant.sel(quantile=0.5, drop=True),
        "predictive_lo": quant.sel(quantile=lo_q, drop=True),
        "predictive_hi": quant.sel(quantile=hi_q, drop=True),
        "mean": mean,
        "mean_lo": mean - half,
        "mean_hi": mean + half,
        "n": da.notnull().sum("run"),
        "n_draws": n_draws,
    })
    pct = f"{100 * (hi_q - lo_q):.0f} %"
    names = {
        "median": "median over draws x seeds",
        "predictive_lo": f"{100 * lo_q:g}th percentile over draws x seeds (lower end of the {pct} predictive interval)",
        "predictive_hi": f"{100 * hi_q:g}th percentile over draws x seeds (upper end of the {pct} predictive interval)",
        "mean": "posterior-predictive mean (mean of the per-draw means over seeds)",
        "mean_lo": f"lower end of the {100 * level:.0f} % t-interval of the mean (Monte Carlo error)",
        "mean_hi": f"upper end of the {100 * level:.0f} % t-interval of the mean (Monte Carlo error)",
    }
    for v, text in names.items():
        out[v].attrs = {"units": units, "long_name": f"{what}: {text}"}
    out["n"].attrs = {"long_name": "finished runs with a value"}
    out["n_draws"].attrs = {"long_name": "draws with a value"}
    out.attrs.update({"predictive_interval": pct, "mean_interval": f"{100 * level:.0f} %",
                      "quantiles": list(q)})
    return out


def bands(ds_or_path, variable, sel: Mapping | None = None, q=QUANTILES, reduce=None, time=None,
          level: float = LEVEL) -> xr.Dataset:
    """Median and predictive interval (over draws x seeds), and the mean with
    its interval, of an output of a prediction, for every element of its
    other dimensions (time, year, ...).

    ds_or_path: a prediction's file or Dataset. variable: a data variable
    (``"trade_share"``), an outcome of compare.OUTCOMES (``"bilateral_trade"``,
    yearly) or a function of the Dataset. sel: label selections
    (``dict(state="RUS", partner="CHN")``). time: a label or slice of
    ``time``. reduce: None (as it is), "annual" (calendar-year means; a
    ``year`` dimension), "annual_sum", or "mean", "sum", "last", "max", "min"
    over ``time``, or a function of the DataArray. q: quantiles (the
    predictive interval runs from the smallest to the largest; the median is
    always computed). level: coverage of the interval of the mean. Runs that
    did not finish are left out. See :func:`interval_summary` for the result.
    """
    ds = open_prediction(ds_or_path)
    ds = ds.isel(run=np.flatnonzero(_finished(ds)))
    da = _values(ds, variable, sel, reduce, time)
    out = interval_summary(da, q, level)
    out.attrs.update({"draws": int(np.unique(ds["draw"].values).size),
                      "seeds": int(np.unique(ds["seed_index"].values).size), "runs": int(ds.sizes["run"])})
    return out


def _scenario_doc(ds):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster on a baseline
    try:
        return yaml.load(str(ds.attrs.get("scenario", "")), Loader=loader) or {}
    except yaml.YAMLError:
        return {}


def _lookup(doc, key: str):
    node = doc
    for name, selector in re.findall(r"([^.\[\]]+)|\[([^\]]+)\]", key):
        if name:
            if not isinstance(node, dict) or name not in node:
                return None
            node = node[name]
        elif isinstance(node, list):
            if selector.isdigit():
                node = node[int(selector)] if int(selector) < len(node) else None
            else:
                match = [x for x in node if isinstance(x, dict) and selector in
                         (str(x.get("code")), str(x.get("id")), str(x.get("name")))]
                node = match[0] if len(match) == 1 else None
        else:
            return None
    return node


def overridden_changes(scenario: xr.Dataset, baseline: xr.Dataset) -> list:
    """Posterior keys at which the scenario's own file differs from the
    baseline's: the draws' values replace both, so that change is not in the
    effect. Returns [(key, scenario value, baseline value)]."""
    a, b = _scenario_doc(scenario), _scenario_doc(baseline)
    out = []
    for p in scenario.variables:
        if str(p).startswith("param_") and p != "param_draw":
            key = scenario[p].attrs.get("key_path")
            if key and _lookup(a, key) != _lookup(b, key):
                out.append((key, _lookup(a, key), _lookup(b, key)))
    return out


def effect(scenario_file, baseline_file, variable, sel: Mapping | None = None, q=QUANTILES, reduce=None,
           time=None, level: float = LEVEL, names=("scenario", "baseline")) -> xr.Dataset:
    """The scenario's effect against the baseline, run by run: scenario minus
    baseline in each (draw, seed) pair, then as :func:`bands` (median and
    predictive interval of the paired differences; the mean effect and its
    interval). Arguments as :func:`bands`. A pair is dropped when either run
    did not finish. Raises PredictError naming what differs when the two
    files are not paired (:func:`check_paired`); warns when the scenario
    changes a key that the posterior sets (:func:`overridden_changes`)."""
    a, b = open_prediction(scenario_file), open_prediction(baseline_file)
    check_paired(a, b, names)
    for key, x, y in overridden_changes(a, b):
        warnings.warn(f"{names[0]} sets {key} to {x!r} where {names[1]} has {y!r}; the posterior's draws "
                      "replace both, so this change is not in the effect", stacklevel=2)
    keep = np.flatnonzero(_finished(a) & _finished(b))
    a, b = a.isel(run=keep), b.isel(run=keep)
    va, vb = _values(a, variable, sel, reduce, time), _values(b, variable, sel, reduce, time)
    diff = va - vb
    diff.attrs = dict(va.attrs)
    diff.attrs["long_name"] = f"effect on {va.attrs.get('long_name', variable)} ({names[0]} - {names[1]})"
    out = interval_summary(diff, q, level)
    out.attrs.update({"draws": int(np.unique(a["draw"].values).size),
                      "seeds": int(np.unique(a["seed_index"].values).size), "runs": int(a.sizes["run"]),
                      "pairs": int(keep.size)})
    return out


# ---------------------------------------------------------------------------
# The summary table


def _periods(da: xr.DataArray, windows) -> dict:
    """{period label: DataArray over run}: each calendar year of a yearly
    outcome and each window's mean of the years."""
    years = da["time"].dt.year.values
    out = {str(y): da.isel(time=i) for i, y in enumerate(years)}
    for label, first, last in (_parse_window(w, years) for w in windows):
        inside = (years >= first) & (years <= last)
        if not inside.any():
            raise PredictError(f"window {label}: no year of the runs ({years[0]}-{years[-1]}) is inside")
        out[label] = da.isel(time=np.flatnonzero(inside)).mean("time", skipna=False)
    return out


def summary(files: Mapping, outcomes=None, windows=(), q=QUANTILES, level: float = LEVEL) -> pd.DataFrame:
    """A tidy table of predictions against the first (the baseline).

    files: {label: prediction file}, the baseline first. outcomes: names in
    compare.OUTCOMES or Outcome objects (default all). windows: periods
    averaged over years ("2025-2030"); the single years are always there.

    One row per scenario, outcome, period and ``quantity`` ("level": the
    scenario's own values; "effect": scenario minus baseline, run by run;
    the baseline has no effect row), with ``against``, ``unit``, ``median``,
    ``predictive_lo``, ``predictive_hi``, ``mean``, ``mean_lo``, ``mean_hi``,
    ``n`` (runs), ``draws`` and ``seeds``. Raises PredictError if a file is
    not paired with the baseline."""
    labels = list(files)
    if not labels:
        raise PredictError("summary: no files")
    outcomes = [o if isinstance(o, Outcome) else OUTCOMES[o] for o in (outcomes or OUTCOMES)]
    data = {label: open_prediction(files[label]) for label in labels}
    ref = labels[0]
    for label in labels[1:]:
        check_paired(data[label], data[ref], (label, ref))
        for key, x, y in overridden_changes(data[label], data[ref]):
            warnings.warn(f"{label} sets {key} to {x!r} where {ref} has {y!r}; the posterior's draws replace "
                          "both, so this change is not in the effect", stacklevel=2)
    ok = np.logical_and.reduce([_finished(ds) for ds in data.values()])
    keep = np.flatnonzero(ok)
    data = {label: ds.isel(run=keep) for label, ds in data.items()}
    draws = int(np.unique(data[ref]["draw"].values).size)
    seeds = int(np.unique(data[ref]["seed_index"].values).size)
    rows = []
    for o in outcomes:
        per = {label: _periods(_values(ds, o), windows) for label, ds in data.items()}
        for label in labels:
            for period, da in per[label].items():
                pieces = [("level", da)]
                if label != ref:
                    d = da - per[ref][period]
                    d.attrs = dict(da.attrs)
                    pieces.append(("effect", d))
                for quantity, values in pieces:
                    s = interval_summary(values, q, level)
                    rows.append({"scenario": label, "against": ref if quantity == "effect" else "",
                                 "outcome": o.name, "unit": o.unit, "period": period, "quantity": quantity,
                                 **{k: float(s[k]) for k in ("median", "predictive_lo", "predictive_hi", "mean",
                                                             "mean_lo", "mean_hi")},
                                 "n": int(s["n"]), "draws": draws, "seeds": seeds})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame, rows=None, period=None, digits: int = 1) -> str:
    """The summary as docs/scenarios.md shows it: per (scenario, outcome),
    the baseline's, the scenario's and the paired effect's median [90 %
    predictive interval], the mean effect [its 90 % interval], and draws x
    seeds. ``rows``: (scenario, outcome) pairs (default every scenario but
    the baseline x outcome); ``period``: one period (else a column)."""
    ref = table.loc[table.quantity == "effect", "against"].iloc[0] if (table.quantity == "effect").any() \
        else table.scenario.iloc[0]
    if rows is None:
        rows = [(s, o) for s in dict.fromkeys(table.scenario) if s != ref for o in dict.fromkeys(table.outcome)]
    periods = [period] if period else [p for p in dict.fromkeys(table.period) if "-" in p] or \
        list(dict.fromkeys(table.period))

    def pick(scenario, outcome, p, quantity):
        sel = table[(table.scenario == scenario) & (table.outcome == outcome) & (table.period == p)
                    & (table.quantity == quantity)]
        if sel.empty:
            raise KeyError(f"no {quantity} of {outcome} for {scenario} in {p}")
        return sel.iloc[0]

    def cell(r, lo="predictive_lo", hi="predictive_hi", centre="median"):
        return f"{r[centre]:.{digits}f} [{r[lo]:.{digits}f}, {r[hi]:.{digits}f}]"

    show_period = period is None
    head = ["scenario", "outcome", "unit"] + (["period"] if show_period else []) + \
        [f"{ref} median [90 % predictive]", "scenario median [90 % predictive]",
         "paired effect median [90 % predictive]", "mean effect [90 % interval of the mean]", "draws × seeds"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s, o in rows:
        for p in periods:
            base, lev, eff = pick(ref, o, p, "level"), pick(s, o, p, "level"), pick(s, o, p, "effect")
            title = OUTCOMES[o].title if o in OUTCOMES else o
            cells = [s, title, str(eff["unit"])] + ([p] if show_period else []) + \
                [cell(base), cell(lev), cell(eff), cell(eff, "mean_lo", "mean_hi", "mean"),
                 f"{int(eff['draws'])} × {int(eff['seeds'])}"]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Command line


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python3 -m geosim_analysis predict",
        description="Run a scenario over D posterior draws x S seeds (one geosim sweep) into one file with a "
                    "run dimension, the parameters of each run, and draw and seed_index.")
    ap.add_argument("scenario", help="scenario YAML file")
    ap.add_argument("--draws", type=int, required=True, help="posterior draws D (rows sampled without "
                    "replacement with the master seed)")
    ap.add_argument("--seeds", type=int, required=True, help="seeds S per draw")
    ap.add_argument("-o", "--out", required=True, help="output file (the sweep file goes to OUT.predict/)")
    ap.add_argument("--posterior", default=DEFAULT_POSTERIOR, help=f"posterior CSV (default {DEFAULT_POSTERIOR})")
    ap.add_argument("--master-seed", type=int, default=DEFAULT_MASTER_SEED,
                    help=f"the sweep's master seed, also the draws' sample seed (default {DEFAULT_MASTER_SEED})")
    ap.add_argument("--geosim", default=default_geosim())
    ap.add_argument("--jobs", type=int, default=None, help="runs at once (geosim's default: every core)")
    ap.add_argument("--threads-per-run", type=int, default=None)
    ap.add_argument("--shard", default=None, help="K/N: run shard K of N into OUT (geosim sweep --shard)")
    ap.add_argument("--launcher", default="", help="command before geosim, e.g. 'mpirun -np 16'")
    ap.add_argument("--resume", action="store_true", help="keep the finished runs of an interrupted prediction "
                    "(geosim sweep --resume)")
    ap.add_argument("--force", action="store_true", help="replace an existing output")
    ap.add_argument("--horizon-end", default=None, help="cut every run at YYYY-MM")
    ap.add_argument("--write-sweep", action="store_true",
                    help="write and check the sweep file, print its path, run nothing (for SLURM: "
                         "scripts/slurm/sweep.sbatch runs it into one file)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress bar; geosim's messages are "
                    "captured and a refused value is named by its posterior column and draw")
    args = ap.parse_args(argv)
    try:
        p = predict(args.scenario, args.out, args.draws, args.seeds, posterior=args.posterior,
                    master_seed=args.master_seed, geosim=args.geosim, jobs=args.jobs,
                    threads_per_run=args.threads_per_run, shard=args.shard, launcher=args.launcher,
                    resume=args.resume, force=args.force, horizon_end=args.horizon_end,
                    write_sweep_only=args.write_sweep, quiet=args.quiet)
    except PredictError as e:
        print(f"predict: {e}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as e:
        print(f"predict: geosim failed (exit {e.returncode})", file=sys.stderr)
        return 1 if e.returncode not in (1, 130) else e.returncode
    runs = len(p.rows) * p.seeds
    if p.output is None:
        print(p.sweep)
    else:
        what = f"shard {args.shard} of " if args.shard else ""
        print(f"{p.output}: {what}{len(p.rows)} draws x {p.seeds} seeds = {runs} runs "
              f"(draws {', '.join(str(d) for d in p.draws[:10])}{', ...' if len(p.draws) > 10 else ''}; "
              f"master seed {p.master_seed}; sweep {p.sweep})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
