"""Builds data/processed/hukou.duckdb from the Parquet store, the reference tables and the SQL models.

The database is self-contained (observations and reference tables are copied in), written to a temporary
file and renamed, so analysts never see a half-built file; its provenance manifest is written beside it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from hukou_stats.core import provenance
from hukou_stats.core.atomic import atomic_path
from hukou_stats.core.errors import InputOutputError, UsageError
from hukou_stats.core.locks import write_lock
from hukou_stats.core.project import Project
from hukou_stats.reference.registry import HISTORY
from hukou_stats.store.parquet import Store
from hukou_stats.warehouse.models import apply_descriptions, models
from hukou_stats.warehouse.reference_tables import load_reference

# the storage format the database is written in: the newest that the DuckDB shell a user can install as a
# package (duckdb-cli 1.5) opens; the Python package reads it too
STORAGE_VERSION = "v1.5.0"


def build(project: Project, lock_timeout: float | None = None) -> Path:
    """Build the database under the write lock of data/processed/; then write hukou.duckdb.manifest.json
    (the raw inputs as recorded by the store, the store's parts, the reference data, the database's hash)."""
    with write_lock(project.processed, lock_timeout):
        target = _build(project)
        _write_manifest(project)
    return target


def _write_manifest(project: Project) -> Path:
    store = Store(project.processed)
    upstream = store.root / provenance.MANIFEST
    raw = []
    if upstream.is_file():
        raw = [
            e
            for e in provenance.read_manifest(upstream)["inputs"]
            if e["path"].startswith(project.label(project.raw) + "/")
        ]
    inputs = [*raw, *store.part_paths(), *project.reference_inputs()]
    return provenance.write_manifest(
        project.database, inputs, release="all (views: latest unless --release)", root=project.root
    )


def _build(project: Project) -> Path:
    if not (project.reference / HISTORY).exists():
        raise UsageError(f"{project.root} is not a hukou-stats project: no data/reference/{HISTORY} (use --root)")
    parts = Store(project.processed).part_paths()
    if not parts:
        raise UsageError("the store is empty: run `hukou-stats ingest` first")
    target = project.database
    with atomic_path(target) as tmp:
        tmp.unlink()  # DuckDB must create the file itself
        try:
            con = duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_VERSION})
            try:
                con.execute(
                    "CREATE TABLE stored_observations AS SELECT * FROM read_parquet(?, union_by_name = true) "
                    "ORDER BY region_code, year, measure, release_date, row_id",
                    [[str(p) for p in parts]],
                )
                # parts written before figures carried a coverage have none: the region's own coverage
                con.execute("ALTER TABLE stored_observations ADD COLUMN IF NOT EXISTS coverage VARCHAR")
                load_reference(con, project)
                for model in models():
                    con.execute(model.sql)
                apply_descriptions(con)
                con.execute("CHECKPOINT")
            finally:
                con.close()
        except duckdb.Error as e:
            raise InputOutputError(
                f"cannot write {target}: building the database failed ({e}). The previous "
                "database, if any, is whole. / 数据库未能生成，原有数据库未被改动。"
            ) from e
    return target
