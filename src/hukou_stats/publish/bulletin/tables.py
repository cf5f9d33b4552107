"""Bulletin tables T1-T5 as DataFrames of output-ready values: the one source of truth for every format.

Numbers are `Decimal` already rounded half-up to their published precision (here, and only here), so that
the decimals a figure carries are its exponent; counts of persons are `int`; a figure that is not available
is `None` (never 0). Each table lists its columns with Chinese and English headers, type, unit and
description, which the workbook, HTML, Markdown and datapackage.json all read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext

import duckdb
import pandas as pd

from hukou_stats.core.numbers import round_half_up
from hukou_stats.core.vocabulary import BASE_YEAR


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    en: str
    type: str = "string"  # string | integer | number (Table Schema types)
    unit: str = ""  # %, pp (个百分点), 10k persons (万人), persons (人)
    description: str = ""
    shown: bool = True  # shown in the workbook, HTML and Markdown (always in the CSV)


@dataclass
class Table:
    name: str  # file stem of the CSV and the resource name
    ref: str  # T1 ... T5
    title_zh: str
    title_en: str
    columns: list[Column]
    frame: pd.DataFrame  # output-ready values (Decimal, int, str or None)
    sources: list[tuple[str, str]] = field(default_factory=list)  # (source, release as published)
    notes: list[str] = field(default_factory=list)  # bilingual notes under the table
    key: str = "region_code"  # the column that names a row (for cross-format checks)

    @property
    def shown(self) -> list[Column]:
        return [c for c in self.columns if c.shown]

    def records(self) -> list[dict]:
        return self.frame.to_dict("records")


def pick(zh: str, en: str, lang: str, sep: str = " ") -> str:
    """Text in the bulletin's language: Chinese, English, or both (Chinese first)."""
    return zh if lang == "zh" else en if lang == "en" else f"{zh}{sep}{en}"


def display_text(r: dict, c: Column, lang: str) -> str:
    """A text cell as shown: region names in English when the bulletin is in English."""
    v = r.get(c.name) or ""
    if lang == "en" and c.name == "region_name":
        return r.get("region_name_en") or v
    return v


def _c(name, zh, en, type="string", unit="", description="", shown=True) -> Column:
    return Column(name, zh, en, type, unit, description, shown)


REGION_COLUMNS = [
    _c("region_code", "代码", "Code", description="GB/T 2260 region code (000000 = China)"),
    _c("region_name", "地区", "Region", description="Region name in Chinese"),
    _c("region_name_en", "地区（英文）", "Region (English)", description="Region name in English", shown=False),
]
SOURCE_COLUMNS = [
    _c("resident_basis", "常住口径", "Resident basis", description="Series of the resident figures", shown=False),
    _c("resident_source", "常住来源", "Resident source", description="Publication of the resident rate", shown=False),
    _c(
        "resident_release",
        "常住发布日期",
        "Resident release",
        description="Release of the resident rate, as published",
        shown=False,
    ),
    _c("hukou_basis", "户籍口径", "Hukou basis", description="Series/definition of the hukou figures", shown=False),
    _c("hukou_source", "户籍来源", "Hukou source", description="Publication of the hukou rate", shown=False),
    _c(
        "hukou_release",
        "户籍发布日期",
        "Hukou release",
        description="Release of the hukou rate, as published",
        shown=False,
    ),
]
NOTE = _c("note", "说明", "Note", description="Flags and comparability notes (why a figure or change is not given)")

