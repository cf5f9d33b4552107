"""Bulletin tables as DataFrames of output-ready values (rounded half-up here, and only here)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext

import duckdb
import pandas as pd

from ..units import round_half_up

BASE_YEAR = 2013

# column -> (Chinese header, English header)
LABELS = {
    "region_code": ("代码", "Code"),
    "region_name": ("地区", "Region"),
    "region_name_en": ("地区（英文）", "Region (English)"),
    "year": ("年份", "Year"),
    "resident_rate_pct": ("常住人口城镇化率（%）", "Resident urbanization rate (%)"),
    "resident_change_prev_pp": ("比上年（个百分点）", "Change on previous year (pp)"),
    "resident_change_2013_pp": ("比2013年（个百分点）", "Change on 2013 (pp)"),
    "hukou_rate_pct": ("户籍人口城镇化率（%）", "Hukou urbanization rate (%)"),
    "hukou_change_prev_pp": ("比上年（个百分点）", "Change on previous year (pp)"),
    "hukou_change_2013_pp": ("比2013年（个百分点）", "Change on 2013 (pp)"),
    "gap_pp": ("两率差距（个百分点）", "Gap, resident minus hukou (pp)"),
    "gap_change_prev_pp": ("差距比上年变化（个百分点）", "Gap change on previous year (pp)"),
    "gap_change_2013_pp": ("差距比2013年变化（个百分点）", "Gap change on 2013 (pp)"),
    "resident_basis": ("常住口径", "Resident basis"),
    "hukou_basis": ("户籍口径", "Hukou basis"),
    "resident_source": ("常住来源", "Resident source"),
    "resident_release": ("常住发布日期", "Resident release"),
    "hukou_source": ("户籍来源", "Hukou source"),
    "hukou_release": ("户籍发布日期", "Hukou release"),
    "note": ("说明", "Note"),
}
VALUE_COLUMNS = ["resident_rate_pct", "resident_change_prev_pp", "resident_change_2013_pp",
                 "hukou_rate_pct", "hukou_change_prev_pp", "hukou_change_2013_pp",
                 "gap_pp", "gap_change_prev_pp", "gap_change_2013_pp"]
CSV_COLUMNS = ["region_code", "region_name", "region_name_en", "year", *VALUE_COLUMNS,
               "resident_basis", "resident_source", "resident_release",
               "hukou_basis", "hukou_source", "hukou_release", "note"]


@dataclass
class Table:
    name: str
    title_zh: str
    title_en: str
    frame: pd.DataFrame                      # output-ready values (Decimal or None)
    sources: list[tuple[str, str]] = field(default_factory=list)  # (source, release)


def _none(x):
    return None if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA or x is pd.NaT else x


def exact_rate(num, den) -> Decimal | None:
    """100 x num / den in decimal arithmetic, so that half-up rounding is exact."""
    num, den = _none(num), _none(den)
    if num is None or not den:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return Decimal(repr(float(num))) * 100 / Decimal(repr(float(den)))


def _first(*xs):
    return next((x for x in xs if x is not None), None)


def _release(published) -> str:
    """The release as the source gave it (2022, 2022-03 or 2022-03-04)."""
    return _none(published) or ""


def _basis(series, definition) -> str:
    series, definition = _none(series), _none(definition)
    if series is None:
        return ""
    return series + (f"/{definition}" if definition else "")


def _row(r: dict) -> dict:
    rd = int(_none(r["resident_decimals"]) or 2)
    hd = int(_none(r["hukou_decimals"]) or 2)
    res = _first(exact_rate(r["resident_numerator"], r["resident_denominator"]), _none(r["resident_rate_pct"]))
    huk = _first(exact_rate(r["hukou_numerator"], r["hukou_denominator"]), _none(r["hukou_rate_pct"]))
    gd = min(rd, hd)
    out = {
        "region_code": r["region_code"], "region_name": r["region_name"],
        "region_name_en": _none(r["region_name_en"]) or "", "year": int(r["year"]),
        "resident_rate_pct": round_half_up(res, rd),
        "resident_change_prev_pp": round_half_up(_none(r["resident_change_prev_pp"]), rd),
        "resident_change_2013_pp": round_half_up(_none(r["resident_change_2013_pp"]), rd),
        "hukou_rate_pct": round_half_up(huk, hd),
        "hukou_change_prev_pp": round_half_up(_none(r["hukou_change_prev_pp"]), hd),
        "hukou_change_2013_pp": round_half_up(_none(r["hukou_change_2013_pp"]), hd),
        "gap_pp": round_half_up(None if res is None or huk is None else Decimal(repr(float(res))) - Decimal(repr(float(huk))), gd),
        "gap_change_prev_pp": round_half_up(_none(r["gap_change_prev_pp"]), gd),
        "gap_change_2013_pp": round_half_up(_none(r["gap_change_2013_pp"]), gd),
        "resident_basis": _basis(r["resident_series"], None),
        "resident_source": _none(r["resident_source"]) or "",
        "resident_release": _release(r["resident_published"]),
        "hukou_basis": _basis(r["hukou_series"], r["hukou_definition"]),
        "hukou_source": _none(r["hukou_source"]) or "",
        "hukou_release": _release(r["hukou_published"]),
        "note": "; ".join(x for x in (_none(r["flags"]), _none(r["comparability_note"])) if x),
    }
    return out


QUERY = """
SELECT u.*, c.resident_change_prev_pp, c.resident_change_2013_pp, c.hukou_change_prev_pp,
       c.hukou_change_2013_pp, c.gap_change_prev_pp, c.gap_change_2013_pp, c.comparability_note
