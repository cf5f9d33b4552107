"""Wide tables (regions as rows; years or measures as columns), CSV or XLSX, read through a spec."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from ..errors import Issue, UsageError
from ..regions import Registry
from ..reference import release_date
from .canonical import RowBuilder, empty_frame
from .spec import ColumnSpec, load_spec

YEAR_RE = re.compile(r"^\s*((?:19|20)\d\d)\s*年?\s*$")


class SheetNotFound(ValueError):
    pass


class NotAWorkbook(ValueError):
    """The file is not an XLSX workbook openpyxl can open."""


def _decimals_of(number_format: str) -> int | None:
    """Decimals shown by an Excel number format such as 0.00, #,##0.0 or 0.00%; None for General."""
    fmt = number_format.split(";")[0]
    if "." not in fmt or fmt == "General":
        return 0 if re.fullmatch(r"[#,0]+", fmt or "") else None
    return len(re.match(r"[0#]*", fmt.split(".", 1)[1]).group(0))


def _cell_text(cell) -> str:
    """A cell as the reader of the sheet sees it: numbers with the decimals of their number format."""
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    d = _decimals_of(cell.number_format or "General")
    if d is None:
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    if "%" in (cell.number_format or ""):
        v = v * 100
    return f"{v:.{d}f}"


def _read_xlsx(path: Path, sheet) -> list[list[str]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as e:  # KeyError: a zip without workbook parts
        raise NotAWorkbook(str(e)) from e
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
        return [[_cell_text(c) for c in row] for row in ws.iter_rows()]
    finally:
        wb.close()


def _read_grid(path: Path, sheet) -> pd.DataFrame:
    """All cells as text, rows as in the file (blank and short rows kept, so row numbers are true)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _read_xlsx(path, sheet)
    else:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)


def read_wide(path: Path, spec_path: Path, registry: Registry, reference_dir: Path, label: str):
    spec = load_spec(spec_path)
    try:
        grid = _read_grid(path, spec.sheet)
    except SheetNotFound as e:
        return empty_frame(), [Issue("error", "sheet_exists", f"spec {spec_path.name}: {e}", file=label)]
    if len(grid) < spec.header_row:
        return empty_frame(), [Issue("error", "header_row", f"the file has no row {spec.header_row} for the header", file=label)]
    headers = [str(h).strip() for h in grid.iloc[spec.header_row - 1]]
    if spec.region_column not in headers:
        return empty_frame(), [Issue("error", "region_column", f"header row {spec.header_row} has no column "
                                     f"{spec.region_column!r} (found: {', '.join(h for h in headers if h)})", file=label)]
    region_idx = headers.index(spec.region_column)
    columns: list[tuple[int, ColumnSpec]] = []
    if spec.layout == "years":
        declared = {c.header: c for c in spec.columns}
        for j, h in enumerate(headers):
            if h in declared:
                columns.append((j, declared[h]))
            elif not declared and (m := YEAR_RE.match(h)):
                columns.append((j, ColumnSpec(header=h, year=int(m.group(1)))))
    else:
        for c in spec.columns:
            if c.header not in headers:
                return empty_frame(), [Issue("error", "column_exists", f"spec names column {c.header!r}, "
                                             "which is not in the header row", file=label)]
            columns.append((headers.index(c.header), c))
    if not columns:
        return empty_frame(), [Issue("error", "value_columns", "no value columns found (year headers such as 2019 or 2019年, "
                                     "or the [columns]/[years] of the spec)", file=label)]
    names_on = spec.names_as_of or release_date(spec.published)[0]
    b = RowBuilder(label, reference_dir, registry)
    for i in range(spec.header_row, len(grid)):
        line = i + 1
        cells = grid.iloc[i]
        name = str(cells.iloc[region_idx]).strip()
        if not name:
            continue
        key = re.sub(r"\s+", "", name)
        if key in {re.sub(r"\s+", "", a) for a in spec.aliases}:
            code = next(v for a, v in spec.aliases.items() if re.sub(r"\s+", "", a) == key)
        else:
            try:
                if spec.region_by == "code":
                    code = str(name).split(".")[0].zfill(6)
                    if not re.fullmatch(r"\d{6}(\d{6})?", code):
                        raise UsageError(f"{name!r} is not a region code")
                else:
                    code = registry.resolve(name, on=names_on, parent=spec.parent)
            except UsageError as e:
                b.err(line, spec.region_column, name, "region_known", str(e))
                continue
        for j, col in columns:
            year = col.year if col.year is not None else spec.year
            measure = col.measure or spec.measure
            b.add(row=line, region_code=code, region_name=name, year=year, measure=measure,
                  value_text=cells.iloc[j], unit=col.unit or spec.unit, source=spec.source,
                  published=spec.published, series=spec.series, definition=spec.definition,
                  seen_at=spec.seen_at, note=spec.note,
                  decimals_override=col.decimals if col.decimals is not None else spec.decimals,
                  value_column=col.header, reference_day=spec.reference_date,
                  region_column=spec.region_column)
    return b.result()
