"""The words a statistician reads, for what the database says in codes: series and definitions by their names
(series.csv, definitions.csv), point dates (「2021年末」, 「2020年11月1日零时」), numbers in English ("18.81
million"), and the comparability and target notes of the views turned into sentences in Chinese and English.

The views write their notes as short English phrases with code identifiers (`resident: no 2020 value in series
post_census_estimate`); `Phrases` recognises each of them and words it for the reader. A phrase it does not know
becomes a general pointer to the methodology note (never the raw text), and is recorded in `unknown` so that a
test can require that every phrase the bundled data produces is worded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from hukou_stats.core.numbers import round_half_up
from hukou_stats.publish.notes import Worded

MONTHS = "January February March April May June July August September October November December".split()
YEAR_END = (12, 31)


def pick(zh: str, en: str, lang: str, sep: str = " ") -> str:
    """Text in the bulletin's language: Chinese, English, or both (Chinese first)."""
    return zh if lang == "zh" else en if lang == "en" else f"{zh}{sep}{en}"


def as_date(d) -> dt.date | None:
    if d is None:
        return None
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    try:
        return dt.date.fromisoformat(str(d)[:10])
    except ValueError:
        return None


def is_year_end(d) -> bool:
    day = as_date(d)
    return day is None or (day.month, day.day) == YEAR_END


def point_zh(d, with_year: bool = True) -> str:
    """2021年末 / 2020年11月1日零时 (the standard time of a census or sample survey); without the year: 年末 /
    11月1日零时."""
    day = as_date(d)
    if day is None:
        return ""
    if is_year_end(day):
        return f"{day.year}年末" if with_year else "年末"
    return (f"{day.year}年" if with_year else "") + f"{day.month}月{day.day}日零时"


def point_en(d) -> str:
    """end-2021 / 1 November 2020."""
    day = as_date(d)
    if day is None:
        return ""
    return f"end-{day.year}" if is_year_end(day) else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def people_en(v: Decimal) -> str:
    """A count given in 万人 (10,000 persons), in English: 1881.06 -> 18.81 million, 7.03 -> 70,300."""
    persons = v * 10000
    if abs(persons) >= 1_000_000:
        return f"{round_half_up(persons / 1_000_000, 2):,f} million"
    return f"{round_half_up(persons, 0):,f}"


def persons_zh(v) -> str:
    """Whole persons in a Chinese sentence, in 万人 where large: 263726 -> 26.37万人, 438 -> 438人."""
    d = Decimal(int(v))
    return f"{round_half_up(d / 10000, 2):f}万人" if abs(d) >= 10000 else f"{d:f}人"


def persons_en(v) -> str:
    return f"{int(v):,}"


def join_zh(items: list[str]) -> str:
    """甲、乙和丙."""
    return "" if not items else items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]


def join_en(items: list[str]) -> str:
    return "" if not items else items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def years_zh(years) -> str:
    return "、".join(f"{y}年" for y in sorted(years))


def years_en(years) -> str:
    return join_en([str(y) for y in sorted(years)])


@dataclass
class Vocab:
    """Names of the codes the database uses, from its reference tables (series, definitions, benchmarks)."""

    series: dict[str, tuple[str, str]] = field(default_factory=dict)
    definitions: dict[str, tuple[str, str]] = field(default_factory=dict)
    benchmarks: dict[str, tuple[str, str]] = field(default_factory=dict)  # ISO date -> (zh, en)
    precedence: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, con) -> Vocab:
        v = cls()
        for s, p, zh, en in con.execute("SELECT series, precedence, name_zh, name_en FROM series").fetchall():
            v.series[s] = (zh or s, en or s)
            v.precedence[s] = int(p)
        for d, zh, en in con.execute("SELECT definition, name_zh, name_en FROM definitions").fetchall():
            v.definitions[d] = (zh or d, en or d)
        for d, zh, en in con.execute(
            "SELECT CAST(benchmark_date AS DATE), name_zh, name_en FROM benchmarks"
        ).fetchall():
            v.benchmarks[str(d)] = (zh, en)
        return v

    def series_name(self, code: str | None, lang: str) -> str:
        zh, en = self.series.get(code or "", ("不详", "unstated"))
        return zh if lang == "zh" else en

    def definition_name(self, code: str | None, lang: str) -> str:
        zh, en = self.definitions.get(code or "", ("口径未注明", "definition not stated"))
        return zh if lang == "zh" else en

    def basis(self, series: str | None, definition: str | None, lang: str) -> str:
        """The series, and the definition of urban where there is one: 公安户籍登记数（按户籍登记地城乡属性划分）."""
        s = self.series_name(series, lang)
        if not definition:
            return s
        d = self.definition_name(definition, lang)
        return f"{s}（{d}）" if lang == "zh" else f"{s} ({d})"

    def benchmark(self, date: str, lang: str) -> str:
        zh, en = self.benchmarks.get(date[:10], (f"{date[:10]}的基准修订", f"the benchmark revision of {date[:10]}"))
        return zh if lang == "zh" else en


