"""Release (vintage) selection: latest, first, and data as known on a date."""

from __future__ import annotations

import datetime as dt

import pytest

from hukou_stats.core.errors import UsageError
from hukou_stats.reference.releases import Release, apply_release, parse_release
from hukou_stats.warehouse.connection import connect


def test_parse_release():
    assert parse_release(None) == Release()
    assert parse_release("LATEST") == Release()
    assert parse_release("first") == Release(pick="first")
    assert parse_release("2020-06-30") == Release(as_of=dt.date(2020, 6, 30))
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        parse_release("2020/06/30")


def _value(con, region, year, measure, series):
    row = con.execute(
        "SELECT value, release_date FROM latest_observations WHERE region_code = ? AND year = ? "
        "AND measure = ? AND series = ?",
        [region, year, measure, series],
    ).fetchone()
    return row


def test_as_of_excludes_later_releases_and_unknown_dates(bundled):
    con = connect(bundled, release="2020-06-30")
    try:
        latest_release = con.execute(
            "SELECT max(release_date), count(*) FILTER (WHERE release_date IS NULL) FROM latest_observations"
        ).fetchone()
        assert latest_release[0] <= dt.date(2020, 6, 30)
        assert latest_release[1] == 0
        # Guangzhou 2019: only the first release (86.46) was known in mid-2020; the census revision came in 2021
        rates = con.execute(
            "SELECT resident_series, round(resident_rate_pct, 2) FROM urbanization "
            "WHERE region_code = '440100' AND year = 2019"
        ).fetchall()
        assert rates == [("first_release", 86.46)]
    finally:
        con.close()


def test_latest_uses_the_revision_and_switching_back_works(bundled):
    con = connect(bundled, release="2020-06-30")
    try:
        apply_release(con, "latest")
        rates = con.execute(
            "SELECT resident_series, round(resident_rate_pct, 2) FROM urbanization "
            "WHERE region_code = '440100' AND year = 2019"
        ).fetchall()
        assert rates == [("census_revised", 85.13)]
    finally:
        con.close()


def test_first_and_latest_differ_only_where_a_figure_was_revised(bundled):
    con = connect(bundled)
    try:
        revised = con.execute("""
            SELECT count(*) FROM (
              SELECT region_code, year, reference_date, measure, series, definition
              FROM stored_observations GROUP BY ALL HAVING count(DISTINCT release_date) > 1)""").fetchone()[0]
        latest = con.execute("SELECT * FROM latest_observations").df()
        apply_release(con, "first")
        first = con.execute("SELECT * FROM latest_observations").df()
    finally:
        con.close()
    assert len(first) == len(latest)
    key = ["region_code", "year", "reference_date", "measure", "series", "definition"]
    m = latest.merge(first, on=key, suffixes=("_l", "_f"))
    m = m[m.release_date_l.notna()]  # unknown release dates: one figure only, nothing to choose
    changed = m[m.release_date_l != m.release_date_f]
    assert len(changed) > 0
    assert (changed.release_date_f < changed.release_date_l).all()
    assert len(changed) <= revised
