"""Builds data/processed/hukou.duckdb from the Parquet store, the reference tables and the SQL models.

The database is self-contained (observations and reference tables are copied in), written to a temporary
file and renamed, so analysts never see a half-built file; its provenance manifest is written beside it.

Every store part is checked against the SHA-256 recorded when it was stored before it is read (a part changed
outside hukou-stats is refused). The database records what it was built from (table build_inputs), and its
manifest records its content digest as well as its SHA-256: a rebuild from the same inputs has other bytes and
the same content, so outputs made from the previous file still verify (and so does the database after a build
killed between the rename and the manifest).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from hukou_stats.core import provenance
from hukou_stats.core.atomic import atomic_path
from hukou_stats.core.database import file_content_digest
from hukou_stats.core.errors import HukouStatsError, InputOutputError, UsageError
from hukou_stats.core.locks import write_lock
from hukou_stats.core.project import Project
from hukou_stats.reference.registry import require_project
from hukou_stats.store.parquet import Store
from hukou_stats.warehouse.models import apply_descriptions, materialize, models
from hukou_stats.warehouse.reference_tables import load_reference

# the storage format the database is written in: the newest that the DuckDB shell a user can install as a
# package (duckdb-cli 1.5) opens; the Python package reads it too
STORAGE_VERSION = "v1.5.0"
PROGRAM = "program"  # the manifest key holding the fingerprint of the program that built the database


def build(project: Project, lock_timeout: float | None = None, force: bool = False) -> Path:
    """Build the database under the write lock of data/processed/, with hukou.duckdb.manifest.json (the raw
    inputs as recorded by the store, the store's parts, the reference data; the database's hash and content
    digest). The manifest is written before the database is renamed into place and renamed after it, so that a
    build killed at any moment leaves a database its manifest (or the one written ahead) describes.

    A database built from the same inputs by the same program, and unchanged since, is left as it is (unless
    `force`): an unchanged project builds nothing. Any other change builds the whole database again, in seconds
    at a million figures (a build redoes every table; see the benchmarks)."""
    return build_database(project, lock_timeout, force)[0]


def build_database(project: Project, lock_timeout: float | None = None, force: bool = False) -> tuple[Path, bool]:
    """build(), and whether the database was built (False: it was up to date)."""
    require_project(project)  # before the lock: nothing is made under a folder that is no project
    with write_lock(project.processed, lock_timeout):
        parts = Store(project.processed).checked_parts()
        if not parts:
            raise UsageError("the store is empty: run `hukou-stats ingest` first")
        inputs = build_inputs(project, parts)
        if not force and up_to_date(project, inputs):
            return project.database, False
        target = _build(project, [p["path"] for p in parts], inputs)
        os.replace(provenance.pending_path(target), provenance.manifest_path(target))
    return target, True


def up_to_date(project: Project, inputs: list[dict]) -> bool:
    """The database exists, its manifest records exactly `inputs` and this program, and the file is the one the
    manifest describes."""
    mpath = provenance.manifest_path(project.database)
    if not project.database.is_file() or not mpath.is_file() or provenance.pending_path(project.database).exists():
        return False  # no database, or a build stopped between renaming it and its manifest
    try:
        m = provenance.read_manifest(mpath)
        recorded = sorted((e["path"], e["sha256"]) for e in m["inputs"])
        if m.get(PROGRAM) != provenance.code_fingerprint() or recorded != sorted(
            (e["path"], e["sha256"]) for e in inputs
        ):
            return False
        return not provenance.verify_manifest(mpath).drift
    except (HukouStatsError, OSError, KeyError, TypeError, ValueError):
        return False


def build_inputs(project: Project, parts: list[dict]) -> list[dict]:
    """What the database is built from, hashed: the raw files as recorded by the store, the store's parts
    (checked), the reference data and schemas."""
    store = Store(project.processed)
    upstream = store.root / provenance.MANIFEST
    raw = []
    if upstream.is_file():
        raw = [
            e
            for e in provenance.read_manifest(upstream)["inputs"]
            if e["path"].startswith(project.label(project.raw) + "/")
        ]
    stored = [{**p, "path": project.label(p["path"])} for p in parts]
    reference = [provenance.file_entry(f, project.root) for f in provenance.files_of(project.reference_inputs())]
    return sorted([*raw, *stored, *reference], key=lambda e: e["path"])


def _build(project: Project, parts: list[Path], inputs: list[dict]) -> Path:
    """Write the database to a temporary file; write its manifest ahead (provenance.pending_path: the SHA-256 and
    content digest of that file, under the database's name); rename the file into place."""
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
                con.execute("CREATE TABLE build_inputs (path VARCHAR, sha256 VARCHAR, bytes BIGINT)")
                con.executemany(
                    "INSERT INTO build_inputs VALUES (?, ?, ?)", [[e["path"], e["sha256"], e["bytes"]] for e in inputs]
                )
                for model in models():
                    con.execute(model.sql)
                materialize(con)
                apply_descriptions(con)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            digest = file_content_digest(tmp)  # as a reader sees it (view text as stored, not as written)
            entry = {
                **provenance.file_entry(tmp, project.root),
                "path": project.label(target),
                "content_sha256": digest,
            }
            provenance.write_manifest(
                target,
                inputs,
                release="all (views: latest unless --release)",
                root=project.root,
                outputs=[entry],
                to=provenance.pending_path(target),
                extra={PROGRAM: provenance.code_fingerprint()},
            )
        except duckdb.Error as e:
            raise InputOutputError(
                f"cannot write {target}: building the database failed ({e}). The previous "
                "database, if any, is whole. / 数据库未能生成，原有数据库未被改动。"
            ) from e
    return target