SIDE = {
    "resident": ("常住人口城镇化率", "resident urbanization rate"),
    "hukou": ("户籍人口城镇化率", "hukou urbanization rate"),
}
Rule = tuple[re.Pattern, Callable[..., Worded]]


class Phrases:
    """Reads the notes of urbanization, urbanization_changes and target_status into reader sentences."""

    def __init__(self, vocab: Vocab):
        self.v = vocab
        self.unknown: list[str] = []
        self.rules: list[Rule] = [
            (
                re.compile(r"^(resident|hukou): no (\d{4}) value in series ([a-z0-9_]+)(?:/([a-z0-9_]+))?$"),
                self._no_value,
            ),
            (
                re.compile(
                    r"^hukou: definition break \(([a-z0-9_]+) vs ([a-z0-9_]+)\) from (\d{4}): (\d{4}) "
                    r"(?:bridged via (\d{4})|not compared \(no bridge\))$"
                ),
                self._break,
            ),
            (
                re.compile(r"^hukou: definition break \(([a-z0-9_,]+) vs ([a-z0-9_]+)\), not compared$"),
                self._unregistered_break,
            ),
            (
                re.compile(
                    r"^resident: (\d{4}) was released before the benchmark revision of ([0-9-]+), not compared$"
                ),
                self._benchmark,
            ),
            (re.compile(r"^rates refer to different dates$"), self._dates),
            (re.compile(r"^approximate figure \(左右\)$"), self._approx),
            (re.compile(r"^aggregated from children$"), self._aggregated),
            (re.compile(r"^from a derived count$"), lambda: DERIVED),
            (re.compile(r"^published rate differs from counts$"), self._differs),
        ]

    def word(self, text: str | None) -> list[Worded]:
        """Each '; '-separated phrase of a view's note, worded (unknown ones as one general pointer)."""
        out: list[Worded] = []
        for part in [p.strip() for p in str(text or "").split("; ") if p.strip()]:
            for pattern, make in self.rules:
                m = pattern.match(part)
                if m:
                    w = make(*m.groups())
                    if w not in out:
                        out.append(w)
                    break
            else:
                self.unknown.append(part)
                if UNWORDED not in out:
                    out.append(UNWORDED)
        return out

    def merge(self, ws: list[Worded]) -> list[Worded]:
        """One note per basis for the years without a comparable figure ("2020年、2013年无…")."""
        out: list = []
        groups: dict[tuple[str, str, str], list[str]] = {}
        for w in ws:
            if not w.key.startswith("noprev:"):
                out.append(w)
                continue
            _, side, series, definition, years = w.key.split(":")
            g = (side, series, definition)
            if g not in groups:
                groups[g] = []
                out.append(g)
            groups[g] += years.split(",")
        return [self._no_value(x[0], None, x[1], x[2], groups[x]) if isinstance(x, tuple) else x for x in out]

    def other_series(self, side: str, total_series: str, rate_series: str) -> Worded:
        zh_total = "常住人口" if side == "resident" else "户籍人口"
        en_total = "resident population" if side == "resident" else "hukou population"
        zh_side, en_side = SIDE[side]
        return Worded(
            f"otherseries:{side}:{total_series}:{rate_series}",
            f"{zh_total}为“{self.v.series_name(total_series, 'zh')}”，{zh_side}为“{self.v.series_name(rate_series, 'zh')}”，"
            "二者不是同一数据系列（该系列没有公布另一项）。",
            f"The {en_total} is a '{self.v.series_name(total_series, 'en')}' figure and the {en_side} a "
            f"'{self.v.series_name(rate_series, 'en')}' one: not the same series (neither series has both).",
        )

    # --- comparability of changes (urbanization_changes.comparability_note)
    def _no_value(self, side, year, series, definition, years: list[str] | None = None) -> Worded:
        zh_side, en_side = SIDE[side]
        definition = definition or None
        zh_basis, en_basis = self.v.basis(series, definition, "zh"), self.v.basis(series, definition, "en")
        ys = sorted(years or [year], reverse=True)
        y_zh, y_en = "、".join(f"{y}年" for y in ys), join_en(ys)
        return Worded(
            f"noprev:{side}:{series}:{definition or ''}:{','.join(ys)}",
            f"{zh_side}为“{zh_basis}”，{y_zh}无同一数据系列、同一时点的{zh_side}，与{y_zh}的变化不计算。",
            f"The {en_side} is a '{en_basis}' figure; there is none of the same series and point date for {y_en}, "
            f"so the change on {y_en} is not computed.",
        )

    def _break(self, before, after, year, other, bridge) -> Worded:
        b_zh, a_zh = self.v.definition_name(before, "zh"), self.v.definition_name(after, "zh")
        b_en, a_en = self.v.definition_name(before, "en"), self.v.definition_name(after, "en")
        if bridge:
            return Worded(
                f"bridge:{before}:{after}:{year}:{bridge}",
                f"户籍人口城镇化率自{year}年起由“{b_zh}”改为“{a_zh}”；跨越该断点的变化经{bridge}年（两种口径均有数据）衔接计算。",
                f"From {year} the hukou urbanization rate is on '{a_en}' instead of '{b_en}'; changes across the "
                f"break are bridged through {bridge}, a year measured both ways.",
            )
        return Worded(
            f"break:{before}:{after}:{year}",
            f"户籍人口城镇化率自{year}年起由“{b_zh}”改为“{a_zh}”，两种口径不可比，跨越{year}年的变化（如比2013年）不计算。",
            f"From {year} the hukou urbanization rate is on '{a_en}' instead of '{b_en}'; the two are not comparable, "
            f"so changes across {year} (such as on 2013) are not computed.",
        )

    def _unregistered_break(self, others, current) -> Worded:
        names_zh = "、".join(f"“{self.v.definition_name(o, 'zh')}”" for o in others.split(","))
        names_en = ", ".join(f"'{self.v.definition_name(o, 'en')}'" for o in others.split(","))
        return Worded(
            f"otherdef:{others}:{current}",
            f"户籍人口城镇化率前后年份的口径不同（{names_zh}与“{self.v.definition_name(current, 'zh')}”），变化不计算。",
            f"The hukou urbanization rate of the years compared is on other definitions ({names_en}, against "
            f"'{self.v.definition_name(current, 'en')}'); the change is not computed.",
        )

    def _benchmark(self, year, date) -> Worded:
        return Worded(
            f"benchmark:{date}",
            f"常住人口数据在{self.v.benchmark(date, 'zh')}（{date}）前后口径不同：此前发布的数据未按普查结果修订，"
            "与其后发布的数据之间的变化不计算。",
            f"Resident figures released before {self.v.benchmark(date, 'en')} ({date}) were not revised to the "
            "census; changes between them and figures released after it are not computed.",
        )

    # --- flags of the headline (urbanization.flags)
    def _dates(self) -> Worded:
        return Worded(
            "dates",
            "常住人口城镇化率与户籍人口城镇化率的时点不同（如常住为普查时点11月1日，户籍为年末），两率差距仅供参考。",
            "The two rates refer to different point dates (for example 1 November for a census and the year-end "
            "for the register); their gap is indicative only.",
        )

    def _approx(self) -> Worded:
        return Worded(
            "approx",
            "该数为约数（原文为“左右”），不是精确统计数。",
            "An approximate figure (published as 'about', 左右), not an exact statistic.",
        )

    def _aggregated(self) -> Worded:
        return Worded(
            "aggregated",
            "由全部下级地区的数据加总计算（所有下级地区数据齐全）。",
            "Summed from all the region's subdivisions (every one of them has a figure).",
        )

    def _differs(self) -> Worded:
        return Worded(
            "differs",
            "公布的城镇化率与由人数计算的结果不一致，表中为公布的比率。",
            "The published rate differs from the rate computed from the published counts; the published rate is shown.",
        )


