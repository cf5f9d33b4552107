"""Reference text generated from the product itself, never copied by hand: the command line from the commands'
own --help, the database's tables, views and columns from the descriptions the build applies, and the keys of a
spec and of the targets file from the models that check them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import duckdb
import typer
from pydantic import BaseModel
from typer.testing import CliRunner

from hukou_stats.cli import app
from hukou_stats.core.errors import RULES_ZH
from hukou_stats.core.numbers import MISSING_MARKERS, UNIT_ALIASES, UNITS
from hukou_stats.core.vocabulary import COUNT_MEASURES, MEASURES, RATES
from hukou_stats.ingest.spec import SpecModel
from hukou_stats.reference.targets import CROSS_RULES, TargetEntry
from hukou_stats.warehouse.models import descriptions, materialized_names, models

PROG = "hukou-stats"
HELP_WIDTH = "100"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --- the command line -------------------------------------------------------------------------------------------


def commands() -> Iterator[tuple[str, Any]]:
    """Every command and subcommand as ('hukou-stats targets check', command), the program itself first."""

    def walk(path: str, cmd: Any) -> Iterator[tuple[str, Any]]:
        yield path, cmd
        if is_group(cmd):
            for name, sub in cmd.commands.items():
                if not sub.hidden:
                    yield from walk(f"{path} {name}", sub)

    yield from walk(PROG, typer.main.get_command(app))


def is_group(cmd: Any) -> bool:
    return isinstance(getattr(cmd, "commands", None), dict)


def help_text(path: str) -> str:
    """What `<path> --help` prints, at a fixed width and without colours."""
    args = path.split()[1:] + ["--help"]
    env = {"COLUMNS": HELP_WIDTH, "TERMINAL_WIDTH": HELP_WIDTH, "NO_COLOR": "1", "TERM": "dumb"}
    result = CliRunner().invoke(app, args, prog_name=PROG, env=env)
    if result.exit_code != 0:
        raise RuntimeError(f"{path} --help exited {result.exit_code}: {result.output}")
    lines = [ANSI.sub("", line).rstrip() for line in result.output.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines).rstrip() + "\n"


def anchor(path: str) -> str:
    return path.replace(" ", "-")


def cli_page() -> str:
    """A table of the commands, then each command's --help."""
    cmds = list(commands())
    out = ["| command | what it does |", "|---|---|"]
    for path, cmd in cmds[1:]:
        if is_group(cmd):
            continue
        out.append(f"| [`{path}`](#{anchor(path)}) | {_cell(cmd.get_short_help_str(limit=200))} |")
    for path, _ in cmds:
        level = "##" if path.count(" ") <= 1 else "###"
        out += ["", f"{level} `{path}` {{ #{anchor(path)} }}", "", "```text", help_text(path).rstrip(), "```"]
    return "\n".join(out) + "\n"


# --- the database -----------------------------------------------------------------------------------------------


def _cell(text: object) -> str:
    text = "" if text is None else str(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|").replace("\n", " ")


def _relation_order(kind: str, names: list[str]) -> list[str]:
    known = list(descriptions()[kind])
    return sorted(names, key=lambda n: (known.index(n) if n in known else len(known), n))


def database_page(con: duckdb.DuckDBPyConnection) -> str:
    """Every view, table macro and table of a built database, with the descriptions the build applied."""
    stored = set(materialized_names())
    views = [v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()]
    views += [t for t in tables if t in stored]
    tables = [t for t in tables if t not in stored]
    macros = con.execute(
        "SELECT function_name, parameters FROM duckdb_functions() "
        "WHERE function_type = 'table_macro' AND NOT internal AND schema_name = 'main' ORDER BY 1"
    ).fetchall()
    layers = {}
    for model in models():
        for name in re.findall(r"CREATE OR REPLACE (?:VIEW|MACRO) (\w+)", model.sql):
            layers[name] = model.path.split("/")[0].split("_", 1)[1]
    out = [
        "## Views",
        "",
        "In build order: each view reads only the tables and the views above it. The views marked *stored* are "
        "computed once by the build, for the latest release, and kept as tables of the same name, so that reading "
        "them costs no more than reading a table; a connection on another release (`--release first` or a date) "
        "reads them as views again.",
        "",
        "| view | layer |",
        "|---|---|",
    ]
    out += [
        f"| [`{v}`](#{v}) | {layers.get(v, '')}{', stored' if v in stored else ''} |"
        for v in sorted(views, key=lambda v: _build_order(v, layers))
    ]
    for v in sorted(views, key=lambda v: _build_order(v, layers)):
        out += _relation(con, v, "table" if v in stored else "view")
    out += [
        "",
        "## Table macros",
        "",
        "Each takes the date of a release (`as_of`, a `DATE`, or `NULL` for no cut-off) and `pick :=` `'latest'` "
        "or `'first'`, and returns the rows of the view named beside it as they were known on that date.",
        "",
        "| macro | parameters | rows of the view |",
        "|---|---|---|",
    ]
    documented = set(views) | set(tables)
    for name, params in macros:
        view = "counts" if name.startswith("population_") else name.removesuffix("_as_of").removesuffix("_for")
        shown = f"[`{view}`](#{view})" if view in documented else f"`{view}` (an intermediate step)"
        out.append(f"| `{name}` | `{', '.join(params)}` | {shown} |")
    out += ["", "## Tables", ""]
    out += [f"- [`{t}`](#{t})" for t in _relation_order("tables", tables)]
    for t in _relation_order("tables", tables):
        out += _relation(con, t, "table")
    return "\n".join(out) + "\n"


def _build_order(name: str, layers: dict[str, str]) -> int:
    order = list(layers)
    return order.index(name) if name in order else len(order)


def _relation(con: duckdb.DuckDBPyConnection, name: str, kind: str) -> list[str]:
    source = "duckdb_views() WHERE view_name" if kind == "view" else "duckdb_tables() WHERE table_name"
    row = con.execute(f"SELECT comment FROM {source} = ?", [name]).fetchone()
    comment = row[0] if row else None
    rows = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
        [name],
    ).fetchall()
    out = [
        "",
        f"### `{name}` {{ #{name} }}",
        "",
        _cell(comment),
        "",
        "| column | type | description |",
        "|---|---|---|",
    ]
    out += [f"| `{c}` | {t} | {_cell(d)} |" for c, t, d in rows]
    return out


