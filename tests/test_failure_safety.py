"""Failure safety: one writer at a time, raw inputs opened for reading only, a full disk or any OSError
mid-write gives a clear error and no partial file, a process killed at any moment leaves the previous
outputs whole (make fuzz kills many more times: HUKOU_KILLS)."""

import builtins
import errno
import io
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pyarrow.parquet as pq
import pytest

from hukou_stats.core.errors import InputOutputError
from hukou_stats.core.locks import write_lock
from hukou_stats.core.project import Project
from hukou_stats.core.provenance import verify
from hukou_stats.store.commit import ingest
from hukou_stats.store.parquet import Store
from hukou_stats.warehouse.build import build
from tests import real_layouts as rl
from tests.helpers import holding_write_lock, make_project, tree_snapshot

CLI = [sys.executable, "-m", "hukou_stats.cli"]


def _cli(p, *args, **kw):
    return subprocess.run([*CLI, "--root", str(p.root), *args], capture_output=True, text=True, **kw)


def _temporaries(folder):
    return sorted(str(f) for f in folder.rglob("*.tmp*"))


@pytest.fixture
def built(tmp_path, bundled):
    """A copy of the bundled data ingested and built (the session's): the previous outputs that must survive."""
    shutil.copytree(bundled.root, tmp_path / "p", ignore=shutil.ignore_patterns("out"))
    p = Project.at(tmp_path / "p")
    rl.write_zj_census_xlsx(p.raw)  # new input waiting to be ingested
    return p


def test_a_second_writer_waits_then_stops_with_a_clear_message(tmp_path):
    folder = tmp_path / "processed"
    with holding_write_lock(folder) as holder:
        with pytest.raises(InputOutputError) as e:
            with write_lock(folder, timeout=0.3):
                pass
        assert f"process {holder.pid}" in str(e.value) and "waited 0.3 s" in str(e.value)
    with write_lock(folder, timeout=5):  # the OS released the lock of the killed holder: no stale lock
        with write_lock(folder, timeout=0):  # re-entrant within one process
            pass


def test_the_cli_exits_3_when_data_processed_is_locked(built):
    with holding_write_lock(built.processed):
        before = tree_snapshot(built.processed)
        r = _cli(built, "--lock-timeout", "0.5", "ingest")
        assert r.returncode == 3, r.stderr
        assert "being written by process" in r.stderr and "Traceback" not in r.stderr
        assert tree_snapshot(built.processed) == before


@pytest.mark.slow
def test_raw_inputs_are_opened_for_reading_only(built, monkeypatch):
    """Every open() of a file under data/raw is read-only (root ignores chmod, so opens are recorded too)."""
    raw = str(built.raw)
    for f in built.raw.rglob("*"):
        f.chmod(0o555 if f.is_dir() else 0o444)
    seen = []
    real_open, real_os_open = builtins.open, os.open

    def rec_open(file, mode="r", *a, **kw):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file).startswith(raw):
            seen.append((os.fspath(file), mode))
        return real_open(file, mode, *a, **kw)

    def rec_os_open(path, flags, *a, **kw):
        if os.fspath(path).startswith(raw):
            seen.append((os.fspath(path), flags))
        return real_os_open(path, flags, *a, **kw)

    monkeypatch.setattr(builtins, "open", rec_open)
    monkeypatch.setattr(io, "open", rec_open)
    monkeypatch.setattr(os, "open", rec_os_open)
    before = tree_snapshot(built.raw)
    try:
        ingest(built)
        build(built)
    finally:
        for f in built.raw.rglob("*"):
            f.chmod(0o755 if f.is_dir() else 0o644)
    assert tree_snapshot(built.raw) == before
    assert any(p.endswith("zj_census.xlsx") for p, _ in seen)
    for path, mode in seen:
        if isinstance(mode, str):
            assert set(mode) <= {"r", "b", "t"}, (path, mode)
        else:
            assert mode & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND) == 0, (path, mode)


