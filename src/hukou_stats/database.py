"""Builds data/processed/hukou.duckdb from the Parquet store and the SQL views of the package.

The database is self-contained (observations and reference tables are copied in),
written to a temporary file and renamed, so analysts never see a half-built file.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb

from .errors import InputOutputError, UsageError
from .fileio import atomic_path
from .project import Project
from .releases import apply_release
from .store import Store

# views in dependency order; one SQL file each in hukou_stats/sql/
VIEWS = ["region_tree", "observations", "latest_observations", "counts", "rates", "urbanization", "urbanization_changes"]

TABLE_COMMENTS = {
    "stored_observations": "Copy of the Parquet store (every ingested row). Query the view observations instead.",
    "regions": "Region registry: code, names, level, parent, validity (data/reference/regions.csv).",
    "series": "Statistical series (first part of the basis) with the headline precedence (data/reference/series.csv).",
    "definitions": "Definitions of urban hukou population and when they applied (data/reference/definitions.csv).",
    "benchmarks": "Benchmark revisions (the 2020 census): figures released on either side are not compared (data/reference/benchmarks.csv).",
}


def view_sql(name: str) -> str:
    return resources.files("hukou_stats.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")


def _load_reference(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    ref = project.reference
    con.execute(f"""CREATE TABLE regions AS SELECT code, name_zh, name_en, pinyin, CAST(level AS INTEGER) AS level,
        nullif(parent_code, '') AS parent_code, TRY_CAST(nullif(valid_from, '') AS DATE) AS valid_from,
        TRY_CAST(nullif(valid_to, '') AS DATE) AS valid_to,
        children_complete = 'yes' AS children_complete, note
        FROM read_csv('{ref / 'regions.csv'}', all_varchar = true, header = true)""")
    con.execute(f"""CREATE TABLE series AS SELECT series, CAST(precedence AS INTEGER) AS precedence, point_date,
        name_zh, name_en, description FROM read_csv('{ref / 'series.csv'}', all_varchar = true, header = true)""")
    con.execute(f"""CREATE TABLE definitions AS SELECT * FROM read_csv('{ref / 'definitions.csv'}',
        all_varchar = true, header = true)""")
    con.execute(f"""CREATE TABLE benchmarks AS SELECT CAST(benchmark_date AS DATE) AS benchmark_date, name_zh, name_en,
        applies_to, description FROM read_csv('{ref / 'benchmarks.csv'}', all_varchar = true, header = true)""")


def build(project: Project) -> Path:
    if not (project.reference / "regions.csv").exists():
        raise UsageError(f"{project.root} is not a hukou-stats project: no data/reference/regions.csv (use --root)")
    parts = Store(project.processed).part_paths()
    if not parts:
        raise UsageError("the store is empty: run `hukou-stats ingest` first")
    target = project.database
    with atomic_path(target) as tmp:
        tmp.unlink()  # DuckDB must create the file itself
        try:
            con = duckdb.connect(str(tmp))
            try:
                files = ", ".join(f"'{p}'" for p in parts)
                con.execute(f"CREATE TABLE stored_observations AS SELECT * FROM read_parquet([{files}]) "
                            "ORDER BY region_code, year, measure, release_date, row_id")
                _load_reference(con, project)
                for table, comment in TABLE_COMMENTS.items():
                    con.execute(f"COMMENT ON TABLE {table} IS '{comment.replace(chr(39), chr(39) * 2)}'")
                for name in VIEWS:
                    con.execute(view_sql(name))
                con.execute("CHECKPOINT")
            finally:
                con.close()
        except duckdb.Error as e:
            raise InputOutputError(f"building {target} failed: {e}") from e
    return target


def connect(project: Project, read_only: bool = True, release=None) -> duckdb.DuckDBPyConnection:
    """Open the database; `release` (a Release, or 'latest', 'first', 'YYYY-MM-DD') picks the vintage the views show."""
    if not project.database.exists():
        raise UsageError(f"no database at {project.database}: run `hukou-stats build` first")
    con = duckdb.connect(str(project.database), read_only=read_only)
    apply_release(con, release)
    return con
