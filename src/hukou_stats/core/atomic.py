"""Atomic writes: write to a temporary file beside the target, flush it to disk, then rename.

A reader sees the old file or the new one, never a part: a process killed at any moment, a full disk or
any OSError leaves the previous file whole and no partial file under the target's name (the temporary file
is removed; one left by a killed process is swept by the next run holding the lock, see locking.py).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from hukou_stats.core.errors import InputOutputError

TEMP_SUFFIX = ".tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


UMASK = _umask()


def io_message(target: Path, e: OSError) -> str:
    """A statistician's message for a failed write, in Chinese and English."""
    if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        why = f"the disk is full or the file size limit was reached ({e.strerror}) / 磁盘已满"
    elif e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "no permission to write there / 没有写入权限"
    else:
        why = e.strerror or str(e)
    return (
        f"cannot write {target}: {why}. Nothing was changed: the previous file, if any, is whole. "
        f"/ 无法写入 {target}，原有文件未被改动。"
    )


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in the target's folder; on success it replaces the target."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
        os.close(fd)
    except OSError as e:
        raise InputOutputError(io_message(target, e)) from e
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.is_file():
            with open(tmp_path, "rb+") as f:
                os.fsync(f.fileno())
            os.chmod(tmp_path, 0o666 & ~UMASK)  # mkstemp makes 0600; outputs are for analysts to read
        os.replace(tmp_path, target)
        _fsync_dir(target.parent)
    except OSError as e:
        raise InputOutputError(io_message(target, e)) from e
    finally:
        for leftover in (tmp_path, Path(f"{tmp_path}.wal")):
            with contextlib.suppress(OSError):
                leftover.unlink()


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def sweep_temporaries(folder: Path) -> list[Path]:
    """Remove temporary files left by killed runs (".<name>.<random>.tmp" and DuckDB's ".wal" beside them).
    Call only while holding the lock of the folder, so that no live run owns them."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for f in folder.rglob(".*"):
        if f.is_file() and (f.name.endswith(TEMP_SUFFIX) or f.name.endswith(TEMP_SUFFIX + ".wal")):
            with contextlib.suppress(OSError):
                f.unlink()
                removed.append(f)
    return removed
