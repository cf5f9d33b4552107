"""Releases (vintages) as table macros, revision triangle and revision statistics, on the bundled data.

Published figures (the Guangzhou rows of data/raw/guangzhou/observations.csv, with their sources): 2019 resident population 1530.59万 and
resident rate 86.46% first released (2020-03); 1831.21万 and 85.13% after the 2020 census revision.
"""

from decimal import Decimal

import pytest

from hukou_stats.analysis.revisions import revision_triangle
from hukou_stats.core.numbers import round_half_up


def _rate(con, sql):
    return round_half_up(con.execute(sql).fetchone()[0], 2)


def test_as_of_mid_2020_the_2019_figures_are_the_first_release(con):
    q = "select resident_rate_pct from urbanization_as_of(DATE '2020-06-30') where region_code = '440100' and year = 2019"
    assert _rate(con, q) == Decimal("86.46")
    total = con.execute("""select value from population_as_of(DATE '2020-06-30') where region_code = '440100'
        and year = 2019 and measure = 'resident_total'""").fetchone()[0]
    assert total == 15_305_900


def test_latest_release_is_the_revision_and_first_is_the_first_release(con):
    q = "select resident_rate_pct from urbanization_as_of(NULL{}) where region_code = '440100' and year = 2019"
    assert _rate(con, q.format("")) == Decimal("85.13")
    assert _rate(con, q.format(", pick := 'first'")) == Decimal("86.46")
    # the views follow the variables, the macros do not depend on them
    assert _rate(
        con, "select resident_rate_pct from urbanization where region_code = '440100' and year = 2019"
    ) == Decimal("85.13")
    totals = {
        r[0]
        for r in con.execute("""select value from population_as_of(NULL) where region_code = '440100'
        and year = 2019 and measure = 'resident_total' and series = 'census_revised'""").fetchall()
    }
    assert totals == {18_312_100}


def test_a_release_date_before_any_figure_gives_nothing(con):
    assert con.execute("select count(*) from urbanization_as_of(DATE '2000-01-01')").fetchone()[0] == 0


def test_triangle_shows_both_releases_of_2019(con):
    t = revision_triangle(con, "440100", "resident_rate")
    row = t.cells.loc["2019"].dropna()
    assert set(row) >= {"86.46", "85.13"}
    assert row.index.min() < row.index.max()
    first_col = row.index.min()
    assert row[first_col] == "86.46" and t.series.loc["2019", first_col] == "first_release"
    # latest - first over the figures released more than once, from the figures themselves
    revs = con.execute("""select value - first_value from revisions where region_code = '440100'
        and measure = 'resident_urban_rate_pct' and n_releases >= 2 and release_number = n_releases""").fetchall()
    assert Decimal("-1.33") in {round_half_up(v, 2) for (v,) in revs}  # 85.13 - 86.46
    assert t.mean_revision == pytest.approx(sum(v for (v,) in revs) / len(revs))
    assert t.mean_abs_revision == pytest.approx(sum(abs(v) for (v,) in revs) / len(revs))


def test_triangle_as_known_in_mid_2020_has_one_release(con):
    con.execute("SET VARIABLE hukou_release_as_of = TIMESTAMP '2020-06-30'")
    try:
        t = revision_triangle(con, "440100", "resident_urban_rate_pct")
    finally:
        con.execute("RESET VARIABLE hukou_release_as_of")
    assert list(t.cells.index) == ["2019"] and t.n_years == 0
