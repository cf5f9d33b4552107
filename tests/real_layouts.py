"""Test fixtures: real published figures (data/raw) written back in the layouts yearbooks really use.

The figures are the real ones of data/raw; only the layout is made here (title rows, bilingual two-line
headers, unit lines, merged cells, footnotes, sub-item rows, full-width digits, thousands separators,
numbers stored as text, traditional characters, GBK encoding), so that what is ingested can be compared
with what was published. A footnote in each table says the layout is a test imitation.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
LAYOUT_NOTE = "注：版式为测试仿制（layout imitated for tests）；数据取自 data/raw 中的公布数。"

# names as a yearbook prints them: inner spaces, an English name after the Chinese, traditional characters
GZ_PRINTED = {
    "全市": "全  市 Whole City",
    "荔湾区": "荔 湾 区 Liwan",
    "越秀区": "越 秀 区",
    "海珠区": "海 珠 区 Haizhu",
    "天河区": "天河區",
    "白云区": "白雲區 Baiyun",
    "黄埔区": "黃埔區",
    "番禺区": "番 禺 区",
    "花都区": "花都区",
    "南沙区": "南沙区 Nansha",
    "从化区": "從化區",
    "增城区": "增 城 区",
}


def _wide(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def published_gz_2_10() -> dict[tuple[str, int], str]:
    """(district name, year) -> the rate as published (text), from data/raw."""
    head, rows = _wide(RAW / "guangzhou" / "yearbook2020_table2-10.csv")
    return {(r[0], int(y)): v for r in rows for y, v in zip(head[1:], r[1:]) if v}


def published_gz_2_7() -> dict[tuple[str, str], str]:
    head, rows = _wide(RAW / "guangzhou" / "yearbook2020_table2-7.csv")
    return {(r[0], m): v for r in rows for m, v in zip(head[1:], r[1:]) if v}


def published_zj_census() -> dict[tuple[str, str], int]:
    """(region code, measure) -> persons: Zhejiang's 7th census by city (2020-11-01), from data/raw."""
    out = {}
    with open(RAW / "zhejiang" / "observations.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if (
                r["year"] == "2020"
                and r["series"] == "census_2020"
                and r["unit"] == "persons"
                and r["measure"] in ("resident_total", "resident_urban")
            ):
                out[(r["region_code"], r["measure"])] = int(r["value"])
    return out


GZ_2_10_SPEC = """# 广州统计年鉴2020 表2-10 as printed (title rows, unit line, two-line bilingual header): all detected
layout = "years"
region_column = "地区"
parent = "440100"
names_as_of = "2019-12-31"
measure = "resident_urban_rate_pct"
published = "2020"
series = "pre_census2020_revision"
seen_at = "reprint"
source = "Guangzhou Statistical Yearbook 2020 (广州统计年鉴2020) table 2-10 主要年份各区常住人口城镇人口比重(2010-2019年)"
[aliases]
"全市" = "440100"
"""


