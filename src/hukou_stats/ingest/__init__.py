"""Readers: every input layout becomes the one canonical long table.

- canonical long CSV (region_code, year, measure, value, unit, source, published, series ...): no spec;
- wide CSV/XLSX (regions x years, or regions x measures) with a TOML spec beside it
  (same stem, `.toml`).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from pathlib import Path

import pandas as pd

from hukou_stats.core.errors import InputOutputError, Issue
from hukou_stats.ingest.canonical import CANONICAL_COLUMNS, empty_frame
from hukou_stats.ingest.limits import InputTooLarge, in_force
from hukou_stats.ingest.long_csv import LONG_REQUIRED, read_long_csv
from hukou_stats.ingest.textfile import CsvMalformed, UndecodableText
from hukou_stats.ingest.wide import read_wide
from hukou_stats.ingest.xlsx import NotAWorkbook
from hukou_stats.reference.registry import Registry

DATA_SUFFIXES = {".csv", ".xlsx", ".xlsm"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and encrypted .xlsx)


def discover(paths: list[Path]) -> list[Path]:
    """Data files under the given files or folders, in a stable order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in DATA_SUFFIXES and not f.name.startswith((".", "~$"))
            )
        elif p.is_file():
            out.append(p)
        else:
            raise InputOutputError(f"input not found: {p} / 找不到输入文件")
    return out


def spec_for(path: Path) -> Path | None:
    spec = path.with_suffix(".toml")
    return spec if spec.is_file() else None


_READ: OrderedDict[tuple, tuple[pd.DataFrame, list[Issue]]] = OrderedDict()
READ_CACHE = 8  # costly readings kept for the process (by content): such a file is read again only when changed
READ_CACHE_ROWS = 400_000  # at most this many figures kept in all: a national store is not held twice in memory
COSTLY_S = 0.2  # a reading that took longer is kept (a small file is read again rather than crowd out a large one)


def read_file(path: Path, registry: Registry, reference_dir: Path, label: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Read one input file into canonical rows plus the issues found while reading.

    A file that cannot be parsed at all (empty, wrong encoding, not a spreadsheet) becomes one
    located error instead of a crash. The same file (same bytes, same spec, same registry and reference data) is
    read once a process: a national county table is not parsed again for every command that needs its figures.
    A file over a reading limit (ingest.limits) is refused the same way, before it takes memory.
    """
    key = _content_key(path, registry, reference_dir, label)
    if key is not None and key in _READ:
        _READ.move_to_end(key)
        df, issues = _READ[key]
        return df.copy(), list(issues)
    started = time.perf_counter()
    result = _read_file(path, registry, reference_dir, label)
    if key is not None and time.perf_counter() - started >= COSTLY_S and len(result[0]) <= READ_CACHE_ROWS:
        _READ[key] = (result[0].copy(), list(result[1]))
        while len(_READ) > READ_CACHE or sum(len(df) for df, _ in _READ.values()) > READ_CACHE_ROWS:
            _READ.popitem(last=False)
    return result


def _content_key(path: Path, registry: Registry, reference_dir: Path, label: str) -> tuple | None:
    if registry.content_key is None:
        return None
    h = hashlib.sha256()
    for f in (path, spec_for(path), reference_dir / "series.csv", reference_dir / "coverage.csv"):
        try:
            h.update(f.read_bytes() if f is not None and f.is_file() else b"-")
        except OSError:
            return None
        h.update(b"\x00")
    return (h.hexdigest(), registry.content_key, label, in_force())


def _read_file(path: Path, registry: Registry, reference_dir: Path, label: str) -> tuple[pd.DataFrame, list[Issue]]:
    check = "file_readable"
    try:
        return _read(path, registry, reference_dir, label)
    except UndecodableText as e:
        why = str(e)
    except InputTooLarge as e:
        why, check = str(e), "input_too_large"
    except (CsvMalformed, NotAWorkbook) as e:
        why = f"cannot be read as {path.suffix.lstrip('.').upper() or 'a table'}: {e}"
    return empty_frame(), [Issue("error", check, why, file=label)]


def _read(path: Path, registry: Registry, reference_dir: Path, label: str) -> tuple[pd.DataFrame, list[Issue]]:
    with open(path, "rb") as f:
        magic = f.read(8)
    if path.suffix.lower() == ".xls" or magic == OLE_MAGIC:
        what = (
            "an old Excel workbook (.xls, OLE2 format)"
            if path.suffix.lower() == ".xls"
            else "a password-protected workbook, or an old .xls renamed (OLE2 format)"
        )
        return empty_frame(), [
            Issue(
                "error",
                "file_readable",
                f"{what}: open it in Excel or LibreOffice and save it as .xlsx without a password, then read that",
                file=label,
            )
        ]
    spec = spec_for(path)
    if spec is not None:
        return read_wide(path, spec, registry, reference_dir, label)
    if path.suffix.lower() == ".csv":
        return read_long_csv(path, registry, reference_dir, label)
    return empty_frame(), [
        Issue(
            "error",
            "spec_required",
            f"a {path.suffix} file needs a spec file {path.with_suffix('.toml').name} beside it "
            f"(only the canonical long CSV with columns {', '.join(LONG_REQUIRED)} is read without one)",
            file=label,
        )
    ]


__all__ = ["CANONICAL_COLUMNS", "discover", "read_file", "spec_for"]
