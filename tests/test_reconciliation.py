"""Reconciliation of published parents with the sum of their children, on the bundled real data.

Zhejiang 2020 census: the province (64567588 resident, 46598465 urban; 浙江省第七次人口普查主要数据公报)
equals the sum of its 11 cities' census bulletins exactly. Guangzhou 2019 hukou in/out-migration
(yearbook 2020 table 2-7): the 全市 row equals the sum of the 11 districts.
"""

from hukou_stats.validate.report import RECONCILIATION_HEADING, write_reconciliation


def test_zhejiang_census_agrees_with_its_cities(con):
    rows = con.execute("""select measure, published_value, children_sum, difference, n_children, note
        from reconciliation where region_code = '330000' and year = 2020 and series = 'census_2020'
        order by measure""").fetchall()
    assert rows == [
        ("resident_total", 64567588, 64567588, 0, 11, "agrees within rounding"),
        ("resident_urban", 46598465, 46598465, 0, 11, "agrees within rounding"),
    ]


def test_incomplete_children_are_not_a_disagreement(con):
    notes = {
        n
        for (n,) in con.execute("""select note from reconciliation where region_code = '330000'
        and year = 2019""").fetchall()
    }
    assert notes and all(n.startswith("incomplete") for n in notes)


def test_a_difference_is_reported(con):
    # the sum of children is compared with the published parent: difference = published - sum
    r = con.execute("""select published_value - children_sum = difference from reconciliation""").fetchall()
    assert r and all(x for (x,) in r)


def test_the_validation_report_has_the_section(con, tmp_path):
    (tmp_path / "validation_report.md").write_text(
        "# Validation report / 校验报告\n\nEvery check passed.\n", encoding="utf-8"
    )
    md, csv = write_reconciliation(con, tmp_path)
    text = md.read_text(encoding="utf-8")
    assert "Every check passed." in text and RECONCILIATION_HEADING in text
    assert "| 330000 浙江省 | 2020 | resident_total | census_2020 | 64567588 | 64567588 | 0 | 11 of 11 |" in text
    write_reconciliation(con, tmp_path)  # written again: one section, not two
    assert md.read_text(encoding="utf-8").count(RECONCILIATION_HEADING) == 1
    assert "region_code" in csv.read_text(encoding="utf-8").splitlines()[0]
