"""Atomic writes: write to a temporary file beside the target, flush it to disk, then rename.

A reader sees the old file or the new one, never a part: a process killed at any moment, a full disk or
any OSError leaves the previous file whole and no partial file under the target's name (the temporary file
is removed; one left by a killed process is swept by the next run holding the lock, see locks.py).

Folders are replaced by `replace_folder`: one atomic exchange of the two names (renameat2 RENAME_EXCHANGE),
so the target path holds the old folder or the new one at every instant, never nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import shutil
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


# --- folders: exchanged in one step ---------------------------------------------------------------------------

AT_FDCWD, RENAME_NOREPLACE, RENAME_EXCHANGE = -100, 1, 2
# where the filesystem cannot exchange (FUSE, some network filesystems) or the call does not exist
EXCHANGE_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP}
_SYSCALL_RENAMEAT2 = {"x86_64": 316, "aarch64": 276, "riscv64": 276, "i686": 353, "armv7l": 382}
log = logging.getLogger(__name__)


def _load_renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no C library to call
        return None
    if hasattr(libc, "renameat2"):  # glibc 2.28 and later
        fn = libc.renameat2
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        fn.restype = ctypes.c_int
        return fn
    number = _SYSCALL_RENAMEAT2.get(os.uname().machine) if hasattr(os, "uname") else None
    if number is None or not hasattr(libc, "syscall"):
        return None

    def raw(olddirfd, old, newdirfd, new, flags):  # pragma: no cover - older C libraries
        return libc.syscall(ctypes.c_long(number), olddirfd, old, newdirfd, new, ctypes.c_uint(flags))

    return raw


_renameat2 = _load_renameat2()


def renameat2(src: Path, dst: Path, flags: int) -> None:
    """rename(2) with flags (Linux): RENAME_EXCHANGE swaps two existing names, RENAME_NOREPLACE fails when
    `dst` exists. OSError (ENOSYS where the call does not exist)."""
    if _renameat2 is None:
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS), str(src), None, str(dst))
    if _renameat2(AT_FDCWD, os.fsencode(src), AT_FDCWD, os.fsencode(dst), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), str(src), None, str(dst))


def fsync_tree(folder: Path) -> None:
    """The data of every file and the entries of every folder under `folder` on disk."""
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            with open(os.path.join(dirpath, name), "rb") as f:
                os.fsync(f.fileno())
        _fsync_dir(Path(dirpath))


def replace_folder(staging: Path, target: Path) -> str:
    """Put the folder `staging` in place of `target` (a sibling on the same filesystem) in one atomic step: the
    two names are exchanged, so `target` is the old folder or the new one at every instant; the old folder is
    then at `staging` (the caller removes it; after a first publication nothing is left there). The first publication renames without replacing. Where the
    filesystem cannot exchange, two renames (the old folder moved aside, the new one renamed in; a warning is
    logged: for a moment there is no folder at `target`). Returns how: exchange, new or two_renames."""
    fsync_tree(staging)
    try:
        renameat2(staging, target, RENAME_EXCHANGE)
        how = "exchange"
    except OSError as e:
        if e.errno == errno.ENOENT and staging.exists() and not os.path.lexists(target):
            try:
                renameat2(staging, target, RENAME_NOREPLACE)
            except OSError as e2:
                if e2.errno not in EXCHANGE_UNSUPPORTED:
                    raise
                os.rename(staging, target)
            how = "new"
        elif e.errno in EXCHANGE_UNSUPPORTED:
            log.warning("%s: this filesystem cannot exchange two folders atomically; replaced in two renames", target)
            _two_renames(staging, target)
            how = "two_renames"
        else:
            raise
    _fsync_dir(target.parent)
    return how


def _two_renames(staging: Path, target: Path) -> None:
    """The old folder moved aside (to `staging`'s name, once the new folder has left it), the new one renamed in;
    on failure the old folder is put back."""
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.replace(target, aside / target.name)
    try:
        os.replace(staging, target)
    except OSError:
        if not target.exists():
            os.replace(aside / target.name, target)
        raise
    os.replace(aside / target.name, staging)
    shutil.rmtree(aside, ignore_errors=True)
