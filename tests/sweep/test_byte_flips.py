"""Byte flips of a part file and a sweep file (docs/reliability.md, "Damaged files").

Each flip is one byte of a copy of the file XORed with a random non-zero
value. `geosim info` and `geosim merge` on the copy must never die of a signal,
never hang, exit 0 or 2 only, and when they exit 0 their result must equal the
original's: info prints the same text, merge writes the same values and
attributes.

GEOSIM_BYTE_FLIPS sets the number of flips per file (default 75, so 150 in
all, about 30 s); each flip takes about 0.2 s, so GEOSIM_BYTE_FLIPS=all
(every byte of both files, about 500,000 flips) takes a day on 2 cores.
GEOSIM_BYTE_FLIPS_SEED changes the sample.
"""

import collections
import os
import random
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from sweeplib import SOURCE, geosim, run

MINI = os.path.abspath(os.path.join(SOURCE, "tests", "data", "mini.yaml"))
FLIPS = os.environ.get("GEOSIM_BYTE_FLIPS", "75")
SEED = int(os.environ.get("GEOSIM_BYTE_FLIPS_SEED", "18"))
# The check in geosim kills a hung reader after GEOSIM_CHECK_TIMEOUT seconds;
# a command that outlives COMMAND_TIMEOUT hung outside that check.
ENV = dict(os.environ, GEOSIM_CHECK_TIMEOUT="3")
COMMAND_TIMEOUT = 60


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("flips")
    sweep = d / "flip.yaml"
    sweep.write_text("sweep_version: 1\nname: flip\nbase: " + MINI + "\nseed: 5\nparameters:\n"
                     "  - {key: parameters.risk.margin, name: margin, values: [0.1, 0.2]}\n")
    whole = d / "flip.h5"
    run("sweep", sweep, "-o", whole, "--keep-parts", "-q", "--jobs", 1)
    parts = d / "flip.h5.parts"
    return {"whole": whole, "part0": parts / "run-000000.h5", "part1": parts / "run-000001.h5"}


def _value(v):
    """Comparable with == (NaN included: numbers compare as bytes)."""
    if isinstance(v, (str, bytes)):
        return v
    a = np.asarray(v)
    return a.tolist() if a.dtype.kind == "O" else (str(a.dtype), a.shape, a.tobytes())


def _attrs(obj):
    return {k: _value(v) for k, v in obj.attrs.items() if k not in ("DIMENSION_LIST", "REFERENCE_LIST")}


def contents(path):
    """Every dataset's values and every attribute, comparable with ==."""
    with h5py.File(path, "r") as f:
        out = {"/": _attrs(f)}
        for name, d in f.items():
            v = d[()]
            if d.dtype.kind == "O":
                v = [x.decode() if isinstance(x, bytes) else x for x in np.atleast_1d(v)]
            else:
                v = (str(d.dtype), d.shape, np.asarray(v).tobytes())
            out[name] = (v, _attrs(d))
    return out


def geosim_cmd(*args):
    try:
        p = subprocess.run([geosim(), *map(str, args)], capture_output=True, text=True,
                           timeout=COMMAND_TIMEOUT, env=ENV)
    except subprocess.TimeoutExpired:
        pytest.fail(f"geosim {' '.join(map(str, args))} hung (more than {COMMAND_TIMEOUT} s)")
    return p


def chunk_ranges(path):
    """Byte ranges of chunked data, to bias half of the sample towards metadata."""
    ranges = []
    with h5py.File(path, "r") as f:
        for d in f.values():
            if d.chunks is None:
                continue
            for i in range(d.id.get_num_chunks()):
                c = d.id.get_chunk_info(i)
                ranges.append((c.byte_offset, c.byte_offset + c.size))
    return ranges


