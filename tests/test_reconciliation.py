"""Reconciliation of published parents with the sum of their children, on the bundled real data.

Zhejiang 2020 census: the province (64567588 resident, 46598465 urban; 浙江省第七次人口普查主要数据公报)
equals the sum of its 11 cities' census bulletins exactly. The census county table (leiii/census, from the census
county yearbook) publishes 温州市 9,572,903 and its 12 county-level units summing to 9,323,560: 249,343 persons
(248,220 urban) live in 温州经济技术开发区, which belongs to no county. China: the published 1,411,778,724
(141177.87万; 901,991,162 urban, 第七次全国人口普查公报) includes 2,000,000 active military who belong to no
province; the 31 provinces sum to 1,409,778,724 (899,991,162 urban).
"""

from hukou_stats.validate.report import RECONCILIATION_HEADING, write_reconciliation


def rec(con, region, year=2020, series="census_2020"):
    return {
        r[0]: r[1:]
        for r in con.execute(
            """select measure, published_value, children_sum, difference, n_children, n_expected, note, explanation
            from reconciliation where region_code = ? and year = ? and series = ?""",
            [region, year, series],
        ).fetchall()
    }


def test_zhejiang_census_agrees_with_its_cities(con):
    got = rec(con, "330000")
    assert got["resident_total"][:6] == (64567588, 64567588, 0, 11, 11, "agrees within rounding")
    assert got["resident_urban"][:6] == (46598465, 46598465, 0, 11, 11, "agrees within rounding")


def test_wenzhou_residual_is_the_area_in_no_county(con):
    got = rec(con, "330300")
    assert got["resident_total"][:5] == (9572903, 9323560, 249343, 12, 12)  # 龙湾区 and 苍南县 among the 12
    assert got["resident_urban"][:3] == (6907989, 6659769, 248220)
    assert got["resident_total"][5] == "differs by more than rounding"
    assert "none of its children" in got["resident_total"][6]


def test_dali_city_is_counted_in_dali_prefecture(con):
    # 532901 大理市 (771,128 persons) is a county-level city of 大理州: the 12 units sum to the published figure
    got = rec(con, "532900")
    assert got["resident_total"][:6] == (3337559, 3337559, 0, 12, 12, "agrees within rounding")
    assert got["resident_urban"][:3] == (1431062, 1431062, 0)


def test_china_differs_from_its_provinces_by_the_military(con):
    got = rec(con, "000000")
    assert got["resident_urban"][:5] == (901991162, 899991162, 2000000, 31, 31)
    assert got["resident_total"][1] == 1409778724
    assert round(got["resident_total"][2], -2) == 2000000  # 141177.87万 is known to ±50 persons
    assert "active military" in got["resident_urban"][6]


def test_incomplete_children_give_no_sum_and_name_the_missing(con):
    rows = con.execute("""select note, children_sum, difference, missing_children from reconciliation
        where region_code = '330000' and year = 2019""").fetchall()
    assert rows and all(n.startswith("incomplete") and s is None and d is None for n, s, d, _ in rows)
    assert all("330" in m for *_, m in rows)


def test_a_difference_is_published_minus_the_complete_sum(con):
    r = con.execute("""select published_value - children_sum = difference from reconciliation
        where children_sum is not null""").fetchall()
    assert r and all(x for (x,) in r)


def test_the_validation_report_has_the_section(con, tmp_path):
    (tmp_path / "validation_report.md").write_text(
        "# Validation report / 校验报告\n\nEvery check passed.\n", encoding="utf-8"
    )
    md, csv = write_reconciliation(con, tmp_path)
    text = md.read_text(encoding="utf-8")
    assert "Every check passed." in text and RECONCILIATION_HEADING in text
    assert "| 330000 浙江省 | 2020 | resident_total | census_2020 | 64567588 | 64567588 | 0 | 11 of 11 |" in text
    assert "| 330300 温州市 | 2020 | resident_total | census_2020 | 9572903 | 9323560 | 249343 | 12 of 12 |" in text
    write_reconciliation(con, tmp_path)  # written again: one section, not two
    assert md.read_text(encoding="utf-8").count(RECONCILIATION_HEADING) == 1
    assert "region_code" in csv.read_text(encoding="utf-8").splitlines()[0]