# --- configuration files: the keys their models accept ----------------------------------------------------------


def _type(schema: dict, defs: dict) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"an [entry](#{name.lower()})"
    if "anyOf" in schema:
        kinds = [_type(s, defs) for s in schema["anyOf"] if s.get("type") != "null"]
        text = " or ".join(dict.fromkeys(kinds))
        return f"{text}, ≥ {schema['ge']}" if "ge" in schema else text
    if "enum" in schema:
        values = schema["enum"]
        if set(values) == set(MEASURES):
            return "a [measure](#measures)"
        return "one of " + ", ".join(f"`{v}`" for v in values)
    kind = schema.get("type")
    if kind == "object":
        return f"table of text = {_type(schema.get('additionalProperties', {}), defs)}"
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return f"integer {low}–{high}"
        return f"integer ≥ {low}" if low is not None else "integer"
    if kind == "number":
        return "number"
    if kind == "string":
        if schema.get("format") == "date":
            return "date (YYYY-MM-DD)"
        if "pattern" in schema:
            return f"text matching `{schema['pattern']}`"
        return "text, not empty" if schema.get("minLength") else "text"
    return kind or "any"


def keys_table(model: type[BaseModel], heading: str | None = None) -> str:
    """One row per key: name, type, required or default, description (the model's own docstrings)."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    out = [heading, ""] if heading else []
    out += ["| key | type | required / default | description |", "|---|---|---|---|"]
    for key, prop in schema["properties"].items():
        if key in required:
            need = "required"
        elif prop.get("default") in (None, {}, ""):
            need = "optional"
        else:
            need = f"default `{prop['default']}`"
        description = model.model_fields[key].description or ""
        out.append(f"| `{key}` | {_type(prop, defs)} | {need} | {_cell(description)} |")
    return "\n".join(out) + "\n"


def spec_keys() -> str:
    from hukou_stats.ingest.spec import ColumnEntry

    entries = (
        "#### Entries of `[columns]` { #columnentry }\n\nheader = measure, or header = { measure, unit, decimals }:"
    )
    return keys_table(SpecModel) + "\n" + keys_table(ColumnEntry, entries)


def target_keys() -> str:
    rules = ["", "Rules across the keys of one target:", "", "| rule | key | the rule |", "|---|---|---|"]
    rules += [f"| `{rule}` | `{key}` | {_cell(text)} |" for rule, key, _, text in CROSS_RULES]
    rules.append("| `unique_id` | `id` | no two targets share an id |")
    return keys_table(TargetEntry) + "\n".join(rules) + "\n"


def measures() -> str:
    out = ["| measure | kind |", "|---|---|"]
    for m in sorted(COUNT_MEASURES):
        out.append(f"| `{m}` | count (persons) |")
    for m, (num, den) in sorted(RATES.items()):
        out.append(f"| `{m}` | rate (percent): 100 × `{num}` / `{den}` |")
    return "\n".join(out) + "\n"


def units() -> str:
    out = ["| unit | written in a table as | stored as |", "|---|---|---|"]
    for unit, (canonical, factor) in UNITS.items():
        written = sorted(a for a, u in UNIT_ALIASES.items() if u == unit)
        stored = canonical if factor == 1 else f"{canonical} (× {factor:,})"
        out.append(f"| `{unit}` | {', '.join(f'`{w}`' for w in written)} | {stored} |")
    return "\n".join(out) + "\n\nA unit in brackets is read too: `(%)`, `（万人）`.\n"


def missing_markers() -> str:
    shown = ["(an empty cell)" if m == "" else f"`{m}`" for m in sorted(MISSING_MARKERS, key=lambda m: (len(m), m))]
    return ", ".join(shown) + "\n"


def rules() -> str:
    out = ["| rule | 规则 |", "|---|---|"]
    out += [f"| `{rule}` | {text} |" for rule, text in RULES_ZH.items()]
    return "\n".join(out) + "\n"


GENERATORS = {
    "cli": cli_page,
    "spec-keys": spec_keys,
    "target-keys": target_keys,
    "measures": measures,
    "units": units,
    "missing-markers": missing_markers,
    "rules": rules,
}
