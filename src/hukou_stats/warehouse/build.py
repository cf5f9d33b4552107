"""Builds data/processed/hukou.duckdb from the Parquet store and the SQL views of the package.

The database is self-contained (observations and reference tables are copied in),
written to a temporary file and renamed, so analysts never see a half-built file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from hukou_stats.core.errors import InputOutputError, UsageError
from hukou_stats.core.atomic import atomic_path
from hukou_stats.core.locks import write_lock
from hukou_stats.reference.boundaries import apply_boundaries, boundary_map, load_crosswalk
from hukou_stats.reference.hierarchy import complete_from_data, derived_regions
from hukou_stats.core.project import Project
from hukou_stats.reference.releases import apply_release
from hukou_stats.store.parquet import Store

TABLE_COMMENTS = {
    "stored_observations": "Copy of the Parquet store (every ingested row). Query the view observations instead.",
    "regions": "Region registry: code, names, level, parent, validity (data/reference/regions.csv).",
    "series": "Statistical series (first part of the basis) with the headline precedence (data/reference/series.csv).",
    "definitions": "Definitions of urban hukou population and when they applied (data/reference/definitions.csv).",
    "definition_breaks": "Definition breaks per region and indicator: first year of the new definition (data/reference/definition_breaks.csv).",
    "boundary_crosswalk": "Pieces of territory moved by each administrative change, with the population share (weight; NULL = not available) (data/reference/boundary_crosswalk.csv).",
    "boundary_map": "The crosswalk composed to today's codes: a figure dated in [period_start, period_end) under from_code counts weight x its value in to_code (NULL weight = not available).",
    "admin_changes": "Administrative-division changes (merges, upgrades, splits) with their dates (data/reference/admin_changes.csv).",
    "benchmarks": "Benchmark revisions (the 2020 census): figures released on either side are not compared (data/reference/benchmarks.csv).",
}


SQL_PACKAGE = "hukou_stats.warehouse"


def sql_files() -> list[tuple[str, str]]:
    """(relative path, SQL) of every model, in build order: layer folders, then files, by name
    (sql/1_staging/01_region_tree.sql ... sql/3_marts/08_target_status.sql)."""
    root = resources.files(SQL_PACKAGE).joinpath("sql")
    found = []
    for layer in sorted((d for d in root.iterdir() if d.is_dir()), key=lambda d: d.name):
        for f in sorted((f for f in layer.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name):
            found.append((f"{layer.name}/{f.name}", f.read_text(encoding="utf-8")))
    return found


DEFINITION_BREAKS_COLUMNS = [
    "region_code",
    "indicator",
    "break_year",
    "definition_before",
    "definition_after",
    "descendants",
    "note",
]


def _optional_csv(path: Path, columns: list[str]) -> str:
    """read_csv of a reference file added later (older projects lack it): an empty table when absent."""
    if path.exists():
        return f"read_csv('{path}', all_varchar = true, header = true)"
    cols = ", ".join(f"CAST(NULL AS VARCHAR) AS {c}" for c in columns)
    return f"(SELECT {cols} WHERE false)"


def _load_reference(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    ref = project.reference
    con.execute(f"""CREATE TABLE regions AS SELECT code, name_zh, name_en, pinyin, CAST(level AS INTEGER) AS level,
        nullif(parent_code, '') AS parent_code, TRY_CAST(nullif(valid_from, '') AS DATE) AS valid_from,
        TRY_CAST(nullif(valid_to, '') AS DATE) AS valid_to,
        children_complete = 'yes' AS children_complete, note
        FROM read_csv('{ref / "regions.csv"}', all_varchar = true, header = true)""")
    con.execute(f"""CREATE TABLE series AS SELECT series, CAST(precedence AS INTEGER) AS precedence, point_date,
        name_zh, name_en, description FROM read_csv('{ref / "series.csv"}', all_varchar = true, header = true)""")
    con.execute(f"""CREATE TABLE definitions AS SELECT * FROM read_csv('{ref / "definitions.csv"}',
        all_varchar = true, header = true)""")
    con.execute(f"""CREATE TABLE benchmarks AS SELECT CAST(benchmark_date AS DATE) AS benchmark_date, name_zh, name_en,
        applies_to, description FROM read_csv('{ref / "benchmarks.csv"}', all_varchar = true, header = true)""")
    con.execute(f"""CREATE TABLE definition_breaks AS SELECT region_code, indicator, CAST(break_year AS INTEGER)
        AS break_year, definition_before, definition_after, descendants = 'yes' AS descendants, note
        FROM {_optional_csv(ref / "definition_breaks.csv", DEFINITION_BREAKS_COLUMNS)}""")
    con.execute(f"""CREATE TABLE admin_changes AS SELECT CAST(effective_date AS DATE) AS effective_date, old_code,
        old_name, new_code, new_name, change_type, notes, source_url
        FROM read_csv('{ref / "admin_changes.csv"}', all_varchar = true, header = true)""")


def _add_derived_regions(con: duckdb.DuckDBPyConnection) -> None:
    """Add to `regions` the codes of stored figures that the registry lacks, with parents from the
    GB/T 2260 structure (hukou_stats.reference.hierarchy). A region whose children are known only from the
    data is taken as complete where one source covers every child (hierarchy.complete_from_data);
    the reconciliation view shows the sum against any published parent figure."""
    known = {c for (c,) in con.execute("SELECT code FROM regions").fetchall()}
    rows = con.execute("""SELECT region_code, min(region_name) FROM stored_observations
        WHERE length(region_code) = 6 GROUP BY region_code""").fetchall()
    closed = {c for (c,) in con.execute("SELECT code FROM regions WHERE children_complete").fetchall()}
    derived = derived_regions({c: n for c, n in rows if c not in known}, known, closed)
    if not derived:
        return
    con.executemany(
        """INSERT INTO regions (code, name_zh, level, parent_code, children_complete, note)
        VALUES (?, ?, ?, ?, false, 'derived from the GB/T 2260 code structure (not in the registry)')""",
        [(d.code, d.name_zh, d.level, d.parent_code) for d in derived],
    )
    # complete only where one source covers every child (not a province from one city's table)
    parents = dict(con.execute("SELECT code, parent_code FROM regions").fetchall())
    candidates = {
        c
        for (c,) in con.execute("""SELECT DISTINCT parent_code FROM regions
        WHERE note LIKE 'derived from the GB/T 2260%'""").fetchall()
    } - closed
    by_source: dict[str, set[str]] = {}
    for src, code in con.execute("SELECT DISTINCT source, region_code FROM stored_observations").fetchall():
        by_source.setdefault(src, set()).add(code)
    complete = complete_from_data(parents, candidates, by_source)
    if complete:
        con.execute(
            """UPDATE regions SET children_complete = true,
            note = concat_ws('; ', nullif(note, ''), 'children completed from the data (one source covers them all)')
            WHERE list_contains(?, code)""",
            [sorted(complete)],
        )
    # validity of derived codes from the administrative changes (created / abolished)
    con.execute("""UPDATE regions r SET
        valid_from = (SELECT min(a.effective_date) FROM admin_changes a WHERE a.new_code = r.code
                       AND NOT EXISTS (SELECT 1 FROM admin_changes b WHERE b.old_code = r.code
                                        AND b.effective_date <= a.effective_date)),
        valid_to = (SELECT min(a.effective_date) - 1 FROM admin_changes a WHERE a.old_code = r.code
                     AND NOT EXISTS (SELECT 1 FROM admin_changes b WHERE b.new_code = r.code
                                      AND b.effective_date >= a.effective_date))
        WHERE r.note LIKE 'derived from the GB/T 2260%'""")


def _load_boundaries(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """Tables boundary_crosswalk (as given) and boundary_map (composed to today's codes)."""
    pieces = load_crosswalk(project.reference / "boundary_crosswalk.csv")
    cw = pd.DataFrame(
        [(p.date, p.from_code, p.to_code, p.weight) for p in pieces],
        columns=["effective_date", "from_code", "to_code", "weight"],
    )
    bm = boundary_map(pieces)
    con.execute(
        "CREATE TABLE boundary_crosswalk (effective_date DATE, from_code VARCHAR, to_code VARCHAR, weight DOUBLE)"
    )
    con.execute(
        "CREATE TABLE boundary_map (period_start DATE, period_end DATE, from_code VARCHAR, to_code VARCHAR, weight DOUBLE)"
    )
    if len(cw):
        con.execute("INSERT INTO boundary_crosswalk SELECT * FROM cw")
        con.execute("INSERT INTO boundary_map SELECT * FROM bm")


def _load_targets(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """Tables targets (validated data/reference/targets.toml) and admin_changes (boundary changes)."""
    from hukou_stats.reference.targets import load_targets, targets_frame

    path = project.reference / "targets.toml"
    frame = targets_frame(load_targets(path, project.label(path)) if path.exists() else [])
    con.register("targets_frame", frame)
    con.execute("""CREATE TABLE targets AS SELECT target_id, region_code, indicator, kind, comparison,
        CAST(target_value AS DOUBLE) AS target_value, unit, direction, CAST(tolerance AS DOUBLE) AS tolerance,
        tolerance_rule, CAST(base_year AS INTEGER) AS base_year, CAST(target_year AS INTEGER) AS target_year,
        source_document, wording_zh, note FROM targets_frame""")
    con.unregister("targets_frame")
    con.execute(
        "COMMENT ON TABLE targets IS 'Targets (规划目标) from data/reference/targets.toml, validated; see view target_status.'"
    )
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'admin_changes'").fetchone()[0]:
        ac = project.reference / "admin_changes.csv"
        con.execute(
            f"""CREATE TABLE admin_changes AS SELECT * FROM read_csv('{ac}', all_varchar = true, header = true)"""
            if ac.exists()
            else """CREATE TABLE admin_changes (effective_date VARCHAR, old_code VARCHAR,
                    old_name VARCHAR, new_code VARCHAR, new_name VARCHAR, change_type VARCHAR, notes VARCHAR,
                    source_url VARCHAR)"""
        )
        con.execute(
            "COMMENT ON TABLE admin_changes IS 'Administrative-division changes (data/reference/admin_changes.csv).'"
        )


def build(project: Project, lock_timeout: float | None = None) -> Path:
    """Build the database under the write lock of data/processed/; then write hukou.duckdb.manifest.json
    (the raw inputs as recorded by the store, the store's parts, the reference data, the database's hash)."""
    with write_lock(project.processed, lock_timeout):
        target = _build(project)
        _write_manifest(project)
    return target


def _write_manifest(project: Project) -> Path:
    from hukou_stats.core import provenance
    from hukou_stats.store.commit import reference_inputs

    store = Store(project.processed)
    upstream = store.root / provenance.MANIFEST
    raw = []
    if upstream.is_file():
        raw = [
            e
            for e in provenance.read_manifest(upstream)["inputs"]
            if e["path"].startswith(project.label(project.raw) + "/")
        ]
    inputs = [*raw, *store.part_paths(), *reference_inputs(project)]
    return provenance.write_manifest(
        project.database, inputs, release="all (views: latest unless --release)", root=project.root
    )


def _build(project: Project) -> Path:
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
                con.execute(
                    f"CREATE TABLE stored_observations AS SELECT * FROM read_parquet([{files}]) "
                    "ORDER BY region_code, year, measure, release_date, row_id"
                )
                _load_reference(con, project)
                _add_derived_regions(con)
                _load_boundaries(con, project)
                _load_targets(con, project)
                for table, comment in TABLE_COMMENTS.items():
                    con.execute(f"COMMENT ON TABLE {table} IS '{comment.replace(chr(39), chr(39) * 2)}'")
                for _, sql in sql_files():
                    con.execute(sql)
                con.execute("CHECKPOINT")
            finally:
                con.close()
        except duckdb.Error as e:
            raise InputOutputError(
                f"cannot write {target}: building the database failed ({e}). The previous "
                "database, if any, is whole. / 数据库未能生成，原有数据库未被改动。"
            ) from e
    return target


def connect(
    project: Project, read_only: bool = True, release=None, boundaries: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the database; `release` (a Release, or 'latest', 'first', 'YYYY-MM-DD') picks the vintage the views show;
    `boundaries` ('current', the default, or 'as-published') the boundaries of comparable_counts/comparable_rates."""
    if not project.database.exists():
        raise UsageError(f"no database at {project.database}: run `hukou-stats build` first")
    con = duckdb.connect(str(project.database), read_only=read_only)
    apply_release(con, release)
    apply_boundaries(con, boundaries)
    return con