def write_gz_2_10_xlsx(folder: Path) -> Path:
    """表2-10 as an XLSX: merged title, unit line, two-line header (地区 merged down; 2013年 / 2013), names with
    spaces, English and traditional characters, some numbers typed as full-width text, a sub-item row, footnotes."""
    head, rows = _wide(RAW / "guangzhou" / "yearbook2020_table2-10.csv")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2-10"
    n = len(head)
    ws.append(["2-10  主要年份各区常住人口城镇人口比重(2013-2019年)"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.append(["Proportion of Urban Resident Population by District (2013-2019)"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    ws.append([""] * (n - 1) + ["单位：%"])
    ws.append(["地    区"] + [f"{y}年" for y in head[1:]])
    ws.append([None] + [y for y in head[1:]])
    ws.merge_cells(start_row=4, start_column=1, end_row=5, end_column=1)
    ws["A4"].alignment = Alignment(vertical="center")
    for k, r in enumerate(rows):
        name = GZ_PRINTED[r[0]]
        cells = []
        for v in r[1:]:
            if not v:
                cells.append("—")
            elif k % 3 == 0:
                cells.append(v.translate(FULLWIDTH))  # full-width digits, stored as text
            elif k % 3 == 1:
                cells.append(v)  # a number stored as text
            else:
                cells.append(float(v))  # a number, shown with 2 decimals
        ws.append([name] + cells)
        for c in ws[ws.max_row][1:]:
            if isinstance(c.value, float):
                c.number_format = "0.00"
        if r[0] == "天河区":
            ws.append(["  #中心城区"] + ["…"] * (n - 1))  # a sub-item line (not a region), nothing published
    ws.append([LAYOUT_NOTE])
    ws.append(["资料来源：广州市统计局《广州统计年鉴2020》。"])
    path = folder / "gz_2-10.xlsx"
    wb.save(path)
    (folder / "gz_2-10.toml").write_text(GZ_2_10_SPEC, encoding="utf-8")
    return path


GZ_2_7_SPEC = """# 广州统计年鉴2020 表2-7 as a GBK CSV exported from Excel (title, unit line, merged header exported blank)
layout = "measures"
region_column = "地区"
parent = "440100"
names_as_of = "2019-12-31"
year = 2019
published = "2020"
series = "hukou_register"
seen_at = "reprint"
source = "Guangzhou Statistical Yearbook 2020 (广州统计年鉴2020) table 2-7 各区户籍人口迁移状况(2019年)"
[columns]
"迁入人口" = "hukou_in_migration"
"迁出人口" = "hukou_out_migration"
[aliases]
"全市" = "440100"
"""


def write_gz_2_7_csv(folder: Path, encoding: str = "gbk") -> Path:
    """表2-7 as Excel on Chinese Windows saves CSV: GBK, a title line, 单位：人, a merged header cell exported
    as one text and blanks, thousands separators, traditional characters, full-width digits, a footnote."""
    head, rows = _wide(RAW / "guangzhou" / "yearbook2020_table2-7.csv")
    lines = [
        ["2-7  各区户籍人口迁移状况(2019年)", "", ""],
        ["", "", "单位：人"],
        ["地区", "户籍迁移 Migration", ""],
        ["", head[1], head[2]],
    ]
    for k, r in enumerate(rows):
        vals = [f"{int(v):,}" for v in r[1:]]
        if k % 2:
            vals = [v.translate(FULLWIDTH) for v in vals]
        lines.append([GZ_PRINTED[r[0]].replace(" Whole City", ""), *vals])
    lines.append([LAYOUT_NOTE, "", ""])
    path = folder / "gz_2-7.csv"
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(lines)
    (folder / "gz_2-7.toml").write_text(GZ_2_7_SPEC, encoding="utf-8")
    return path


ZJ_CITIES = [
    ("330000", "全省 Zhejiang"),
    ("330100", "杭州市 Hangzhou"),
    ("330200", "宁波市"),
    ("330300", "溫州市"),
    ("330400", "嘉 兴 市"),
    ("330500", "湖州市"),
    ("330600", "紹興市"),
    ("330700", "金华市"),
    ("330800", "衢州市"),
    ("330900", "舟山市"),
    ("331000", "台州市"),
    ("331100", "麗水市"),
]

ZJ_SPEC = """# 浙江省第七次人口普查 常住人口与城镇人口 by city, as an XLSX on its second sheet with merged headers
layout = "measures"
sheet = "表1-2"
region_column = "地区"
parent = "330000"
year = 2020
reference_date = "2020-11-01"
published = "2021-05"
series = "census_2020"
seen_at = "reprint"
source = "浙江省第七次人口普查主要数据 (2021-05), city figures as compiled in leiii/census"
[columns]
"合计" = "resident_total"
"城镇人口" = "resident_urban"
[aliases]
"全省" = "330000"
"""


def write_zj_census_xlsx(folder: Path) -> Path:
    """Zhejiang census by city: a notes sheet first, then the table with a merged three-line header
    (常住人口 over 合计 / 城镇人口 over Total / Urban), #,##0 formats, numbers as text with separators."""
    figures = published_zj_census()
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["本工作簿为测试仿制版式 (layout imitated for tests)"])
    ws = wb.create_sheet("表1-2")
    ws.append(["表1-2  各市常住人口和城镇人口（2020年11月1日零时）"])
    ws.merge_cells("A1:C1")
    ws.append(["", "", "计量单位：人"])
    ws.append(["地区", "常住人口 Resident population", None])
    ws.append([None, "合计", "城镇人口"])
    ws.append([None, "Total", "Urban"])
    ws.merge_cells("A3:A5")
    ws.merge_cells("B3:C3")
    for k, (code, name) in enumerate(ZJ_CITIES):
        total, urban = figures[(code, "resident_total")], figures[(code, "resident_urban")]
        if k % 2:
            ws.append([name, f"{total:,}", f"{urban:,}"])
        else:
            ws.append([name, total, urban])
            for c in ws[ws.max_row][1:]:
                c.number_format = "#,##0"
        if code == "330000":
            ws.append(["其中：市辖区", "…", "…"])
    ws.append([LAYOUT_NOTE])
    path = folder / "zj_census.xlsx"
    wb.save(path)
    (folder / "zj_census.toml").write_text(ZJ_SPEC, encoding="utf-8")
    return path
