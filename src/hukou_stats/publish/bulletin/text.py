"""Bulletin text in the pattern of a 统计公报 population paragraph, in Chinese and English, from the tables.

    2021年末，广州市常住人口1881.06万人，比上年末增加7.03万人。其中，城镇常住人口1626万人（按常住人口城镇化率推算），
    占常住人口比重（常住人口城镇化率）为86.46%。年末户籍人口1011.53万人，比上年末增加26.42万人。其中，城镇户籍人口
    817.44万人，占户籍人口比重（户籍人口城镇化率）为80.81%，比上年末提高0.32个百分点。常住人口城镇化率与户籍人口
    城镇化率的差距为5.65个百分点。

Wording follows the point date: year-end figures are 「年末」; a census or sample-survey headline is given in its own
sentence at its standard time (「据第七次全国人口普查，2020年11月1日零时，…」), after the year-end figure where one
exists, as NBS bulletins do. Child regions go into one sentence (「分地区看，…方面，甲…、乙…」), those without figures
are counted (「其余3个区暂无数据」), not listed. English gives counts in millions ("18.81 million").

Every figure comes from a table (already rounded); words follow the sign of the rounded figure (增加/减少,
提高/下降, 缩小/扩大; 持平 / unchanged for zero). A clause whose figure is missing is left out, and a sentence left
with no figure is dropped: never a placeholder, never "提高-0.30个百分点". Each figure is a `Fig` (value, table,
row key, column) so the page can mark it and a test can check it against the CSV and the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hukou_stats.core.vocabulary import BASE_YEAR
from hukou_stats.publish.document import Fig, Piece
from hukou_stats.publish.wording import is_year_end, point_en, point_zh

T1, T2, T3 = "table1_regions", "table2_changes", "table3_series"
MAX_LISTED = 12  # children named one by one in the text; beyond, the text points to Table 1


WORDS = {
    # kind: (zh up, zh down, zh same, en up, en down, en same)
    "count": ("增加", "减少", "持平", "up", "down", "unchanged"),
    "rate": ("提高", "下降", "持平", "up", "down", "unchanged"),
    "gap": ("扩大", "缩小", "持平", "widened by", "narrowed by", "unchanged"),
}


def sign_word(value: Decimal, kind: str, lang: str) -> str:
    up, down, same = WORDS[kind][:3] if lang == "zh" else WORDS[kind][3:]
    return up if value > 0 else down if value < 0 else same


@dataclass
class Source:
    """The rows the paragraph reads: the region in T1, T2 (changes) and the year-end T3 row of a census year."""

    t1: dict
    t2: dict | None = None
    year_end: dict | None = None  # T3 row with the year-end population when the headline is a census
    year: int = 0

    def fig(self, col: str, table: str = T1, people: bool = False) -> Fig | None:
        row = {T1: self.t1, T2: self.t2, T3: self.year_end}[table]
        if row is None:
            return None
        v = row.get(col)
        if v is None or not isinstance(v, Decimal):
            return None
        key = row["period"] if table == T3 else row["region_code"]
        return Fig(v, table, str(key), col, people)


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


def _date(row: dict, side: str):
    return row.get(f"{side}_reference_date") or None


def _resident_zh(s: Source, census: bool) -> list[Piece]:
    """常住人口X万人，比上年末增加Y万人。其中，城镇常住人口U万人，占常住人口比重（常住人口城镇化率）为R%，比上年末提高D个百分点。"""
    pop, urban, rate = s.fig("resident_total_10k"), s.fig("resident_urban_10k"), s.fig("resident_rate_pct")
    first = _sentence(
        [
            ["常住人口", pop, "万人"] if pop else [],
            [] if census or not pop else _change_zh(s.fig("resident_total_change_10k", T2), "count", "上年末", "万人"),
        ],
        "，",
        "。",
    )
    est = "（按常住人口城镇化率推算）" if s.t1.get("resident_urban_derived") else ""
    second: list[list[Piece]] = []
    if urban:
        second.append(["其中，城镇常住人口" if pop else "城镇常住人口", urban, f"万人{est}"])
    if rate:
        lead = "占常住人口比重（常住人口城镇化率）为" if urban and pop else "常住人口城镇化率为"
        second.append([lead, rate, "%"])
        if not census:
            second.append(_change_zh(s.fig("resident_change_prev_pp", T2), "rate", "上年末", "个百分点"))
    return first + _sentence(second, "，", "。")


def _hukou_zh(s: Source, lead: str) -> list[Piece]:
    pop, urban, rate = s.fig("hukou_total_10k"), s.fig("hukou_urban_10k"), s.fig("hukou_rate_pct")
    first = _sentence(
        [
            [f"{lead}户籍人口", pop, "万人"] if pop else [],
            _change_zh(s.fig("hukou_total_change_10k", T2), "count", "上年末", "万人") if pop else [],
        ],
        "，",
        "。",
    )
    second: list[list[Piece]] = []
    if urban and pop:
        second.append(["其中，城镇户籍人口", urban, "万人"])
    if rate:
        second.append(["占户籍人口比重（户籍人口城镇化率）为" if urban and pop else "户籍人口城镇化率为", rate, "%"])
        second.append(_change_zh(s.fig("hukou_change_prev_pp", T2), "rate", "上年末", "个百分点"))
    return first + _sentence(second, "，", "。")


def _gap_zh(s: Source) -> list[Piece]:
    gap = s.fig("gap_pp")
    if gap is None:
        return []
    rd, hd = _date(s.t1, "resident"), _date(s.t1, "hukou")
    if rd != hd:
        lead = f"常住人口城镇化率（{point_zh(rd, False)}）与户籍人口城镇化率（{point_zh(hd, False)}）的差距为"
    else:
        lead = "常住人口城镇化率与户籍人口城镇化率的差距为"
    return _sentence(
        [
            [lead, gap, "个百分点"],
            _change_zh(s.fig("gap_change_prev_pp", T2), "gap", "上年", "个百分点"),
            _change_zh(s.fig(f"gap_change_{BASE_YEAR}_pp", T2), "gap", f"{BASE_YEAR}年", "个百分点"),
        ],
        "，",
        "。",
    )


def paragraph_zh(s: Source, name: str, series_zh: str) -> list[Piece]:
    """The region's paragraph: year-end figures first, a census headline in its own sentence, then the gap."""
    year = s.year
    rd, hd = _date(s.t1, "resident"), _date(s.t1, "hukou")
    out: list[Piece] = []
    res_census = rd is not None and not is_year_end(rd)
    if not res_census:
        body = _resident_zh(s, census=False)
        if body:
            out += [f"{year}年末，{name}"] + body
    elif s.year_end is not None:
        end = Source(s.year_end, None, None, year)
        body = _resident_zh(end, census=True)
        if body:
            out += [f"{year}年末，{name}"] + body
    hukou_year_end = hd is not None and is_year_end(hd)
    if hukou_year_end:
        body = _hukou_zh(s, "年末" if out else "")
        if body:
            out += ([] if out else [f"{year}年末，{name}"]) + body
    if res_census:
        body = _resident_zh(s, census=True)
        if not hukou_year_end:
            body += _hukou_zh(s, "")
        if body:
            out += [f"据{series_zh}，{point_zh(rd)}，{name}"] + body
    elif hd is not None and not hukou_year_end:
        body = _hukou_zh(s, "")
        if body:
            out += [f"{point_zh(hd)}，{name}"] + body
    return out + _gap_zh(s)


