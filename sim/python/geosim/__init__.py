"""geosim in process: run scenarios and sweeps from Python and get xarray Datasets.

    import geosim
    ds = geosim.run("scenarios/baseline.yaml", set={"parameters.risk.margin": 0.2}, seed=3)
    ds["trade_share"].sel(state="RUS", partner="CHN").plot()

``run`` returns the variables, coordinates, units and attributes that
``geosim run`` writes to its HDF5 file (docs/output-schema.md), computed in
memory. The engine releases the GIL while it runs; Ctrl-C (a notebook's
interrupt) stops a run between two months and raises KeyboardInterrupt.
Bad input raises :class:`InputError` with the command line's message.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from typing import Any, Callable, Mapping

__all__ = ["run", "validate", "load", "sweep", "InputError", "CheckError", "version", "git_commit"]


class InputError(ValueError):
    """Bad input (a scenario, an override, a sweep file): ``str(e)`` is the
    message ``geosim`` prints after ``geosim: error:``, e.g.
    ``world.yaml:42:7: events[3].intensity: 1.3 is outside [0, 1]``.

    Attributes: ``file``, ``line`` and ``column`` (1-based; 0 when unknown,
    as for a value that came from ``set``), ``key_path`` and ``detail`` (the
    message without location and key path).
    """

    def __init__(self, message: str, file: str = "", line: int = 0, column: int = 0,
                 key_path: str = "", detail: str = ""):
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column
        self.key_path = key_path
        self.detail = detail or message


class CheckError(RuntimeError):
    """A value broke its variable's invariant during a run with ``check=True``
    (a model error, not bad input). Attributes: ``step``, ``month``,
    ``variable``, ``labels``."""

    def __init__(self, message: str, step: int = 0, month: str = "", variable: str = "", labels: str = ""):
        super().__init__(message)
        self.step = step
        self.month = month
        self.variable = variable
        self.labels = labels


from . import _core  # noqa: E402  (the exceptions above must exist first: _core raises them)
from ._dataset import to_dataset  # noqa: E402

version = _core.version
git_commit = _core.git_commit


def _source(scenario) -> tuple[str, bool, str]:
    """(path or text, is_text, name in messages). A str with a newline or a
    ``key:`` is YAML text unless a file of that name exists."""
    if isinstance(scenario, os.PathLike):
        return os.fspath(scenario), False, os.fspath(scenario)
    if not isinstance(scenario, str):
        raise TypeError(f"scenario must be a path or YAML text, not {type(scenario).__name__}")
    if os.path.exists(scenario) or ("\n" not in scenario and ":" not in scenario.split("/")[-1]):
        return scenario, False, scenario
    return scenario, True, "<scenario text>"


def _yaml_value(value: Any) -> str:
    """An override's value as YAML text: strings as given (as on the command
    line), everything else as JSON, which YAML reads."""
    if isinstance(value, str):
        return value
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        value = value.item()
    return json.dumps(value)


def _sets(set: Mapping[str, Any] | None) -> list[str]:
    if set is None:
        return []
    if not isinstance(set, Mapping):
        raise TypeError("set must be a dict of key paths to values, e.g. {'parameters.risk.margin': 0.2}")
    return [f"{k}={_yaml_value(v)}" for k, v in set.items()]


def _history(call: str, scenario: str, is_text: bool, sets: list[str], **options) -> str:
    """The command recorded in the `history` attribute, written as the
    equivalent command line (the scenario text is not repeated)."""
    words = ["geosim", call, "<scenario text>" if is_text else scenario]
    for s in sets:
        words += ["--set", s]
    for name, value in options.items():
        if value is not None:
            words += [f"--{name}", str(value)]
    return f"{shlex.join(words)}  # from Python (geosim.{call})"


def _progress_printer(label: str) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\rgeosim: {label}: {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


def run(scenario, set: Mapping[str, Any] | None = None, seed: int | None = None,
        threads: int | None = None, progress: bool | Callable[[int, int], None] = False,
        check: bool = False):
    """Runs a scenario in memory and returns its output as an xarray.Dataset.

    scenario: a path to a scenario YAML file, or YAML text (``base:`` paths
        in text resolve against the current directory).
    set: overrides as ``--set`` takes them, ``{"events[2].intensity": 0.8}``;
        string values are YAML text, other values are written as JSON.
    seed: master seed (default: the scenario's). threads: engine threads
        (default 1; 0 = all cores; output is the same for any number).
    progress: True prints months done to stderr; a callable gets (done, total).
    check: check every value against its variable's invariant (CheckError).

    The Dataset has the variables, coordinates, units and attributes of the
    file ``geosim run`` writes (without the per-firm snapshots), decoded as
    ``xr.open_dataset`` decodes that file. Raises InputError for bad input
    and KeyboardInterrupt when interrupted.
    """
    source, is_text, name = _source(scenario)
    sets = _sets(set)
    threads = 1 if threads is None else int(threads)
    callback = progress if callable(progress) else _progress_printer(name) if progress else None
    history = _history("run", source, is_text, sets, seed=seed, threads=threads)
    raw = _core.run(source, is_text, name, sets, None if seed is None else int(seed), threads, bool(check),
                    history, callback)
    return to_dataset(raw)


def validate(scenario, set: Mapping[str, Any] | None = None) -> dict:
    """Loads and validates a scenario as ``geosim validate`` does, without
    running it. Returns a summary (name, schema_version, start, end, steps,
    states, sectors, currencies, events, seed); raises InputError."""
    source, is_text, name = _source(scenario)
    out = dict(_core.resolve(source, is_text, name, _sets(set)))
    out.pop("resolved_yaml")
    return out


def load(scenario, set: Mapping[str, Any] | None = None) -> dict:
    """The resolved scenario (bases merged, overrides applied, validated) as
    a dict, as the ``scenario`` attribute of an output file holds it.
    Needs PyYAML (Debian's python3-yaml). Raises InputError."""
    import yaml
    source, is_text, name = _source(scenario)
    return yaml.safe_load(_core.resolve(source, is_text, name, _sets(set))["resolved_yaml"])


def sweep(sweep_file, output=None, jobs: int = 0, threads_per_run: int = 1, keep_going: bool = False,
          check: bool = False, force: bool = False, progress: bool | Callable[[int, int, int], None] = False):
    """Runs a sweep file (docs/sweeps.md) and returns the merged sweep as an
    xarray Dataset (opened with geosim_analysis.open_sweep when that is
    importable, else xr.open_dataset), loaded into memory.

    output: where to write the sweep file (kept; an existing one only with
        ``force``); default a temporary file, deleted after loading.
        jobs: runs at once (0 = all cores).
    progress: True prints runs done to stderr; a callable gets (done, failed, total).
    Raises InputError for a bad sweep file or invalid runs (unless keep_going).
    Ctrl-C stops handing out runs; the runs in flight finish (their parts stay
    in OUTPUT.parts/ when ``output`` is given), then KeyboardInterrupt is raised.
    """
    import xarray as xr
    path = os.fspath(sweep_file)
    if callable(progress):
        callback = progress
    elif progress:
        show = _progress_printer(path)
        callback = lambda done, failed, total: show(done, total)  # noqa: E731
    else:
        callback = None
    with tempfile.TemporaryDirectory(prefix="geosim-sweep-") as tmp:
        target = os.fspath(output) if output is not None else os.path.join(tmp, "sweep.h5")
        _core.sweep(path, target, int(jobs), int(threads_per_run), output is None or bool(force), bool(keep_going),
                    bool(check),
                    callback)
        try:
            from geosim_analysis import open_sweep
            ds = open_sweep(target, load=True)
        except ImportError:
            with xr.open_dataset(target, engine="h5netcdf") as f:
                ds = f.load()
        return ds
