"""The first bulletin on the bundled real data."""
import csv
from decimal import Decimal

import pytest

from hukou_stats.bulletin import make_bulletin
from hukou_stats.units import round_half_up

from .conftest import tree_snapshot


@pytest.fixture(scope="module")
def gz(bundled):
    return make_bulletin(bundled, "guangzhou")


def read(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_default_is_the_latest_year_with_both_rates(gz):
    assert gz.parts[-2:] == ("440100", "2021")
    assert {p.name for p in gz.iterdir()} == {"bulletin.md", "table1_regions.csv", "table2_series.csv"}


def test_table1_has_the_city_and_every_district(gz):
    t1 = read(gz / "table1_regions.csv")
    assert [r["region_code"] for r in t1][:1] == ["440100"] and len(t1) == 12
    assert {r["region_name"] for r in t1[1:]} >= {"荔湾区", "从化区", "增城区"}


def test_figures_equal_the_database_rounded_half_up(gz, con):
    for r in read(gz / "table2_series.csv"):
        res, hukou, gap = con.execute("select resident_rate_pct, hukou_rate_pct, gap_pp from urbanization "
                                      "where region_code='440100' and year=?", [int(r["year"])]).fetchone()
        for text, value in ((r["resident_rate_pct"], res), (r["hukou_rate_pct"], hukou), (r["gap_pp"], gap)):
            if value is None:
                assert text == ""
            else:
                assert Decimal(text) == round_half_up(value, 2)


def test_not_available_is_never_zero(gz):
    md = (gz / "bulletin.md").read_text(encoding="utf-8")
    t1 = read(gz / "table1_regions.csv")
    liwan = next(r for r in t1 if r["region_code"] == "440103")
    assert liwan["resident_rate_pct"] == "" and liwan["hukou_rate_pct"] == ""
    line = next(l for l in md.splitlines() if l.startswith("| 荔湾区 | 2021"))
    assert "—" in line and " 0 " not in line and "0.00" not in line


def test_sources_and_releases_are_under_each_table(gz):
    md = (gz / "bulletin.md").read_text(encoding="utf-8")
    assert md.count("资料来源 Sources") == 2
    assert "广州市第七次全国人口普查公报(第六号)" in md and "— 2021-05" in md
    t2 = read(gz / "table2_series.csv")
    assert all(r["resident_source"] and r["resident_release"] for r in t2)


def test_values_in_the_text_match_the_known_figures(gz):
    t2 = {int(r["year"]): r for r in read(gz / "table2_series.csv")}
    assert (t2[2019]["resident_rate_pct"], t2[2019]["hukou_rate_pct"]) == ("85.13", "79.90")
    assert (t2[2020]["resident_rate_pct"], t2[2021]["hukou_change_prev_pp"]) == ("86.19", "0.32")
    assert t2[2015]["note"].startswith("rates refer to different dates")


def test_running_twice_gives_identical_files(bundled, gz):
    before = tree_snapshot(gz)
    make_bulletin(bundled, "440100")
    assert tree_snapshot(gz) == before


def test_a_bulletin_for_china_lists_the_31_provinces(bundled):
    out = make_bulletin(bundled, "全国", 2019)
    t1 = read(out / "table1_regions.csv")
    assert len(t1) == 32
    china = t1[0]
    assert (china["resident_rate_pct"], china["hukou_rate_pct"], china["gap_pp"]) == ("60.60", "44.38", "16.22")
    assert (china["resident_change_prev_pp"], china["hukou_change_prev_pp"]) == ("1.02", "1.01")