def positions(path, rng):
    size = os.path.getsize(path)
    if FLIPS == "all":
        return list(range(size))
    n = int(FLIPS)
    data = chunk_ranges(path)
    meta = [p for p in range(size) if not any(a <= p < b for a, b in data)]
    return sorted(rng.sample(range(size), n // 2) + rng.sample(meta, n - n // 2))


def kind(stderr):
    for k in ("crashed", "did not finish", "checksum mismatch", "has no checksum", "truncated or corrupt", "not an HDF5"):
        if k in stderr:
            return k
    return stderr.strip()[-60:]


def flip_and_check(tmp_path, original, inputs_for, reference, info_reference):
    rng = random.Random(SEED + len(str(original)))
    data = original.read_bytes()
    victim = tmp_path / "victim.h5"
    merged = tmp_path / "merged.h5"
    outcomes = collections.Counter()
    for pos in positions(original, rng):
        flipped = bytearray(data)
        flipped[pos] ^= rng.randrange(1, 256)
        victim.write_bytes(flipped)
        info = geosim_cmd("info", victim)
        assert info.returncode in (0, 2), f"info, byte {pos}: exit {info.returncode}\n{info.stderr}"
        if info.returncode == 0:
            assert info.stdout == info_reference, f"info, byte {pos}: exit 0 with a different description"
        if merged.exists():
            merged.unlink()
        m = geosim_cmd("merge", merged, *inputs_for(victim), "-q")
        assert m.returncode in (0, 2), f"merge, byte {pos}: exit {m.returncode}\n{m.stderr}"
        if m.returncode == 0:
            assert contents(merged) == reference, f"merge, byte {pos}: exit 0 with different values"
        else:
            assert str(victim) in m.stderr, m.stderr
        outcomes[(info.returncode, m.returncode, kind(m.stderr))] += 1
    print(f"{original.name}: {sum(outcomes.values())} flips; (info exit, merge exit, damage): {dict(outcomes)}")
    return outcomes


def reference_for(tmp_path, inputs):
    out = tmp_path / "reference.h5"
    run("merge", out, *inputs, "-q")
    ref = contents(out)
    out.unlink()
    return ref


def info_text(tmp_path, original):
    victim = tmp_path / "victim.h5"
    shutil.copy(original, victim)
    return geosim_cmd("info", victim).stdout


def test_byte_flips_of_a_part_never_crash_hang_or_pass_silently(tmp_path, files):
    inputs_for = lambda victim: [victim, files["part1"]]  # noqa: E731
    reference = reference_for(tmp_path, [files["part0"], files["part1"]])
    flip_and_check(tmp_path, files["part0"], inputs_for, reference, info_text(tmp_path, files["part0"]))


def test_byte_flips_of_a_sweep_file_never_crash_hang_or_pass_silently(tmp_path, files):
    inputs_for = lambda victim: [victim]  # noqa: E731
    reference = reference_for(tmp_path, [files["whole"]])
    flip_and_check(tmp_path, files["whole"], inputs_for, reference, info_text(tmp_path, files["whole"]))


def test_merge_names_a_part_whose_seed_was_changed(tmp_path, files):
    bad = tmp_path / "bad.h5"
    shutil.copy(files["part0"], bad)
    with h5py.File(bad, "r+") as f:  # contiguous data: Fletcher-32 would not notice
        f["seed"][0] = f["seed"][0] + 1
    m = geosim_cmd("merge", tmp_path / "m.h5", bad, files["part1"], "-q")
    assert m.returncode == 2
    assert f"{bad}: the file is damaged: checksum mismatch in variable 'seed'" in m.stderr
    assert not (tmp_path / "m.h5").exists()


def test_a_damaged_stored_checksum_is_named_in_printable_text(tmp_path, files):
    # A flipped byte in the stored checksum itself: the message shows it
    # escaped, so that stderr stays valid UTF-8.
    bad = tmp_path / "bad.h5"
    shutil.copy(files["part0"], bad)
    with h5py.File(bad, "r+") as f:
        stored = f["seed"].attrs["geosim_checksum"]
        stored = stored.decode() if isinstance(stored, bytes) else stored
        f["seed"].attrs["geosim_checksum"] = np.bytes_(stored[:-1].encode() + b"\xe0")
    m = subprocess.run([geosim(), "info", bad], capture_output=True, timeout=COMMAND_TIMEOUT, env=ENV)
    assert m.returncode == 2
    err = m.stderr.decode("utf-8")  # strict: no raw non-UTF-8 byte
    assert f"checksum mismatch in variable 'seed' (stored {stored[:-1]}\\xe0, computed {stored})" in err


def test_resume_moves_a_damaged_part_aside_and_runs_it_again(tmp_path, files):
    sweep = tmp_path / "flip.yaml"
    shutil.copy(files["whole"].parent / "flip.yaml", sweep)
    out = tmp_path / "flip.h5"
    parts = tmp_path / "flip.h5.parts"
    parts.mkdir()
    shutil.copy(files["part0"], parts / "run-000000.h5")
    with h5py.File(parts / "run-000000.h5", "r+") as f:
        f["param_margin"][0] = 0.5
    p = subprocess.run([geosim(), "sweep", sweep, "-o", out, "--resume", "--keep-parts", "-q"],
                       capture_output=True, text=True, timeout=COMMAND_TIMEOUT, env=ENV)
    assert p.returncode == 0, p.stderr
    assert "checksum mismatch in variable 'param_margin'" in p.stderr
    assert (parts / "run-000000.h5.corrupt").exists()
    assert contents(out) == contents(files["whole"])
