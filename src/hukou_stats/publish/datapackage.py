"""One CSV per table and datapackage.json (Frictionless Data Package v2, a Table Schema per resource)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from hukou_stats.publish.bulletin.tables import Table

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"


def table_csv(t: Table) -> str:
    """All columns (shown or not); a missing figure is an empty cell, numbers at their published precision."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.name for c in t.columns])
    for r in t.records():
        w.writerow(
            [
                "" if r[c.name] is None else f"{r[c.name]:f}" if isinstance(r[c.name], Decimal) else r[c.name]
                for c in t.columns
            ]
        )
    return buf.getvalue()


def _field(c) -> dict:
    f = {"name": c.name, "type": c.type, "title": f"{c.zh} / {c.en}"}
    desc = c.description or c.en
    if c.unit:
        desc += f" (unit: {c.unit})"
        f["unit"] = c.unit
    f["description"] = desc
    if c.type == "number":
        f["bareNumber"] = True
    return f


def datapackage(
    tables: list[Table], *, name: str, title: str, description: str, sources: list[str], created: str, synthetic: bool
) -> str:
    pkg = {
        "$schema": PACKAGE_PROFILE,
        "name": name,
        "title": ("SYNTHETIC " if synthetic else "") + title,
        "description": description,
        "created": created,
        "sources": [{"title": s} for s in sources],
        "resources": [
            {
                "name": t.name,
                "path": f"{t.name}.csv",
                "type": "table",
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "title": f"{t.ref} {t.title_zh} / {t.title_en}",
                "description": " ".join(t.notes) or f"{t.title_en}; missing figures are empty cells (not available).",
                "sources": [{"title": f"{s} ({rel})" if rel else s} for s, rel in t.sources],
                "schema": {
                    "$schema": SCHEMA_PROFILE,
                    "fields": [_field(c) for c in t.columns],
                    "missingValues": [""],
                },
            }
            for t in tables
        ],
    }
    return json.dumps(pkg, ensure_ascii=False, indent=2) + "\n"