DERIVED = Worded(
    "derived",
    "推算数：城镇人口由总人口乘以公布的城镇化率得到，按其精度取整。",
    "Estimated: the urban population is the total population times the published urbanization rate, rounded "
    "to the precision this allows.",
)
UNWORDED = Worded(
    "unworded",
    "该数据另有可比性限制，见方法说明。",
    "A further comparability restriction applies; see the methodology note.",
)


class TargetPhrases:
    """Reasons and caveats of target_status (reason, notes) in the reader's words."""

    def __init__(self, vocab: Vocab, unknown: list[str]):
        self.v = vocab
        self.unknown = unknown

    def word(self, text: str | None, row: dict) -> list[Worded]:
        out: list[Worded] = []
        rest = text if isinstance(text, str) else ""
        while rest.strip():
            part, rest = self._next(rest)
            w = self._one(part.strip(), row)
            if w is not None and w not in out:
                out.append(w)
        return out

    @staticmethod
    def approximate_base(row: dict, decimals: int = 0) -> Worded:
        return Worded(
            "approxbase",
            "基期数据为约数（原文为“左右”），基期值只精确到整数，不是精确统计数。",
            "The base rests on an approximate statement ('about', 左右): it is known to whole units only, not an "
            "exact statistic.",
        )

    @staticmethod
    def _next(text: str) -> tuple[str, str]:
        if text.strip().startswith("boundaries not harmonised:"):  # a list joined by '; ' itself: the rest
            return text, ""
        head, _, tail = text.partition("; ")
        return head, tail

    def _one(self, part: str, row: dict) -> Worded | None:  # noqa: C901 (one case per phrase of the view)
        if part in ("met", "beyond the target", "short of the target") or part.startswith("projected "):
            return None  # the verdict itself says it
        if part == "the revised base is not in the data":
            return None  # the end of the benchmark caveat (which contains '; '), worded with it
        if part.startswith("no observation of "):
            return Worded("noobs", "无相关数据。", "No figures for this indicator.")
        m = re.match(
            r"^no base value: \S+ (\d{4}) is not available(?: \(and a definition break: ([a-z0-9_]+) applies from (\d{4}).*\))?$",
            part,
        )
        if m:
            y, d, frm = m.groups()
            zh = f"基期（{y}年）无数据"
            en = f"No figure for the base year {y}"
            if d:
                zh += f"；且自{frm}年起采用“{self.v.definition_name(d, 'zh')}”，基期在此之前，口径不可比"
                en += f"; moreover '{self.v.definition_name(d, 'en')}' applies from {frm}, after the base year"
            return Worded(f"nobase:{y}:{d}", zh + "。", en + ".")
        m = re.match(r"^fewer than two points: only (\d{4})$", part)
        if m:
            return Worded(f"onepoint:{m[1]}", f"仅有{m[1]}年一个数据点。", f"Only one point ({m[1]}).")
        m = re.match(r"^no (\d{4}) value: first available year (\d{4}) used as base$", part)
        if m:
            return Worded(
                f"basesub:{m[1]}:{m[2]}",
                f"{m[1]}年无数据，以{m[2]}年为基期。",
                f"No figure for {m[1]}: {m[2]}, the first year with one, is the base.",
            )
        if part.startswith("the base is an approximate statement"):
            return self.approximate_base(row)
        m = re.match(r"^the comparison crosses the benchmark revision of ([0-9-]+)", part)
        if m:
            d = m[1]
            return Worded(
                f"crosses:{d}",
                f"基期数据发布于{self.v.benchmark(d, 'zh')}之前、最新数据发布于其后，比较跨越普查修订，按普查修订的基期数据暂缺。",
                f"The base figure was released before {self.v.benchmark(d, 'en')} and the latest after it: the "
                "comparison crosses the census revision, and a revised base is not available.",
            )
        m = re.match(
            r"^compared across the definition break of (\d{4}) through the bridge year (\d{4}): base moved onto ([a-z0-9_]+) by ([+-][0-9.]+) points$",
            part,
        )
        if m:
            y, b, d, s = m.groups()
            return Worded(
                f"bridged:{y}:{b}",
                f"跨越{y}年的口径断点，经{b}年（两种口径均有数据）衔接：基期值按“{self.v.definition_name(d, 'zh')}”调整{s}个百分点。",
                f"Compared across the definition break of {y} through {b} (measured both ways): the base is moved "
                f"onto '{self.v.definition_name(d, 'en')}' by {s} points.",
            )
        m = re.match(r"^definition break: (.*?)(?: \(does not affect a level verdict\))?$", part)
        if m:
            level = part.endswith("(does not affect a level verdict)")
            return Worded(
                f"defbreak:{level}",
                "期间口径不同（定义断点）" + ("，不影响水平目标的判断。" if level else "，前后不可比。"),
                "The definition changed in the period"
                + ("; this does not affect a level verdict." if level else ": the figures are not comparable."),
            )
        if part.startswith("boundaries not harmonised"):
            return Worded(
                "boundaries",
                "期间行政区划有调整，数据未按同一区划衔接。",
                "Boundaries changed in the period and the figures are not on the same boundaries.",
            )
        self.unknown.append(part)
        return UNWORDED