def test_disk_full_while_writing_a_part_leaves_the_store_as_it_was(built, monkeypatch):
    before = tree_snapshot(built.processed)

    def half_then_full(table, where, **kw):
        with open(where, "wb") as f:
            f.write(b"PAR1 half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq, "write_table", half_then_full)
    with pytest.raises(InputOutputError) as e:
        ingest(built, [built.raw / "zj_census.xlsx"])
    assert "the disk is full" in str(e.value) and "磁盘已满" in str(e.value)
    assert tree_snapshot(built.processed) == before
    assert _temporaries(built.processed) == []


def _limited(limit_bytes):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, like ENOSPC
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return pre


@pytest.mark.kills
@pytest.mark.parametrize("step,limit,failing", [("ingest", 6_000, ".parquet"), ("build", 400_000, "hukou.duckdb")])
def test_a_real_size_limit_mid_write_gives_exit_3_and_no_partial_file(built, step, limit, failing):
    """The process really runs out of room (RLIMIT_FSIZE): a clear message, exit 3, previous outputs whole."""
    before = tree_snapshot(built.processed)
    # ingest the new file alone (the validation report of all the bundled data, every county of China, is larger
    # than the limit: it would fail first)
    args = [step, str(built.raw / "zj_census.xlsx")] if step == "ingest" else [step, "--force"]
    r = _cli(built, *args, preexec_fn=_limited(limit))
    assert r.returncode == 3, (r.returncode, r.stdout, r.stderr)
    assert "cannot write" in r.stderr and "Traceback" not in r.stderr
    assert failing in r.stderr.split("cannot write", 1)[1].split(":", 1)[0]  # it failed mid-write of that file
    assert tree_snapshot(built.processed) == before
    assert _temporaries(built.processed) == []
    r = _cli(built, *args)  # with room again, the same step succeeds
    assert r.returncode == 0, r.stderr


def _whole(p, old_rows, new_rows):
    """The store and the database are each either the previous or the next state, and readable."""
    store = Store(p.processed)
    n = len(store.read())
    assert n in (old_rows, new_rows)
    for part in store.part_paths():
        pq.read_metadata(part)
    con = duckdb.connect(str(p.database), read_only=True)
    try:
        m = con.execute("SELECT count(*) FROM stored_observations").fetchone()[0]
        assert con.execute("SELECT count(*) FROM urbanization").fetchone()[0] > 0
    finally:
        con.close()
    assert m in (old_rows, new_rows)
    assert [v.drift for v in verify(p.database)] == [[]]  # the database is what its manifest says
    return n, m


def _run_forked(root) -> int:
    """ingest + build in a forked child (the parent has imported everything: no start-up time, so every
    kill lands in real work); returns the child's pid."""
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            from hukou_stats.core.project import Project

            p = Project.at(root)
            ingest(p)
            build(p)
            code = 0
        finally:
            os._exit(code)
    return pid


@pytest.fixture
def small_built(tmp_path):
    """Two Guangzhou yearbook tables ingested and built (previous outputs); the Zhejiang census waiting."""
    p = make_project(tmp_path / "p")
    rl.write_gz_2_10_xlsx(p.raw)
    rl.write_gz_2_7_csv(p.raw)
    ingest(p)
    build(p)
    rl.write_zj_census_xlsx(p.raw)
    return p


@pytest.mark.kills
def test_killed_at_random_moments_the_previous_outputs_stay_whole(small_built):
    built = small_built
    kills = int(os.environ.get("HUKOU_KILLS", "20"))
    rng = random.Random(int(os.environ.get("HUKOU_KILL_SEED", "7")))
    old_rows = len(Store(built.processed).read())
    previous = built.root.parent / "previous"
    shutil.copytree(built.processed, previous)
    # how long one uninterrupted run takes (into a copy, so the real project stays at the previous state)
    probe = built.root.parent / "probe"
    shutil.copytree(built.root, probe)
    t0 = time.monotonic()
    _, status = os.waitpid(_run_forked(probe), 0)
    duration = time.monotonic() - t0
    print(f"one ingest + build: {duration:.2f} s; {kills} kills")
    assert os.waitstatus_to_exitcode(status) == 0
    new_rows = len(Store(probe / "data" / "processed").read())
    assert new_rows == old_rows + 24
    outcomes = {}  # (store rows, database rows) after each kill
    for _ in range(kills):
        pid = _run_forked(built.root)
        time.sleep(rng.uniform(0.0, 1.05) * duration)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        # killed, or finished before the kill: then it must have succeeded (a child failing at once kills nothing)
        assert os.WIFSIGNALED(status) or os.waitstatus_to_exitcode(status) == 0, status
        outcomes[_whole(built, old_rows, new_rows)] = outcomes.get(_whole(built, old_rows, new_rows), 0) + 1
        if len(Store(built.processed).read()) == new_rows and rng.random() < 0.7:
            # back to the previous outputs, so that later kills also land in the store's commit
            shutil.rmtree(built.processed)
            shutil.copytree(previous, built.processed)
    print("states after the kills (store rows, database rows): count", outcomes)
    assert sum(outcomes.values()) == kills
    # after all that, a normal run still succeeds and the temporaries of killed runs are swept
    r = subprocess.run([*CLI, "--root", str(built.root), "ingest"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*CLI, "--root", str(built.root), "build"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert _whole(built, old_rows, new_rows) == (new_rows, new_rows)
    assert _temporaries(built.processed) == []