# --- English
def _lower_first(pieces: list[Piece]) -> list[Piece]:
    """A sentence continued after a lead-in ("At the end of 2021, in Guangzhou, the ...")."""
    if pieces and isinstance(pieces[0], str) and pieces[0]:
        return [pieces[0][0].lower() + pieces[0][1:], *pieces[1:]]
    return pieces


def _resident_en(s: Source, census: bool) -> list[Piece]:
    """The resident population was 18.81 million, up 70,300 on the previous year-end. Of these, 16.26 million
    lived in urban areas, a resident urbanization rate of 86.46%, up 0.30 percentage points on the previous year-end."""
    pop = s.fig("resident_total_10k", people=True)
    urban, rate = s.fig("resident_urban_10k", people=True), s.fig("resident_rate_pct")
    first = _sentence(
        [
            ["The resident population was ", pop] if pop else [],
            []
            if census or not pop
            else _change_en(s.fig("resident_total_change_10k", T2, True), "count", "the previous year-end", ""),
        ],
        ", ",
        ". ",
    )
    est = " (estimated from the urbanization rate)" if s.t1.get("resident_urban_derived") else ""
    second: list[list[Piece]] = []
    if urban:
        second.append(["Of these, " if pop else "", urban, f"{est} lived in urban areas"])
    if rate:
        second.append(
            ["a resident urbanization rate of " if urban else "The resident urbanization rate was ", rate, "%"]
        )
        if not census:
            second.append(
                _change_en(s.fig("resident_change_prev_pp", T2), "rate", "the previous year-end", " percentage points")
            )
    second = [c for c in second if c]
    if second and second[0][0] == "":
        second[0] = second[0][1:]
    return first + _sentence(second, ", ", ". ")


