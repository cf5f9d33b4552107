"""Residuals as findings: where a region's published figure and the complete sum of its children differ, what the
difference is, in words a statistician reads (Chinese and English), for the bulletin's notes.

Reads the views reconciliation (published parent against the sum of every child the registry has under it that
year) and other_coverages (China: the sum of the 31 provinces beside the national figure). A difference is never a
correction: the published figure stays the headline.
- A region published above its children (温州市 2020: 249,343 persons): population counted in the region but in none
  of its units (areas that belong to no county, e.g. development zones).
- China: the national figure also counts the active military (现役军人), who belong to no province (table coverage);
  the sum of the provinces is another figure, with its own rate (63.84 % in 2020 against 63.89 %).
- Children summing to more than the published figure: to be checked, said so.
Numbers are rounded half-up at output, to the published precision (141177.87万 is known to the hundred persons).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb

from hukou_stats.core.numbers import round_half_up

COUNTS = {"resident": ("resident_total", "resident_urban"), "hukou": ("hukou_total", "hukou_urban")}
WHAT_ZH = {"resident": "常住人口", "hukou": "户籍人口"}
WHAT_EN = {"resident": "resident population", "hukou": "hukou population"}
# what the children of a region of each level are called
UNITS_ZH = {0: "个省份", 1: "个下级单位", 2: "个县级单位"}
UNITS_EN = {0: "provinces", 1: "units", 2: "county-level units"}


@dataclass(frozen=True)
class Finding:
    region_code: str
    region_name: str
    year: int
    series: str
    kind: str  # beyond_children (counted in the region, in no child) | coverage | children_exceed
    published: Decimal
    children_sum: Decimal
    difference: Decimal
    urban_difference: Decimal | None
    n_children: int
    zh: str
    en: str


def _persons(x: float, step: float = 1.0) -> Decimal:
    """Persons, rounded half-up to the published step (1, or 100 for a figure published in 万 with 2 decimals)."""
    d = round_half_up(x / step, 0)
    assert d is not None
    return d * Decimal(str(round(step))) if step > 1 else d


def _n(d: Decimal | None) -> str:
    return "" if d is None else f"{d:,.0f}"


def residual_findings(con: duckdb.DuckDBPyConnection, region: str, year: int | None = None) -> list[Finding]:
    """Every difference between the region's published counts and the complete sum of its children (one finding a
    year, series and population: total with its urban part), in Chinese and English."""
    rows = con.execute(
        """SELECT r.region_code, coalesce(r.region_name, r.region_code), r.year, r.reference_date, r.measure, r.series,
                  r.published_value, r.children_sum, r.difference, 2 * o.precision, r.n_children, r.note,
                  v.beyond_children_zh, v.beyond_children_en, u.name_en, u.level,
                  coalesce(s.name_zh, r.series), coalesce(s.name_en, r.series)
           FROM reconciliation r
           JOIN latest_observations o ON o.region_code = r.region_code AND o.year = r.year
            AND o.reference_date = r.reference_date AND o.measure = r.measure AND o.series = r.series
            AND o.definition IS NOT DISTINCT FROM r.definition AND o.coverage IS NULL
           LEFT JOIN coverage v ON v.region_code = r.region_code AND v.coverage IS NULL
           LEFT JOIN region_labels u ON u.code = r.region_code
           LEFT JOIN series s ON s.series = r.series
           WHERE r.region_code = ? AND (? IS NULL OR r.year = ?) AND r.children_sum IS NOT NULL
           ORDER BY r.year, r.series, r.measure""",
        [region, year, year],
    ).fetchall()
    by: dict[tuple, dict[str, tuple]] = {}
    for r in rows:
        by.setdefault((r[2], r[3], r[5]), {})[r[4]] = r
    out = []
    for (yr, day, series), measures in by.items():
        for kind, (total_m, urban_m) in COUNTS.items():
            t, u = measures.get(total_m), measures.get(urban_m)
            if t is None or t[11] != "differs by more than rounding":
                continue
            out.append(_finding(t, u, kind, _other_rate(con, region, yr, day, series, kind)))
    return out


def _other_rate(con, region: str, year: int, day, series: str, kind: str) -> tuple[float, float] | None:
    """(rate of the other coverage, headline rate) where the children's sum has a coverage of its own (China)."""
    hit = con.execute(
        """SELECT value, headline_value FROM other_coverages WHERE region_code = ? AND year = ? AND reference_date = ?
           AND series = ? AND measure = ?""",
        [region, year, day, series, f"{kind}_rate_pct"],
    ).fetchone()
    return (hit[0], hit[1]) if hit and hit[1] is not None else None


