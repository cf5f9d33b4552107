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

from hukou_stats.publish.bulletin.tables import Column, Table, display_text

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


def _text(r: dict, c: Column, lang: str = "both"):
    v = display_text(r, c, lang)
    if v and not ALNUM.search(str(v)):
        en = r.get(ENGLISH_BESIDE.get(c.name, ""), "") or r.get("region_code") or r.get("target_id") or ""
        return f"{v} {en}".strip()
    return v


def _gptable(t: Table, lang: str, title: str, notes_ref: str):
    import gptables as gpt

    cols = t.shown
    data = pd.DataFrame(
        {
            header(c, lang): [cell_value(r[c.name]) if c.type != "string" else _text(r, c, lang) for r in t.records()]
            for c in cols
        }
    )
    # text columns: an empty string is "nothing to say" (a note), not a missing figure
    for c in cols:
        if c.type == "string":
            data[header(c, lang)] = data[header(c, lang)].replace({MISSING: "", None: ""})
    formatting = [
        {
            "column": {
                "columns": [header(c, lang) for c in cols if c.type == "string"],
                "format": {"text_wrap": True, "valign": "top"},
            }
        }
    ]
    for j, c in enumerate(cols):
        if c.type == "string":
            continue
        for i, r in enumerate(t.records()):
            v = r[c.name]
            fmt = {"valign": "top"} | ({} if v is None else {"num_format": number_format(v, c)})
            formatting.append({"cell": {"cells": (i + 1, j), "format": fmt}})
    # one line per source (a long single line would run far beyond the table)
    sources = [f"资料来源 Source: {s} ({rel})" if rel else f"资料来源 Source: {s}" for s, rel in t.sources]
    return gpt.GPTable(
        table=data,
        table_name=t.name,
        title=f"{title}{notes_ref}",
        subtitles=[
            f"{MISSING} = 无数据 not available. Figures rounded half-up (四舍五入) to their published precision."
        ]
        + list(t.notes)
        + sources,
        index_columns={2: 0},
        additional_formatting=formatting,
    )


WIDE = {
    "region_code": 9,
    "target_id": 24,
    "verdict_zh": 18,
    "verdict": 16,
    "note": 60,
    "reason": 50,
    "indicator": 28,
    "target": 26,
    "region_name": 24,
}
LINE = 16  # points per line of text (theme font 12)


