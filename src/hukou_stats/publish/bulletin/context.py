"""Notes about the region as a whole, in words: the boundary changes of it and its subdivisions (table
admin_changes, units known from the registry) and how much its
figures were revised (view revision_summary); and what its subdivisions are called (区, 县（市、区）,
省（区、市）...) so that the text can count them.
"""

from __future__ import annotations

from decimal import Decimal

from hukou_stats.core.numbers import round_half_up
from hukou_stats.publish.notes import Worded

# change type -> (Chinese, English) with {old} and {new} ("萝岗区（440116）" ...)
CHANGE_TYPES = {
    "merge": ("{old}并入{new}", "{old} merged into {new}"),
    "upgrade": ("撤销{old}，设立{new}", "{old} became {new}"),
    "split": ("{old}部分区域划入{new}", "part of {old} transferred to {new}"),
    "new": ("由{old}设立{new}", "{new} created from {old}"),
    "rename": ("{old}更名为{new}", "{old} renamed {new}"),
}
MEASURES = {
    "resident_total": ("常住人口", "resident population"),
    "resident_urban": ("城镇常住人口", "urban resident population"),
    "resident_urban_rate_pct": ("常住人口城镇化率", "resident urbanization rate"),
    "hukou_total": ("户籍人口", "hukou population"),
    "hukou_urban": ("城镇户籍人口", "urban hukou population"),
    "hukou_rural": ("乡村户籍人口", "rural hukou population"),
    "hukou_urban_rate_pct": ("户籍人口城镇化率", "hukou urbanization rate"),
    "hukou_births": ("户籍出生人口", "hukou births"),
    "hukou_deaths": ("户籍死亡人口", "hukou deaths"),
    "hukou_in_migration": ("户籍迁入人口", "hukou in-migration"),
    "hukou_out_migration": ("户籍迁出人口", "hukou out-migration"),
}


def subdivisions(registry, code: str) -> list[str]:
    """The region and the regions directly under it at any time (the code history, not the digits): the units
    whose boundaries the bulletin's figures are on. A change further down (a county moving within a prefecture)
    leaves these boundaries as they were."""
    return sorted({code, *(r.code for rows in registry.by_code.values() for r in rows if r.parent_code == code)})


def boundary_note(con, code: str, codes: list[str], english: dict[str, str] | None = None) -> Worded | None:
    """The boundary changes of the region and of its subdivisions (`codes`); `english`: names by code."""
    english = english or {}
    rows = con.execute(
        "SELECT DISTINCT CAST(effective_date AS VARCHAR), old_name, old_code, new_name, new_code, change_type "
        "FROM admin_changes WHERE old_code IN (SELECT unnest(?::VARCHAR[])) OR new_code IN (SELECT unnest(?::VARCHAR[])) "
        "ORDER BY 1, 3, 5",
        [codes, codes],
    ).fetchall()
    if not rows:
        return None
    zh, en = [], []
    for d, on, oc, nn, nc, kind in rows:
        kz, ke = CHANGE_TYPES.get(str(kind), ("{old}调整为{new}", "{old} changed into {new}"))
        day = d.split("-")
        when = f"{int(day[0])}年{int(day[1])}月{int(day[2])}日" if len(day) == 3 else d
        zh.append(when + kz.format(old=f"{on}（{oc}）", new=f"{nn}（{nc}）"))
        en.append(f"{d}: " + ke.format(old=f"{english.get(oc) or on} ({oc})", new=f"{english.get(nc) or nn} ({nc})"))
    return Worded(
        f"boundaries:{code}",
        "行政区划调整（数据按公布时的区划列示，未作衔接）：" + "；".join(zh) + "。",
        "Boundary changes (figures are shown on the boundaries as published, not bridged): " + "; ".join(en) + ".",
    )


SMALL_REVISION = {"persons": 50, "pct": 0.005}  # half a unit of a figure published in 万人 to 2 decimals, or in %


def _amount(x, unit: str, lang: str) -> str:
    """上调202.77万人 / 下调0.99个百分点 (the word carries the sign)."""
    up = x > 0
    if unit == "persons":
        v = abs(round_half_up(x, 0) or Decimal(0))
        amount = (
            (f"{round_half_up(v / 10000, 2):f}万人" if v >= 10000 else f"{v:f}人")
            if lang == "zh"
            else f"{v:,f} persons"
        )
    else:
        v = abs(round_half_up(x, 2) or Decimal(0))
        amount = f"{v:f}个百分点" if lang == "zh" else f"{v:f} points"
    if lang == "zh":
        return ("上调" if up else "下调") + amount
    return ("up " if up else "down ") + amount


def revisions_note(con, code: str) -> Worded | None:
    """The region's revisions beyond the rounding of a first release: latest minus first release, on average."""
    rows = con.execute(
        "SELECT measure, n_years, mean_revision, mean_abs_revision, first_year, last_year, unit "
        "FROM revision_summary WHERE region_code = ? ORDER BY measure",
        [code],
    ).fetchall()
    big = [r for r in rows if r[3] is not None and r[3] > SMALL_REVISION.get(r[6], 0)]
    if not big:
        return None
    zh, en = [], []
    for m, n, mr, _, a, b, u in big:
        mz, me = MEASURES.get(m, ("其他数据", "other figures"))
        span_zh = f"{a}年" if a == b else f"{a}—{b}年"
        span_en = f"{a}" if a == b else f"{a}-{b}"
        zh.append(f"{mz}（{span_zh}，{n}个年份）平均{_amount(mr, u, 'zh')}")
        en.append(f"{me} ({span_en}, {n} year(s)) {_amount(mr, u, 'en')} on average")
    rest_zh = "；其余数据的修订在初次公布的精度以内" if len(big) < len(rows) else ""
    rest_en = "; other revisions are within the precision of the first release" if len(big) < len(rows) else ""
    return Worded(
        f"revisions:{code}",
        "数据修订（最新发布数与首次发布数相比）：" + "；".join(zh) + rest_zh + "。",
        "Revisions (latest release against the first release): " + "; ".join(en) + rest_en + ".",
    )


NOUNS = {
    0: ("省（区、市）", "provincial-level regions"),
    1: ("市（州、盟）", "prefecture-level regions"),
    2: ("县（市、区）", "county-level regions"),
}
SUFFIX_NOUNS = {"区": ("区", "districts"), "县": ("县", "counties"), "市": ("市", "cities")}


def children_noun(level: int | None, names: list[str]) -> tuple[str, str]:
    """What the subdivisions are called: 区 when every one is a district, else by level (省（区、市）...)."""
    if level == 0 or not names:
        return NOUNS.get(level or 0, ("地区", "regions"))
    for suffix, noun in SUFFIX_NOUNS.items():
        if all(n.endswith(suffix) for n in names):
            return noun
    return NOUNS.get(level if level is not None else 2, ("地区", "regions"))
