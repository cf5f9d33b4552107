"""Writes out/bulletin/<region_code>/<year>/: bulletin.md and one CSV per table."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from ..database import connect
from ..errors import UsageError
from ..fileio import write_text
from ..pipeline import registry
from ..project import Project
from .markdown import render
from .tables import CSV_COLUMNS, Table, regions_table, series_table


def default_year(con, region: str) -> int:
    """The latest year in which both rates can be given for the region, else the latest with either."""
    both, either = con.execute(
        "SELECT max(year) FILTER (WHERE resident_rate_pct IS NOT NULL AND hukou_rate_pct IS NOT NULL), max(year) "
        "FROM urbanization WHERE region_code = ?", [region]).fetchone()
    if either is None:
        raise UsageError(f"region {region}: no urbanization rate in the database for any year")
    return int(both if both is not None else either)


def table_csv(table: Table) -> str:
    buf = io.StringIO()
    table.frame[CSV_COLUMNS].to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def make_bulletin(project: Project, region: str, year: int | None = None, release=None) -> Path:
    reg = registry(project)
    code = reg.resolve(region)
    con = connect(project, release=release)
    try:
        year = year or default_year(con, code)
        n = con.execute("SELECT count(*) FROM urbanization WHERE year = ? AND (region_code = ? OR parent_code = ?)",
                        [year, code, code]).fetchone()[0]
        if n == 0:
            raise UsageError(f"no urbanization rate for {code} {reg.name(code)} or its children in {year}")
        me = reg.get(code)
        kids = [(r.code, r.name_zh, r.name_en)
                for r in reg.children(code, dt.date(year, 12, 31), complete_only=False)]
        tables = [regions_table(con, (code, reg.name(code), me.name_en if me else ""), year, kids),
                  series_table(con, code, year)]
    finally:
        con.close()
    out = project.out / "bulletin" / code / str(year)
    for t in tables:
        write_text(out / f"{t.name}.csv", table_csv(t))
    write_text(out / "bulletin.md", render(me, code, year, tables))
    return out
