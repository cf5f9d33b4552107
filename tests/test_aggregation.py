"""Aggregation up the hierarchy, derived counts and definition breaks, on small SYNTHETIC tables.

Every figure below is made up for the test (source "SYNTHETIC test figure"); none is published.
"""

import datetime as dt

import pytest

from hukou_stats.core.project import Project
from hukou_stats.reference.registry import load_registry
from hukou_stats.store.commit import ingest
from hukou_stats.validate.run import check_inputs
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from tests.helpers import ROOT, long_csv, make_project

SRC = "SYNTHETIC test figure"
DISTRICTS_2019 = [r.code for r in load_registry(Project.at(ROOT)).children("440100", dt.date(2019, 12, 31))]


def rows(code, year, urban, total, series="first_release", kind="resident", definition=""):
    return [
        f"{code},,{year},{kind}_urban,{urban},persons,{SRC},2020-03,,{series},{definition},",
        f"{code},,{year},{kind}_total,{total},persons,{SRC},2020-03,,{series},,",
    ]


def built(tmp_path, lines):
    p = make_project(tmp_path, {"synthetic.csv": long_csv(*lines)})
    ingest(p)
    build(p)
    return connect(p)


def all_districts(skip=None):
    lines = []
    for i, code in enumerate(DISTRICTS_2019):
        if code != skip:
            # very unequal sizes and rates, so that an average of rates would differ from the true rate
            lines += rows(code, 2019, urban=1000 * (i + 1) ** 2 // (i + 2), total=1000 * (i + 1) ** 2)
    return lines


def test_parent_rate_is_the_ratio_of_summed_counts_not_an_average(tmp_path):
    con = built(tmp_path, all_districts())
    urban = sum(1000 * (i + 1) ** 2 // (i + 2) for i in range(len(DISTRICTS_2019)))
    total = sum(1000 * (i + 1) ** 2 for i in range(len(DISTRICTS_2019)))
    value, status, num, den = con.execute(
        "select value, status, numerator, denominator from rates where region_code='440100' and year=2019"
    ).fetchone()
    assert status == "aggregated" and (num, den) == (urban, total)
    assert value == pytest.approx(100 * urban / total)
    mean_of_rates = con.execute("select avg(value) from rates where region_code <> '440100'").fetchone()[0]
    assert abs(value - mean_of_rates) > 1
    assert (
        con.execute("select flags from urbanization where region_code='440100'").fetchone()[0]
        == "aggregated from children"
    )


def test_no_parent_when_one_child_is_missing(tmp_path):
    con = built(tmp_path, all_districts(skip="440115"))
    assert con.execute("select count(*) from counts where region_code='440100'").fetchone()[0] == 0


def test_a_published_parent_wins_over_the_sum(tmp_path):
    con = built(tmp_path, all_districts() + rows("440100", 2019, 900, 1000))
    assert con.execute("select status, value from rates where region_code='440100'").fetchone() == ("computed", 90.0)


def test_urban_count_derived_from_a_published_rate_and_total(tmp_path):
    con = built(
        tmp_path,
        [
            f"440103,,2019,resident_urban_rate_pct,80.00,pct,{SRC},2020-03,,first_release,,",
            f"440103,,2019,resident_total,200000,persons,{SRC},2020-03,,first_release,,",
        ],
    )
    assert con.execute("select value, status, derived_from from counts where measure='resident_urban'").fetchone() == (
        160000.0,
        "derived",
        "rate x total",
    )
    # the rate stays the published one: it is not "computed" from a count made out of itself
    assert con.execute("select status, value from rates").fetchone() == ("published", 80.0)


def test_hukou_total_derived_from_urban_and_rural(tmp_path):
    con = built(
        tmp_path,
        [
            f"440114,,2020,hukou_urban,48.36,10k_persons,{SRC},2021,,hukou_register,urban_rural_area_2015_rule,",
            f"440114,,2020,hukou_rural,35.59,10k_persons,{SRC},2021,,hukou_register,urban_rural_area_2015_rule,",
        ],
    )
    value, status = con.execute("select value, status from rates").fetchone()
    assert status == "derived" and value == pytest.approx(100 * 483600 / 839500)


def test_a_change_across_a_definition_break_is_not_computed(tmp_path):
    con = built(
        tmp_path,
        rows("440100", 2013, 880, 1000, series="hukou_register", kind="hukou", definition="nonagri_2003_rule")
        + rows("440100", 2014, 890, 1000, series="hukou_register", kind="hukou", definition="nonagri_2003_rule")
        + rows(
            "440100", 2015, 790, 1000, series="hukou_register", kind="hukou", definition="urban_rural_area_2015_rule"
        ),
    )
    r = con.execute(
        "select hukou_change_prev_pp, hukou_change_2013_pp, comparability_note from urbanization_changes "
        "where region_code='440100' and year=2015"
    ).fetchone()
    assert r[0] is None and r[1] is None
    assert "definition break (nonagri_2003_rule vs urban_rural_area_2015_rule)" in r[2]
    r2014 = con.execute(
        "select hukou_change_prev_pp, hukou_change_2013_pp from urbanization_changes "
        "where region_code='440100' and year=2014"
    ).fetchone()
    assert r2014 == pytest.approx((1.0, 1.0))


def test_districts_against_the_city_total_is_reported_not_fatal(tmp_path):
    lines = [f"{c},,2019,hukou_in_migration,100,persons,{SRC},2020,,hukou_register,," for c in DISTRICTS_2019]
    lines.append(f"440100,,2019,hukou_in_migration,1000,persons,{SRC} city,2020,,hukou_register,,")
    p = make_project(tmp_path, {"flows.csv": long_csv(*lines)})
    checked = check_inputs(p)
    warn = [i for i in checked.issues if i.check == "children_sum_to_parent"]
    assert len(warn) == 1 and warn[0].severity == "warning" and checked.errors == []
    assert "sum to 1,100" in warn[0].message and "difference +100" in warn[0].message


def test_municipality_districts_sum_to_the_province_and_a_grouping_row_is_no_child(tmp_path):
    # 北京市's 16 districts are directly under it in the code history; a 市辖区 row (110100) is in no list: a figure of
    # no unit, never summed (it would count the districts twice)
    kids = [r.code for r in load_registry(Project.at(ROOT)).children("110000", 2020)]
    lines = [x for i, c in enumerate(kids) for x in rows(c, 2020, 50 + i, 100 + i, series="census_2020")]
    lines += rows("110100", 2020, 999, 9999, series="census_2020")
    p = make_project(tmp_path, {"bj.csv": long_csv(*lines)})
    checked = ingest(p)
    doubt = [i for i in checked.issues if i.check == "region_code_known"]
    assert [i.value for i in doubt] == ["110100", "110100"] and "no unit" in doubt[0].message
    build(p)
    con = connect(p)
    value, status = con.execute("""select value, status from counts where region_code = '110000'
        and measure = 'resident_total'""").fetchone()
    assert (len(kids), value, status) == (16, sum(100 + i for i in range(16)), "aggregated")


def test_guangdong_is_not_summed_from_two_of_its_cities(tmp_path):
    reg = load_registry(Project.at(ROOT))
    lines = []
    for city in ("440100", "440300"):  # every district of 广州 and of 深圳
        lines += [x for c in reg.children(city, 2020) for x in rows(c.code, 2020, 10, 20, series="census_2020")]
    con = built(tmp_path, lines)
    got = dict(
        con.execute("""select region_code, status from counts where year = 2020
        and measure = 'resident_total' and status = 'aggregated'""").fetchall()
    )
    assert got == {"440100": "aggregated", "440300": "aggregated"}
    missing = con.execute("""select n_children, n_expected, missing_children from incomplete_sums
        where region_code = '440000' and measure = 'resident_total'""").fetchone()
    assert missing[:2] == (2, 21) and "441900 东莞市" in missing[2]