T1_COLUMNS = (
    REGION_COLUMNS
    + [
        _c(
            "resident_total_10k",
            "常住人口（万人）",
            "Resident population (10k)",
            "number",
            "10k persons",
            "Resident population (常住人口), 10,000 persons",
        ),
        _c(
            "resident_urban_10k",
            "城镇常住人口（万人）",
            "Urban resident population (10k)",
            "number",
            "10k persons",
            "Urban resident population (城镇常住人口), 10,000 persons",
        ),
        _c(
            "resident_rate_pct",
            "常住人口城镇化率（%）",
            "Resident urbanization rate (%)",
            "number",
            "%",
            "Urban resident population / resident population x 100",
        ),
        _c(
            "hukou_total_10k",
            "户籍人口（万人）",
            "Hukou population (10k)",
            "number",
            "10k persons",
            "Registered (hukou) population (户籍人口), 10,000 persons",
        ),
        _c(
            "hukou_urban_10k",
            "城镇户籍人口（万人）",
            "Urban hukou population (10k)",
            "number",
            "10k persons",
            "Urban registered population (城镇户籍人口), 10,000 persons",
        ),
        _c(
            "hukou_rate_pct",
            "户籍人口城镇化率（%）",
            "Hukou urbanization rate (%)",
            "number",
            "%",
            "Urban hukou population / hukou population x 100",
        ),
        _c(
            "gap_pp",
            "两率差距（个百分点）",
            "Gap, resident minus hukou (pp)",
            "number",
            "pp",
            "Resident rate minus hukou rate, percentage points",
        ),
    ]
    + SOURCE_COLUMNS
    + [NOTE]
)

T2_COLUMNS = REGION_COLUMNS + [
    _c(
        "resident_total_change_10k",
        "常住人口比上年末增减（万人）",
        "Resident population, change on previous year-end (10k)",
        "number",
        "10k persons",
        "Change of the resident population on the previous year-end, same series",
    ),
    _c(
        "resident_change_prev_pp",
        "常住人口城镇化率比上年（个百分点）",
        "Resident rate, change on previous year (pp)",
        "number",
        "pp",
        "Change of the resident rate on the previous year, same series, definition and date",
    ),
    _c(
        "resident_change_2013_pp",
        "常住人口城镇化率比2013年（个百分点）",
        "Resident rate, change on 2013 (pp)",
        "number",
        "pp",
        "Change of the resident rate on 2013, same series, definition and date",
    ),
    _c(
        "hukou_total_change_10k",
        "户籍人口比上年末增减（万人）",
        "Hukou population, change on previous year-end (10k)",
        "number",
        "10k persons",
        "Change of the hukou population on the previous year-end, same series",
    ),
    _c(
        "hukou_change_prev_pp",
        "户籍人口城镇化率比上年（个百分点）",
        "Hukou rate, change on previous year (pp)",
        "number",
        "pp",
        "Change of the hukou rate on the previous year",
    ),
    _c(
        "hukou_change_2013_pp",
        "户籍人口城镇化率比2013年（个百分点）",
        "Hukou rate, change on 2013 (pp)",
        "number",
        "pp",
        "Change of the hukou rate on 2013",
    ),
    _c(
        "gap_change_prev_pp",
        "差距比上年变化（个百分点）",
        "Gap, change on previous year (pp)",
        "number",
        "pp",
        "Change of the gap on the previous year (negative = narrowed)",
    ),
    _c(
        "gap_change_2013_pp",
        "差距比2013年变化（个百分点）",
        "Gap, change on 2013 (pp)",
        "number",
        "pp",
        "Change of the gap on 2013 (negative = narrowed)",
    ),
    NOTE,
]

T3_COLUMNS = (
    [
        _c("region_code", "代码", "Code", description="GB/T 2260 region code", shown=False),
        _c("year", "年份", "Year", "integer", description="Reference year"),
        T1_COLUMNS[5],
        T1_COLUMNS[8],
        T1_COLUMNS[9],
    ]
    + [
        c if c.name not in ("resident_basis", "hukou_basis") else Column(**{**c.__dict__, "shown": True})
        for c in SOURCE_COLUMNS
    ]
    + [NOTE]
)

FLOW_LABELS = {
    "hukou_births": ("户籍出生人口（人）", "Hukou births (persons)"),
    "hukou_deaths": ("户籍死亡人口（人）", "Hukou deaths (persons)"),
    "hukou_in_migration": ("户籍迁入人口（人）", "Hukou in-migration (persons)"),
    "hukou_out_migration": ("户籍迁出人口（人）", "Hukou out-migration (persons)"),
}
T4_COLUMNS = (
    REGION_COLUMNS
    + [
        _c(m, zh, en, "integer", "persons", f"{en.split(' (')[0]} in the year, public-security register")
        for m, (zh, en) in FLOW_LABELS.items()
    ]
    + [_c("flows_source", "来源", "Source", description="Publications of the flows (release)", shown=False)]
)