def _hukou_en(s: Source) -> list[Piece]:
    pop = s.fig("hukou_total_10k", people=True)
    urban, rate = s.fig("hukou_urban_10k", people=True), s.fig("hukou_rate_pct")
    first = _sentence(
        [
            ["The hukou (registered) population was ", pop] if pop else [],
            _change_en(s.fig("hukou_total_change_10k", T2, True), "count", "the previous year-end", "") if pop else [],
        ],
        ", ",
        ". ",
    )
    second: list[list[Piece]] = []
    if urban and pop:
        second.append(["Of these, ", urban, " were registered in urban areas"])
    if rate:
        second.append(
            ["a hukou urbanization rate of " if urban and pop else "The hukou urbanization rate was ", rate, "%"]
        )
        second.append(
            _change_en(s.fig("hukou_change_prev_pp", T2), "rate", "the previous year-end", " percentage points")
        )
    return first + _sentence(second, ", ", ". ")


def _gap_en(s: Source) -> list[Piece]:
    gap = s.fig("gap_pp")
    if gap is None:
        return []
    rd, hd = _date(s.t1, "resident"), _date(s.t1, "hukou")
    dates = "" if rd == hd else f" (resident rate at {_when(rd)}, hukou rate at {_when(hd)})"
    return _sentence(
        [
            [f"The gap between the two rates{dates} was ", gap, " percentage points"],
            _change_en(s.fig("gap_change_prev_pp", T2), "gap", "the previous year", " points"),
            _change_en(s.fig(f"gap_change_{BASE_YEAR}_pp", T2), "gap", str(BASE_YEAR), " points"),
        ],
        ", ",
        ". ",
    )


def _when(d) -> str:
    return "the year-end" if is_year_end(d) else point_en(d)


