"""The SQL models of the database (views and table macros), one file each in sql/<layer>/, and the
descriptions of every table, view and column (columns.yaml), applied at build.

Build order is file order: the layer folders by name (1_staging, 2_intermediate, 3_marts), then the files
in each by name; a model reads only the tables and the models before it.
"""

from __future__ import annotations

import functools
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
    return descriptions()[kind].get(name) or {}


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
        if kind == "view":
            missing += [f"column {name}.{c}" for c in columns.get(name, []) if not column_description(name, c)]
    return missing
