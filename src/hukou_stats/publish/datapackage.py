"""One CSV per table, notes.csv, and datapackage.json (Frictionless Data Package v2, a Table Schema per resource).

A figure not available or not applicable is an empty cell. Text is text: a text cell that would begin with =, +,
-, @, a tab or a carriage return is prefixed with an apostrophe (OWASP, CSV injection), so that a spreadsheet
program never runs it as a formula; numeric columns are written as numbers and are never touched (-0.30 stays a
number). datapackage.json says so.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from hukou_stats.core.text import spreadsheet_text
from hukou_stats.publish.notes import Note
from hukou_stats.publish.table import Column, Table, symbol

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
TEXT_NOTE = (
    "Text cells that would begin with =, +, -, @, a tab or a carriage return are prefixed with an apostrophe (') "
    "so that spreadsheet programs do not run them as formulas (OWASP CSV injection guidance); numeric fields are "
    "plain numbers. An empty cell is a figure not available ([x]) or not applicable ([z])."
)


def _value(v, c: Column) -> str:
    if symbol(v) is not None or v is None:
        return ""
    if c.type == "string":
        return spreadsheet_text(v)
    return f"{v:f}" if isinstance(v, Decimal) else str(v)


def table_csv(t: Table) -> str:
    """All columns (shown or not), numbers at their published precision."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.name for c in t.columns])
    for r in t.records():
        w.writerow([_value(r[c.name], c) for c in t.columns])
    return buf.getvalue()


NOTE_COLUMNS = [
    Column("note", "注释", "Note", description="note n, as referred to in the tables (column notes)"),
    Column("text_zh", "注释（中文）", "Note (Chinese)", description="The note in Chinese"),
    Column("text_en", "注释（英文）", "Note (English)", description="The note in English"),
]


def notes_csv(notes: list[Note]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.name for c in NOTE_COLUMNS])
    for n in notes:
        w.writerow([f"note {n.number}", spreadsheet_text(n.zh), spreadsheet_text(n.en)])
    return buf.getvalue()


def _field(c: Column) -> dict:
    f: dict[str, object] = {"name": c.name, "type": c.type, "title": c.title}
    desc = c.description or c.en
    if c.unit:
        desc += f" (unit: {c.unit})"
        f["unit"] = c.unit
    f["description"] = desc
    if c.type == "number":
        f["bareNumber"] = True
    return f


def _resource(name: str, title: str, description: str, columns: list[Column], sources: list[dict]) -> dict:
    return {
        "name": name,
        "path": f"{name}.csv",
        "type": "table",
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": title,
        "description": description,
        "sources": sources,
        "schema": {"$schema": SCHEMA_PROFILE, "fields": [_field(c) for c in columns], "missingValues": [""]},
    }


def datapackage(
    tables: list[Table],
    *,
    name: str,
    title: str,
    description: str,
    sources: list[str],
    created: str,
    synthetic: bool,
    with_notes: bool = True,
) -> str:
    resources = [
        _resource(
            t.name,
            f"{t.ref} {t.title_zh} / {t.title_en}",
            TEXT_NOTE + " Notes: the column 'notes' names the notes (notes.csv) that apply to a row.",
            t.columns,
            [{"title": f"{s} ({rel})" if rel else s} for s, rel in t.sources],
        )
        for t in tables
    ]
    if with_notes:
        resources.append(_resource("notes", "注释 Notes", TEXT_NOTE, NOTE_COLUMNS, []))
    pkg = {
        "$schema": PACKAGE_PROFILE,
        "name": name,
        "title": ("SYNTHETIC " if synthetic else "") + title,
        "description": f"{description} {TEXT_NOTE}",
        "created": created,
        "sources": [{"title": s} for s in sources],
        "resources": resources,
    }
    return json.dumps(pkg, ensure_ascii=False, indent=2) + "\n"
