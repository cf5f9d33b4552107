"""Bulletin tables T1-T5 as DataFrames of output-ready values: the one source of truth for every format.

Numbers are `Decimal` already rounded half-up to their published precision (figures.py), so that the decimals
a figure carries are its exponent; counts of persons are `int`. A figure that is not available is `None` (shown
[x]); one that does not apply is `NA` (shown [z]); never 0, never an empty cell. A row without any figure is
left out and a note says so. Each table lists its columns with Chinese and English headers, type, unit and
description (columns.py), which every writer reads; reasons and caveats are numbered notes (publish.notes)
referred to from the title, a row or a column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hukou_stats.core.vocabulary import BASE_YEAR
from hukou_stats.publish.bulletin.columns import T1_COLUMNS, T2_COLUMNS, T3_COLUMNS, T4_COLUMNS, T5_COLUMNS
from hukou_stats.publish.bulletin.figures import none
from hukou_stats.publish.notes import NoteBook, Worded
from hukou_stats.publish.table import NA, Column, Table
from hukou_stats.publish.wording import (
    DERIVED,
    Phrases,
    TargetPhrases,
    Vocab,
    as_date,
    is_year_end,
    join_en,
    join_zh,
    point_en,
    point_zh,
    years_en,
    years_zh,
)


def _frame(rows: list[dict], columns: list[Column], row_notes: dict[str, list[int]], key: str) -> pd.DataFrame:
    """Object columns, so that Decimal, int, str, None and NA stay as they are (no NaN, no float)."""

    def value(r, c):
        if c.name == "notes":
            return "; ".join(f"note {n}" for n in row_notes.get(str(r[key]), []))
        v = r.get(c.name)
        if c.type == "string":
            return "" if v is None or v is NA else str(v)
        return v if v is NA else none(v)

    return pd.DataFrame(
        {c.name: pd.Series([value(r, c) for r in rows], dtype=object) for c in columns},
        columns=[c.name for c in columns],
    )


def _sources(rows: list[dict]) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for r in rows:
        keys = [(r.get(f"{k}_source"), r.get(f"{k}_release")) for k in ("resident", "hukou")]
        for key in keys + r.get("_count_sources", []):
            if key[0] and key not in seen:
                seen.append(key)
    return seen


@dataclass
class Builder:
    """Builds the tables of one bulletin, numbering the notes as they are first referred to."""

    vocab: Vocab
    book: NoteBook
    year: int
    phrases: Phrases = field(init=False)
    targets: TargetPhrases = field(init=False)

    def __post_init__(self):
        self.phrases = Phrases(self.vocab)
        self.targets = TargetPhrases(self.vocab, self.phrases.unknown)

    # --- notes shared by several tables
    def row_reasons(self, r: dict, changes: bool) -> list[Worded]:
        """The notes of a row: its flags, derived counts and totals of another series, or (T2) why a change is
        not given."""
        if changes:
            return self.phrases.merge(self.phrases.word(r.get("comparability")))
        out = [w for w in self.phrases.word(r.get("flags")) if w is not DERIVED]
        if r.get("resident_urban_derived") or r.get("hukou_urban_derived"):
            out.append(DERIVED)
        for side in ("resident", "hukou"):
            if r.get(f"{side}_total_series"):
                out.append(self.phrases.other_series(side, r[f"{side}_total_series"], r[f"{side}_series"]))
        return out

    def point_of(self, r: dict, lang: str) -> str:
        dates = {d for d in (r.get("resident_reference_date"), r.get("hukou_reference_date")) if d}
        if not dates:
            return ""
        if len(dates) == 1:
            d = next(iter(dates))
            return point_zh(d, with_year=False) if lang == "zh" else "year-end" if is_year_end(d) else point_en(d)
        res, huk = r["resident_reference_date"], r["hukou_reference_date"]
        if lang == "zh":
            return f"常住{point_zh(res, False)}，户籍{point_zh(huk, False)}"
        return f"resident {'year-end' if is_year_end(res) else point_en(res)}, hukou {'year-end' if is_year_end(huk) else point_en(huk)}"

    # --- T1
    def regions(self, rows: list[dict], missing: list[tuple[str, str, str]], extra: list[Worded]) -> Table:
        dates = {r.get(f"{s}_reference_date") for r in rows for s in ("resident", "hukou")} - {"", None}
        one = next(iter(dates)) if len(dates) == 1 else None
        for r in rows:
            r["point"], r["point_en"] = self.point_of(r, "zh"), self.point_of(r, "en")
        cols = [c if c.name != "point" else Column(**{**c.__dict__, "shown": one is None}) for c in T1_COLUMNS]
        if one is None:
            title_zh, title_en = (
                f"{self.year}年各地区常住人口、户籍人口和城镇化率",
                f"Population and urbanization rates by region, {self.year}",
            )
        elif is_year_end(one):
            title_zh, title_en = (
                f"{self.year}年末各地区常住人口、户籍人口和城镇化率",
                f"Population and urbanization rates by region, end-{self.year}",
            )
        else:
            title_zh = f"{self.year}年各地区常住人口、户籍人口和城镇化率（{point_zh(one, False)}）"
            title_en = f"Population and urbanization rates by region, {point_en(one)}"
        t = Table("table1_regions", "T1", title_zh, title_en, cols, pd.DataFrame(), _sources(rows))
        t.notes = self.book.refs([DEFINITIONS, *([missing_note(missing, self.year)] if missing else []), *extra])
        for r in rows:
            t.row_notes[r["region_code"]] = self.book.refs(self.row_reasons(r, changes=False))
        t.frame = _frame(rows, cols, t.row_notes, "region_code")
        return t

    # --- T2
    def changes(self, rows: list[dict]) -> Table | None:
        value_cols = [c.name for c in T2_COLUMNS if c.type != "string"]
        for r in rows:
            if r["year"] == BASE_YEAR:  # changes on the base year do not apply to the base year itself
                for s in ("resident", "hukou", "gap"):
                    r[f"{s}_change_{BASE_YEAR}_pp"] = NA
        kept = [r for r in rows if any(r.get(c) is not None and r.get(c) is not NA for c in value_cols)]
        if not kept:
            return None
        t = Table(
            "table2_changes",
            "T2",
            f"{self.year}年各地区人口和城镇化率比上年、比{BASE_YEAR}年变化",
            f"Changes on the previous year and on {BASE_YEAR}, by region, {self.year}",
            T2_COLUMNS,
            pd.DataFrame(),
            _sources(kept),
        )
        left = [r for r in rows if r not in kept]
        names = [r["region_name"] for r in left]
        names_en = [r["region_name_en"] or r["region_name"] for r in left]
        nochange = Worded(
            f"nochange:{self.year}:{len(left)}",
            f"{join_zh(names)}无可比的上年或{BASE_YEAR}年数据，本表从略。",
            f"{join_en(names_en)}: no comparable figure for the previous year or {BASE_YEAR}; left out of this table.",
        )
        t.notes = self.book.refs([CHANGES, *([nochange] if left else [])])
        for r in kept:
            t.row_notes[r["region_code"]] = self.book.refs(self.row_reasons(r, changes=True))
        t.frame = _frame(kept, T2_COLUMNS, t.row_notes, "region_code")
        return t

    # --- T3
    def series(self, rows: list[dict], missing: list[int], extra: list[Worded]) -> Table:
        years_with_two = {r["year"] for r in rows if r.get("year_end_only")}
        for r in rows:
            self._period(r, years_with_two)
            r["resident_basis"] = (
                self.vocab.basis(r.get("resident_series"), None, "zh") if r.get("resident_series") else ""
            )
            r["resident_basis_en"] = (
                self.vocab.basis(r.get("resident_series"), None, "en") if r.get("resident_series") else ""
            )
            hs, hd = r.get("hukou_series"), r.get("hukou_definition") or None
            r["hukou_basis"] = self.vocab.basis(hs, hd, "zh") if hs else ""
            r["hukou_basis_en"] = self.vocab.basis(hs, hd, "en") if hs else ""
            for s in ("resident", "hukou"):
                if not r.get(f"{s}_series"):
                    r[f"{s}_basis"] = r[f"{s}_basis_en"] = ""  # [z]: no figure, no basis
        t = Table(
            "table3_series",
            "T3",
            f"{BASE_YEAR}—{self.year}年常住人口、户籍人口和城镇化率",
            f"Population and urbanization rates, {BASE_YEAR} to {self.year}",
            T3_COLUMNS,
            pd.DataFrame(),
            _sources(rows),
            key="period",
            label="period_label",
        )
        gaps = Worded(
            f"missingyears:{','.join(map(str, missing))}",
            f"{years_zh(missing)}无数据，本表从略（图中折线在此断开）。",
            f"No figures for {years_en(missing)}: left out of this table (the chart's lines break there).",
        )
        t.notes = self.book.refs([SERIES, *([gaps] if missing else []), *extra])
        for r in rows:
            t.row_notes[r["period"]] = self.book.refs(self.row_reasons(r, changes=False))
        t.frame = _frame(rows, T3_COLUMNS, t.row_notes, "period")
        return t

    @staticmethod
    def _period(r: dict, years_with_two: set[int]) -> None:
        y = r["year"]
        if r["period"] == str(y):
            two = y in years_with_two
            r["period_label"] = f"{y}（年末）" if two else str(y)
            r["period_label_en"] = f"{y} (year-end)" if two else str(y)
        else:
            d = as_date(r["period"])
            r["period_label"] = f"{y}（{point_zh(d, False)}）"
            r["period_label_en"] = f"{y} ({point_en(d).rsplit(' ', 1)[0]})"

    # --- T4
    def flows(self, rows: list[dict]) -> Table | None:
        if not rows:
            return None
        sources: list[tuple[str, str]] = []
        for r in rows:
            sources += [p for p in r.get("flows_sources", []) if p not in sources]
        t = Table(
            "table4_hukou_flows",
            "T4",
            f"{self.year}年户籍人口变动情况",
            f"Hukou births, deaths and migration, {self.year}",
            T4_COLUMNS,
            pd.DataFrame(),
            sources,
        )
        t.notes = [self.book.ref(FLOWS)]
        t.column_notes["residual"] = [self.book.ref(BALANCE)]
        for r in rows:
            if r.get("residual") is not None and r.get("rounding_band") is not None:
                t.row_notes[r["region_code"]] = [self.book.ref(residual_note(r))]
        t.frame = _frame(rows, T4_COLUMNS, t.row_notes, "region_code")
        return t

    # --- T5
    def target_table(self, rows: list[dict], keep_empty: bool = False) -> Table | None:
        """T5; a target without any figure is left out and a note names it (kept, with its verdict, in the
        evaluation report: `keep_empty`)."""
        kept = [r for r in rows if keep_empty or r["latest_value"] is not None or r["base_value"] is not None]
        if not kept:
            return None
        t = Table(
            "table5_targets",
            "T5",
            f"规划目标完成情况（截至{self.year}年数据）",
            f"Plan targets: status with figures up to {self.year}",
            T5_COLUMNS,
            pd.DataFrame(),
            [],
            key="target_id",
            label="target",
        )
        for r in kept:  # caveats are in the verdict cell, in words
            if (r["source_document"], "") not in t.sources:
                t.sources.append((r["source_document"], ""))
        left = [r for r in rows if r not in kept]
        without = Worded(
            "targets_without_data:" + ",".join(r["target_id"] for r in left),
            f"另有{len(left)}项目标因无相关数据无法评估，本表从略：" + "；".join(r["target"] for r in left) + "。",
            f"{len(left)} more target(s) cannot be assessed for want of any figure and are left out: "
            + "; ".join(r["target_en"] for r in left)
            + ".",
        )
        t.notes = self.book.refs([TARGETS, *([without] if left else [])])
        t.frame = _frame(kept, T5_COLUMNS, t.row_notes, "target_id")
        return t


DEFINITIONS = Worded(
    "definitions",
    "常住人口城镇化率＝城镇常住人口÷常住人口×100（城镇按国家统计局《统计上划分城乡的规定》划分）；户籍人口城镇化率＝城镇户籍人口"
    "÷户籍人口×100（公安部门户籍登记）；两率差距＝常住人口城镇化率－户籍人口城镇化率，单位为个百分点。比率由加总的人数计算，"
    "不对比率求平均；数据按公布精度四舍五入。",
    "Resident urbanization rate = urban resident population / resident population × 100 (urban as classified by "
    "the National Bureau of Statistics); hukou urbanization rate = urban hukou population / hukou population × 100 "
    "(public-security household register); gap = resident rate − hukou rate, in percentage points. Rates come from "
    "summed counts, never averaged; figures are rounded half-up to their published precision.",
)
CHANGES = Worded(
    "changes",
    "变化只在同一数据系列、同一口径、同一时点的数据之间计算；跨越口径断点或人口普查修订的变化不计算，原因见各行注释。",
    "Changes are computed only between figures of the same series, definition and point date; changes across a "
    "definition break or the census revision are not computed, and the row's note says why.",
)
SERIES = Worded(
    "series",
    "每年列出按数据系列优先顺序选定的数据（普查修订数优先于初步公布数）；折线图中不同系列、口径或时点之间不连线。",
    "Each year shows the figures of the series that comes first in the documented order (census-revised before "
    "first release); the chart does not join points of different series, definitions or point dates.",
)
FLOWS = Worded(
    "flows",
    "户籍人口变动来自公安部门户籍登记；以万人公布的人数换算为人。",
    "Hukou flows come from the public-security household register; figures published in 万人 are shown in persons.",
)
BALANCE = Worded(
    "balance",
    "户籍人口平衡关系：年末户籍人口增减＝出生－死亡＋迁入－迁出＋其他变动。其他变动（差额）包括恢复户口、注销户口、"
    "更正等登记变动，以及以万人公布的数据的舍入误差；仅在四项变动和上年末、本年末户籍人口都有数据时计算。",
    "Hukou balancing: change of the year-end hukou population = births − deaths + in-migration − out-migration + "
    "other changes. Other changes (the residual) are registrations restored or cancelled and corrections, plus the "
    "rounding of figures published in 万人; computed only where the four flows and both year-end stocks exist.",
)
TARGETS = Worded(
    "targets",
    "目标年份已有数据者为最终评估（与目标比较）；否则为中期评估（按目前进度推算）。“左右”的目标按所注容差判断。",
    "Final assessment where the target year has data (compared with the target); otherwise interim (projected "
    "from the progress so far). Targets stated as 'about' (左右) are judged within the tolerance given.",
)


def residual_note(r: dict) -> Worded:
    res, band = r["residual"], r["rounding_band"]
    within = abs(res) <= band
    zh = (
        f"{r['region_name']}：出生－死亡＋迁入－迁出为{r['flow_balance']:,}人，年末户籍人口增加{r['stock_change']:,}人，"
        f"差额{res:,}人；公布数据的舍入误差可达±{band:,}人，"
        + ("差额在舍入误差范围内。" if within else "差额超出舍入误差，为其他登记变动。")
    )
    en = (
        f"{r['region_name_en'] or r['region_name']}: births − deaths + in − out = {r['flow_balance']:,} persons, the "
        f"year-end hukou population changed by {r['stock_change']:,}, a residual of {res:,}; rounding of the published "
        f"figures allows ±{band:,}, "
        + ("so the residual is within rounding." if within else "so the residual is other register changes.")
    )
    return Worded(f"residual:{r['region_code']}", zh, en)


def missing_note(missing: list[tuple[str, str, str]], year: int) -> Worded:
    names = [n or c for c, n, _ in missing]
    names_en = [e or n or c for c, n, e in missing]
    return Worded(
        f"missing:{year}:{len(missing)}",
        f"{join_zh(names)}暂无{year}年数据，本表从略。",
        f"No {year} figures yet for {join_en(names_en)}: left out of this table.",
    )