def _finding(t: tuple, u: tuple | None, kind: str, rates: tuple[float, float] | None) -> Finding:
    code, name, year, _, _, series, published, children, difference, step, n, _, beyond_zh, beyond_en, name_en, lv = t[
        :16
    ]
    series_zh, series_en = t[16:18]
    units_zh, units_en = f"{n}{UNITS_ZH.get(lv, '个下级单位')}", f"{n} {UNITS_EN.get(lv, 'units')}"
    step = max(float(step), 1.0)  # the published unit of the parent's figure (100 persons for 141177.87万)
    pub, kids, diff = _persons(published, step), _persons(children), _persons(difference, step)
    udiff = _persons(u[8]) if u is not None and u[7] is not None else None
    about_zh, about_en = ("约", "about ") if step > 1 else ("", "")
    what_zh, what_en = WHAT_ZH[kind], WHAT_EN[kind]
    urban_zh = f"（城镇人口相差{_n(udiff)}人）" if udiff is not None else ""
    urban_en = f" (urban: {_n(udiff)})" if udiff is not None else ""
    label_en = name_en or code
    if difference < 0:
        kind_out = "children_exceed"
        zh = (f"{name}{year}年（{series_zh}）{what_zh}公布数{_n(pub)}人，所辖{units_zh}合计{_n(kids)}人，比公布数多"
              f"{_n(-diff)}人{urban_zh}：下级合计大于上级公布数，需核对。")  # fmt: skip
        en = (f"{label_en}, {year} ({series_en}): its {units_en} sum to {_n(kids)}, {about_en}{_n(-diff)} more than the "
              f"published {what_en} of {_n(pub)}{urban_en}: the figures need checking.")  # fmt: skip
    elif beyond_zh:
        kind_out = "coverage"
        rate_zh = rate_en = ""
        if rates:
            other, head = (round_half_up(x, 2) for x in rates)
            rate_zh = f"，城镇化率{head}%；{units_zh}合计的城镇化率为{other}%"
            rate_en = f" ({head} % urban; the sum of the {units_en}: {other} %)"
        zh = (f"{name}{year}年（{series_zh}）{what_zh}公布数{_n(pub)}人{rate_zh}。公布数包括{beyond_zh}，比{units_zh}合计"
              f"{_n(kids)}人多{about_zh}{_n(diff)}人{urban_zh}。两者覆盖范围不同，不是修订；标题数字为公布数。")  # fmt: skip
        en = (f"{label_en}, {year} ({series_en}): the published {what_en}, {_n(pub)}{rate_en}, also counts {beyond_en}: "
              f"{about_en}{_n(diff)} more than the sum of its {units_en}, {_n(kids)}{urban_en}. Two coverages, not a "
              "revision; the headline is the published figure.")  # fmt: skip
    else:
        kind_out = "beyond_children"
        zh = (f"{name}{year}年（{series_zh}）{what_zh}公布数{_n(pub)}人，所辖{units_zh}合计{_n(kids)}人，相差{about_zh}"
              f"{_n(diff)}人{urban_zh}：这部分人口计入{name}，但不属于其任何下级单位（如开发区等不属于任何县级单位的区域）。")  # fmt: skip
        en = (f"{label_en}, {year} ({series_en}): the published {what_en}, {_n(pub)}, exceeds the sum of its {units_en}, "
              f"{_n(kids)}, by {about_en}{_n(diff)} persons{urban_en}: they are counted in {label_en} but in none of "
              "its units (areas that belong to no lower unit, such as development zones).")  # fmt: skip
    return Finding(code, name, year, series, kind_out, pub, kids, diff, udiff, n, zh, en)
