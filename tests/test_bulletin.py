"""The bulletin on the bundled real data: every figure a region has, the tables, the numbered notes, the targets
row, the workbook's GSS layout, the data package, languages and formats, the all-or-nothing folder swap, the
second run that rewrites nothing, and the SYNTHETIC mark. (LibreOffice and Chromium: test_bulletin_render.py;
the text: test_bulletin_text.py; escaping: test_bulletin_escaping.py; golden copies: test_golden.py.)"""

import csv
import json
import re
from decimal import Decimal

import openpyxl
import pytest

from hukou_stats.core.config import ConfigInvalid
from hukou_stats.core.errors import InputOutputError, UsageError
from hukou_stats.core.numbers import round_half_up
from hukou_stats.publish import folder as folder_mod
from hukou_stats.publish.bulletin import collect, make_bulletin
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from tests.helpers import long_csv, make_project, tree_snapshot

ALL_FILES = {
    "bulletin.md",
    "bulletin.html",
    "bulletin.xlsx",
    "datapackage.json",
    "notes.csv",
    "table1_regions.csv",
    "table2_changes.csv",
    "table3_series.csv",
    "table4_hukou_flows.csv",
    "table5_targets.csv",
    "chart1_rates.png",
    "chart1_rates.svg",
    "chart2_regions.png",
    "chart2_regions.svg",
    "methodology.html",
    "methodology.md",
    "manifest.json",
}


@pytest.fixture(scope="module")
def gz(bundled):
    return make_bulletin(bundled, "guangzhou")