T5_COLUMNS = [
    _c("target_id", "目标编号", "Target id", description="Id in data/reference/targets.toml"),
    _c("region_code", "代码", "Code", description="Region of the target", shown=False),
    _c("indicator", "指标", "Indicator", description="Indicator of the target"),
    _c("target", "目标", "Target", description="Comparison and target value with its unit, as set"),
    _c("base_year", "基期", "Base year", "integer"),
    _c("target_year", "目标年份", "Target year", "integer"),
    _c("as_of_year", "评估年份", "Year assessed", "integer", description="Year whose figure is assessed"),
    _c(
        "observed_value",
        "实际值",
        "Observed",
        "number",
        description="Observed value of the indicator (unit of the target)",
    ),
    _c(
        "margin",
        "差额",
        "Margin",
        "number",
        description="Observed minus target (for change and pace targets: achieved change minus target)",
    ),
    _c("verdict_zh", "评估结果", "Verdict (Chinese)", description="Verdict in Chinese"),
    _c(
        "verdict",
        "评估结果（英文）",
        "Verdict",
        description="achieved, exceeded, not_achieved, on_track, ..., cannot_assess",
    ),
    _c("reason", "说明", "Reason", description="Why, in words (always given for cannot_assess)"),
    _c("release_used", "数据版本", "Release used", description="Vintage of the figures used", shown=False),
    _c("source_document", "目标出处", "Target source", description="Plan or document setting the target", shown=False),
]

INDICATOR_ZH = {
    "resident_urban_rate_pct": "常住人口城镇化率",
    "hukou_urban_rate_pct": "户籍人口城镇化率",
    "gap_pp": "两率差距",
    "hukou_total": "户籍人口",
    "hukou_transfers": "农业转移人口落户",
    "agricultural_migrants_settled": "农业转移人口落户",
    "non_hukou_settled": "非户籍人口落户",
}
UNIT_ZH = {
    "pct": "%",
    "pp": "个百分点",
    "10k_persons": "万人",
    "pp_per_year": "个百分点/年",
    "10k_persons_per_year": "万人/年",
}


def _none(x):
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float) and pd.isna(x):
        return None
    return x


def exact_rate(num, den) -> Decimal | None:
    """100 x num / den in decimal arithmetic, so that half-up rounding is exact."""
    num, den = _none(num), _none(den)
    if num is None or not den:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return Decimal(repr(float(num))) * 100 / Decimal(repr(float(den)))


def _dec(x) -> Decimal | None:
    x = _none(x)
    return None if x is None else (x if isinstance(x, Decimal) else Decimal(repr(float(x))))


def _first(*xs):
    return next((x for x in xs if x is not None), None)


def _basis(series, definition) -> str:
    series, definition = _none(series), _none(definition)
    if series is None:
        return ""
    return series + (f"/{definition}" if definition else "")


def count_decimals(precision) -> int:
    """Decimals in 万人 a count can carry: its precision (± persons) at most half a unit of the last place."""
    p = _none(precision)
    if p is None or p <= 50:
        return 2
    return 1 if p <= 500 else 0


def to_10k(value, precision) -> Decimal | None:
    v = _dec(value)
    return None if v is None else round_half_up(v / 10000, count_decimals(precision))


QUERY = """
SELECT u.*, c.resident_change_prev_pp, c.resident_change_2013_pp, c.hukou_change_prev_pp,
       c.hukou_change_2013_pp, c.gap_change_prev_pp, c.gap_change_2013_pp, c.comparability_note
FROM urbanization u
JOIN urbanization_changes c USING (region_code, year)
"""

COUNTS = """
SELECT region_code, year, reference_date, measure, series, coalesce(definition, '') AS definition,
       value, precision, status, source, published
FROM counts
WHERE region_code IN (SELECT unnest(?::VARCHAR[])) AND year BETWEEN ? AND ?
ORDER BY status = 'published' DESC, release_date DESC NULLS LAST, precision
"""


def _counts(con, codes: list[str], y1: int, y2: int) -> dict:
    """(region, year, measure, series, month-day, definition) -> first count row (published before derived)."""
    out: dict = {}
    for r in con.execute(COUNTS, [codes, y1, y2]).df().to_dict("records"):
        d = pd.Timestamp(r["reference_date"])
        key = (r["region_code"], int(r["year"]), r["measure"], r["series"], (d.month, d.day), r["definition"])
        out.setdefault(key, r)
    return out


