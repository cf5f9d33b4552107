"""DuckDB database files opened for reading, with every way out of the file closed, and their content digest.

`open_read_only(path)` is how hukou-stats reads a database: read-only, no access to other files or the network
(COPY ... TO, EXPORT DATABASE, ATTACH, INSTALL/LOAD, read_csv('...'), glob(...) are refused by DuckDB itself), no
extensions installed or loaded on demand, no secrets, no Python objects read as tables, and the configuration
locked so that none of this can be switched back. Variables (SET VARIABLE: the release and boundaries the views
read) still work after the lock.

`content_digest(con)` is the SHA-256 of what a database holds (every table's rows, every view's and macro's
definition, every description), independent of how the bytes of the file happen to be laid out: two builds from
the same inputs have different bytes and the same digest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import duckdb

from hukou_stats.core.sql import identifier

# options given at connect; enable_external_access and lock_configuration are SET afterwards, in that order:
# DuckDB applies a config dict in an order of its own, and external access switched off before temp_directory
# is applied makes the connect fail
READER_OPTIONS: dict[str, Any] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "allow_persistent_secrets": False,
    "python_enable_replacements": False,  # `FROM some_name` never reads a Python object of the caller
}


def open_read_only(path: Path, options: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection with outside access off and the configuration locked. `options`: more DuckDB
    options (memory_limit, threads, temp_directory...). A second connection to a file already open in this
    process shares its settings (DuckDB keeps one instance per file and process)."""
    con = duckdb.connect(str(path), read_only=True, config={**READER_OPTIONS, **(options or {})})
    try:
        if not _locked(con):
            con.execute("SET enable_progress_bar = false")  # never drawn over a CSV on standard output
            con.execute("SET enable_external_access = false")  # one way: cannot be set back while running
            con.execute("SET lock_configuration = true")  # last: no SET/RESET/PRAGMA of any option from here on
    except BaseException:
        con.close()
        raise
    return con


def _locked(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT current_setting('lock_configuration')").fetchone()
    return bool(row and row[0])


def content_digest(con: duckdb.DuckDBPyConnection) -> str:
    """SHA-256 of the content of the database `con` reads: for every table (by name) its columns, types,
    descriptions and the multiset of its rows (the tables the build computes too: a figure changed in any table
    is a changed database); every view's and macro's definition and description."""
    h = hashlib.sha256()

    def add(*parts) -> None:
        h.update(("\x1f".join("" if p is None else str(p) for p in parts) + "\x1e").encode("utf-8"))

    db = con.execute("SELECT current_database()").fetchone()
    assert db is not None
    tables = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE database_name = ? AND NOT temporary "
        "ORDER BY schema_name, table_name",
        [db[0]],
    ).fetchall()
    for schema, table, comment in tables:
        add("table", schema, table, comment)
        for column in con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
            "AND table_name = ? ORDER BY column_index",
            [db[0], schema, table],
        ).fetchall():
            add("column", *column)
        name = f"{identifier(schema)}.{identifier(table)}"
        rows = con.execute(
            f"SELECT count(*), coalesce(sha256(string_agg(h, '' ORDER BY h)), '') "
            f"FROM (SELECT sha256(CAST(t AS VARCHAR)) AS h FROM {name} AS t)"
        ).fetchone()
        add("rows", *(rows or ()))
    for view in con.execute(
        "SELECT schema_name, view_name, sql, comment FROM duckdb_views() WHERE database_name = ? AND NOT internal "
        "AND NOT temporary ORDER BY schema_name, view_name",
        [db[0]],
    ).fetchall():
        add("view", *view)
        for column in con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
            "AND table_name = ? ORDER BY column_index",
            [db[0], view[0], view[1]],
        ).fetchall():
            add("column", *column)
    for macro in con.execute(
        "SELECT schema_name, function_name, function_type, CAST(parameters AS VARCHAR), macro_definition, comment "
        "FROM duckdb_functions() WHERE database_name = ? AND NOT internal AND function_type IN ('macro', "
        "'table_macro') ORDER BY ALL",
        [db[0]],
    ).fetchall():
        add("macro", *macro)
    return h.hexdigest()


def file_content_digest(path: Path) -> str:
    """content_digest of the database file at `path` (opened read-only for it)."""
    con = open_read_only(path)
    try:
        return content_digest(con)
    finally:
        con.close()
