"""Output folders written all or nothing: the bulletin and the evaluation reports are written into a hidden
staging folder beside their target, checked, given their provenance manifest, and swapped in whole; a failure
leaves the previous folder as it was, and the target path holds a whole folder at every instant (the old one
or the new one). One run at a time replaces a target (its lock); what killed runs left beside it is swept."""

from __future__ import annotations

import contextlib
import errno
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hukou_stats.core.atomic import replace_folder
from hukou_stats.core.errors import InputOutputError
from hukou_stats.core.locks import target_lock
from hukou_stats.core.project import Project
from hukou_stats.core.provenance import write_output_manifest

# what a run leaves beside its target while it works: the staging folder (and, where folders cannot be exchanged,
# the old folder moved aside)
LEFTOVERS = (".{name}.staging-*", ".{name}.old-*")


@contextlib.contextmanager
def staged_folder(project: Project, target: Path, release: str) -> Iterator[Path]:
    """Yield a staging folder; when the block ends without error, every file in it is checked, manifest.json
    is written (recorded under the target's paths) and the folder replaces `target`."""
    with target_lock(target):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            sweep(target)
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
            staging.chmod(0o755)
        except OSError as e:
            raise InputOutputError(f"cannot write {target}: {e}") from e
        try:
            yield staging
            finish_folder(project, staging, sorted(p.name for p in staging.iterdir()), release, target)
            publish_folder(staging, target)
        except OSError as e:
            raise InputOutputError(f"cannot write {target}: {e}") from e
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


def sweep(target: Path) -> list[Path]:
    """Remove what killed runs left beside `target` (call holding its lock: no live run owns them then);
    links are removed, never followed."""
    removed = []
    for pattern in LEFTOVERS:
        for p in target.parent.glob(pattern.format(name=target.name)):
            if p.is_symlink() or not p.is_dir():
                p.unlink(missing_ok=True)
            else:
                shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def finish_folder(project: Project, folder: Path, files: list[str], release: str, publish_as: Path) -> None:
    """Complete a staged folder before it is published: every file written must be there and
    non-empty; then manifest.json (provenance: SHA-256 of the database and the raw files it was built from,
    of every file in the folder, tool version, release, time), recorded under the published folder's path."""
    check_folder(folder, files)
    previous = publish_as / "manifest.json"
    if previous.is_file():  # kept as it is when nothing but the time would change (a re-run is byte-identical)
        shutil.copy2(previous, folder / "manifest.json")
    write_output_manifest(project, folder, release=release, publish_as=publish_as)


def check_folder(folder: Path, files: list[str]) -> None:
    """Every file written must be in the folder and non-empty."""
    for name in files:
        p = folder / name
        if not p.is_file() or p.stat().st_size == 0:
            raise InputOutputError(f"output file {p} was not written")


def publish_folder(staging: Path, target: Path) -> None:
    """Swap the staged folder in for the target in one step (the old folder lands at `staging`, which the caller
    removes). A reader never sees a half-written bulletin, nor a moment without one."""
    try:
        replace_folder(staging, target)
    except OSError as e:
        hint = " (the folder is in a read-only image layer; keep out/ on a volume)" if e.errno == errno.EXDEV else ""
        raise InputOutputError(f"cannot write {target}: {e}{hint} / 无法写入输出文件夹") from e