FROM urbanization u
JOIN urbanization_changes c USING (region_code, year)
"""


def _sources(rows: list[dict]) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for r in rows:
        for kind in ("resident", "hukou"):
            key = (r[f"{kind}_source"], r[f"{kind}_release"])
            if key[0] and key not in seen:
                seen.append(key)
    return seen


def regions_table(con: duckdb.DuckDBPyConnection, region: tuple[str, str, str], year: int,
                  children: list[tuple[str, str, str]]) -> Table:
    """T1: the region and each child region in one year; regions given as (code, name, English name)."""
    listed = [region, *children]
    found = {r["region_code"]: r for r in con.execute(
        QUERY + " WHERE u.year = ? AND u.region_code IN (SELECT unnest(?::VARCHAR[]))",
        [year, [c[0] for c in listed]]).df().to_dict("records")}
    rows = []
    for code, name, name_en in listed:
        if code in found:
            rows.append(_row(found[code]))
        else:
            rows.append({c: None for c in CSV_COLUMNS} | {
                "region_code": code, "region_name": name or code, "region_name_en": name_en or "",
                "year": year, "note": "not available / 无数据"})
            for c in ("resident_basis", "resident_source", "resident_release", "hukou_basis", "hukou_source", "hukou_release"):
                rows[-1][c] = ""
    frame = pd.DataFrame(rows, columns=CSV_COLUMNS)
    return Table("table1_regions", f"{year}年各地区常住人口和户籍人口城镇化率",
                 f"Resident and hukou urbanization rates by region, {year}", frame, _sources(rows))


def series_table(con: duckdb.DuckDBPyConnection, region: str, year: int) -> Table:
    """T2: the region's series from 2013 to the bulletin year."""
    recs = con.execute(QUERY + " WHERE u.region_code = ? AND u.year BETWEEN ? AND ? ORDER BY u.year",
                       [region, BASE_YEAR, year]).df().to_dict("records")
    rows = [_row(r) for r in recs]
    frame = pd.DataFrame(rows, columns=CSV_COLUMNS)
    return Table("table2_series", f"{BASE_YEAR}—{year}年常住人口和户籍人口城镇化率",
                 f"Resident and hukou urbanization rates, {BASE_YEAR} to {year}", frame, _sources(rows))
