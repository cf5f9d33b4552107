"""Bulletin text in the style of a 统计公报 population paragraph, in Chinese and English, from T1/T2 rows.

Every figure comes from the tables (already rounded); words follow the sign of the rounded figure
(增加/减少, 提高/下降, 缩小/扩大; 持平 / unchanged for zero). A clause whose figure is missing is left
out, and a sentence left with no figure is dropped: never a placeholder, never "提高-0.30个百分点".

Each figure is returned as a `Fig` (value, table, row key, column) so the HTML can mark it and a test can
check it against the CSV and the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hukou_stats.core.vocabulary import BASE_YEAR


@dataclass(frozen=True)
class Fig:
    value: Decimal  # as in the table (signed)
    table: str  # table name (CSV stem)
    key: str  # row key (region code)
    column: str

    @property
    def text(self) -> str:
        """The figure as written in the text: its absolute value (the word carries the sign)."""
        return f"{abs(self.value):f}"


# a paragraph is a list of pieces: plain strings and Figs
Piece = str | Fig

WORDS = {
    # kind: (zh up, zh down, zh same, en up, en down, en same)
    "count": ("增加", "减少", "持平", "up", "down", "unchanged"),
    "rate": ("提高", "下降", "持平", "up", "down", "unchanged"),
    "gap": ("扩大", "缩小", "持平", "widened by", "narrowed by", "unchanged"),
}


def sign_word(value: Decimal, kind: str, lang: str) -> str:
    up, down, same = WORDS[kind][:3] if lang == "zh" else WORDS[kind][3:]
    return up if value > 0 else down if value < 0 else same


def _f(row: dict, table: str, col: str) -> Fig | None:
    v = row.get(col)
    return None if v is None else Fig(v, table, row["region_code"], col)


def _change_zh(fig: Fig | None, kind: str, since: str, unit: str) -> list[Piece]:
    """比上年末提高0.32个百分点 / 与上年末持平 / [] when missing."""
    if fig is None:
        return []
    if fig.value == 0:
        return [f"与{since}持平"]
    return [f"比{since}{sign_word(fig.value, kind, 'zh')}", fig, unit]


def _change_en(fig: Fig | None, kind: str, since: str, unit: str) -> list[Piece]:
    if fig is None:
        return []
    if fig.value == 0:
        return [f"unchanged on {since}"]
    return [f"{sign_word(fig.value, kind, 'en')} ", fig, f"{unit} on {since}"]


def _sentence(clauses: list[list[Piece]], sep: str, end: str) -> list[Piece]:
    """Join the clauses that are present; [] if none."""
    clauses = [c for c in clauses if c]
    if not clauses:
        return []
    out: list[Piece] = []
    for i, c in enumerate(clauses):
        if i:
            out.append(sep)
        out += c
    return out + [end]


def paragraph_zh(t1: dict, t2: dict, year: int) -> list[Piece]:
    """The region's paragraph: resident sentence, hukou sentence, gap sentence."""
    T1, T2 = "table1_regions", "table2_changes"
    name = t1["region_name"]
    pop, urban = _f(t1, T1, "resident_total_10k"), _f(t1, T1, "resident_urban_10k")
    rate = _f(t1, T1, "resident_rate_pct")
    res: list[list[Piece]] = []
    if pop:
        res.append(["常住人口", pop, "万人"])
        res.append(_change_zh(_f(t2, T2, "resident_total_change_10k"), "count", "上年末", "万人"))
    if urban:
        res.append(["其中城镇常住人口" if pop else "城镇常住人口", urban, "万人"])
    if rate:
        lead = "占常住人口比重（常住人口城镇化率）为" if urban and pop else "常住人口城镇化率为"
        res.append([lead, rate, "%"])
        res.append(_change_zh(_f(t2, T2, "resident_change_prev_pp"), "rate", "上年末", "个百分点"))
    hpop, hrate = _f(t1, T1, "hukou_total_10k"), _f(t1, T1, "hukou_rate_pct")
    huk: list[list[Piece]] = []
    if hpop:
        huk.append(["年末户籍人口" if res else "户籍人口", hpop, "万人"])
        huk.append(_change_zh(_f(t2, T2, "hukou_total_change_10k"), "count", "上年末", "万人"))
    if hrate:
        huk.append(["户籍人口城镇化率为", hrate, "%"])
        huk.append(_change_zh(_f(t2, T2, "hukou_change_prev_pp"), "rate", "上年末", "个百分点"))
    gap = _f(t1, T1, "gap_pp")
    gp: list[list[Piece]] = []
    if gap:
        gp.append(["常住人口城镇化率与户籍人口城镇化率两者差距", gap, "个百分点"])
        gp.append(_change_zh(_f(t2, T2, "gap_change_prev_pp"), "gap", "上年", "个百分点"))
        gp.append(_change_zh(_f(t2, T2, "gap_change_2013_pp"), "gap", f"{BASE_YEAR}年", "个百分点"))
    body = _sentence(res, "，", "。") + _sentence(huk, "，", "。") + _sentence(gp, "，", "。")
    if not body:
        return []
    return [f"{year}年末，{name}"] + body


