"""bulletin.xlsx with gptables (UK Government Statistical Service spreadsheet standard): cover, contents,
notes, one table per sheet. Numbers are written as numbers with their published precision as the cell's
number format; a figure that is not available is the GSS shorthand "[x]" (never 0, never an empty cell).
"""
from __future__ import annotations

import datetime as dt
import re
import warnings
from decimal import Decimal
from pathlib import Path

import pandas as pd

from .tables import Column, Table

MISSING = "[x]"


def header(c: Column, lang: str) -> str:
    return c.zh if lang == "zh" else c.en if lang == "en" else f"{c.zh}\n{c.en}"


def decimals(v: Decimal) -> int:
    exp = v.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def number_format(v, column: Column) -> str:
    if isinstance(v, Decimal):
        d = decimals(v)
        base = "#,##0" if column.unit == "10k persons" else "0"
        return base + ("." + "0" * d if d else "")
    return "#,##0"


def cell_value(v):
    """The value written to the sheet: a number (float/int), text, or the missing symbol."""
    if v is None:
        return MISSING
    if isinstance(v, Decimal):
        return int(v) if decimals(v) == 0 else float(v)
    return v


ALNUM = re.compile(r"[A-Za-z0-9]")
# gptables refuses a cell without any ASCII letter or digit (it takes it for a bare symbol), which every
# Chinese-only text would be: region names and verdicts carry their English beside them (Chinese first).
ENGLISH_BESIDE = {"region_name": "region_name_en", "verdict_zh": "verdict"}


def _text(r: dict, c: Column):
    v = r[c.name]
    if v and not ALNUM.search(str(v)):
        en = r.get(ENGLISH_BESIDE.get(c.name, ""), "") or r.get("region_code") or r.get("target_id") or ""
        return f"{v} {en}".strip()
    return v


def _gptable(t: Table, lang: str, title: str, notes_ref: str):
    import gptables as gpt
    cols = t.shown
    data = pd.DataFrame({header(c, lang): [cell_value(r[c.name]) if c.type != "string" else _text(r, c)
                                           for r in t.records()] for c in cols})
    # text columns: an empty string is "nothing to say" (a note), not a missing figure
    for c in cols:
        if c.type == "string":
            data[header(c, lang)] = data[header(c, lang)].replace({MISSING: "", None: ""})
    formatting = []
    for j, c in enumerate(cols):
        if c.type == "string":
            continue
        for i, r in enumerate(t.records()):
            v = r[c.name]
            if v is not None:
                formatting.append({"cell": {"cells": (i + 1, j), "format": {"num_format": number_format(v, c)}}})
    source = "; ".join(f"{s} ({rel})" if rel else s for s, rel in t.sources) or None
    index_columns = {2: 0} if t.key != "year" else {2: 0}
    return gpt.GPTable(
        table=data, table_name=t.name, title=f"{title}{notes_ref}",
        subtitles=[f"{MISSING} = 无数据 not available. Figures rounded half-up (四舍五入) to their published precision."]
        + list(t.notes),
        source=(f"资料来源 Source: {source}" if source else None), index_columns=index_columns,
        additional_formatting=formatting)


def _notes_table(notes: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"Note reference": [n for n, _ in notes], "Note text": [t for _, t in notes]})


def write_workbook(path: Path, tables: list[Table], *, title: str, region_line: str, release_line: str,
                   notes: list[tuple[str, str]], synthetic: bool, lang: str, created: dt.datetime) -> None:
    """Write the workbook to `path` (the caller's temporary folder)."""
    import gptables as gpt
    sheets = {}
    refs = {"table1_regions": "$$definitions$$", "table2_changes": "$$changes$$", "table3_series": "$$breaks$$",
            "table4_hukou_flows": "$$flows$$", "table5_targets": "$$targets$$"}
    have = {n for n, _ in notes}
    for t in tables:
        t_title = t.title_zh if lang == "zh" else t.title_en if lang == "en" else f"{t.title_zh} {t.title_en}"
        ref = refs.get(t.name, "")
        sheets[t.ref] = _gptable(t, lang, t_title, ref if ref.strip("$") in have else "")
    sources = []
    for t in tables:
        for s, rel in t.sources:
            line = f"{s} ({rel})" if rel else s
            if line not in sources:
                sources.append(line)
    intro = ([("SYNTHETIC DATA — 合成数据，非官方统计数据。Some figures come from a source labelled SYNTHETIC: "
               "this workbook is not an official statistic.")] if synthetic else []) + [
        region_line, release_line,
        "常住人口城镇化率 = 城镇常住人口 ÷ 常住人口 × 100；户籍人口城镇化率 = 城镇户籍人口 ÷ 户籍人口 × 100；"
        "差距 = 常住人口城镇化率 − 户籍人口城镇化率（个百分点）。 Resident rate = urban residents / residents × 100; "
        "hukou rate = urban hukou population / hukou population × 100; gap = resident rate − hukou rate (pp)."]
    about = [
        "Symbols 符号: [x] = 无数据 not available (never shown as 0). 个百分点 = percentage points (pp). "
        "万人 = 10,000 persons.",
        "How to read: one table per sheet (T1–T5), see Contents; notes are referenced as [note n] and listed "
        "on the Notes sheet. Numbers are stored as numbers; the cell format shows the published precision.",
        "Sources 资料来源: " + " | ".join(sources),
    ]
    cover = gpt.Cover(title=("SYNTHETIC 合成数据 — " if synthetic else "") + title, intro=intro, about=about,
                      contact=["Produced by hukou-stats from data/processed/hukou.duckdb; machine-readable "
                               "tables in the CSV files and datapackage.json beside this workbook."])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = gpt.produce_workbook(
            filename=str(path), sheets=sheets, cover=cover, notes_table=_notes_table(notes),
            contentsheet_options={"title": "目录 Contents"},
            notesheet_options={"title": "注释 Notes"})
        wb.set_properties({"title": title, "created": created, "author": "hukou-stats"})
        wb.close()
