"""XLSX workbooks as the grid of text their reader sees: numbers with the decimals of their number format,
merged ranges, and formulas whose value was never saved (marked, so they are an error, not a blank)."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path

UNSAVED_FORMULA = "\x00formula without a saved value"


class SheetNotFound(ValueError):
    pass


class NotAWorkbook(ValueError):
    """The file is not an XLSX workbook openpyxl can open."""


def _decimals_of(number_format: str) -> int | None:
    """Decimals shown by an Excel number format such as 0.00, #,##0.0 or 0.00%; None for General."""
    fmt = number_format.split(";")[0]
    if "." not in fmt or fmt == "General":
        return 0 if re.fullmatch(r"[#,0]+", fmt or "") else None
    m = re.match(r"[0#]*", fmt.split(".", 1)[1])
    return len(m.group(0)) if m else 0


def _cell_text(cell) -> str:
    """A cell as the reader of the sheet sees it: numbers with the decimals of their number format."""
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    fmt = cell.number_format or "General"
    d = _decimals_of(fmt)
    if "%" in fmt:
        v = v * 100
    if d is None:
        return str(int(v)) if float(v).is_integer() else format(Decimal(repr(float(v))), "f")
    return f"{v:.{d}f}"


def read_xlsx(path: Path, sheet) -> tuple[list[list[str]], str, list[tuple[int, int, int, int]]]:
    """(rows of cell text from A1, sheet name, merged ranges as 0-based (row0, col0, row1, col1))."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # not read_only: merged cells are only known to a fully loaded sheet (yearbook tables are small)
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
        if isinstance(e, (FileNotFoundError, PermissionError)):
            raise
        raise NotAWorkbook(str(e) or type(e).__name__) from e  # KeyError: a zip without workbook parts
    try:
        names = wb.sheetnames
        if sheet is None:
            ws = wb[names[0]]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise SheetNotFound(f"there is no sheet number {sheet}; sheets: {', '.join(names)}")
            ws = wb[names[sheet]]
        elif sheet in names:
            ws = wb[sheet]
        else:
            raise SheetNotFound(f"no sheet {sheet!r}; sheets: {', '.join(names)}")
        if not hasattr(ws, "merged_cells"):
            raise NotAWorkbook(f"sheet {ws.title!r} is a chart sheet, not a table")
        rows = [
            [_cell_text(c) for c in row]
            for row in ws.iter_rows(min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column)
        ]
        merged = [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges]
        if any(c == "" for r in rows for c in r):
            for r, c in _formulas_without_values(path, ws.title, rows):
                rows[r][c] = UNSAVED_FORMULA
        return rows, ws.title, merged
    finally:
        wb.close()


def _formulas_without_values(path: Path, title: str, rows: list[list[str]]) -> list[tuple[int, int]]:
    """Cells that hold a formula whose value was never saved (a workbook written by a program, not by Excel):
    read as empty, they would silently become "not available"."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found = []
        for i, row in enumerate(wb[title].iter_rows(min_row=1, min_col=1, max_row=len(rows))):
            for j, cell in enumerate(row):
                v = getattr(cell, "value", None)
                if j < len(rows[i]) and rows[i][j] == "" and isinstance(v, str) and v.startswith("="):
                    found.append((i, j))
        return found
    finally:
        wb.close()