def visual_width(text: str) -> int:
    """Width in character cells: a CJK character takes two."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def lines(text: str, width: float) -> int:
    return max(sum(max(1, -(-visual_width(part) // max(1, int(width)))) for part in str(text).split("\n")), 1)


def _layout(ws, t: Table, lang: str, header_row: int) -> None:
    """Column widths and row heights set here (LibreOffice does not size rows of wrapped text itself)."""
    widths = [WIDE.get(c.name, 20) if c.type == "string" else 16 for c in t.shown]
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    ws.set_row(header_row, LINE * max(lines(header(c, lang), w) for c, w in zip(t.shown, widths)))
    for i, r in enumerate(t.records(), 1):
        n = max([lines(_text(r, c, lang) or "", w) for c, w in zip(t.shown, widths) if c.type == "string"] or [1])
        if n > 1:
            ws.set_row(header_row + i, LINE * n)


def _notes_layout(ws, notes: list[tuple[str, str]]) -> None:
    """The notes sheet gptables writes: title, instructions, header, then one row per note."""
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 100)
    for i, (_, text) in enumerate(notes):
        ws.set_row(3 + i, LINE * lines(text, 100))
    ws.print_area(0, 0, 2 + len(notes), 1)


COVER_WIDTH = 68


def _cover_layout(ws, rows: list[str]) -> None:
    """Row heights of the cover (title, headings and text, in the order gptables writes them)."""
    for i, text in enumerate(rows):
        scale = 1.6 if i == 0 else 1.0
        ws.set_row(i, LINE * scale * lines(text, COVER_WIDTH / scale) + 4)
    ws.print_area(0, 0, len(rows) - 1, 0)


def _notes_table(notes: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"Note reference": [n for n, _ in notes], "Note text": [t for _, t in notes]})


def write_workbook(
    path: Path,
    tables: list[Table],
    *,
    title: str,
    region_line: str,
    release_line: str,
    notes: list[tuple[str, str]],
    synthetic: bool,
    lang: str,
    created: dt.datetime,
) -> None:
    """Write the workbook to `path` (the caller's temporary folder)."""
    import gptables as gpt

    sheets = {}
    # every note is referenced from a table title (gptables numbers the notes in order of reference)
    refs = {
        "table1_regions": ["definitions", "residuals"],
        "table2_changes": ["changes"],
        "table3_series": ["breaks", "boundaries", "revisions"],
        "table4_hukou_flows": ["flows"],
        "table5_targets": ["targets"],
    }
    have = {n for n, _ in notes}
    for t in tables:
        t_title = t.title_zh if lang == "zh" else t.title_en if lang == "en" else f"{t.title_zh} {t.title_en}"
        ref = "".join(f"$${r}$$" for r in refs.get(t.name, []) if r in have)
        sheets[t.ref] = _gptable(t, lang, t_title, ref)
    notes = [(n, text) for n, text in notes if any(n in refs.get(t.name, []) for t in tables)]
    sources = []
    for t in tables:
        for s, rel in t.sources:
            line = f"{s} ({rel})" if rel else s
            if line not in sources:
                sources.append(line)
    intro = (
        [
            (
                "SYNTHETIC DATA — 合成数据，非官方统计数据。Some figures come from a source labelled SYNTHETIC: "
                "this workbook is not an official statistic."
            )
        ]
        if synthetic
        else []
    ) + [
        region_line,
        release_line,
        "常住人口城镇化率 = 城镇常住人口 ÷ 常住人口 × 100；户籍人口城镇化率 = 城镇户籍人口 ÷ 户籍人口 × 100；"
        "差距 = 常住人口城镇化率 − 户籍人口城镇化率（个百分点）。 Resident rate = urban residents / residents × 100; "
        "hukou rate = urban hukou population / hukou population × 100; gap = resident rate − hukou rate (pp).",
    ]
    about = [
        "Symbols 符号: [x] = 无数据 not available (never shown as 0). 个百分点 = percentage points (pp). "
        "万人 = 10,000 persons.",
        "How to read: one table per sheet (T1–T5), see Contents; notes are referenced as [note n] and listed "
        "on the Notes sheet. Numbers are stored as numbers; the cell format shows the published precision.",
        "Sources 资料来源:",
        *sources,
    ]
    contact = [
        "Produced by hukou-stats from data/processed/hukou.duckdb; machine-readable tables in the CSV "
        "files and datapackage.json beside this workbook."
    ]
    cover_title = ("SYNTHETIC 合成数据 — " if synthetic else "") + title
    cover = gpt.Cover(title=cover_title, intro=intro, about=about, contact=contact, width=COVER_WIDTH)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = gpt.produce_workbook(
            filename=str(path),
            sheets=sheets,
            cover=cover,
            notes_table=_notes_table(notes),
            contentsheet_options={"title": "目录 Contents"},
            notesheet_options={"title": "注释 Notes"},
            auto_width={"Notes": False, **{n: False for n in sheets}},
        )
        wb.set_properties({"title": title, "created": created, "author": "hukou-stats"})
        for ws in wb.worksheets():  # print on A4, one page wide
            ws.set_paper(9)
            ws.fit_to_pages(1, 0)
        by_name = {ws.get_name(): ws for ws in wb.worksheets()}
        _notes_layout(by_name["Notes"], notes)
        _cover_layout(
            by_name["Cover"],
            [cover_title, "Introductory information", *intro, "About these data", *about, "Contact", *contact],
        )
        for t, (name, gt) in zip(tables, sheets.items()):
            ws = by_name[name]
            _layout(ws, t, lang, gt.data_range[0])
            ws.print_area(0, 0, gt.data_range[0] + len(t.frame), len(t.shown) - 1)
            # tables in landscape, the header row repeated and tall enough for Chinese over English
            ws.set_landscape()
            ws.repeat_rows(gt.data_range[0])
        wb.close()