def _pick(counts: dict, code, year, measure, series, ref_date, definition=""):
    if series is None or ref_date is None:
        return None
    d = pd.Timestamp(ref_date)
    r = counts.get((code, year, measure, series, (d.month, d.day), definition or ""))
    if r is None and definition:
        r = counts.get((code, year, measure, series, (d.month, d.day), ""))
    return r


def _change_10k(cur, prev) -> Decimal | None:
    if cur is None or prev is None:
        return None
    decimals = min(count_decimals(cur["precision"]), count_decimals(prev["precision"]))
    return round_half_up((_dec(cur["value"]) - _dec(prev["value"])) / 10000, decimals)


def _row(r: dict, counts: dict) -> dict:
    """One region-year: T1 and T2 values and the sources, rounded for output."""
    rd = int(_none(r["resident_decimals"]) if _none(r["resident_decimals"]) is not None else 2)
    hd = int(_none(r["hukou_decimals"]) if _none(r["hukou_decimals"]) is not None else 2)
    res = _first(exact_rate(r["resident_numerator"], r["resident_denominator"]), _dec(r["resident_rate_pct"]))
    huk = _first(exact_rate(r["hukou_numerator"], r["hukou_denominator"]), _dec(r["hukou_rate_pct"]))
    gd = min(rd, hd)
    code, year = r["region_code"], int(r["year"])
    rs, rdate = _none(r["resident_series"]), _none(r["resident_reference_date"])
    hs, hdate, hdef = _none(r["hukou_series"]), _none(r["hukou_reference_date"]), _none(r["hukou_definition"])
    rt = _pick(counts, code, year, "resident_total", rs, rdate)
    ru = _pick(counts, code, year, "resident_urban", rs, rdate)
    ht = _pick(counts, code, year, "hukou_total", hs, hdate)
    hu = _pick(counts, code, year, "hukou_urban", hs, hdate, hdef or "")
    rt_prev = _pick(counts, code, year - 1, "resident_total", rs, rdate)
    ht_prev = _pick(counts, code, year - 1, "hukou_total", hs, hdate)
    notes = [x for x in (_none(r["flags"]), _none(r["comparability_note"])) if x]
    derived = [
        m
        for m, c in (("城镇常住人口 urban residents", ru), ("城镇户籍人口 urban hukou", hu))
        if c is not None and c["status"] == "derived"
    ]
    if derived:
        notes.append("derived from the total and the published rate (推算): " + ", ".join(derived))
    return {
        "region_code": code,
        "region_name": r["region_name"] or code,
        "region_name_en": _none(r["region_name_en"]) or "",
        "year": year,
        "resident_total_10k": to_10k(rt["value"], rt["precision"]) if rt else None,
        "resident_urban_10k": to_10k(ru["value"], ru["precision"]) if ru else None,
        "resident_rate_pct": round_half_up(res, rd),
        "hukou_total_10k": to_10k(ht["value"], ht["precision"]) if ht else None,
        "hukou_urban_10k": to_10k(hu["value"], hu["precision"]) if hu else None,
        "hukou_rate_pct": round_half_up(huk, hd),
        "gap_pp": round_half_up(None if res is None or huk is None else res - huk, gd),
        "resident_total_change_10k": _change_10k(rt, rt_prev),
        "resident_change_prev_pp": round_half_up(_none(r["resident_change_prev_pp"]), rd),
        "resident_change_2013_pp": round_half_up(_none(r["resident_change_2013_pp"]), rd),
        "hukou_total_change_10k": _change_10k(ht, ht_prev),
        "hukou_change_prev_pp": round_half_up(_none(r["hukou_change_prev_pp"]), hd),
        "hukou_change_2013_pp": round_half_up(_none(r["hukou_change_2013_pp"]), hd),
        "gap_change_prev_pp": round_half_up(_none(r["gap_change_prev_pp"]), gd),
        "gap_change_2013_pp": round_half_up(_none(r["gap_change_2013_pp"]), gd),
        "resident_basis": _basis(rs, None),
        "resident_source": _none(r["resident_source"]) or "",
        "resident_release": _none(r["resident_published"]) or "",
        "hukou_basis": _basis(hs, hdef),
        "hukou_source": _none(r["hukou_source"]) or "",
        "hukou_release": _none(r["hukou_published"]) or "",
        "note": "; ".join(notes),
        "_count_sources": [(c["source"], _none(c["published"]) or "") for c in (rt, ru, ht, hu) if c is not None],
    }


