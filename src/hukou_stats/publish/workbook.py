"""bulletin.xlsx with gptables (UK Government Statistical Service spreadsheet standard): cover (with the
publisher, contact and release date), contents, notes ("note 1" ... explained once, referred to as [note 1]
after a title, a row heading or a column heading), one table per sheet.

Numbers are written as numbers with their published precision as the cell's number format, right-aligned even
in a column that also holds a symbol; [x] = not available, [z] = not applicable (never 0, never an empty cell).

Text is text. The workbook is opened with XlsxWriter's strings_to_formulas, strings_to_urls and
strings_to_numbers off, so that no string from the data becomes a formula, a hyperlink or a number; and every
string handed to gptables goes through `escape`, which keeps gptables from reading a Markdown link `[text](url)`
or a note reference `$$ref$$` in it (a word joiner, U+2060, invisible, goes between the characters that would
form them).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from decimal import Decimal
from pathlib import Path

import pandas as pd

from hukou_stats.publish.notes import Note, markers
from hukou_stats.publish.table import Column, Table, symbol

JOINER = "\u2060"
ALNUM = re.compile(r"[A-Za-z0-9]")
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def escape(text) -> str:
    """A string for gptables: `](` and `$$` broken by an invisible word joiner (no link, no note reference)."""
    s = str(text)
    return s.replace("](", f"]{JOINER}(").replace("$$", f"${JOINER}$").replace("$$", f"${JOINER}$")


def decimals(v: Decimal) -> int:
    exp = v.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def number_format(v, column: Column) -> str:
    """The published precision as a number format: 1,881.06 (万人), 86.46 (%), 2021 (a year), 117,960 (persons)."""
    if column.type == "integer" and column.unit != "persons":
        return "0"
    base = "#,##0" if column.unit in ("10k persons", "persons") else "0"
    if isinstance(v, Decimal) and decimals(v):
        return base + "." + "0" * decimals(v)
    return base


def cell_value(v):
    """The value written to the sheet: a number (float/int), or the symbol."""
    s = symbol(v)
    if s:
        return s
    if isinstance(v, Decimal):
        return int(v) if decimals(v) == 0 else float(v)
    return v


def text_column(t: Table, c: Column, lang: str) -> list[str]:
    """The cells of a text column. gptables refuses a cell without a Latin letter or digit, which a Chinese-only
    text would be, so a Chinese-only workbook gives such a column its English beside the Chinese (the whole
    column, so that its cells read alike)."""
    records = t.records()
    cells = [t.text(r, c, lang) for r in records]
    if lang == "zh" and not all(ALNUM.search(v) for v in cells):
        cells = [t.text(r, c, "both") for r in records]
    return [escape(v if ALNUM.search(v) else f"{v} ({r.get(t.key)})") for v, r in zip(cells, records)]


WIDE = {
    "region_name": 24,
    "target": 30,
    "verdict": 50,
    "period_label": 18,
    "resident_basis": 22,
    "hukou_basis": 28,
    "point": 18,
}
LINE = 15.5  # points per line of text (theme font 12 at LibreOffice's line height)
FONT = 1.0  # column-width units per character cell at the theme font (measured on the LibreOffice PDF)
BOLD = 1.2  # the same for the bold headings


def visual_width(text: str) -> int:
    """Width in character cells: a CJK character takes two."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def lines(text: str, width: float) -> int:
    """Lines a text takes, wrapped, in a column `width` units wide (a little pessimistic, never too short)."""
    w = max(1.0, (width - 1) / FONT)
    return max(sum(max(1, -(-visual_width(part) // int(w))) for part in str(text).split("\n")), 1)


def widths(t: Table, lang: str) -> list[int]:
    """Column widths: text columns by their kind; number columns all alike, wide enough for the longest word
    of their headings (a heading wraps between words, never inside one)."""
    words = [
        visual_width(w) for c in t.shown if c.type != "string" for p in c.header(lang).split("\n") for w in p.split()
    ]
    number = int(min(22, max(12, max(words, default=8) * BOLD + 2)))
    return [
        WIDE.get(c.name, 12) + (8 if lang == "both" and c.name in WIDE else 0) if c.type == "string" else number
        for c in t.shown
    ]


def _gptable(t: Table, lang: str, notes: dict[int, Note], legend: str):
    import gptables as gpt

    cols = t.shown
    records = t.records()
    data = pd.DataFrame(
        {
            escape(t.head(c, lang)): text_column(t, c, lang)
            if c.type == "string"
            else [cell_value(r[c.name]) for r in records]
            for c in cols
        }
    )
    text_cols = [escape(t.head(c, lang)) for c in cols if c.type == "string"]
    formatting: list[dict] = [
        {"column": {"columns": text_cols[:1], "format": {"text_wrap": True, "valign": "top"}}},
        # text after a number column starts a little in from it (a gap between 0.69 and 超额实现)
        {"column": {"columns": text_cols[1:], "format": {"text_wrap": True, "valign": "top", "indent": 1}}},
        # a number column's heading is right-aligned like its figures, even when the column holds only symbols
        {
            "column": {
                "columns": [escape(t.head(c, lang)) for c in cols if c.type != "string"],
                "format": {"align": "right"},
                "include_names": True,
            }
        },
    ]
    for j, c in enumerate(cols):
        if c.type == "string":
            continue
        for i, r in enumerate(records):
            v = r[c.name]
            fmt = {"valign": "top", "align": "right"} | ({} if symbol(v) else {"num_format": number_format(v, c)})
            formatting.append({"cell": {"cells": (i + 1, j), "format": fmt}})
    src_label = {"zh": "资料来源：", "en": "Source: "}.get(lang, "资料来源 Source: ")
    sources = [escape(f"{src_label}{s} ({rel})" if rel else f"{src_label}{s}") for s, rel in t.sources]
    title = t.title(lang) + (f" {markers(t.notes, lang)}" if t.notes else "")
    note_refs = {"zh": "本表注释见“注释”工作表：", "en": "Notes on the Notes sheet: "}.get(
        lang, "注释 Notes (Notes sheet): "
    )
    refs = [escape(note_refs + " ".join(markers([n], lang) for n in t.all_notes()))] if t.all_notes() else []
    return gpt.GPTable(
        table=data,
        table_name=t.name,
        title=escape(title),
        subtitles=[escape(legend), *refs, *sources],
        index_columns={2: 0},
        additional_formatting=formatting,
    )


def _notes_gptable(notes: list[Note], lang: str):
    import gptables as gpt

    head_n = {"zh": "注释编号", "en": "Note number"}.get(lang, "注释编号 Note number")
    head_t = {"zh": "注释", "en": "Note text"}.get(lang, "注释 Note text")
    texts = [n.text(lang) if ALNUM.search(n.text(lang)) else n.text("both") for n in notes]
    data = pd.DataFrame({head_n: [f"note {n.number}" for n in notes], head_t: [escape(x) for x in texts]})
    top = {"text_wrap": True, "valign": "top"}
    return gpt.GPTable(
        table=data,
        table_name="notes_table",
        title=escape("Notes" if lang == "en" else "注释 Notes"),  # a Latin letter: gptables lists it in Contents
        instructions=escape(
            {"zh": "本工作表有一个表。", "en": "This worksheet contains one table."}.get(
                lang, "本工作表有一个表。 This worksheet contains one table."
            )
        ),
        index_columns={2: 0},
        additional_formatting=[{"column": {"columns": [head_n, head_t], "format": top}}],
    )


def _layout(wb, ws, t: Table, gt, lang: str) -> None:
    """Column widths and row heights (LibreOffice does not size rows of wrapped text itself); the title and the
    lines above the table wrapped across its width."""
    header_row = gt.data_range[0]
    ws_widths = widths(t, lang)
    for j, w in enumerate(ws_widths):
        ws.set_column(j, j, w)
    ws.set_row(header_row, LINE * max(lines(t.head(c, lang), w) for c, w in zip(t.shown, ws_widths)) + 4)
    columns = [(text_column(t, c, lang), w) for c, w in zip(t.shown, ws_widths) if c.type == "string"]
    for i in range(len(t.frame)):
        n = max([lines(cells[i], w) for cells, w in columns] or [1])
        ws.set_row(header_row + i + 1, LINE * n + 3)
    total, last = sum(ws_widths), len(ws_widths) - 1
    for row, text in enumerate([gt.title, *gt.subtitles]):
        bold = row == 0
        fmt = wb.add_format({"text_wrap": True, "valign": "top", "bold": bold, "font_size": 14 if bold else 12})
        if last > 0:
            ws.merge_range(row, 0, row, last, text, fmt)
        height = (LINE * 1.25 if bold else LINE) * lines(text, total / (1.2 if bold else 1.0)) + 2
        ws.set_row(row, height)


def _text_rows(ws, texts: list[str], width: float, first: int = 0) -> None:
    for i, text in enumerate(texts):
        ws.set_row(first + i, LINE * lines(text, width) + 4)


COVER_WIDTH = 68
NOTES_WIDTH = 90


def write_workbook(
    path: Path,
    tables: list[Table],
    *,
    title: str,
    intro: list[str],
    about: list[str],
    contact: list[str],
    notes: list[Note],
    legend: str,
    lang: str,
    created: dt.datetime,
) -> None:
    """Write the workbook to `path` (the caller's temporary folder)."""
    import gptables as gpt

    by_number = {n.number: n for n in notes}
    sheets = {"Notes": _notes_gptable(notes, lang)} if notes else {}
    for t in tables:
        sheets[t.ref] = _gptable(t, lang, by_number, legend)
    cover = gpt.Cover(
        title=escape(title),
        intro=[escape(x) for x in intro],
        about=[escape(x) for x in about],
        contact=[escape(x) for x in contact],
        width=COVER_WIDTH,
    )
    contents_title = {"zh": "目录", "en": "Contents"}.get(lang, "目录 Contents")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = gpt.produce_workbook(
            filename=str(path),
            sheets=sheets,
            cover=cover,
            contentsheet_options={"title": escape(contents_title)},
            auto_width={name: False for name in sheets} | {"Contents": False},
            workbook_options=WORKBOOK_OPTIONS,
        )
        wb.set_properties({"title": title, "created": created, "author": contact[0] if contact else "", "comments": ""})
        by_name = {ws.get_name(): ws for ws in wb.worksheets()}
        for ws in wb.worksheets():  # print on A4, one page wide
            ws.set_paper(9)
            ws.fit_to_pages(1, 0)
        _text_rows(
            by_name["Cover"],
            [title, "Introductory information", *intro, "About these data", *about, "Contact", *contact],
            COVER_WIDTH,
        )
        by_name["Cover"].set_row(0, LINE * 1.5 * lines(title, COVER_WIDTH / 1.5) + 6)
        _contents_layout(wb, by_name["Contents"], sheets, tables, lang)
        if notes:
            ws = by_name["Notes"]
            ws.set_column(0, 0, 14)
            ws.set_column(1, 1, NOTES_WIDTH)
            _text_rows(ws, [n.text(lang) for n in notes], NOTES_WIDTH, first=sheets["Notes"].data_range[0] + 1)
        for t in tables:
            ws, gt = by_name[t.ref], sheets[t.ref]
            _layout(wb, ws, t, gt, lang)
            ws.print_area(0, 0, gt.data_range[0] + len(t.frame), len(t.shown) - 1)
            ws.set_landscape()  # tables in landscape, the header row repeated on each page
            ws.repeat_rows(gt.data_range[0])
        wb.close()


def _contents_layout(wb, ws, sheets: dict, tables: list[Table], lang: str) -> None:
    """Contents: the table titles without note markers, wrapped in a column wide enough to read them."""
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 90)
    fmt = wb.add_format({"text_wrap": True, "valign": "top", "font_size": 12})
    link = wb.add_format({"valign": "top", "font_size": 12, "underline": 1, "font_color": "blue"})
    titles = {t.ref: t.title(lang) for t in tables} | {"Notes": {"zh": "注释", "en": "Notes"}.get(lang, "注释 Notes")}
    for i, name in enumerate(sheets, 1):
        row = 2 + i  # title, instructions, header, then one row per sheet
        text = titles.get(name, name)
        ws.write_url(row, 0, f"internal:'{name}'!A1", link, string=name)
        ws.write_string(row, 1, escape(text), fmt)
        ws.set_row(row, LINE * lines(text, 90) + 4)