def read(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def row(path, code, key="region_code"):
    return next(r for r in read(path) if r[key] == code)


def test_default_is_the_latest_year_with_both_rates_and_every_format_is_written(gz):
    assert gz.parts[-3:] == ("440100", "2021", "both")
    assert {p.name for p in gz.iterdir()} == ALL_FILES
    assert not [p for p in gz.parent.iterdir() if p.name.startswith(".") and p.is_dir()]  # no staging folder left


def test_guangzhou_2021_equals_the_published_figures(gz):
    t1 = row(gz / "table1_regions.csv", "440100")
    # 广州市统计局 2021: 常住人口1881.06万人, 常住人口城镇化率86.46%; 户籍人口城镇化率80.81%, gap 5.65
    assert (t1["resident_total_10k"], t1["resident_rate_pct"]) == ("1881.06", "86.46")
    assert (t1["hukou_rate_pct"], t1["gap_pp"]) == ("80.81", "5.65")
    assert (t1["hukou_total_10k"], t1["hukou_urban_10k"]) == ("1011.53", "817.44")  # 10115306 / 8174391 persons
    # the urban resident count is derived (total x published rate, ±984 persons): whole 万人, and a note says so
    notes = {r["note"]: r for r in read(gz / "notes.csv")}
    assert t1["resident_urban_10k"] == "1626"
    assert any("推算数" in notes[n.strip()]["text_zh"] for n in t1["notes"].split(";"))


def test_every_figure_a_district_has_is_shown(gz, con):
    """Districts with a 2021 population but no rate keep their population (they were all 'not available')."""
    t1 = {r["region_code"]: r for r in read(gz / "table1_regions.csv")}
    published = {"440105": "182.18", "440106": "223.86", "440111": "368.91", "440114": "170.93", "440115": "90.04"}
    published |= {"440117": "72.74", "440113": "281.83", "440118": "152.92"}
    assert {c: t1[c]["resident_total_10k"] for c in published} == published
    assert (t1["440118"]["hukou_total_10k"], t1["440115"]["hukou_total_10k"]) == ("105.00", "51.75")  # hukou totals
    # and in general: every district with any 2021 count has its row, and each count it has is in it
    for code, measure in con.execute(
        "SELECT DISTINCT region_code, measure FROM counts WHERE year = 2021 AND region_code LIKE '4401%' "
        "AND region_code <> '440100' AND measure IN ('resident_total', 'hukou_total')"
    ).fetchall():
        assert t1[code][measure + "_10k"] != "", (code, measure)


def test_rows_without_any_figure_are_left_out_and_counted(gz):
    t1 = read(gz / "table1_regions.csv")
    assert t1[0]["region_code"] == "440100" and {"440103", "440104", "440112"}.isdisjoint(r["region_code"] for r in t1)
    notes = " ".join(r["text_zh"] for r in read(gz / "notes.csv"))
    assert "荔湾区、越秀区和黄埔区暂无2021年数据" in notes
    for name in ("table1_regions", "table2_changes", "table3_series", "table4_hukou_flows", "table5_targets"):
        t = json.loads((gz / "datapackage.json").read_text(encoding="utf-8"))
        numeric = [
            f["name"]
            for r in t["resources"]
            if r["name"] == name
            for f in r["schema"]["fields"]
            if f["type"] != "string"
        ]
        numeric = [n for n in numeric if n not in ("year", "base_year", "latest_year", "target_value", "rounding_band")]
        for r in read(gz / f"{name}.csv"):
            assert any(r[n] != "" for n in numeric), (name, r)


def test_series_figures_equal_the_database_rounded_half_up(gz, con):
    for r in read(gz / "table3_series.csv"):
        if r["resident_rate_pct"] == "" and r["hukou_rate_pct"] == "":
            continue  # the year-end population of a census year
        res, hukou = con.execute(
            "select resident_rate_pct, hukou_rate_pct from urbanization where region_code='440100' and year=?",
            [int(r["year"])],
        ).fetchone()
        for text, value in ((r["resident_rate_pct"], res), (r["hukou_rate_pct"], hukou)):
            assert text == "" if value is None else Decimal(text) == round_half_up(value, 2)


def test_changes_in_points_and_population_changes_in_10k(gz):
    t2 = row(gz / "table2_changes.csv", "440100")
    assert t2["hukou_change_prev_pp"] == "0.32"  # 80.81 (2021) vs 80.49 (2020), unrounded difference
    assert t2["resident_total_change_10k"] == "7.03"  # 1881.06 - 1874.03, same series
    assert t2["hukou_total_change_10k"] == "26.42"  # 10115306 - 9851142 persons
    assert t2["hukou_change_2013_pp"] == ""  # across the 2015 definition break: not given, and the note says why
    notes = {r["note"]: r["text_zh"] for r in read(gz / "notes.csv")}
    said = [notes[n.strip()] for n in t2["notes"].split(";")]
    assert any("自2015年起由“非农业人口口径”改为“按户籍登记地城乡属性划分”" in s for s in said)
    # the 2020 resident *rate* is missing (not the 2020 population, from which 7.03 is computed): said so
    missing_2020 = [s for s in said if "2020年" in s and "无同一数据系列" in s]
    assert missing_2020 and all("常住人口城镇化率" in s for s in missing_2020)


def test_the_census_year_has_its_year_end_row_and_its_census_row(gz):
    t3 = {r["period"]: r for r in read(gz / "table3_series.csv")}
    assert (t3["2020-11-01"]["resident_rate_pct"], t3["2020-11-01"]["resident_total_10k"]) == ("86.19", "1867.66")
    assert (t3["2020"]["resident_total_10k"], t3["2020"]["resident_rate_pct"]) == ("1874.03", "")
    assert (t3["2019"]["resident_rate_pct"], t3["2019"]["hukou_rate_pct"]) == ("85.13", "79.90")
    assert t3["2015-11-01"]["resident_series"] == "sample_survey_2015"


def test_hukou_flows_and_the_balancing_identity(gz, con):
    city = row(gz / "table4_hukou_flows.csv", "440100")
    assert (city["hukou_births"], city["hukou_deaths"]) == ("117960", "55534")
    assert (city["hukou_in_migration"], city["hukou_out_migration"]) == ("241600", "40300")  # 24.16万, 4.03万
    # 117,960 - 55,534 + 241,600 - 40,300 = 263,726 against 10,115,306 - 9,851,142 = 264,164 (counts, not 万)
    assert (city["flow_balance"], city["stock_change"], city["residual"]) == ("263726", "264164", "438")
    assert city["rounding_band"] == "102"  # ±50 for each of the two flows published in 万人, ±0.5 for the rest
    zc = row(gz / "table4_hukou_flows.csv", "440118")
    assert [zc[m] for m in ("hukou_births", "hukou_deaths", "hukou_in_migration", "hukou_out_migration")] == [
        "15300",
        "5200",
        "21800",
        "2100",
    ]
    assert zc["flow_balance"] == "29800" and zc["residual"] == ""  # no 2020 hukou population for Zengcheng
    notes = " ".join(r["text_zh"] for r in read(gz / "notes.csv"))
    assert "差额438人" in notes and "超出舍入误差" in notes and "恢复户口、注销户口" in notes
    view = con.execute(
        "SELECT flow_balance, stock_change, residual FROM hukou_balance WHERE region_code = '440100' AND year = 2021"
    ).fetchone()
    assert view == (263726, 264164, 438)


def test_targets_row_shows_base_latest_change_target_margin_and_verdict(gz):
    t5 = {r["target_id"]: r for r in read(gz / "table5_targets.csv")}
    assert set(t5) == {"gz_gap_reduction_2020", "gz_hukou_rate_2020", "gz_hukou_total_2020"}
    rate = t5["gz_hukou_rate_2020"]
    assert (rate["base_year"], rate["base_value"], rate["latest_year"], rate["latest_value"]) == (
        "2015",
        "79.73",
        "2020",
        "80.49",
    )
    assert (rate["change"], rate["target_value"], rate["margin"]) == ("0.77", "79.8", "0.69")
    assert rate["verdict"].startswith("超额实现：2020年户籍人口城镇化率为80.49%，目标为79.8%左右（±0.5）")
    total = t5["gz_hukou_total_2020"]
    assert (total["latest_value"], total["verdict_code"]) == ("985.11", "exceeded")
    gap = t5["gz_gap_reduction_2020"]
    assert gap["verdict_code"] == "cannot_assess" and gap["margin"] == "" and "基期（2013年）无数据" in gap["verdict"]
    assert "gap_pp" not in gap["verdict"] and "urban_rural_area_2015_rule" not in gap["verdict"]


@pytest.mark.slow
def test_china_gap_target_compares_change_with_change_and_gives_its_caveats(bundled):
    out = make_bulletin(bundled, "000000", 2020, formats="csv")
    gap = row(out / "table5_targets.csv", "cn_gap_reduction_2020", "target_id")
    # the base is 53.73 - 36左右 (an approximate statement): known to whole points; the latest gap is
    # 63.89 - 45.4 = 18.49, to one decimal (45.4 is published to one). The hukou rate of 2013 is on the 非农业 rule
    # and that of 2020 on the 2015 rule (a break nationwide, without a bridge year): no change, no margin, no verdict
    assert (gap["base_year"], gap["base_value"], gap["latest_value"]) == ("2013", "18", "18.5")
    assert (gap["change"], gap["target_value"], gap["margin"]) == ("", "2", "")
    assert gap["verdict"].startswith("无法评估：期间口径不同（定义断点），前后不可比")
    assert "约数" in gap["verdict"]
    assert "approximate statement" in gap["verdict_en"]
    # targets without any figure are left out of the table, and a note names them
    ids = {r["target_id"] for r in read(out / "table5_targets.csv")}
    assert "cn_hukou_transfers_pace_2016_2020" not in ids
    assert any("另有3项目标因无相关数据无法评估" in r["text_zh"] for r in read(out / "notes.csv"))


@pytest.mark.slow
def test_interim_margin_does_not_apply_and_is_z(bundled):
    out = make_bulletin(bundled, "330000", 2021)
    zj = row(out / "table5_targets.csv", "zj_resident_rate_2025", "target_id")
    assert zj["verdict_code"] == "acceleration_needed" and zj["margin"] == "" and "进度比0.87" in zj["verdict"]
    ws = openpyxl.load_workbook(out / "bulletin.xlsx")[_sheet_of(out, "table5_targets")]
    values = [c.value for r in ws.iter_rows() for c in r]
    assert "[z]" in values  # not applicable (interim), distinct from [x] not available
    # Zhejiang's series: the missing years are said, not dropped silently
    notes = " ".join(r["text_zh"] for r in read(out / "notes.csv"))
    assert "2014年无数据，本表从略" in notes


def _sheet_of(folder, table):
    names = [r["name"] for r in json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]]
    return f"T{names.index(table) + 1}"


