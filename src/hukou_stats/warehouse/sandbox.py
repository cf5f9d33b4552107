"""SQL from a user (`hukou-stats query`), run so that it can only read the database.

Layers, each one enough for most attacks on its own:
  1. the connection: read-only, no access to other files or the network, no extensions, configuration locked
     (core.database.open_read_only), a private spill folder, a memory limit;
  2. the statement: exactly one, of type SELECT, whose table functions are all on an allow list (the
     database's own table macros, range/generate_series/unnest and the catalog functions): no read_csv,
     glob, query(), enable_logging()... even where the database settings would let one through;
  3. the run: stopped after a timeout; at most `max_rows` rows are fetched (the rest is never computed).
Each run gets a fresh connection, closed afterwards: nothing a query does outlives it. Refusals are UsageError
(exit 2) with a message saying what is allowed. Analysts who want to read or write files use DuckDB itself.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from dataclasses import dataclass

import duckdb
import pandas as pd

from hukou_stats.core.errors import UsageError
from hukou_stats.core.project import Project
from hukou_stats.reference.boundaries import apply_boundaries
from hukou_stats.reference.releases import Release
from hukou_stats.warehouse.connection import open_database, use_release

MAX_ROWS = 100_000
TIMEOUT = 60.0  # seconds
MEMORY_LIMIT = "2GB"
SPILL_LIMIT = "4GB"
# table functions a query may name besides the database's own table macros
ALLOWED_TABLE_FUNCTIONS = frozenset(
    {
        "range",
        "generate_series",
        "unnest",
        "duckdb_tables",
        "duckdb_views",
        "duckdb_columns",
        "duckdb_schemas",
        "duckdb_types",
        "duckdb_constraints",
        "duckdb_functions",
        "duckdb_indexes",
        "duckdb_dependencies",
        "pragma_table_info",
        "table_info",
        "show",
        "show_tables",
        "summary",
    }
)
WHAT_IS_ALLOWED = (
    "`hukou-stats query` runs one SELECT on the database's tables, views and table macros; it reads no other "
    "file and writes nothing (to work with files, open the database with DuckDB yourself)"
)


@dataclass
class QueryResult:
    frame: pd.DataFrame
    truncated: bool  # more rows than max_rows: only the first max_rows are in frame


def run_query(
    project: Project,
    sql: str,
    release: Release | str | None = None,
    boundaries: str | None = None,
    max_rows: int = MAX_ROWS,
    timeout: float = TIMEOUT,
    memory_limit: str = MEMORY_LIMIT,
) -> QueryResult:
    """Run one SELECT from a user on a fresh sandboxed connection; UsageError when it is refused or fails."""
    if max_rows < 1 or timeout <= 0:
        raise UsageError("--max-rows must be at least 1 and --timeout above 0")
    spill = tempfile.mkdtemp(prefix="hukou-query-")
    try:
        con = open_database(
            project,
            options={
                "temp_directory": spill,
                "max_temp_directory_size": SPILL_LIMIT,
                "memory_limit": memory_limit,
                "threads": 2,
            },
        )
        try:
            use_release(con, release)
            apply_boundaries(con, boundaries)
            statement = check_sql(con, sql)
            return _run(con, statement, max_rows, timeout)
        finally:
            con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def check_sql(con: duckdb.DuckDBPyConnection, sql: str):
    """The one SELECT statement of `sql` (to be passed to con.execute), or UsageError saying why not."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as e:
        raise UsageError(f"the query is not valid SQL: {_first_line(e)}") from None
    if len(statements) != 1:
        raise UsageError(
            f"give exactly one SQL statement (found {len(statements)}): {WHAT_IS_ALLOWED}. (With DuckDB 1.5 a "
            "PIVOT without an IN list counts as two: name the values, PIVOT t ON col IN ('a', 'b') USING ...)"
        )
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        kind = getattr(statement.type, "name", str(statement.type))
        hint = " (a PIVOT: name the values, PIVOT t ON col IN ('a', 'b') USING ...)" if kind == "MULTI" else ""
        raise UsageError(f"only SELECT queries can be run (statement type: {kind}){hint}: {WHAT_IS_ALLOWED}")
    macros = {
        r[0].lower()
        for r in con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_type = 'table_macro' AND NOT internal"
        ).fetchall()
    }
    bad = sorted(set(table_functions(con, sql)) - ALLOWED_TABLE_FUNCTIONS - macros)
    if bad:
        raise UsageError(
            f"table function(s) {', '.join(bad)} cannot be used here (allowed: the database's table macros, range, "
            f"generate_series, unnest and the duckdb_* catalog functions): {WHAT_IS_ALLOWED}"
        )
    return statement


def table_functions(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """Every table function the query names, anywhere in it (subqueries, CTEs, lambdas), from DuckDB's own parse
    tree; a query DuckDB cannot describe is refused (fail closed)."""
    try:
        row = con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
        doc: dict = json.loads(row[0]) if row else {"error": True}
    except (duckdb.Error, ValueError, TypeError) as e:
        raise UsageError(f"the query cannot be checked ({_first_line(e)}), so it is not run") from None
    if doc.get("error") or len(doc.get("statements", [])) != 1:
        why = doc.get("error_message") or "not a single plain SELECT"
        raise UsageError(f"only plain SELECT queries can be run ({why}): {WHAT_IS_ALLOWED}")
    found: list[str] = []
    stack: list = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "TABLE_FUNCTION":
                found.append(str((node.get("function") or {}).get("function_name", "")).lower())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _run(con: duckdb.DuckDBPyConnection, statement, max_rows: int, timeout: float) -> QueryResult:
    timer = threading.Timer(timeout, con.interrupt)
    timer.start()
    try:
        result = con.execute(statement)
        chunks: list[pd.DataFrame] = []
        n = 0
        while n <= max_rows:  # streamed: rows after max_rows + 1 are never computed
            chunk = result.fetch_df_chunk(8)
            if chunk.empty and chunks:
                break
            chunks.append(chunk)
            n += len(chunk)
            if chunk.empty:
                break
        frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    except duckdb.InterruptException:
        raise UsageError(f"the query ran longer than {timeout:g} s and was stopped (--timeout SECONDS)") from None
    except duckdb.OutOfMemoryException as e:
        raise UsageError(f"the query needs more memory than its limit: {_first_line(e)}") from None
    except duckdb.Error as e:
        raise UsageError(f"the query failed: {_first_line(e)}") from None
    finally:
        timer.cancel()
    return QueryResult(frame.iloc[:max_rows], len(frame) > max_rows)


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:500]
