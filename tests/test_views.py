"""The DuckDB views on the bundled real data, against figures published elsewhere."""

from decimal import Decimal

import pytest

from hukou_stats.core.numbers import round_half_up
from hukou_stats.warehouse.models import descriptions, materialized_names, missing_descriptions, relations

VIEWS = [
    "observations",
    "latest_observations",
    "counts",
    "rates",
    "urbanization",
    "urbanization_changes",
    "region_labels",
    "second_publications",
    "other_coverages",
    "incomplete_sums",
    "reconciliation",
]

# Published rates that are NOT in the bundle (the bundle has only the counts), each with its source.
# The rate computed from the bundled counts must round to them at their published precision.
PUBLISHED_ELSEWHERE = [
    ("000000", 2013, "resident_rate_pct", "first_release", "53.73", "NBS 2013年国民经济和社会发展统计公报"),
    ("000000", 2014, "resident_rate_pct", "first_release", "54.77", "NBS 2014年国民经济和社会发展统计公报"),
    ("000000", 2015, "resident_rate_pct", "first_release", "56.10", "NBS 2015年国民经济和社会发展统计公报"),
    ("000000", 2016, "resident_rate_pct", "first_release", "57.35", "NBS 2016年国民经济和社会发展统计公报"),
    ("000000", 2017, "resident_rate_pct", "first_release", "58.52", "NBS 2017 communiqué (METHOD-NOTES §3.5)"),
    ("000000", 2019, "resident_rate_pct", "first_release", "60.60", "NBS 2019 communiqué (METHOD-NOTES §3.5)"),
    ("000000", 2020, "resident_rate_pct", "census_2020", "63.89", "第七次全国人口普查公报(第七号)"),
    ("000000", 2021, "resident_rate_pct", "first_release", "64.72", "NBS 2021年国民经济和社会发展统计公报"),
    ("330000", 2020, "resident_rate_pct", "census_2020", "72.17", "浙江省第七次人口普查主要数据公报"),
    ("330100", 2020, "resident_rate_pct", "census_2020", "83.29", "杭州市第七次人口普查主要数据公报"),
    ("440100", 2020, "resident_rate_pct", "census_2020", "86.19", "广州市第七次全国人口普查公报(第六号)"),
]


