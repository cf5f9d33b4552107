"""The streaming XLSX reader gives the grid a full openpyxl load gives: the same text in every cell (numbers with
the decimals of their format, percentages, dates, booleans, errors, rich and inline text), the same merged ranges,
and formulas without a saved value marked. The workbooks are SYNTHETIC."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from hukou_stats.ingest.xlsx import UNSAVED_FORMULA, SheetNotFound, number_text, read_xlsx
from tests import real_layouts as rl


def oracle(path, sheet):
    """What a full load of the workbook shows (openpyxl, data_only), trailing blanks trimmed; a formula cell
    without a saved value is marked as such."""
    wb = openpyxl.load_workbook(path, data_only=True)
    formulas = openpyxl.load_workbook(path, data_only=False)
    ws = wb[wb.sheetnames[sheet]] if isinstance(sheet, int) else wb[sheet or wb.sheetnames[0]]
    fs = formulas[ws.title]

    def text(c):
        v = c.value
        if v is None:
            f = fs.cell(c.row, c.column).value
            return UNSAVED_FORMULA if isinstance(f, str) and f.startswith("=") else ""
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return str(v)
        return number_text(v, c.number_format or "General")

    rows = [[text(c) for c in r] for r in ws.iter_rows(min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column)]
    merged = sorted((r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges)
    return trimmed(rows), ws.title, merged


def trimmed(rows):
    rows = [list(r) for r in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((max((j + 1 for j, c in enumerate(r) if c), default=0) for r in rows), default=0)
    return [r[:width] + [""] * (width - len(r[:width])) for r in rows]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "mixed.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1 SYNTHETIC"
    ws["A1"] = "表1 各区常住人口（SYNTHETIC）"
    ws.merge_cells("A1:F1")
    ws.append(["地区\nRegion", "2019年", "2020年", "比重", "日期", "备注"])
    formats = ["0.00", "#,##0", "0.0%", "General", "yyyy-mm-dd", "@"]
    values = [
        ["全  市 ", 1530.59, 15305923, 0.8646, 1 / 3, dt.datetime(2020, 11, 1), "  前后空格  "],
        ["荔湾区", 97.0, -12, 1.0, 123456789012, dt.date(2019, 12, 31), "x005F_x000D_ 转义"],
        ["越秀区", 0.005, 0, 0.00049, 1e-7, None, True],
        ["#N/A 行", None, 2.675, 0.5, -0.0, None, False],
    ]
    for r, vals in enumerate(values, start=3):
        ws.cell(r, 1, vals[0])
        for c, (v, fmt) in enumerate(zip(vals[1:], formats), start=2):
            if v is not None:
                cell = ws.cell(r, c, v)
                cell.number_format = fmt
    ws["H3"] = CellRichText([TextBlock(InlineFont(b=True), "粗体"), "普通"])
    ws["H4"] = "=B3+1"  # a formula whose value was never saved
    ws["I12"] = "far"  # a gap of rows and columns
    ws["J20"].number_format = "0.00"  # styled, empty: not part of the used range
    ws.merge_cells("B10:C11")
    second = wb.create_sheet("第二张")
    second.append(["地区", "2021"])
    second.append(["全市", 86.46])
    hidden = wb.create_sheet("hidden")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "hidden"
    wb.save(path)
    return path


@pytest.mark.parametrize("sheet", [None, 0, "第二张", 2])
def test_the_grid_is_what_a_full_load_shows(workbook, sheet):
    rows, title, merged = read_xlsx(workbook, sheet)
    want_rows, want_title, want_merged = oracle(workbook, sheet)
    assert trimmed(rows) == want_rows and title == want_title
    assert sorted(merged) == want_merged


def test_numbers_keep_the_decimals_of_their_format(workbook):
    rows, _, _ = read_xlsx(workbook, None)
    assert rows[2][1:5] == ["1530.59", "15305923", "86.5", "0.3333333333333333"]
    assert rows[2][5] == "2020-11-01 00:00:00" and rows[3][6] == "x005F_x000D_ 转义"
    assert rows[2][6] == "  前后空格  " and rows[1][0] == "地区\nRegion" and rows[2][7] == "粗体普通"
    assert rows[3][7] == UNSAVED_FORMULA and rows[11][8] == "far" and len(rows) == 12


def test_the_real_layouts_read_as_a_full_load_shows(tmp_path):
    rl.write_gz_2_10_xlsx(tmp_path)
    rl.write_zj_census_xlsx(tmp_path)
    for path in tmp_path.glob("*.xlsx"):
        for i in range(len(openpyxl.load_workbook(path, read_only=True).sheetnames)):
            rows, title, merged = read_xlsx(path, i)
            assert (trimmed(rows), title, sorted(merged)) == oracle(path, i), (path.name, i)


def test_a_sheet_that_is_not_there_names_the_sheets(workbook):
    with pytest.raises(SheetNotFound, match="第二张"):
        read_xlsx(workbook, "nope")
    with pytest.raises(SheetNotFound, match="no sheet number 7"):
        read_xlsx(workbook, 7)


def test_a_workbook_with_a_prefixed_namespace_reads_the_same(workbook, tmp_path):
    """Some writers put the sheet XML under a prefix (x:c, x:v): the same cells."""
    out = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(workbook) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                text = data.decode()
                main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                text = text.replace(main, main.replace("xmlns=", "xmlns:x="))
                for tag in ("worksheet", "sheetData", "row", "c", "v", "is", "t", "dimension", "sheetViews",
                            "sheetView", "sheetFormatPr", "pageMargins", "selection"):  # fmt: skip
                    text = text.replace(f"<{tag}", f"<x:{tag}").replace(f"</{tag}>", f"</x:{tag}>")
                data = text.encode()
            dst.writestr(item, data)
    assert read_xlsx(out, 1)[0] == read_xlsx(workbook, 1)[0] == [["地区", "2021"], ["全市", "86.46"]]


def test_a_merge_across_the_header_row_is_spread_not_a_crash(tmp_path):
    """A merged range covering the header row itself, over every column (what fuzzing found)."""
    from hukou_stats.ingest import read_file
    from hukou_stats.reference.registry import load_registry
    from tests.helpers import make_project

    p = make_project(tmp_path / "p")
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in (["地区", "2010"], ["注：测试表，数据为生成的 SYNTHETIC。", None]):
        ws.append(r)
    ws.merge_cells("A1:B1")
    wb.save(p.raw / "m.xlsx")
    (p.raw / "m.toml").write_text(
        'layout = "years"\nregion_column = "地区"\nparent = "440100"\nmeasure = "resident_urban_rate_pct"\n'
        'unit = "pct"\npublished = "2020"\nseries = "first_release"\nsource = "SYNTHETIC"\n',
        encoding="utf-8",
    )
    frame, issues = read_file(p.raw / "m.xlsx", load_registry(p), p.reference, "m.xlsx")
    assert frame.empty and [i.check for i in issues if i.severity == "error"] == ["value_columns"]
