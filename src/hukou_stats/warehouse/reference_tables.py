"""The reference tables of the database, loaded from data/reference/ at build: the region registry, series,
definitions, benchmark revisions, definition breaks, administrative changes, the boundary crosswalk and
its composition (boundary_map), and the validated targets. Paths are bound as parameters."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from hukou_stats.core.project import Project
from hukou_stats.reference.boundaries import boundary_map, load_crosswalk
from hukou_stats.reference.hierarchy import complete_from_data, derived_regions
from hukou_stats.reference.targets import load_targets, targets_frame

CSV = "read_csv(?, all_varchar = true, header = true)"

REFERENCE_TABLES = {
    "regions": """SELECT code, name_zh, name_en, pinyin, CAST(level AS INTEGER) AS level,
        nullif(parent_code, '') AS parent_code, TRY_CAST(nullif(valid_from, '') AS DATE) AS valid_from,
        TRY_CAST(nullif(valid_to, '') AS DATE) AS valid_to, children_complete = 'yes' AS children_complete, note
        FROM {csv}""",
    "series": """SELECT series, CAST(precedence AS INTEGER) AS precedence, point_date, name_zh, name_en, description
        FROM {csv}""",
    "definitions": "SELECT * FROM {csv}",
    "benchmarks": """SELECT CAST(benchmark_date AS DATE) AS benchmark_date, name_zh, name_en, applies_to, description
        FROM {csv}""",
    "definition_breaks": """SELECT region_code, indicator, CAST(break_year AS INTEGER) AS break_year,
        definition_before, definition_after, descendants = 'yes' AS descendants, note FROM {csv}""",
    "admin_changes": """SELECT CAST(effective_date AS DATE) AS effective_date, old_code, old_name, new_code, new_name,
        change_type, notes, source_url FROM {csv}""",
}


def load_reference(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """Every reference table, then the regions the stored figures add, the boundaries and the targets."""
    for table, select in REFERENCE_TABLES.items():
        con.execute(f"CREATE TABLE {table} AS {select.format(csv=CSV)}", [str(project.reference / f"{table}.csv")])
    _add_derived_regions(con)
    _load_boundaries(con, project.reference / "boundary_crosswalk.csv")
    _load_targets(con, project)


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


def _load_boundaries(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Tables boundary_crosswalk (as given) and boundary_map (composed to today's codes)."""
    pieces = load_crosswalk(path)
    con.execute(
        "CREATE TABLE boundary_crosswalk (effective_date DATE, from_code VARCHAR, to_code VARCHAR, weight DOUBLE)"
    )
    con.execute(
        "CREATE TABLE boundary_map (period_start DATE, period_end DATE, from_code VARCHAR, to_code VARCHAR, weight DOUBLE)"
    )
    if pieces:
        con.executemany(
            "INSERT INTO boundary_crosswalk VALUES (?, ?, ?, ?)",
            [(p.date, p.from_code, p.to_code, p.weight) for p in pieces],
        )
        _insert_frame(con, "boundary_map", boundary_map(pieces))


def _load_targets(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """Table targets: data/reference/targets.toml, validated (an invalid file stops the build)."""
    path = project.reference / "targets.toml"
    frame = targets_frame(load_targets(path, project.label(path)) if path.exists() else [])
    con.execute("""CREATE TABLE targets (target_id VARCHAR, region_code VARCHAR, indicator VARCHAR, kind VARCHAR,
        comparison VARCHAR, target_value DOUBLE, unit VARCHAR, direction VARCHAR, tolerance DOUBLE,
        tolerance_rule VARCHAR, base_year INTEGER, target_year INTEGER, source_document VARCHAR, wording_zh VARCHAR,
        note VARCHAR)""")
    _insert_frame(con, "targets", frame)


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append a DataFrame to a table of the same columns (registered under a name, never pasted as text)."""
    if frame.empty:
        return
    con.register("_frame", frame)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _frame")
    finally:
        con.unregister("_frame")