def paragraph_en(s: Source, name: str, series_en: str) -> list[Piece]:
    year = s.year
    rd, hd = _date(s.t1, "resident"), _date(s.t1, "hukou")
    out: list[Piece] = []
    res_census = rd is not None and not is_year_end(rd)
    src = s if not res_census else (Source(s.year_end, None, None, year) if s.year_end is not None else None)
    if src is not None:
        body = _resident_en(src, census=res_census)
        if body:
            out += [f"At the end of {year}, in {name}, "] + _lower_first(body)
    hukou_year_end = hd is not None and is_year_end(hd)
    if hukou_year_end:
        body = _hukou_en(s)
        if body:
            out += body if out else [f"At the end of {year}, in {name}, "] + _lower_first(body)
    if res_census:
        body = _resident_en(s, census=True) + ([] if hukou_year_end else _hukou_en(s))
        if body:
            out += [f"According to the {series_en} ({point_en(rd)}), in {name}, "] + _lower_first(body)
    elif hd is not None and not hukou_year_end:
        body = _hukou_en(s)
        if body:
            out += [f"On {point_en(hd)}, in {name}, "] + _lower_first(body)
    out += _gap_en(s)
    if out and isinstance(out[-1], str):
        out[-1] = out[-1].rstrip()
    return out


# --- child regions
CHILD_FIGURES = [
    # column, zh label, en label, zh unit, en unit, people
    ("resident_total_10k", "常住人口", "the resident population", "万人", "", True),
    ("resident_rate_pct", "常住人口城镇化率", "the resident urbanization rate", "%", "%", False),
    ("hukou_total_10k", "户籍人口", "the hukou population", "万人", "", True),
    ("hukou_rate_pct", "户籍人口城镇化率", "the hukou urbanization rate", "%", "%", False),
    ("gap_pp", "两率差距", "the gap between the two rates", "个百分点", " points", False),
]


@dataclass
class Children:
    """The child regions for the text: their T1 rows, how many have no figure, and what to call them."""

    rows: list[dict]
    n_missing: int
    noun_zh: str  # 区, 省（区、市）...
    noun_en: str  # plural: districts, provincial-level regions ...
    comparable: bool = True  # their rates share one series and point date (a ranking is meaningful)
    when_zh: str = (
        ""  # the point date of their figures where it is not the year-end: （第七次全国人口普查，11月1日零时）
    )
    when_en: str = ""


def _fig_row(r: dict, col: str, people: bool = False) -> Fig | None:
    v = r.get(col)
    return Fig(v, T1, r["region_code"], col, people) if isinstance(v, Decimal) else None


FEW = 3  # up to this many children: one clause per region; beyond, one clause per figure (…方面，甲…、乙…)


def _by_region_zh(ch: Children) -> list[Piece]:
    """分地区看，甲区常住人口X万人，常住人口城镇化率为R%；乙区……。"""
    clauses: list[list[Piece]] = []
    for r in ch.rows:
        parts: list[list[Piece]] = [
            [label, f, unit] for col, label, _, unit, _, _ in CHILD_FIGURES if (f := _fig_row(r, col)) is not None
        ]
        clause: list[Piece] = [r["region_name"]]
        for i, p in enumerate(parts):
            clause += ["，", *p] if i else p
        clauses.append(clause)
    head: list[Piece] = [f"分地区看{ch.when_zh}，"]
    return head + _sentence(clauses, "；", "。")


def _by_region_en(ch: Children) -> list[Piece]:
    clauses: list[list[Piece]] = []
    for r in ch.rows:
        parts: list[list[Piece]] = [
            [label + " was ", f, unit]
            for col, _, label, _, unit, people in CHILD_FIGURES
            if (f := _fig_row(r, col, people)) is not None
        ]
        clause: list[Piece] = [f"in {r['region_name_en'] or r['region_name']}, "]
        for i, p in enumerate(parts):
            clause += [", ", *p] if i else p
        clauses.append(clause)
    head: list[Piece] = [f"By region{ch.when_en}: "]
    return head + _sentence(clauses, "; ", ". ")