def _sources(rows: list[dict]) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for r in rows:
        keys = [(r.get(f"{k}_source"), r.get(f"{k}_release")) for k in ("resident", "hukou")]
        for key in keys + r.get("_count_sources", []):
            if key[0] and key not in seen:
                seen.append(key)
    return seen


def _frame(rows: list[dict], columns: list[Column]) -> pd.DataFrame:
    """Object columns, so that Decimal, int, str and None stay as they are (no NaN, no float)."""

    def value(r, c):
        v = _none(r.get(c.name))
        return (v or "") if c.type == "string" else v

    return pd.DataFrame(
        {c.name: pd.Series([value(r, c) for r in rows], dtype=object) for c in columns},
        columns=[c.name for c in columns],
    )


def region_rows(con: duckdb.DuckDBPyConnection, listed: list[tuple[str, str, str]], year: int) -> list[dict]:
    """The region and its children in one year (regions given as (code, name, English name)); a region
    without any figure gets a row of None with a note."""
    codes = [c[0] for c in listed]
    found = {
        r["region_code"]: r
        for r in con.execute(
            QUERY + " WHERE u.year = ? AND u.region_code IN (SELECT unnest(?::VARCHAR[]))", [year, codes]
        )
        .df()
        .to_dict("records")
    }
    counts = _counts(con, codes, year - 1, year)
    rows = []
    for code, name, name_en in listed:
        if code in found:
            rows.append(_row(found[code], counts))
        else:
            rows.append(
                {
                    "region_code": code,
                    "region_name": name or code,
                    "region_name_en": name_en or "",
                    "year": year,
                    "note": "not available / 无数据",
                }
            )
    return rows


def regions_table(rows: list[dict], year: int) -> Table:
    """T1: population and both rates for the region and each child region."""
    return Table(
        "table1_regions",
        "T1",
        f"{year}年末各地区常住人口、户籍人口和城镇化率",
        f"Population and urbanization rates by region, {year}",
        T1_COLUMNS,
        _frame(rows, T1_COLUMNS),
        _sources(rows),
    )


def changes_table(rows: list[dict], year: int) -> Table:
    """T2: changes against the previous year and 2013, in percentage points (population in 万人)."""
    return Table(
        "table2_changes",
        "T2",
        f"{year}年各地区城镇化率比上年和比{BASE_YEAR}年变化",
        f"Changes on the previous year and on {BASE_YEAR}, by region, {year}",
        T2_COLUMNS,
        _frame(rows, T2_COLUMNS),
        _sources(rows),
        [
            "变化只在同一口径、同一定义、同一时点的数据之间计算；不可比时为无数据，原因见“说明”。"
            " Changes are computed only between figures of the same series, definition and point date; "
            "where they are not comparable the change is not available and the note says why."
        ],
    )


def series_table(con: duckdb.DuckDBPyConnection, region: str, year: int) -> Table:
    """T3: the region's series from 2013 to the bulletin year: both rates and the gap."""
    recs = (
        con.execute(
            QUERY + " WHERE u.region_code = ? AND u.year BETWEEN ? AND ? ORDER BY u.year", [region, BASE_YEAR, year]
        )
        .df()
        .to_dict("records")
    )
    counts = _counts(con, [region], BASE_YEAR - 1, year)
    rows = [_row(r, counts) for r in recs]
    for r in rows:
        r.pop("_count_sources")
    return Table(
        "table3_series",
        "T3",
        f"{BASE_YEAR}—{year}年常住人口和户籍人口城镇化率",
        f"Resident and hukou urbanization rates, {BASE_YEAR} to {year}",
        T3_COLUMNS,
        _frame(rows, T3_COLUMNS),
        _sources(rows),
        key="year",
    )


