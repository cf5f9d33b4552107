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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hukou_stats.core.atomic import atomic_path, write_text
from hukou_stats.core.errors import InputOutputError
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
        return [self.root / p["path"] for p in self.manifest()["parts"]]

    def read(self) -> pd.DataFrame:
        paths = self.part_paths()
        if not paths:
            return pd.DataFrame(columns=CANONICAL_COLUMNS)
        return pa.concat_tables([pq.read_table(p) for p in paths], promote_options="default").to_pandas()

    def stored_ids(self) -> set[str]:
        ids: set[str] = set()
        for p in self.part_paths():
            ids.update(pq.read_table(p, columns=["row_id"]).column("row_id").to_pylist())
        return ids

    def append(self, df: pd.DataFrame) -> dict:
        """Store rows not seen before; returns {'new': n, 'skipped': n, 'parts': [...]}."""
        df = df.drop_duplicates("row_id")
        known = self.stored_ids()
        new = df[~df.row_id.isin(known)]
        result: dict[str, Any] = {"new": len(new), "skipped": len(df) - len(new), "parts": []}
        if new.empty:
            return result
        manifest: dict = self.manifest()
        for release, g in new.groupby(
            new.release_date.map(lambda d: d.isoformat() if isinstance(d, dt.date) else "unknown")
        ):
            g = g.sort_values(["source_file", "source_row"])
            digest = hashlib.sha256("".join(g.row_id).encode()).hexdigest()[:16]
            rel = f"release={release}/part-{digest}.parquet"
            table = pa.Table.from_pandas(g[CANONICAL_COLUMNS], schema=SCHEMA, preserve_index=False)
            with atomic_path(self.root / rel) as tmp:
                pq.write_table(table, tmp, compression="zstd")
            manifest["parts"].append({"path": rel, "rows": len(g), "release": release})
            result["parts"].append(rel)
        manifest["parts"].sort(key=lambda p: p["path"])
        manifest["row_count"] = sum(p["rows"] for p in manifest["parts"])
        write_text(self.manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        return result
