"""The bulletin on the bundled real data: tables, text, workbook, data package, charts, languages, formats,
the all-or-nothing folder swap and the SYNTHETIC mark. (LibreOffice and Chromium checks: test_bulletin_render.py.)"""

import csv
import json
from decimal import Decimal

import openpyxl
import pytest

from hukou_stats.core.errors import InputOutputError, UsageError
from hukou_stats.core.numbers import round_half_up
from hukou_stats.publish import folder as folder_mod
from hukou_stats.publish.bulletin import make_bulletin
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from tests.helpers import long_csv, make_project, tree_snapshot

ALL_FILES = {
    "bulletin.md",
    "bulletin.html",
    "bulletin.xlsx",
    "datapackage.json",
    "table1_regions.csv",
    "table2_changes.csv",
    "table3_series.csv",
    "table4_hukou_flows.csv",
    "table5_targets.csv",
    "chart1_rates.png",
    "chart1_rates.svg",
    "chart2_regions.png",
    "chart2_regions.svg",
    "manifest.json",
}


@pytest.fixture(scope="module")
def gz(bundled):
    return make_bulletin(bundled, "guangzhou")


@pytest.fixture(scope="module")
def cn(bundled):
    return make_bulletin(bundled, "全国", 2021)


def read(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def row(path, code):
    return next(r for r in read(path) if r["region_code"] == code)


def test_default_is_the_latest_year_with_both_rates_and_every_format_is_written(gz):
    assert gz.parts[-2:] == ("440100", "2021")
    assert {p.name for p in gz.iterdir()} == ALL_FILES
    assert not [p for p in gz.parent.iterdir() if p.name.startswith(".") and p.is_dir()]  # no staging folder left


def test_guangzhou_2021_equals_the_published_figures(gz):
    t1 = row(gz / "table1_regions.csv", "440100")
    # 广州市统计局 2021: 常住人口1881.06万人, 常住人口城镇化率86.46%; 户籍人口城镇化率80.81%, gap 5.65
    assert (t1["resident_total_10k"], t1["resident_rate_pct"]) == ("1881.06", "86.46")
    assert (t1["hukou_rate_pct"], t1["gap_pp"]) == ("80.81", "5.65")
    assert (t1["hukou_total_10k"], t1["hukou_urban_10k"]) == ("1011.53", "817.44")  # 10115306 / 8174391 persons
    # the urban resident count is derived (total x published rate, ±984 persons): shown to whole 万人 and noted
    assert t1["resident_urban_10k"] == "1626" and "derived" in t1["note"]


def test_table1_has_the_city_and_every_district(gz):
    t1 = read(gz / "table1_regions.csv")
    assert [r["region_code"] for r in t1][:1] == ["440100"] and len(t1) == 12
    assert {r["region_name"] for r in t1[1:]} >= {"荔湾区", "从化区", "增城区"}


def test_series_figures_equal_the_database_rounded_half_up(gz, con):
    for r in read(gz / "table3_series.csv"):
        res, hukou = con.execute(
            "select resident_rate_pct, hukou_rate_pct from urbanization where region_code='440100' and year=?",
            [int(r["year"])],
        ).fetchone()
        for text, value in ((r["resident_rate_pct"], res), (r["hukou_rate_pct"], hukou)):
            assert text == "" if value is None else Decimal(text) == round_half_up(value, 2)
        if res is not None and hukou is not None:
            assert Decimal(r["gap_pp"]) == round_half_up(Decimal(repr(res)) - Decimal(repr(hukou)), 2)


def test_changes_in_points_and_population_changes_in_10k(gz):
    t2 = row(gz / "table2_changes.csv", "440100")
    assert t2["hukou_change_prev_pp"] == "0.32"  # 80.81 (2021) vs 80.49 (2020), unrounded difference
    assert t2["resident_total_change_10k"] == "7.03"  # 1881.06 - 1874.03, same series
    assert t2["hukou_total_change_10k"] == "26.42"  # 10115306 - 9851142 persons
    assert t2["hukou_change_2013_pp"] == "" and "definition break" in t2["note"]  # across the 2015 break: not given


def test_not_available_is_never_zero(gz):
    liwan = row(gz / "table1_regions.csv", "440103")
    assert liwan["resident_rate_pct"] == "" and liwan["hukou_rate_pct"] == ""
    md = (gz / "bulletin.md").read_text(encoding="utf-8")
    line = next(x for x in md.splitlines() if x.startswith("| 440103 | 荔湾区"))
    assert "—" in line and " 0 " not in line and "0.00" not in line
    wb = openpyxl.load_workbook(gz / "bulletin.xlsx")
    cells = [c.value for r in wb["T1"].iter_rows() for c in r if c.value is not None]
    assert "[x]" in cells and 0 not in cells


def test_sources_and_releases_are_under_each_table(gz):
    md = (gz / "bulletin.md").read_text(encoding="utf-8")
    assert md.count("资料来源 Sources") == 5
    assert "2021年广州市人口规模及分布情况" in md and "— 2022-03" in md
    assert all(r["resident_source"] and r["resident_release"] for r in read(gz / "table3_series.csv"))


def test_known_values_of_the_series(gz):
    t3 = {int(r["year"]): r for r in read(gz / "table3_series.csv")}
    assert (t3[2019]["resident_rate_pct"], t3[2019]["hukou_rate_pct"]) == ("85.13", "79.90")
    assert (t3[2020]["resident_rate_pct"], t3[2020]["gap_pp"]) == ("86.19", "5.69")
    assert t3[2015]["note"].startswith("rates refer to different dates")


def test_hukou_flows_where_published(gz):
    city = row(gz / "table4_hukou_flows.csv", "440100")
    assert (city["hukou_births"], city["hukou_deaths"]) == ("117960", "55534")
    assert (city["hukou_in_migration"], city["hukou_out_migration"]) == ("241600", "40300")  # 24.16万, 4.03万
    zc = row(gz / "table4_hukou_flows.csv", "440118")
    assert [zc[m] for m in ("hukou_births", "hukou_deaths", "hukou_in_migration", "hukou_out_migration")] == [
        "15300",
        "5200",
        "21800",
        "2100",
    ]
    liwan = row(gz / "table4_hukou_flows.csv", "440103")
    assert liwan["hukou_births"] == "" and liwan["hukou_in_migration"] == ""  # 2019 only: not 2021


def test_targets_come_from_the_assessment(gz):
    t5 = {r["target_id"]: r for r in read(gz / "table5_targets.csv")}
    assert set(t5) == {"gz_gap_reduction_2020", "gz_hukou_rate_2020", "gz_hukou_total_2020"}
    assert (t5["gz_hukou_total_2020"]["observed_value"], t5["gz_hukou_total_2020"]["verdict"]) == ("985.11", "exceeded")
    assert (t5["gz_hukou_rate_2020"]["observed_value"], t5["gz_hukou_rate_2020"]["margin"]) == ("80.49", "0.69")
    assert (
        t5["gz_gap_reduction_2020"]["verdict"] == "cannot_assess"
        and "no base value" in t5["gz_gap_reduction_2020"]["reason"]
    )


@pytest.mark.slow
def test_a_region_without_targets_has_no_table5_and_says_so(bundled):
    out = make_bulletin(bundled, "440113", 2021)
    assert not (out / "table5_targets.csv").exists()
    assert "Table 5 (targets) is omitted" in (out / "bulletin.md").read_text(encoding="utf-8")
    assert "T5" not in openpyxl.load_workbook(out / "bulletin.xlsx").sheetnames


def test_bulletin_text_guangzhou(gz):
    md = (gz / "bulletin.md").read_text(encoding="utf-8")
    assert (
        "2021年末，广州市常住人口1881.06万人，比上年末增加7.03万人，其中城镇常住人口1626万人，"
        "占常住人口比重（常住人口城镇化率）为86.46%。"
    ) in md
    assert "年末户籍人口1011.53万人，比上年末增加26.42万人，户籍人口城镇化率为80.81%，比上年末提高0.32个百分点。" in md
    assert (
        "常住人口城镇化率与户籍人口城镇化率两者差距5.65个百分点。" in md
    )  # no change given: no clause, no placeholder
    assert "番禺区：常住人口281.83万人，常住人口城镇化率90.53%。" in md and "以下地区无数据：荔湾区" in md
    assert "the hukou urbanization rate was 80.81%, up 0.32 percentage points" in md
    assert "-" not in md.split("## Bulletin")[0].split("## 公报")[1]  # no signed number in the Chinese text


@pytest.mark.slow
def test_bulletin_text_china(bundled, cn):
    t1 = row(cn / "table1_regions.csv", "000000")
    md = (cn / "bulletin.md").read_text(encoding="utf-8")
    # NBS 2021: 141260万人, 城镇常住人口91425万人, 64.72%; 户籍人口城镇化率46.7%; gap 18.0
    assert (t1["resident_total_10k"], t1["resident_urban_10k"], t1["resident_rate_pct"]) == ("141260", "91425", "64.72")
    assert (t1["hukou_rate_pct"], t1["gap_pp"]) == ("46.7", "18.0")
    assert (
        "2021年末，全国常住人口141260万人，其中城镇常住人口91425万人，占常住人口比重（常住人口城镇化率）为64.72%。"
        "户籍人口城镇化率为46.7%。常住人口城镇化率与户籍人口城镇化率两者差距18.0个百分点。"
    ) in md
    md19 = (make_bulletin(bundled, "全国", 2019) / "bulletin.md").read_text(encoding="utf-8")
    # NBS 2019 communiqué: 60.60%, 比上年末提高1.02个百分点; 户籍 44.38%, 提高1.01个百分点
    assert "为60.60%，比上年末提高1.02个百分点。户籍人口城镇化率为44.38%，比上年末提高1.01个百分点。" in md19
    assert "两者差距16.22个百分点，比上年扩大0.01个百分点。" in md19


@pytest.mark.slow
def test_a_bulletin_for_china_lists_the_31_provinces(bundled):
    out = make_bulletin(bundled, "全国", 2019)
    t1 = read(out / "table1_regions.csv")
    assert len(t1) == 32
    china = t1[0]
    assert (china["resident_rate_pct"], china["hukou_rate_pct"], china["gap_pp"]) == ("60.60", "44.38", "16.22")
    t2 = row(out / "table2_changes.csv", "000000")
    assert (t2["resident_change_prev_pp"], t2["hukou_change_prev_pp"]) == ("1.02", "1.01")


def test_workbook_follows_the_gss_layout(gz):
    wb = openpyxl.load_workbook(gz / "bulletin.xlsx")
    assert wb.sheetnames == ["Cover", "Contents", "Notes", "T1", "T2", "T3", "T4", "T5"]
    cover = " ".join(str(c.value) for r in wb["Cover"].iter_rows() for c in r if c.value)
    assert "广州市2021年" in cover and "latest release" in cover and "[x] = 无数据 not available" in cover
    notes = " ".join(str(c.value) for r in wb["Notes"].iter_rows() for c in r if c.value)
    assert "户籍人口城镇化率 = 城镇户籍人口" in notes and "nonagri_2003_rule" in notes and "Revisions" in notes
    assert "2014-01-23 萝岗区 440116 → 黄埔区 440112 (merge)" in notes
    ws = wb["T1"]
    head = next(r for r in ws.iter_rows() if r[0].value == "代码\nCode")
    names = [c.value for c in head]
    assert "常住人口城镇化率（%）\nResident urbanization rate (%)" in names
    city = next(r for r in ws.iter_rows() if r[0].value == "440100")
    rate = city[names.index("常住人口城镇化率（%）\nResident urbanization rate (%)")]
    assert rate.value == 86.46 and isinstance(rate.value, float) and rate.number_format == "0.00"
    urban = city[names.index("城镇常住人口（万人）\nUrban resident population (10k)")]
    assert urban.value == 1626 and urban.number_format == "#,##0"
    assert city[1].value == "广州市 Guangzhou"
    cn_gap = wb["T5"]
    assert any(c.value == "超额实现 exceeded" for r in cn_gap.iter_rows() for c in r)


def test_datapackage_is_valid_frictionless_v2(gz):
    from frictionless import Package

    pkg = json.loads((gz / "datapackage.json").read_text(encoding="utf-8"))
    assert pkg["$schema"].endswith("/2.0/datapackage.json") and len(pkg["resources"]) == 5
    field = next(f for f in pkg["resources"][0]["schema"]["fields"] if f["name"] == "resident_rate_pct")
    assert field["type"] == "number" and field["title"] == "常住人口城镇化率（%） / Resident urbanization rate (%)"
    assert "unit: %" in field["description"]
    report = Package(str(gz / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.slow
def test_running_twice_gives_identical_files(bundled, gz):
    before = tree_snapshot(gz)
    make_bulletin(bundled, "440100")
    assert tree_snapshot(gz) == before


@pytest.mark.slow
def test_lang_and_formats(bundled, tmp_path):
    out = make_bulletin(bundled, "440100", 2021, lang="en", formats="md,csv")
    assert {p.name for p in out.iterdir()} == ALL_FILES - {"bulletin.html", "bulletin.xlsx"}
    md = (out / "bulletin.md").read_text(encoding="utf-8")
    assert "## Bulletin" in md and "## 公报" not in md and "| Code | Region |" in md
    assert "| 440100 | Guangzhou |" in md and "Figure 1." in md and "图1" not in md
    out = make_bulletin(bundled, "440100", 2021, lang="zh", formats="xlsx")
    ws = openpyxl.load_workbook(out / "bulletin.xlsx")["T1"]
    assert any(c.value == "常住人口城镇化率（%）" for r in ws.iter_rows() for c in r)
    with pytest.raises(UsageError, match="--formats"):
        make_bulletin(bundled, "440100", 2021, formats="pdf")
    with pytest.raises(UsageError, match="--lang"):
        make_bulletin(bundled, "440100", 2021, lang="fr")
    make_bulletin(bundled, "440100", 2021)  # back to the full bulletin for the other tests


@pytest.mark.slow
def test_a_failure_leaves_the_previous_bulletin_untouched(bundled, gz, monkeypatch):
    before = tree_snapshot(gz)

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("hukou_stats.publish.workbook.write_workbook", broken)
    with pytest.raises(InputOutputError, match="disk full"):
        make_bulletin(bundled, "440100")
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
    assert (out / "bulletin.md").read_text(encoding="utf-8").startswith("> **SYNTHETIC DATA")
    assert "# SYNTHETIC 合成数据 — 广州市2021年" in (out / "bulletin.md").read_text(encoding="utf-8")
    page = (out / "bulletin.html").read_text(encoding="utf-8")
    assert "<title>SYNTHETIC" in page and 'class="synthetic"' in page
    cover = openpyxl.load_workbook(out / "bulletin.xlsx")["Cover"]
    assert str(cover["A1"].value).startswith("SYNTHETIC")
    assert json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["title"].startswith("SYNTHETIC")


def test_real_data_is_not_marked_synthetic(gz):
    assert "SYNTHETIC" not in (gz / "bulletin.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_release_first_gives_the_first_published_figures(bundled):
    out = make_bulletin(bundled, "440100", 2019, release="first", formats="md,csv")
    gz19 = row(out / "table1_regions.csv", "440100")
    assert (
        gz19["resident_rate_pct"] == "86.46" and gz19["resident_total_10k"] == "1530.59"
    )  # not 85.13 (census revised)
    md = (out / "bulletin.md").read_text(encoding="utf-8")
    assert "首次发布数据 / first release" in md and "常住人口1530.59万人" in md
    latest = make_bulletin(bundled, "440100", 2019, formats="csv")
    assert row(latest / "table1_regions.csv", "440100")["resident_rate_pct"] == "85.13"


@pytest.mark.slow
def test_charts_set_chinese_in_the_font_the_project_installs(bundled, recwarn):
    from matplotlib import font_manager

    from hukou_stats.publish.bulletin import charts
    from hukou_stats.publish.bulletin.make import collect

    c = collect(bundled, "440100", 2019)
    out = charts.regions_chart(c.table("table1_regions"), "2019年各地区城镇化率", "Rates by region", "both")
    assert out["png"].startswith(b"\x89PNG") and b"<svg" in out["svg"]
    path = font_manager.findfont(font_manager.FontProperties(family=charts.FONT_NAME), fallback_to_default=False)
    assert path == str(charts.cjk_font_path()) and "mplfonts" in path
    assert not [w for w in recwarn if "missing from font" in str(w.message)]  # no glyph fell back to a box


@pytest.mark.slow
def test_bulletin_folder_carries_a_manifest_that_verifies_and_detects_drift(bundled):
    from hukou_stats.core.provenance import read_manifest, verify

    folder = make_bulletin(bundled, "440100", formats="md,csv")
    m = read_manifest(folder / "manifest.json")
    outs = {e["path"] for e in m["outputs"]}
    rel = folder.relative_to(bundled.root).as_posix()
    assert f"{rel}/bulletin.md" in outs and not any("staging" in p for p in outs)  # paths of the published folder
    assert any(e["path"].startswith("data/raw/") for e in m["inputs"])  # traced to the raw files
    assert any(e["path"].endswith("hukou.duckdb") for e in m["inputs"])
    assert [v.drift for v in verify(folder)] == [[]]
    (folder / "table1_regions.csv").write_text("tampered\n", encoding="utf-8")
    drift = verify(folder)[0].drift
    assert [(d.kind, d.path.rsplit("/", 1)[-1]) for d in drift] == [("changed", "table1_regions.csv")]
