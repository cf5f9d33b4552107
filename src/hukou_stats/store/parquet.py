"""The Parquet store: append-only by release, committed through a manifest.

Layout under data/processed/observations/:
  release=<YYYY-MM-DD | unknown>/part-<hash>.parquet   rows first seen in one ingestion
  _manifest.json                                       the committed list of parts

A row is identified by its published identity (region, year, measure, value
as published, unit, source, release, series, definition); rows already stored
are never written again, so re-ingesting an unchanged file changes nothing,
and nothing stored is ever overwritten. Parts are written to a temporary file
and renamed; the manifest is replaced last, so a crash leaves the previous
commit whole (an orphan part that is not in the manifest is ignored).

The manifest records the SHA-256 of every part as it was written; every read checks it, so a part changed
outside hukou-stats is refused (InputOutputError) instead of being used or recorded as good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hukou_stats.core.atomic import atomic_path, write_text
from hukou_stats.core.errors import InputOutputError
from hukou_stats.core.provenance import MANIFEST, sha256_file
from hukou_stats.ingest.canonical import CANONICAL_COLUMNS

SCHEMA = pa.schema(
    [
        ("region_code", pa.string()),
        ("region_name", pa.string()),
        ("year", pa.int32()),
        ("reference_date", pa.date32()),
        ("measure", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("value_published", pa.string()),
        ("unit_published", pa.string()),
        ("decimals", pa.int8()),
        ("precision", pa.float64()),
        ("source", pa.string()),
        ("published", pa.string()),
        ("release_date", pa.date32()),
        ("release_precision", pa.string()),
        ("seen_at", pa.string()),
        ("series", pa.string()),
        ("definition", pa.string()),
        ("note", pa.string()),
        ("source_file", pa.string()),
        ("source_row", pa.int32()),
        ("row_id", pa.string()),
        ("coverage", pa.string()),
    ]
)


class Store:
    def __init__(self, processed_dir: Path):
        self.root = processed_dir / "observations"
        self.manifest_path = self.root / "_manifest.json"

    def manifest(self) -> dict:
        if not self.manifest_path.exists():
            return {"parts": []}
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise InputOutputError(f"the store manifest {self.manifest_path} is unreadable: {e}") from e

    def part_paths(self) -> list[Path]:
        """The committed parts, as listed (not checked: see checked_parts)."""
        return [self.root / p["path"] for p in self.manifest()["parts"]]

    def checked_parts(self) -> list[dict]:
        """The committed parts, each checked against the SHA-256 recorded when it was stored:
        [{'path': Path, 'sha256': ..., 'bytes': n}]. InputOutputError names a part that is missing or changed."""
        recorded: dict[str, str] | None = None
        checked = []
        for part in self.manifest()["parts"]:
            path = self.root / part["path"]
            want = part.get("sha256")
            if want is None:  # a store written before the hashes moved into _manifest.json
                recorded = self._provenance_hashes() if recorded is None else recorded
                want = recorded.get(part["path"])
            try:
                got, size = sha256_file(path), path.stat().st_size
            except OSError as e:
                raise InputOutputError(
                    f"the store part {path} listed in {self.manifest_path.name} cannot be read ({e.strerror or e}): "
                    "the store is damaged. Restore data/processed from a backup, or remove it and run "
                    "`hukou-stats ingest` again. / 存储文件缺失或无法读取。"
                ) from e
            if want is None:
                raise InputOutputError(
                    f"the store part {path} has no recorded SHA-256, so it cannot be checked: remove "
                    "data/processed and run `hukou-stats ingest` again. / 存储文件没有校验值。"
                )
            if got != want:
                raise InputOutputError(
                    f"the store part {path} is not the file that was stored: its SHA-256 is {got[:12]}…, "
                    f"recorded {want[:12]}… when it was written (it was changed outside hukou-stats). Refusing to use "
                    "it: restore data/processed from a backup, or remove it and run `hukou-stats ingest` again. "
                    "/ 存储文件已被改动，拒绝使用。"
                )
            checked.append({"path": path, "sha256": got, "bytes": size})
        return checked

    def _provenance_hashes(self) -> dict[str, str]:
        """Part (relative to the store) -> SHA-256, as recorded in the store's provenance manifest."""
        mpath = self.root / MANIFEST
        try:
            m = json.loads(mpath.read_text(encoding="utf-8"))
            root = (mpath.parent / m.get("root", ".")).resolve()
            found = {}
            for e in m.get("outputs", []):
                try:
                    found[(root / e["path"]).resolve().relative_to(self.root.resolve()).as_posix()] = e["sha256"]
                except ValueError:
                    continue
            return found
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def read(self, years: Iterable[int] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
        """The stored figures (every part checked), or only those of `years`, only `columns`: a check that needs
        the figures of one year does not bring the whole store into memory."""
        parts = self.checked_parts()
        if not parts:
            return pd.DataFrame(columns=columns or CANONICAL_COLUMNS)
        filters = None if years is None else [("year", "in", sorted({int(y) for y in years}))]
        if filters is not None and not filters[0][2]:
            return pd.DataFrame(columns=columns or CANONICAL_COLUMNS)
        tables = [pq.read_table(p["path"], columns=columns, filters=filters) for p in parts]
        return pa.concat_tables(tables, promote_options="default").to_pandas()

    def _known(self, row_ids: pd.Series, parts: list[dict]) -> np.ndarray:
        """Which of `row_ids` are stored already, part by part (one part's identities in memory at a time)."""
        wanted = pa.array(row_ids.astype(str).to_numpy(), type=pa.string())
        known = np.zeros(len(wanted), dtype=bool)
        for p in parts:
            stored = pq.read_table(p["path"], columns=["row_id"]).column("row_id")
            known |= pc.is_in(wanted, value_set=stored.combine_chunks()).to_numpy(zero_copy_only=False)
        return known

    def append(self, df: pd.DataFrame) -> dict:
        """Store rows not seen before; returns {'new': n, 'skipped': n, 'parts': [...]}."""
        df = df.drop_duplicates("row_id")
        parts = self.checked_parts()
        new = df[~self._known(df.row_id, parts)] if parts else df
        result: dict[str, Any] = {"new": len(new), "skipped": len(df) - len(new), "parts": []}
        if new.empty:
            return result
        manifest: dict = self.manifest()
        hashes = {p["path"]: p["sha256"] for p in parts}
        for part in manifest["parts"]:  # every part's hash in the manifest (earlier stores had them elsewhere)
            part.setdefault("sha256", hashes[self.root / part["path"]])
        for release, g in new.groupby(
            new.release_date.map(lambda d: d.isoformat() if isinstance(d, dt.date) else "unknown")
        ):
            g = g.sort_values(["source_file", "source_row"])
            digest = hashlib.sha256("".join(g.row_id).encode()).hexdigest()[:16]
            rel = f"release={release}/part-{digest}.parquet"
            table = pa.Table.from_pandas(g[CANONICAL_COLUMNS], schema=SCHEMA, preserve_index=False)
            with atomic_path(self.root / rel) as tmp:
                pq.write_table(table, tmp, compression="zstd")
                sha = sha256_file(tmp)
            manifest["parts"].append({"path": rel, "rows": len(g), "release": release, "sha256": sha})
            result["parts"].append(rel)
        manifest["parts"].sort(key=lambda p: p["path"])
        manifest["row_count"] = sum(p["rows"] for p in manifest["parts"])
        write_text(self.manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        return result