def test_every_view_and_column_has_a_comment(con):
    """Every view and table carries a description, and so does every column of a view or of a view the build
    stores as a table."""
    described = dict(
        con.execute(
            """select view_name, comment from duckdb_views() where not internal
            union all select table_name, comment from duckdb_tables() where not internal"""
        ).fetchall()
    )
    assert set(VIEWS) <= set(described)
    assert all(described[v] for v in VIEWS)
    assert set(materialized_names()) <= {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    blank = con.execute(
        """select c.table_name, c.column_name from duckdb_columns() c
        where not c.internal and coalesce(c.comment, '') = ''
        and (c.table_name in (select view_name from duckdb_views() where not internal) or list_contains(?, c.table_name))""",
        [materialized_names()],
    ).fetchall()
    assert blank == []
    tables = con.execute("select table_name from duckdb_tables() where coalesce(comment, '') = ''").fetchall()
    assert tables == []


def test_columns_yaml_describes_exactly_what_the_build_makes(con):
    """Nothing undescribed, and no description left over for a view or table the build no longer makes."""
    assert missing_descriptions(con) == []
    made = {name for name, _ in relations(con)}
    d = descriptions()
    assert set(d["views"]) | set(d["tables"]) <= made
    view_columns = {
        c for (c,) in con.execute("select distinct column_name from duckdb_columns() where not internal").fetchall()
    }
    assert set(d["columns"]) <= view_columns


@pytest.mark.parametrize("region,year,indicator,series,published,source", PUBLISHED_ELSEWHERE)
def test_computed_rate_equals_the_rate_published_elsewhere(con, region, year, indicator, series, published, source):
    value, status = con.execute(
        "select value, status from rates where region_code=? and year=? and indicator=? and series=?",
        [region, year, indicator, series],
    ).fetchone()
    assert status == "computed"
    decimals = -Decimal(published).as_tuple().exponent
    assert round_half_up(value, decimals) == Decimal(published), source


def test_counts_of_different_series_or_dates_never_meet_in_one_rate(con):
    """Guangzhou 2020: the census urban count (1 Nov) must not be divided by the year-end estimate."""
    bad = con.execute("""
        select r.region_code, r.year, r.series from rates r
        where r.status = 'computed' and not exists (
            select 1 from observations n join observations d
              on d.region_code = n.region_code and d.year = n.year and d.series = n.series
             and d.reference_date = n.reference_date
            where n.region_code = r.region_code and n.year = r.year and n.series = r.series
              and n.reference_date = r.reference_date and n.value = r.numerator and d.value = r.denominator
              and n.measure like '%urban' and d.measure like '%total')""").fetchall()
    assert bad == []
    gz2020 = con.execute(
        "select series, denominator from rates where region_code='440100' and year=2020 "
        "and indicator='resident_rate_pct'"
    ).fetchall()
    assert gz2020 == [("census_2020", 18676605.0)]


def test_guangzhou_urbanization_has_2013_to_2021(con):
    years = [
        r[0] for r in con.execute("select year from urbanization where region_code='440100' order by year").fetchall()
    ]
    assert years == list(range(2013, 2022))


def test_headline_follows_the_latest_revision_and_is_a_published_figure(con):
    # 2019: first released 86.46 %, revised after the census to 85.13 %; the headline is the revised one
    r = con.execute(
        "select resident_rate_pct, resident_series, resident_status from urbanization "
        "where region_code='440100' and year=2019"
    ).fetchone()
    assert r == (85.13, "census_revised", "published")
    # every published-status headline is exactly a published figure of the bundle
    bad = con.execute("""select u.region_code, u.year from urbanization u where u.resident_status = 'published'
        and not exists (select 1 from observations o where o.region_code = u.region_code and o.year = u.year
                        and o.measure = 'resident_urban_rate_pct' and o.value = u.resident_rate_pct)""").fetchall()
    assert bad == []


def test_hukou_rate_and_gap_from_counts(con):
    h, gap = con.execute(
        "select hukou_rate_pct, gap_pp from urbanization where region_code='440100' and year=2021"
    ).fetchone()
    assert round_half_up(h, 2) == Decimal("80.81")  # 8174391 / 10115306
    assert gap == pytest.approx(86.46 - 100 * 8174391 / 10115306)


def test_national_changes_agree_with_the_published_communiques(con):
    """NBS 2019 communiqué: 常住 60.60% 比上年末提高1.02个百分点; 户籍 44.38% 提高1.01个百分点 (METHOD-NOTES §3.5)."""
    rp, hp = con.execute(
        "select resident_change_prev_pp, hukou_change_prev_pp from urbanization_changes "
        "where region_code='000000' and year=2019"
    ).fetchone()
    assert round_half_up(rp, 2) == Decimal("1.02") and round_half_up(hp, 2) == Decimal("1.01")


def test_changes_are_null_across_series(con):
    # 2018 headline is census_revised; 2017 exists only in the pre-census yearbook series
    rp, note = con.execute(
        "select resident_change_prev_pp, comparability_note from urbanization_changes "
        "where region_code='440100' and year=2018"
    ).fetchone()
    assert rp is None and "no 2017 value in series census_revised" in note


def test_nothing_is_aggregated_from_an_incomplete_set_of_children(con):
    bad = con.execute("""select c.region_code, c.year, c.measure from counts c
        join incomplete_sums i using (region_code, year, reference_date, measure, series)
        where c.status = 'aggregated'""").fetchall()
    assert bad == []
    # Guangdong: the published census figure of 2020 (74.15 %, 广东省第七次全国人口普查公报), never a sum; in other
    # years only Guangzhou's figures are bundled, which do not make Guangdong
    rows = con.execute("select year, resident_rate_pct, resident_status from urbanization where region_code='440000'")
    rows = rows.fetchall()
    assert [(y, round_half_up(v, 2), s) for y, v, s in rows] == [(2020, Decimal("74.15"), "computed")]
