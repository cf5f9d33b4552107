"""The reference tables of the database, loaded from data/reference/ at build: the region registry (from the code
history), the moves of territory and boundary changes it records, series, definitions, coverage, the measures and
their numerators and denominators, benchmark revisions, definition breaks, administrative changes, the boundary
crosswalk and its composition (boundary_map), and the validated targets. Paths are bound as parameters."""

from __future__ import annotations

import datetime as dt
import functools

import duckdb
import pandas as pd

from hukou_stats.core.project import Project
from hukou_stats.core.vocabulary import MEASURES, RATES, URBANIZATION_RATES
from hukou_stats.reference.boundaries import Piece, boundary_map, history_pieces, load_crosswalk
from hukou_stats.reference.registry import Registry, load_registry
from hukou_stats.reference.targets import load_targets, targets_frame

CSV = "read_csv(?, all_varchar = true, header = true)"

REFERENCE_TABLES = {
    "series": """SELECT series, CAST(precedence AS INTEGER) AS precedence, point_date, name_zh, name_en, description
        FROM {csv}""",
    "definitions": "SELECT * FROM {csv}",
    "coverage": """SELECT region_code, nullif(coverage, '') AS coverage, name_zh, name_en, children_sum = 'yes' AS
        children_sum, nullif(beyond_children_zh, '') AS beyond_children_zh,
        nullif(beyond_children_en, '') AS beyond_children_en, description FROM {csv}""",
    "benchmarks": """SELECT CAST(benchmark_date AS DATE) AS benchmark_date, name_zh, name_en, applies_to, description
        FROM {csv}""",
    "definition_breaks": """SELECT region_code, indicator, CAST(break_year AS INTEGER) AS break_year,
        definition_before, definition_after, descendants = 'yes' AS descendants, note FROM {csv}""",
    "admin_changes": """SELECT CAST(effective_date AS DATE) AS effective_date, old_code, old_name, new_code, new_name,
        change_type, notes, source_url FROM {csv}""",
}


def load_reference(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """Every reference table, the registry and what it records, the boundaries and the targets."""
    for table, select in REFERENCE_TABLES.items():
        con.execute(f"CREATE TABLE {table} AS {select.format(csv=CSV)}", [str(project.reference / f"{table}.csv")])
    registry = load_registry(project)
    _load_registry(con, registry)
    _load_measures(con)
    dates = [d for (d,) in con.execute("SELECT DISTINCT reference_date FROM stored_observations").fetchall()]
    _load_boundaries(con, project, registry, [d for d in dates if d is not None])
    _load_targets(con, project)


def _load_registry(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    """Tables regions (one row per code and period of the code history), code_successions (where each code's
    territory went) and boundary_changes (changes that make a unit's figures before and after not comparable)."""
    rows = [
        (r.code, r.name_zh, r.name_en or None, r.pinyin or None, r.level, r.parent_code, r.valid_from_year,
         r.valid_to_year, r.in_parent_totals, r.status, ";".join(f"{c}@{y}" for c, y in r.successors) or None,
         r.note or None)
        for rs in registry.by_code.values()
        for r in rs
    ]  # fmt: skip
    con.execute("""CREATE TABLE regions (code VARCHAR, name_zh VARCHAR, name_en VARCHAR, pinyin VARCHAR,
        level INTEGER, parent_code VARCHAR, valid_from_year INTEGER, valid_to_year INTEGER, in_parent_totals BOOLEAN,
        status VARCHAR, successors VARCHAR, note VARCHAR)""")
    _insert_frame(con, "regions", pd.DataFrame(rows))
    h = registry.hierarchy
    con.execute("CREATE TABLE code_successions (from_code VARCHAR, to_code VARCHAR, year INTEGER, whole BOOLEAN)")
    _insert_frame(con, "code_successions", pd.DataFrame([(m.from_code, m.to_code, m.year, m.whole) for m in h.moves]))
    con.execute("CREATE TABLE boundary_changes (region_code VARCHAR, year INTEGER, change VARCHAR, other_code VARCHAR)")
    _insert_frame(
        con, "boundary_changes", pd.DataFrame([(b.code, b.year, b.change, b.other_code) for b in h.boundary_changes])
    )


def _load_measures(con: duckdb.DuckDBPyConnection) -> None:
    """Table measures: every measure, and for a rate its numerator, its denominator and the urbanization indicator
    it is (NULL for a share that is no urbanization rate, such as 非农业户口人口比重)."""
    indicator = {m: i for i, m in URBANIZATION_RATES.items()}
    rows = [
        (m, "rate" if m in RATES else "count", *(RATES.get(m) or (None, None)), indicator.get(m))
        for m in sorted(MEASURES)
    ]
    con.execute("""CREATE TABLE measures (measure VARCHAR, kind VARCHAR, numerator VARCHAR, denominator VARCHAR,
        indicator VARCHAR)""")
    _insert_frame(con, "measures", pd.DataFrame(rows))


def _load_boundaries(
    con: duckdb.DuckDBPyConnection, project: Project, registry: Registry, dates: list[dt.date]
) -> None:
    """Tables boundary_crosswalk (the hand-made crosswalk, then every other move of the code history) and
    boundary_map (composed to today's codes, for the periods that figures are dated in)."""
    hand = load_crosswalk(project.reference / "boundary_crosswalk.csv")
    pieces = _pieces(registry, tuple(hand))
    con.execute(
        "CREATE TABLE boundary_crosswalk (effective_date DATE, from_code VARCHAR, to_code VARCHAR, weight DOUBLE, "
        "source VARCHAR)"
    )
    con.execute(
        "CREATE TABLE boundary_map (period_start DATE, period_end DATE, from_code VARCHAR, to_code VARCHAR, weight DOUBLE)"
    )
    if pieces:
        rows = [  # the hand-made pieces come first (_pieces)
            (p.date, p.from_code, p.to_code, p.weight, "boundary_crosswalk.csv" if i < len(hand) else "code history")
            for i, p in enumerate(pieces)
        ]
        _insert_frame(con, "boundary_crosswalk", pd.DataFrame(rows))
        _insert_frame(con, "boundary_map", _map(tuple(pieces), tuple(sorted(set(dates)))))


@functools.lru_cache(maxsize=4)
def _pieces(registry: Registry, hand: tuple[Piece, ...]) -> list[Piece]:
    """The hand-made crosswalk, then the code history's pieces for every (code, year) it does not cover."""
    return list(hand) + history_pieces(registry.hierarchy, skip={(p.from_code, p.date.year) for p in hand})


@functools.lru_cache(maxsize=4)
def _map(pieces: tuple[Piece, ...], dates: tuple[dt.date, ...]) -> pd.DataFrame:
    return boundary_map(list(pieces), list(dates))


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
