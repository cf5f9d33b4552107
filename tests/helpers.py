"""Helpers for the tests: throw-away projects (reference data and schemas copied from the repository),
long-CSV text, snapshots of a folder, and a second process holding the write lock."""

from __future__ import annotations

import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from hukou_stats.core.project import Project

ROOT = Path(__file__).resolve().parents[1]
# the published figures and targets as transcribed, which the bundled data and targets file must reproduce
REFERENCE = Path(__file__).resolve().parent / "reference"


@contextmanager
def holding_write_lock(folder: Path):
    """Another process holds the write lock of `folder` (data/processed) until the block ends."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import time; from pathlib import Path; from hukou_stats.core.locks import write_lock\n"
                f"with write_lock(Path({str(folder)!r})):\n    print('held', flush=True); time.sleep(30)"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()


LONG_HEADER = "region_code,region_name_zh,year,measure,value,unit,source,published,seen_at,series,definition,note\n"


def make_project(base: Path, raw: dict[str, str] | None = None, bundled: bool = False) -> Project:
    """A project folder with the repository's reference data and schemas, plus the given raw files."""
    base.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "data" / "reference", base / "data" / "reference")
    shutil.copytree(ROOT / "schemas", base / "schemas")
    if bundled:
        shutil.copytree(ROOT / "data" / "raw", base / "data" / "raw")
    else:
        (base / "data" / "raw").mkdir(parents=True)
    for name, text in (raw or {}).items():
        path = base / "data" / "raw" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Project.at(base)


def long_csv(*rows: str) -> str:
    return LONG_HEADER + "".join(r.rstrip("\n") + "\n" for r in rows)


def tree_snapshot(path: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes: to prove nothing changed. The empty lock file (created
    by the first run that writes data/processed/, and kept) is not data and is left out."""
    if not path.exists():
        return {}
    return {
        str(f.relative_to(path)): f.read_bytes()
        for f in sorted(path.rglob("*"))
        if f.is_file() and not (f.name == ".lock" and f.stat().st_size == 0)
    }
