"""Sweeps end to end: the result does not depend on how it was executed
(jobs, shards, resume after kill -9, MPI ranks); failing runs are isolated;
merge rejects corrupt, truncated and foreign shards with a clear error.

ctest runs each test on its own (tests/CMakeLists.txt) with GEOSIM_BIN set;
by hand:  GEOSIM_BIN=build/sim/cli/geosim /usr/bin/python3 -m pytest tests/sweep
"""

import os
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
import xarray as xr

from sweeplib import SMOKE, assert_same_sweep, geosim, run, write_sweep


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The smoke sweep run locally with one job: the result every execution must match."""
    out = tmp_path_factory.mktemp("reference") / "smoke.h5"
    run("sweep", SMOKE, "-o", out, "--jobs", 1, "-q")
    return out


def test_plan_lists_runs_without_running(tmp_path):
    p = run("plan", SMOKE)
    assert "8 runs" in p.stdout
    lines = [l for l in p.stdout.splitlines() if l[:1].isdigit()]
    assert len(lines) == 8
    assert lines[0].split()[0] == "0" and lines[0].split()[-1] == "ok"
    assert not list(tmp_path.iterdir())


def test_the_sweep_file_opens_in_xarray_as_one_dataset(reference):
    with xr.open_dataset(reference, engine="h5netcdf") as ds:
        assert ds.sizes["run"] == 8
        for dim in ("time", "state", "partner", "sector", "currency", "route"):
            assert dim in ds.sizes
        assert ds["trade_share"].dims == ("run", "time", "state", "partner")
        assert ds["trade_share"].dtype == np.float64
        assert all(type(s) is str for s in ds["state"].values.tolist())
        assert ds["param_margin"].values.tolist() == [0.05] * 4 + [0.2] * 4
        assert ds["param_learning_rate"].values.tolist() == [0.2, 0.2, 0.4, 0.4] * 2
        assert ds["status"].values.tolist() == [0] * 8
        assert ds["status"].attrs["flag_meanings"] == "ok failed invalid"
        assert ds["error"].values.tolist() == [""] * 8
        assert ds["seed"].dtype == np.uint64
        assert len(set(ds["seed"].values.tolist())) == 8
        assert ds.attrs["planned_runs"] == 8
        assert "sweep_version: 1" in ds.attrs["sweep"]
        assert ds["overrides"].values[0] == "parameters.risk.margin=0.05\nparameters.risk.learning_rate=0.2\n"
        assert np.isfinite(ds["trade_share"].values).all()
        # replicates differ (seeds), parameter points differ
        assert not np.array_equal(ds["trade_share"].isel(run=0).values, ds["trade_share"].isel(run=1).values)


def test_two_jobs_give_the_same_file_as_one(tmp_path, reference):
    out = tmp_path / "j2.h5"
    run("sweep", SMOKE, "-o", out, "--jobs", 2, "--threads-per-run", 2, "-q")
    assert_same_sweep(reference, out)
    assert not (tmp_path / "j2.h5.parts").exists()


def test_shards_merge_to_the_same_file_for_any_shard_count(tmp_path, reference):
    for n in (1, 2, 3):
        shards = []
        for k in range(1, n + 1):
            s = tmp_path / f"shard-{k}-of-{n}.h5"
            run("sweep", SMOKE, "-o", s, "--shard", f"{k}/{n}", "--jobs", 1, "-q")
            shards.append(s)
        with h5py.File(shards[-1], "r") as f:
            assert f["run"][()].tolist() == list(range(n - 1, 8, n))
        merged = tmp_path / f"merged-{n}.h5"
        run("merge", merged, *reversed(shards))
        assert_same_sweep(reference, merged)


def test_resume_after_kill_9_reruns_only_unfinished_runs(tmp_path):
    sweep = write_sweep(tmp_path / "resume.yaml", "seed: 11\nreplicates: 8\nparameters:\n"
                        "  - {key: parameters.risk.margin, name: margin, values: [0.05, 0.2]}\n")
    whole = tmp_path / "whole.h5"
    run("sweep", sweep, "-o", whole, "--jobs", 2, "-q")

    out = tmp_path / "killed.h5"
    parts = tmp_path / "killed.h5.parts"
    proc = subprocess.Popen([geosim(), "sweep", str(sweep), "-o", str(out), "--jobs", "2", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        if parts.exists() and len(list(parts.glob("run-*.h5"))) >= 2:
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists(), "the sweep finished before it could be killed"
    finished = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in parts.glob("run-*.h5")}
    assert 2 <= len(finished) < 16

    again = run("sweep", sweep, "-o", out, "-q", check=False)
    assert again.returncode == 2 and "--resume" in again.stderr
    resumed = run("sweep", sweep, "-o", out, "--resume", "--jobs", 2, "--keep-parts")
    assert f"{16 - len(finished)} run now, {len(finished)} resumed" in resumed.stdout
    for name, ident in finished.items():  # finished runs were neither lost nor rewritten
        p = parts / name
        assert (p.stat().st_ino, p.stat().st_mtime_ns) == ident, name
    assert not list(parts.glob("*.tmp-*"))
    assert_same_sweep(whole, out)
    done = run("sweep", sweep, "-o", out, "--resume", "-q")
    assert done.returncode == 0


def test_a_failing_run_list_index_too_large_for_any_list_is_bad_input(tmp_path):
    # Longer than any std::size_t: before, std::stoul threw and geosim
    # exited 1 with "error: stoul".
    sweep = write_sweep(tmp_path / "huge.yaml", "seed: 3\nparameters:\n"
                        "  - {key: 'affinities[99999999999999999999999].weight', name: w, values: [1.0]}\n")
    p = run("sweep", sweep, "-o", tmp_path / "huge.h5", check=False)
    assert p.returncode == 2
    assert "index 99999999999999999999999 is out of range" in p.stderr
    assert not (tmp_path / "huge.h5").exists() and not (tmp_path / "huge.h5.parts").exists()


def test_a_failing_run_is_recorded_and_the_others_go_on(tmp_path):
    sweep = write_sweep(tmp_path / "failing.yaml", "seed: 3\nparameters:\n"
                        "  - {key: parameters.risk.margin, name: margin, values: [0.1, -3, 0.2]}\n")
    strict = run("sweep", sweep, "-o", tmp_path / "strict.h5", check=False)
    assert strict.returncode == 2
    assert "run 1: --set parameters.risk.margin=-3: parameters.risk.margin: -3" in strict.stderr
    assert "--keep-going" in strict.stderr
    assert not (tmp_path / "strict.h5").exists()
    assert not (tmp_path / "strict.h5.parts").exists()  # nothing half-written
    plan = run("plan", sweep, check=False)
    assert plan.returncode == 2 and "invalid" in plan.stdout

    out = tmp_path / "failing.h5"
    p = run("sweep", sweep, "-o", out, "--keep-going", "--jobs", 2)
    assert "1 failed" in p.stdout
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["status"].values.tolist() == [0, 2, 0]
        assert ds["error"].values[0] == "" and ds["error"].values[2] == ""
        assert "parameters.risk.margin: -3" in ds["error"].values[1]
        assert np.isnan(ds["trade_share"].isel(run=1).values).all()
        assert np.isfinite(ds["trade_share"].isel(run=[0, 2]).values).all()
        assert ds["param_margin"].values.tolist() == [0.1, -3, 0.2]


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    d = tmp_path_factory.mktemp("shards")
    out = []
    for k in (1, 2):
        s = d / f"s{k}.h5"
        run("sweep", SMOKE, "-o", s, "--shard", f"{k}/2", "-q")
        out.append(s)
    return out


def merge_error(tmp_path, *inputs):
    p = run("merge", tmp_path / "m.h5", *inputs, check=False)
    assert p.returncode == 2, p.stderr
    assert not (tmp_path / "m.h5").exists()
    assert not list(tmp_path.glob("m.h5.tmp-*"))
    return p.stderr


def test_merge_rejects_a_truncated_shard(tmp_path, shards):
    bad = tmp_path / "truncated.h5"
    data = shards[1].read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    err = merge_error(tmp_path, shards[0], bad)
    assert f"geosim: error: {bad}: " in err
    assert "truncated or corrupt" in err


def test_merge_rejects_a_shard_with_corrupt_data(tmp_path, shards):
    bad = tmp_path / "corrupt.h5"
    shutil.copy(shards[1], bad)
    with h5py.File(bad, "r") as f:
        info = f["trade_value"].id.get_chunk_info(0)
    with open(bad, "r+b") as f:
        f.seek(info.byte_offset + info.size // 2)
        f.write(b"\xde\xad\xbe\xef" * 8)
    err = merge_error(tmp_path, shards[0], bad)
    # Deflated chunks: the decompressor or Fletcher-32 notices, whichever runs into the damage first.
    assert (f"{bad}: the file is damaged: checksum mismatch in variable 'trade_value'" in err
            or f"{bad}: the file is truncated or corrupt: cannot read variable 'trade_value'" in err), err


def test_merge_rejects_foreign_and_incomplete_inputs(tmp_path, shards):
    other = write_sweep(tmp_path / "other.yaml", "seed: 99\nreplicates: 2\nparameters:\n"
                        "  - {key: parameters.risk.margin, name: margin, values: [0.05, 0.2]}\n"
                        "  - {key: parameters.risk.learning_rate, name: learning_rate, values: [0.2, 0.4]}\n")
    foreign = tmp_path / "foreign.h5"
    run("sweep", other, "-o", foreign, "--shard", "2/2", "-q")
    assert "belongs to another sweep" in merge_error(tmp_path, shards[0], foreign)

    single = tmp_path / "single.h5"
    run("run", os.path.join(os.path.dirname(SMOKE), "reduced_baseline.yaml"), "-o", single, "-q", "--threads", 1)
    assert "not a geosim sweep file" in merge_error(tmp_path, shards[0], single)

    text = tmp_path / "text.h5"
    text.write_text("not hdf5\n")
    assert f"{text}: not an HDF5 file" in merge_error(tmp_path, shards[0], text)

    assert "4 of the sweep's runs are in none of the files given: 1, 3, 5, 7" in merge_error(tmp_path, shards[0])
    assert "is also in" in merge_error(tmp_path, shards[0], shards[1], shards[0])


def test_mpi_ranks_write_the_same_file_as_a_local_run(tmp_path, reference):
    mpi_bin = os.environ.get("GEOSIM_MPI_BIN")
    if not mpi_bin or not shutil.which("mpirun"):
        pytest.skip("no MPI build of geosim (GEOSIM_MPI_BIN) or no mpirun")
    out = tmp_path / "mpi.h5"
    env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe="1")
    if "ASAN_OPTIONS" in env:
        # Under scripts/sanitize.sh asan: OpenMPI is built without frame
        # pointers, so ASan's fast unwinder stops a leak's stack at its first
        # OpenMPI frame, mostly in MCA components that MPI_Finalize unloads
        # ("<unknown module>"), which no suppression of
        # tests/sanitizers/lsan.supp can name. The slow unwinder records the
        # whole stack, through libopen-rte, libmpi, ... (docs/reliability.md).
        env["ASAN_OPTIONS"] += ":fast_unwind_on_malloc=0"
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2", mpi_bin, "sweep", SMOKE, "-o", str(out)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "on 2 MPI ranks" in p.stdout
    assert_same_sweep(reference, out)
    assert not (tmp_path / "mpi.h5.parts").exists()