def test_no_note_column_and_no_code_identifier_for_readers(gz, bundled):
    """Codes of series, definitions, measures and targets stay in the machine-readable files."""
    codes = identifiers(bundled)
    for name in ("bulletin.md", "bulletin.html", "methodology.md"):
        text = visible(gz / name)
        assert not [c for c in codes if re.search(rf"\b{re.escape(c)}\b", text)], name
    assert not [c for c in codes if re.search(rf"\b{re.escape(c)}\b", workbook_text(gz / "bulletin.xlsx"))]
    assert "说明<br>Note" not in (gz / "bulletin.md").read_text(encoding="utf-8")
    for bad in ("README", "hukou_stats", "data/processed", "data/reference", ".duckdb", "targets.toml"):
        for name in ("bulletin.md", "bulletin.html", "methodology.md", "methodology.html"):
            assert bad not in (gz / name).read_text(encoding="utf-8"), (bad, name)
        assert bad not in workbook_text(gz / "bulletin.xlsx"), bad


def identifiers(project) -> set[str]:
    series = {r["series"] for r in read(project.reference / "series.csv")}
    definitions = {r["definition"] for r in read(project.reference / "definitions.csv")}
    measures = {"resident_total", "resident_urban", "hukou_total", "hukou_urban", "resident_urban_rate_pct"}
    measures |= {"hukou_urban_rate_pct", "gap_pp", "hukou_births", "hukou_in_migration", "post_census_estimate"}
    targets = set(
        re.findall(r'^id = "([a-z0-9_]+)"', (project.reference / "targets.toml").read_text(encoding="utf-8"), re.M)
    )
    return series | definitions | measures | targets


