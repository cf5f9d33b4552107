"""Output folders written all or nothing: the bulletin and the evaluation reports are written into a hidden
staging folder beside their target, checked, given their provenance manifest, and swapped in whole; a failure
leaves the previous folder as it was."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hukou_stats.core.errors import InputOutputError
from hukou_stats.core.project import Project
from hukou_stats.core.provenance import write_output_manifest


@contextlib.contextmanager
def staged_folder(project: Project, target: Path, release: str) -> Iterator[Path]:
    """Yield a staging folder; when the block ends without error, every file in it is checked, manifest.json
    is written (recorded under the target's paths) and the folder replaces `target`."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
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
    """Swap the staged folder in for the target: the old folder is moved aside, the new one renamed into
    place, the old one removed. A reader never sees a half-written bulletin."""
    old = None
    try:
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(staging, target)
    except OSError as e:
        if old is not None and not target.exists() and (old / target.name).exists():
            os.replace(old / target.name, target)
        raise InputOutputError(f"cannot write {target}: {e}") from e
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
