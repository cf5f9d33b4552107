"""The SQL models of the database (views and table macros), one file each in sql/<layer>/, and the
descriptions of every table, view and column (columns.yaml), applied at build.

Build order is file order: the layer folders by name (1_staging, 2_intermediate, 3_marts), then the files
in each by name; a model reads only the tables and the models before it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import duckdb
import yaml

from hukou_stats.core.sql import identifier, literal

PACKAGE = "hukou_stats.warehouse"


@dataclass(frozen=True)
class Model:
    path: str  # layer/file, e.g. 2_intermediate/01_counts.sql
    sql: str


def models() -> list[Model]:
    """Every SQL model, in build order."""
    root = resources.files(PACKAGE).joinpath("sql")
    found = []
    for layer in sorted((d for d in root.iterdir() if d.is_dir()), key=lambda d: d.name):
        for f in sorted((f for f in layer.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name):
            found.append(Model(f"{layer.name}/{f.name}", f.read_text(encoding="utf-8")))
    return found


@functools.cache
def descriptions() -> dict:
    """columns.yaml: {'columns': {name: text}, 'tables': {name: {...}}, 'views': {name: {...}}}."""
    return yaml.safe_load(resources.files(PACKAGE).joinpath("columns.yaml").read_text(encoding="utf-8"))


def described(kind: str, name: str) -> dict:
    """The description of a table or view (a view materialized as a table keeps its view's description)."""
    d = descriptions()
    return d[kind].get(name) or (d["views"].get(name) if kind == "tables" else None) or {}


def column_description(relation: str, column: str) -> str | None:
    d = descriptions()
    own = (d["tables"].get(relation) or d["views"].get(relation) or {}).get("columns") or {}
    return own.get(column) or d["columns"].get(column)


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, 'table' | 'view') of what the build made."""
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1").fetchall()
    views = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary ORDER BY 1"
    ).fetchall()
    return [(t, "table") for (t,) in tables] + [(v, "view") for (v,) in views]


def columns_of(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every relation's columns, in order (one catalog query: each binds every view)."""
    out: dict[str, list[str]] = {}
    for name, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal ORDER BY table_name, column_index"
    ).fetchall():
        out.setdefault(name, []).append(column)
    return out


def apply_descriptions(con: duckdb.DuckDBPyConnection) -> None:
    """COMMENT ON every table, view and column that columns.yaml describes (in one transaction)."""
    statements = []
    columns = columns_of(con)
    for name, kind in relations(con):
        text = described(kind + "s", name).get("description")
        if text:
            statements.append(f"COMMENT ON {kind.upper()} {identifier(name)} IS {literal(text)}")
        for column in columns.get(name, []):
            text = column_description(name, column)
            if text:
                statements.append(f"COMMENT ON COLUMN {identifier(name)}.{identifier(column)} IS {literal(text)}")
    if statements:
        con.execute("BEGIN TRANSACTION;\n" + ";\n".join(statements) + ";\nCOMMIT;")


def missing_descriptions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables, views and view columns of a built database that columns.yaml does not describe."""
    missing = []
    columns = columns_of(con)
    for name, kind in relations(con):
        if not described(kind + "s", name).get("description"):
            missing.append(f"{kind} {name}")
        if kind == "view" or name in materialized_names():
            missing += [f"column {name}.{c}" for c in columns.get(name, []) if not column_description(name, c)]
    return missing


def materialized_names() -> list[str]:
    """The views that the build computes once and stores as tables of the same name (columns.yaml:
    `materialized: true`), in build order."""
    d = descriptions()["views"]
    return [v for v in view_order() if (d.get(v) or {}).get("materialized")]


_VIEW = re.compile(r"^CREATE\s+OR\s+REPLACE\s+VIEW\s+(\w+)", re.MULTILINE | re.IGNORECASE)


@functools.cache
def view_order() -> list[str]:
    """Every view of the models, in build order."""
    return [name for m in models() for name in _VIEW.findall(m.sql)]


RELEASE_VIEWS = "release_views"


def materialize(con: duckdb.DuckDBPyConnection) -> None:
    """Store each materialized view as a table of the same name, computed once (on the latest release, the
    default), in build order so that each reads the tables before it. The view's definition is kept in the table
    release_views: a connection on another release puts it back as a temporary view (warehouse.connection)."""
    con.execute(f"CREATE TABLE {RELEASE_VIEWS} (position INTEGER, name VARCHAR, sql VARCHAR)")
    for position, name in enumerate(materialized_names()):
        row = con.execute(
            "SELECT sql FROM duckdb_views() WHERE view_name = ? AND NOT temporary AND NOT internal", [name]
        ).fetchone()
        if row is None:
            continue
        con.execute(f"INSERT INTO {RELEASE_VIEWS} VALUES (?, ?, ?)", [position, name, row[0]])
        staged = identifier(f"materialized_{name}")
        con.execute(f"CREATE TABLE {staged} AS SELECT * FROM {identifier(name)}")
        con.execute(f"DROP VIEW {identifier(name)}")
        con.execute(f"ALTER TABLE {staged} RENAME TO {identifier(name)}")