def children_zh(ch: Children) -> list[Piece]:
    out: list[Piece] = []
    if 0 < len(ch.rows) <= FEW:
        out += _by_region_zh(ch)
    elif len(ch.rows) > MAX_LISTED:
        out += [f"各{ch.noun_zh}数据见表1。"]
        out += _extremes(ch, "zh")
    elif ch.rows:
        clauses: list[list[Piece]] = []
        for col, label, _, unit, _, _ in CHILD_FIGURES:
            items = [(r["region_name"], f) for r in ch.rows if (f := _fig_row(r, col)) is not None]
            clause: list[Piece] = [f"{label}方面，"]
            for i, (n, f) in enumerate(items):
                clause += (["、"] if i else []) + [n, f, unit]
            if items:
                clauses.append(clause)
        out += [f"分地区看{ch.when_zh}，"] + _sentence(clauses, "；", "。") if clauses else []
    if ch.n_missing:
        out.append(f"{'其余' if ch.rows else '所辖'}{ch.n_missing}个{ch.noun_zh}暂无数据。")
    return out


def children_en(ch: Children) -> list[Piece]:
    out: list[Piece] = []
    if 0 < len(ch.rows) <= FEW:
        out += _by_region_en(ch)
    elif len(ch.rows) > MAX_LISTED:
        out += [f"Table 1 gives the figures of the {ch.noun_en}. "]
        out += _extremes(ch, "en")
    elif ch.rows:
        clauses: list[list[Piece]] = []
        for col, _, label, _, unit, people in CHILD_FIGURES:
            items = [
                (r["region_name_en"] or r["region_name"], f)
                for r in ch.rows
                if (f := _fig_row(r, col, people)) is not None
            ]
            clause: list[Piece] = [f"{label} was "]
            for i, (n, f) in enumerate(items):
                sep = "" if i == 0 else " and " if i == len(items) - 1 else ", "
                clause += [sep, f, f"{unit} in {n}"]
            if items:
                clauses.append(clause)
        if clauses:
            sent = _sentence(clauses, "; ", ". ")
            out += [f"By region{ch.when_en}, "] + sent
    if ch.n_missing:
        out.append(
            f"No figures are available yet for {'the other ' if ch.rows else 'the '}{ch.n_missing} {ch.noun_en}."
        )
    if out and isinstance(out[-1], str):
        out[-1] = out[-1].rstrip()
    return out


def _extremes(ch: Children, lang: str) -> list[Piece]:
    """The highest and the lowest resident rate, when the children's rates are comparable."""
    rated = [r for r in ch.rows if isinstance(r.get("resident_rate_pct"), Decimal)]
    if len(rated) < 3 or not ch.comparable:
        return []
    hi = max(rated, key=lambda r: r["resident_rate_pct"])
    lo = min(rated, key=lambda r: r["resident_rate_pct"])
    fh, fl = _fig_row(hi, "resident_rate_pct"), _fig_row(lo, "resident_rate_pct")
    if lang == "zh":
        return [
            "常住人口城镇化率最高的是",
            hi["region_name"],
            "（",
            fh,
            "%），最低的是",
            lo["region_name"],
            "（",
            fl,
            "%）。",
        ]
    return [
        "The resident urbanization rate was highest in ",
        hi["region_name_en"] or hi["region_name"],
        " (",
        fh,
        "%) and lowest in ",
        lo["region_name_en"] or lo["region_name"],
        " (",
        fl,
        "%). ",
    ]


@dataclass
class Bulletin:
    """The text of the bulletin in one language: the region's paragraph and the child regions' sentence."""

    lang: str
    paragraph: list[Piece]
    children: list[Piece]

    def plain(self) -> str:
        return "\n\n".join(render_plain(p) for p in (self.paragraph, self.children) if p)


def render_plain(pieces: list[Piece]) -> str:
    return "".join(p.text if isinstance(p, Fig) else p for p in pieces)


def bulletin_text(
    s: Source, children: Children, names: tuple[str, str], series: tuple[str, str], lang: str
) -> Bulletin:
    """names / series: (Chinese, English) of the region and of the headline's resident series."""
    if lang == "zh":
        return Bulletin("zh", paragraph_zh(s, names[0], series[0]), children_zh(children))
    return Bulletin("en", paragraph_en(s, names[1], series[1]), children_en(children))
