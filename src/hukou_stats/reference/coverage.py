"""Coverage of a figure: which population it counts (data/reference/coverage.csv).

A figure carries a coverage (column `coverage` of a long CSV, key `coverage` of a spec); empty means the region's own
coverage, the one its headline is published on. Other coverages are other figures, never revisions of the headline
and never in its place: China's national figures count the 31 provinces and the active military (现役军人), who
belong to no province; the sum of the 31 provinces (`provinces_31`) is a different figure. `children_sum` marks the
coverage that a sum of the region's children gives (the national figure is never a sum of provinces), and
`beyond_children_*` what the region's own coverage counts that none of its children does (it explains a residual).
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from hukou_stats.core.errors import InputOutputError

FILE = "coverage.csv"


@functools.lru_cache(maxsize=16)
def _read(path: str, stamp: int) -> tuple[dict[str, str], ...]:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return tuple(csv.DictReader(f))
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputOutputError(f"cannot read {path}: {e}") from e


def coverage_rows(reference_dir: Path) -> tuple[dict[str, str], ...]:
    path = reference_dir / FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1
    return _read(str(path), stamp)


def coverages(reference_dir: Path) -> dict[str, set[str]]:
    """region code -> the coverages a figure of it may declare (besides its own, empty)."""
    out: dict[str, set[str]] = {}
    for r in coverage_rows(reference_dir):
        if r.get("coverage"):
            out.setdefault(r["region_code"], set()).add(r["coverage"])
    return out