def visible(path) -> str:
    """The text a reader sees: Markdown as written; HTML without tags and attributes."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", text, flags=re.S))
    return text.replace("\\_", "_")


def workbook_text(path) -> str:
    wb = openpyxl.load_workbook(path)
    return " ".join(str(c.value) for ws in wb.worksheets for r in ws.iter_rows() for c in r if isinstance(c.value, str))


@pytest.mark.slow
def test_notes_are_numbered_said_once_and_in_the_readers_language(bundled):
    both = collect(bundled, "440100", 2021)
    keys = [n.key for n in both.notes]
    assert len(keys) == len(set(keys)) and [n.number for n in both.notes] == list(range(1, len(keys) + 1))
    assert both.unworded == []  # every note the views wrote for these figures found its words
    zh = make_bulletin(bundled, "440100", 2021, lang="zh", formats="md,xlsx")
    md = (zh / "bulletin.md").read_text(encoding="utf-8")
    assert "\\[注1\\]" in md and "[note" not in md and "not available" not in md and "Estimated" not in md
    wb = openpyxl.load_workbook(zh / "bulletin.xlsx")
    notes = [[c.value for c in r] for r in wb["Notes"].iter_rows()]
    assert ["note 1", both.notes[0].zh] in [r[:2] for r in notes]  # "note 1" on the Notes sheet, GSS style
    title = wb["T1"]["A1"].value
    assert re.search(r"城镇化率 \[注1\] \[注2\]", title)  # markers separated from the title and from each other


def test_workbook_follows_the_gss_layout(gz):
    wb = openpyxl.load_workbook(gz / "bulletin.xlsx")
    assert wb.sheetnames == ["Cover", "Contents", "Notes", "T1", "T2", "T3", "T4", "T5"]
    cover = " ".join(str(c.value) for r in wb["Cover"].iter_rows() for c in r if c.value)
    assert "广州市2021年" in cover and "latest release" in cover and "[x] 无数据" in cover and "[z] 不适用" in cover
    assert "联系方式 Contact: 未设置（默认值） not set (default)" in cover  # a default says it is one
    assert "发布日期 Release date: 未设置（默认值）" in cover and "methodology.html" in cover
    ws = wb["T1"]
    head, body = table_of(ws)
    names = [c.value for c in head]
    rate_col = names.index("常住人口城镇化率\n（%）\nResident urbanization rate (%)")
    city = next(r for r in body if r[0].value == "440100")
    assert city[rate_col].value == 86.46 and city[rate_col].number_format == "0.00"
    assert city[1].value.startswith("广州市 Guangzhou [note")
    # no empty cell inside a table; numbers and symbols right-aligned in the same column
    for name in wb.sheetnames[3:]:
        head, body = table_of(wb[name])
        numeric = {j for r in body for j, c in enumerate(r) if isinstance(c.value, (int, float)) and j > 0}
        for r in body:
            assert all(c.value not in (None, "") for c in r[: len(head)]), (name, [c.value for c in r])
            for j in numeric:  # a column of numbers: its [x] and [z] are right-aligned with them
                assert r[j].alignment.horizontal == "right", (name, r[j].coordinate)


def table_of(ws):
    """(header cells, data rows) of a table sheet: the header is the row after 'This worksheet contains...'."""
    rows = list(ws.iter_rows())
    i = next(i for i, r in enumerate(rows) if str(r[0].value or "").startswith("This worksheet contains"))
    head = [c for c in rows[i + 1] if c.value is not None]
    body = [r for r in rows[i + 2 :] if r[0].value is not None]
    return head, body


def test_years_are_years_not_thousands(bundled, gz):
    wb = openpyxl.load_workbook(gz / "bulletin.xlsx")
    head, body = table_of(wb["T5"])
    cols = [i for i, c in enumerate(head) if c.value.startswith(("基期\n", "最新年份"))]
    years = [r[i] for r in body for i in cols if isinstance(r[i].value, int)]
    assert years and all(c.number_format == "0" for c in years)  # 2015, not 2,015
    persons = [r[2] for r in table_of(wb["T4"])[1]]
    assert all(c.number_format == "#,##0" for c in persons)  # 117,960 persons keep their separator


def test_datapackage_is_valid_frictionless_v2(gz):
    from frictionless import Package

    pkg = json.loads((gz / "datapackage.json").read_text(encoding="utf-8"))
    assert pkg["$schema"].endswith("/2.0/datapackage.json") and len(pkg["resources"]) == 6
    field = next(f for f in pkg["resources"][0]["schema"]["fields"] if f["name"] == "resident_rate_pct")
    assert field["type"] == "number" and field["title"] == "常住人口城镇化率（%） / Resident urbanization rate (%)"
    assert "apostrophe" in pkg["description"] and "OWASP" in pkg["description"]  # says how text cells are kept text
    report = Package(str(gz / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_folder_carries_the_methodology_note(gz):
    from hukou_stats.publish.document import methodology_text

    assert (gz / "methodology.md").read_text(encoding="utf-8") == methodology_text()
    page = (gz / "methodology.html").read_text(encoding="utf-8")
    assert "<h2>1. 指标定义 Definitions</h2>" in page and "<table>" in page and "<script" not in page
    for topic in ("数据的选取", "可比性与断点", "行政区划", "舍入", "目标评估", "符号", "[z]"):
        assert topic in methodology_text()
    assert 'href="methodology.html"' in (gz / "bulletin.html").read_text(encoding="utf-8")


def test_a_second_run_rewrites_nothing_and_does_no_work(bundled, gz, monkeypatch):
    before = tree_snapshot(gz)
    stamps = {p.name: p.stat().st_mtime_ns for p in gz.iterdir()}

    def must_not_run(*a, **k):
        raise AssertionError("the bulletin was recomputed")

    monkeypatch.setattr("hukou_stats.publish.bulletin.make.collect", must_not_run)
    monkeypatch.setattr("hukou_stats.publish.bulletin.make.resolve", must_not_run)
    assert make_bulletin(bundled, "440100") == gz  # by code, no year: found from the manifests alone
    monkeypatch.undo()
    monkeypatch.setattr("hukou_stats.publish.bulletin.make.collect", must_not_run)
    assert make_bulletin(bundled, "guangzhou", 2021) == gz  # by name and year: resolved, still up to date
    assert tree_snapshot(gz) == before and {p.name: p.stat().st_mtime_ns for p in gz.iterdir()} == stamps


@pytest.mark.slow
def test_a_forced_run_is_byte_identical_and_keeps_the_manifest(bundled, gz):
    before = tree_snapshot(gz)
    make_bulletin(bundled, "440100", force=True)
    assert tree_snapshot(gz) == before  # manifest.json included: its content, not its time, decides


@pytest.mark.slow
def test_a_changed_input_makes_the_bulletin_again(tmp_path):
    p = make_project(tmp_path, bundled=True)
    ingest(p)
    build(p)
    out = make_bulletin(p, "440100", 2021, formats="md")
    (p.root / "hukou-stats.toml").write_text(
        '[publisher]\nname_zh = "广州市统计局"\nname_en = "Guangzhou Statistics Bureau"\ncontact = ["020-1234"]\n'
        "release_date = 2022-03-04\n",
        encoding="utf-8",
    )
    again = make_bulletin(p, "440100", 2021, formats="md")
    md = (again / "bulletin.md").read_text(encoding="utf-8")
    assert again == out and "发布机构 Published by: 广州市统计局 Guangzhou Statistics Bureau" in md
    assert "2022年3月4日 2022-03-04" in md and "020-1234" in md and "默认值" not in md
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert any(e["path"] == "hukou-stats.toml" for e in m["inputs"])  # the settings are an input


def test_publisher_settings_are_checked(tmp_path):
    from hukou_stats.core.project import Project
    from hukou_stats.publish.publisher import load_publisher

    p = Project.at(tmp_path)
    assert load_publisher(p).lines("en")[0] == "Published by: not set (default)"
    (tmp_path / "hukou-stats.toml").write_text(
        '[publisher]\nname = "x"\nrelease_date = "soon"\ncontact = "one line"\n[other]\n', encoding="utf-8"
    )
    with pytest.raises(ConfigInvalid) as e:
        load_publisher(p)
    found = {(i.key, i.check) for i in e.value.issues}
    assert {("publisher.name", "known_key"), ("publisher.release_date", "type"), ("other", "known_key")} <= found
    assert ("publisher.contact", "type") in found
    assert "hukou-stats.toml" in str(e.value)


@pytest.mark.slow
def test_lang_and_formats(bundled):
    both = make_bulletin(bundled, "440100", 2021)
    out = make_bulletin(bundled, "440100", 2021, lang="en", formats="md,csv")
    assert out != both and both.exists()  # English has its own folder: the bilingual one is kept
    assert {p.name for p in out.iterdir()} == ALL_FILES - {"bulletin.html", "bulletin.xlsx"}
    md = (out / "bulletin.md").read_text(encoding="utf-8")
    assert "## Bulletin" in md and "## 公报" not in md and "| Code | Region |" in md
    assert "| 440100 | Guangzhou \\[note" in md and "Figure 1." in md and "图1" not in md
    assert "18.81 million" in md and "ten thousand" not in md
    out = make_bulletin(bundled, "440100", 2021, lang="zh", formats="xlsx")
    ws = openpyxl.load_workbook(out / "bulletin.xlsx")["T1"]
    assert any(c.value == "常住人口城镇化率\n（%）" for r in ws.iter_rows() for c in r)
    with pytest.raises(UsageError, match="--formats"):
        make_bulletin(bundled, "440100", 2021, formats="pdf")
    with pytest.raises(UsageError, match="--lang"):
        make_bulletin(bundled, "440100", 2021, lang="fr")


@pytest.mark.slow
def test_a_failure_leaves_the_previous_bulletin_untouched(bundled, gz, monkeypatch):
    before = tree_snapshot(gz)

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("hukou_stats.publish.workbook.write_workbook", broken)
    with pytest.raises(InputOutputError, match="disk full"):
        make_bulletin(bundled, "440100", force=True)
    assert tree_snapshot(gz) == before
    assert not [p for p in gz.parent.iterdir() if p.name.startswith(".") and p.is_dir()]


def test_check_folder_refuses_a_missing_file(tmp_path):
    (tmp_path / "a.csv").write_text("x\n")
    folder_mod.check_folder(tmp_path, ["a.csv"])
    with pytest.raises(InputOutputError, match="b.csv"):
        folder_mod.check_folder(tmp_path, ["a.csv", "b.csv"])


SYN = "SYNTHETIC microdata (generated by the test suite)"


@pytest.mark.slow
def test_synthetic_sources_are_marked_everywhere(tmp_path):
    p = make_project(
        tmp_path,
        {
            "syn.csv": long_csv(
                f"440100,,2021,resident_urban,865,persons,{SYN},2022-03,,microdata,,",
                f"440100,,2021,resident_total,1000,persons,{SYN},2022-03,,microdata,,",
            )
        },
    )
    ingest(p)
    build(p)
    out = make_bulletin(p, "440100", 2021)
    md = (out / "bulletin.md").read_text(encoding="utf-8")
    assert md.startswith("> **SYNTHETIC") and "# SYNTHETIC" not in md.splitlines()[0]
    page = (out / "bulletin.html").read_text(encoding="utf-8")
    assert "<title>SYNTHETIC" in page and 'class="banner"' in page
    cover = openpyxl.load_workbook(out / "bulletin.xlsx")["Cover"]
    assert str(cover["A1"].value).startswith("SYNTHETIC")
    assert json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["title"].startswith("SYNTHETIC")


def test_real_data_is_not_marked_synthetic(gz):
    assert "SYNTHETIC" not in (gz / "bulletin.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_release_first_gives_the_first_published_figures(bundled):
    out = make_bulletin(bundled, "440100", 2019, release="first", formats="md,csv")
    gz19 = row(out / "table1_regions.csv", "440100")
    assert gz19["resident_rate_pct"] == "86.46" and gz19["resident_total_10k"] == "1530.59"  # not 85.13 (revised)
    md = (out / "bulletin.md").read_text(encoding="utf-8")
    assert "首次发布数据 / first release" in md and "常住人口1530.59万人" in md
    latest = make_bulletin(bundled, "440100", 2019, formats="csv")
    assert latest != out and row(latest / "table1_regions.csv", "440100")["resident_rate_pct"] == "85.13"


def test_releases_are_shown_as_published(gz):
    for name in ("bulletin.md", "table5_targets.csv", "table1_regions.csv"):
        assert "2022-12" not in (gz / name).read_text(encoding="utf-8"), name  # published as "2022"
    assert "— 2022\n" in (gz / "bulletin.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_bulletin_folder_carries_a_manifest_that_verifies_and_detects_drift(bundled):
    from hukou_stats.core.provenance import read_manifest, verify

    folder = make_bulletin(bundled, "440100", 2020, formats="md,csv")
    m = read_manifest(folder / "manifest.json")
    outs = {e["path"] for e in m["outputs"]}
    rel = folder.relative_to(bundled.root).as_posix()
    assert f"{rel}/bulletin.md" in outs and not any("staging" in p for p in outs)  # paths of the published folder
    assert any(e["path"].startswith("data/raw/") for e in m["inputs"])  # traced to the raw files
    assert any(e["path"].endswith("hukou.duckdb") for e in m["inputs"])
    assert m["request"]["region"] == "440100" and m["default_year"] == 2021
    assert [v.drift for v in verify(folder)] == [[]]
    (folder / "table1_regions.csv").write_text("tampered\n", encoding="utf-8")
    drift = verify(folder)[0].drift
    assert [(d.kind, d.path.rsplit("/", 1)[-1]) for d in drift] == [("changed", "table1_regions.csv")]
    again = make_bulletin(bundled, "440100", 2020, formats="md,csv")  # a tampered output is not up to date
    assert (again / "table1_regions.csv").read_text(encoding="utf-8") != "tampered\n"


def test_rows_are_tall_enough_for_their_text(gz):
    """LibreOffice does not size rows of wrapped text itself: header, data, contents and notes rows are set."""
    from hukou_stats.publish.workbook import LINE, lines

    wb = openpyxl.load_workbook(gz / "bulletin.xlsx")
    for name in wb.sheetnames[3:]:
        ws = wb[name]
        head, _ = table_of(ws)
        r = head[0].row
        for c in head:
            assert ws.row_dimensions[r].height >= LINE * lines(str(c.value), width(ws, c.column)), (name, c.value)
    contents = wb["Contents"]
    for r in range(4, 4 + len(wb.sheetnames) - 3):
        text = str(contents.cell(r, 2).value)
        assert contents.row_dimensions[r].height >= LINE * lines(text, width(contents, 2)), text


def width(ws, column: int) -> float:
    """The width of a column (openpyxl keeps a range of columns under its first letter)."""
    return next(d.width for d in ws.column_dimensions.values() if d.min <= column <= d.max)


@pytest.mark.slow
def test_evaluation_charts_and_headings_name_targets_in_words(bundled):
    from hukou_stats.analysis.targets import assess
    from hukou_stats.publish.bulletin.targets import target_label_en
    from hukou_stats.publish.evaluation import aim_zh, evaluate
    from hukou_stats.warehouse.connection import connect

    con = connect(bundled)
    try:
        rows = assess(con, region="000000", as_of=2020).to_dict("records")
    finally:
        con.close()
    for r in rows:  # the chart's title: region, indicator and target in words, never the target's id
        for title in (aim_zh(r), target_label_en(r)):
            assert r["target_id"] not in title and r["indicator"] not in title, title
    assert (
        aim_zh(next(r for r in rows if r["target_id"] == "cn_gap_reduction_2020"))
        == "目标为比2013年缩小2个百分点以上（2020年）"
    )
    md = evaluate(bundled, "440100", 2018).read_text(encoding="utf-8")
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert not [h for h in headings if "gz_" in h.replace("\\_", "_")]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("region", "year", "lang"), [("000000", 2020, "both"), ("330000", None, "zh"), ("440100", 2021, "en")]
)
def test_no_code_identifier_for_readers_in_any_bulletin(bundled, region, year, lang):
    out = make_bulletin(bundled, region, year, lang=lang)
    codes = identifiers(bundled)
    for name in ("bulletin.md", "bulletin.html"):
        text = visible(out / name)
        assert not [c for c in codes if re.search(rf"\b{re.escape(c)}\b", text)], (name, lang)
        assert "README" not in text and "hukou_stats" not in text
    assert not [c for c in codes if re.search(rf"\b{re.escape(c)}\b", workbook_text(out / "bulletin.xlsx"))]
    c = collect(bundled, region, year)
    assert c.unworded == []  # every note of the views found its words
    if lang == "zh":  # the notes in Chinese only
        md = (out / "bulletin.md").read_text(encoding="utf-8")
        assert not [n for n in c.notes if n.en in md]
