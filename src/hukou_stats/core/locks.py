"""One writer at a time in data/processed/: a lock file (filelock; an OS lock, released when the process
ends, even when it is killed, so a crash never leaves a stale lock).

A second run waits up to the timeout (default 60 s: `--lock-timeout`, or HUKOU_STATS_LOCK_TIMEOUT), then stops
with exit code 3 and a message naming the run that holds the lock. Readers (validate, query, bulletin)
take no lock on data/processed/: they read committed files only (the store's manifest, the renamed database).

An output folder (a bulletin, an evaluation report) has a lock of its own, `target_lock`: one run at a time
replaces it, and only that run may sweep what killed runs left beside it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from pathlib import Path

from filelock import FileLock, Timeout

from hukou_stats.core.atomic import sweep_temporaries
from hukou_stats.core.errors import InputOutputError

LOCK_NAME = ".lock"
OWNER_NAME = ".lock.owner.json"
_locks: dict[tuple[int, Path], FileLock] = {}  # one object per process and path: re-entrant within a process


def default_timeout() -> float:
    try:
        return float(os.environ.get("HUKOU_STATS_LOCK_TIMEOUT", "60"))
    except ValueError:
        return 60.0


def _owner(folder: Path) -> str:
    try:
        o = json.loads((folder / OWNER_NAME).read_text(encoding="utf-8"))
        return f"process {o['pid']} ({o['command']}) since {o['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextlib.contextmanager
def write_lock(folder: Path, timeout: float | None = None):
    """Hold the write lock of `folder` (created if needed); sweep temporaries of killed runs once held."""
    folder = Path(folder).resolve()
    timeout = default_timeout() if timeout is None else timeout
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputOutputError(f"cannot create {folder}: {e.strerror or e}") from e
    key = (os.getpid(), folder)  # a forked child needs its own lock object (filelock refuses inherited ones)
    if key not in _locks:
        _locks[key] = FileLock(folder / LOCK_NAME)
    lock = _locks[key]
    outermost = not lock.is_locked
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise InputOutputError(
            f"{folder} is being written by {_owner(folder)}; waited {timeout:g} s. Run again when it has finished "
            f"(or wait longer: --lock-timeout SECONDS). / 另一进程正在写入 {folder}，请稍后再试。"
        ) from None
    except OSError as e:
        raise InputOutputError(f"cannot lock {folder}: {e.strerror or e}") from e
    try:
        if outermost:
            with contextlib.suppress(OSError):
                (folder / OWNER_NAME).write_text(
                    json.dumps(
                        {
                            "pid": os.getpid(),
                            "command": " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv)),
                            "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        }
                    ),
                    encoding="utf-8",
                )
            sweep_temporaries(folder)
        yield
    finally:
        if outermost:
            with contextlib.suppress(OSError):
                (folder / OWNER_NAME).unlink()
        lock.release()


@contextlib.contextmanager
def target_lock(target: Path, timeout: float | None = None):
    """Hold the lock of one output folder: `.<name>.lock` beside it (an OS lock, released when the process ends,
    even when it is killed)."""
    target = Path(target).resolve()
    timeout = default_timeout() if timeout is None else timeout
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputOutputError(f"cannot create {target.parent}: {e.strerror or e}") from e
    key = (os.getpid(), target.parent / f".{target.name}.lock")
    if key not in _locks:
        _locks[key] = FileLock(key[1])
    lock = _locks[key]
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise InputOutputError(
            f"{target} is being written by another run; waited {timeout:g} s. Run again when it has finished "
            f"(or wait longer: --lock-timeout SECONDS). / 另一进程正在写入 {target}，请稍后再试。"
        ) from None
    except OSError as e:
        raise InputOutputError(f"cannot lock {target}: {e.strerror or e}") from e
    try:
        yield
    finally:
        lock.release()