def flows_table(con: duckdb.DuckDBPyConnection, listed: list[tuple[str, str, str]], year: int) -> Table:
    """T4: hukou births, deaths, in- and out-migration by region, where published (public-security register)."""
    codes = [c[0] for c in listed]
    counts = (
        con.execute(
            "SELECT region_code, measure, value, source, published FROM counts "
            "WHERE year = ? AND region_code IN (SELECT unnest(?::VARCHAR[])) AND measure IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY release_date DESC NULLS LAST, precision",
            [year, codes, list(FLOW_LABELS)],
        )
        .df()
        .to_dict("records")
    )
    by: dict = {}
    for c in counts:
        by.setdefault((c["region_code"], c["measure"]), c)
    rows, sources = [], []
    for code, name, name_en in listed:
        row = {"region_code": code, "region_name": name or code, "region_name_en": name_en or ""}
        srcs = []
        for m in FLOW_LABELS:
            c = by.get((code, m))
            row[m] = None if c is None else int(round_half_up(c["value"], 0))
            if c is not None:
                key = (c["source"], _none(c["published"]) or "")
                if key not in srcs:
                    srcs.append(key)
        row["flows_source"] = "; ".join(f"{s} ({p})" if p else s for s, p in srcs)
        sources += [s for s in srcs if s not in sources]
        rows.append(row)
    return Table(
        "table4_hukou_flows",
        "T4",
        f"{year}年各地区户籍人口变动情况",
        f"Hukou births, deaths and migration by region, {year}",
        T4_COLUMNS,
        _frame(rows, T4_COLUMNS),
        sources,
        [
            "户籍人口变动来自公安户籍登记；人数为公布数（以万人公布者换算为人）。 Register flows from the "
            "public-security hukou register; figures published in 万人 are shown in persons."
        ],
    )


def _num(x, decimals) -> Decimal | None:
    return round_half_up(_none(x), decimals)


def targets_table(con: duckdb.DuckDBPyConnection, region: str, year: int, release) -> Table | None:
    """T5: the region's targets assessed at the bulletin year (final where the target year has passed),
    from hukou_stats.analysis.targets; None when the region has no target."""
    from hukou_stats.analysis.targets import assess

    t = assess(con, region=region, as_of=year, release=release)
    if t.empty:
        return None
    rows = []
    for r in t.to_dict("records"):
        unit = r["unit"]
        decimals = 2
        target_value = _dec(r["target_value"])
        target_value = target_value.normalize() if target_value is not None else None
        rows.append(
            {
                "target_id": r["target_id"],
                "region_code": r["region_code"],
                "indicator": f"{INDICATOR_ZH.get(r['indicator'], r['indicator'])} {r['indicator']}",
                "target": f"{r['comparison']} {target_value:f} {UNIT_ZH.get(unit, unit)}"
                + (f" ({r['kind']} vs {int(r['base_year'])})" if r["kind"] == "change_vs_base" else "")
                + (" (pace)" if r["kind"] == "pace" else ""),
                "base_year": None if _none(r["base_year"]) is None else int(r["base_year"]),
                "target_year": int(r["target_year"]),
                "as_of_year": int(r["as_of_year"]),
                "observed_value": _num(r["observed_value"], decimals),
                "margin": _num(r["margin"], decimals),
                "verdict_zh": r["verdict_zh"],
                "verdict": r["verdict"],
                "reason": _none(r["reason"]) or "",
                "release_used": _none(r["release_used"]) or "",
                "source_document": _none(r["source_document"]) or "",
            }
        )
    docs = []
    for r in rows:
        if (r["source_document"], "") not in docs:
            docs.append((r["source_document"], ""))
    return Table(
        "table5_targets",
        "T5",
        f"{year}年目标完成情况",
        f"Targets: status as of {year}",
        T5_COLUMNS,
        _frame(rows, T5_COLUMNS),
        docs,
        [
            "方法见 README《Targets, evaluations and the CI gate》：目标年份已有数据者为最终评估，否则为中期评估（进度比）。"
            " Method: final assessment where the target year has data, otherwise interim (progress ratio, "
            "Statistics Canada); tolerance of 左右 targets as stated in targets.toml."
        ],
        key="target_id",
    )