def paragraph_en(t1: dict, t2: dict, year: int) -> list[Piece]:
    T1, T2 = "table1_regions", "table2_changes"
    name = t1["region_name_en"] or t1["region_name"]
    pop, urban = _f(t1, T1, "resident_total_10k"), _f(t1, T1, "resident_urban_10k")
    rate = _f(t1, T1, "resident_rate_pct")
    res: list[list[Piece]] = []
    if pop:
        res.append(["the resident population was ", pop, " ten thousand"])
        res.append(
            _change_en(_f(t2, T2, "resident_total_change_10k"), "count", "the previous year-end", " ten thousand")
        )
    if urban:
        res.append(["of whom ", urban, " ten thousand lived in urban areas"])
    if rate:
        res.append(["the resident urbanization rate was ", rate, "%"])
        res.append(
            _change_en(_f(t2, T2, "resident_change_prev_pp"), "rate", "the previous year-end", " percentage points")
        )
    hpop, hrate = _f(t1, T1, "hukou_total_10k"), _f(t1, T1, "hukou_rate_pct")
    huk: list[list[Piece]] = []
    if hpop:
        huk.append(["The hukou (registered) population was ", hpop, " ten thousand"])
        huk.append(_change_en(_f(t2, T2, "hukou_total_change_10k"), "count", "the previous year-end", " ten thousand"))
    if hrate:
        huk.append(["the hukou urbanization rate was " if hpop else "The hukou urbanization rate was ", hrate, "%"])
        huk.append(
            _change_en(_f(t2, T2, "hukou_change_prev_pp"), "rate", "the previous year-end", " percentage points")
        )
    gap = _f(t1, T1, "gap_pp")
    gp: list[list[Piece]] = []
    if gap:
        gp.append(["The gap between the resident and the hukou rate was ", gap, " percentage points"])
        gp.append(_change_en(_f(t2, T2, "gap_change_prev_pp"), "gap", "the previous year", " points"))
        gp.append(_change_en(_f(t2, T2, "gap_change_2013_pp"), "gap", str(BASE_YEAR), " points"))
    first = _sentence(res, ", ", ". ")
    if first:
        first = [f"At the end of {year}, in {name}, "] + first
    body = first + _sentence(huk, ", ", ". ") + _sentence(gp, ", ", ". ")
    if not body:
        return []
    if not first:
        body = [f"{name}, {year}: "] + body
    if isinstance(body[-1], str):
        body[-1] = body[-1].rstrip()
    return body


def child_line_zh(t1: dict) -> list[Piece]:
    T1 = "table1_regions"
    parts = _sentence(
        [
            ["常住人口", _f(t1, T1, "resident_total_10k"), "万人"] if t1.get("resident_total_10k") is not None else [],
            ["常住人口城镇化率", _f(t1, T1, "resident_rate_pct"), "%"]
            if t1.get("resident_rate_pct") is not None
            else [],
            ["户籍人口城镇化率", _f(t1, T1, "hukou_rate_pct"), "%"] if t1.get("hukou_rate_pct") is not None else [],
            ["两者差距", _f(t1, T1, "gap_pp"), "个百分点"] if t1.get("gap_pp") is not None else [],
        ],
        "，",
        "。",
    )
    return [f"{t1['region_name']}："] + parts if parts else []


def child_line_en(t1: dict) -> list[Piece]:
    T1 = "table1_regions"
    parts = _sentence(
        [
            ["resident population ", _f(t1, T1, "resident_total_10k"), " ten thousand"]
            if t1.get("resident_total_10k") is not None
            else [],
            ["resident rate ", _f(t1, T1, "resident_rate_pct"), "%"] if t1.get("resident_rate_pct") is not None else [],
            ["hukou rate ", _f(t1, T1, "hukou_rate_pct"), "%"] if t1.get("hukou_rate_pct") is not None else [],
            ["gap ", _f(t1, T1, "gap_pp"), " percentage points"] if t1.get("gap_pp") is not None else [],
        ],
        ", ",
        ".",
    )
    return [f"{t1['region_name_en'] or t1['region_name']}: "] + parts if parts else []


@dataclass
class Bulletin:
    """The text of the bulletin in one language: the region's paragraph, one line per child region, and the
    children without any figure (named in one closing sentence)."""

    lang: str
    paragraph: list[Piece]
    children: list[list[Piece]]
    missing: list[str]

    def plain(self) -> str:
        lines = [render_plain(self.paragraph)] if self.paragraph else []
        lines += [render_plain(c) for c in self.children]
        if self.missing:
            lines.append(
                ("以下地区无数据：" + "、".join(self.missing) + "。")
                if self.lang == "zh"
                else "No figures for: " + ", ".join(self.missing) + "."
            )
        return "\n\n".join(lines)


def render_plain(pieces: list[Piece]) -> str:
    return "".join(p.text if isinstance(p, Fig) else p for p in pieces)


def bulletin_text(t1_rows: list[dict], t2_rows: list[dict], year: int, lang: str) -> Bulletin:
    """t1_rows/t2_rows: the region first, then its children (records of T1 and T2)."""
    para = paragraph_zh if lang == "zh" else paragraph_en
    line = child_line_zh if lang == "zh" else child_line_en
    children, missing = [], []
    for r in t1_rows[1:]:
        pieces = line(r)
        if pieces:
            children.append(pieces)
        else:
            missing.append(r["region_name"] if lang == "zh" else (r["region_name_en"] or r["region_name"]))
    return Bulletin(lang, para(t1_rows[0], t2_rows[0], year), children, missing)
