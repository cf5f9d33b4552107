"""Rules that the bundled data does not exercise, on small SYNTHETIC tables (made up for the tests)."""

import datetime as dt

import openpyxl
import pyarrow.parquet as pq
import pytest

from hukou_stats.core.errors import UsageError, ValidationFailed
from hukou_stats.publish.bulletin import make_bulletin
from hukou_stats.reference.releases import release_date
from hukou_stats.store.commit import ingest
from hukou_stats.store.parquet import Store
from hukou_stats.validate.cross_checks import chosen_publication
from hukou_stats.validate.run import check_inputs
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from tests.helpers import long_csv, make_project, tree_snapshot

S = "SYNTHETIC test figure"


def line(
    code, year, measure, value, unit="persons", series="first_release", published="2020-03", definition="", source=S
):
    return f"{code},,{year},{measure},{value},{unit},{source},{published},,{series},{definition},"


def db(tmp_path, *lines, extra=None):
    p = make_project(tmp_path, {"s.csv": long_csv(*lines), **(extra or {})})
    ingest(p)
    build(p)
    return p, connect(p)


ZJ_CITIES = [
    "330100",
    "330200",
    "330300",
    "330400",
    "330500",
    "330600",
    "330700",
    "330800",
    "330900",
    "331000",
    "331100",
]


def test_china_is_never_summed_from_one_provinces_cities(tmp_path):
    lines = []
    for c in ZJ_CITIES:
        lines += [
            line(c, 2020, "resident_urban", 500, series="census_2020"),
            line(c, 2020, "resident_total", 1000, series="census_2020"),
        ]
    _, con = db(tmp_path, *lines)
    assert con.execute("select region_code from counts where status = 'aggregated' group by 1").fetchall() == [
        ("330000",)
    ]


def test_a_new_urban_count_is_checked_against_a_total_stored_earlier(tmp_path):
    p = make_project(tmp_path, {"a.csv": long_csv(line("440100", 2019, "resident_total", 1000))})
    ingest(p)
    before = tree_snapshot(p.processed)
    (p.raw / "b.csv").write_text(long_csv(line("440100", 2019, "resident_urban", 1200)), encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        ingest(p, [p.raw / "b.csv"])
    assert [(i.file, i.row, i.check) for i in e.value.errors()] == [("data/raw/b.csv", 2, "urban_le_total")]
    assert tree_snapshot(p.processed) == before


def test_row_numbers_count_blank_lines(tmp_path):
    text = (
        long_csv(line("440100", 2019, "resident_total", 1000))
        + "\n\n"
        + line("440100", 2019, "resident_urban", "lots")
        + "\n"
    )
    errors = check_inputs(make_project(tmp_path, {"a.csv": text})).errors
    assert [(i.row, i.check) for i in errors] == [(5, "value_numeric")]


def test_wide_csv_with_a_title_line_and_blank_lines(tmp_path):
    p = make_project(tmp_path, {"t.csv": "表2 各区人口\n\n地区,2019\n全市,1000\n\n白云区,x1\n"})
    (p.raw / "t.toml").write_text(
        'layout="years"\nheader_row=3\nregion_column="地区"\nparent="440100"\n'
        'measure="resident_total"\nunit="persons"\npublished="2020"\nseries="first_release"\n'
        'source="s"\n[aliases]\n"全市"="440100"\n',
        encoding="utf-8",
    )
    checked = check_inputs(p)
    assert [(i.row, i.column, i.value) for i in checked.errors] == [(6, "2019", "x1")]
    assert list(checked.frame.source_row) == [4]


def test_codes_outside_the_registry(tmp_path):
    checked = check_inputs(
        make_project(
            tmp_path,
            {"a.csv": long_csv(line("999999", 2019, "resident_total", 1), line("440199", 2019, "resident_total", 1))},
        )
    )
    # stored as figures of no unit, never a child in any sum; a malformed province part is said so
    assert [(i.row, i.severity, i.check) for i in checked.issues] == [
        (2, "warning", "region_code_known"),
        (3, "warning", "region_code_known"),
    ]
    assert "province part 99 names no province" in checked.issues[0].message
    assert "in no list of the code history" in checked.issues[1].message


def test_an_empty_value_in_a_long_table_is_reported(tmp_path):
    checked = check_inputs(make_project(tmp_path, {"a.csv": long_csv(line("440100", 2019, "resident_total", ""))}))
    assert [(i.row, i.severity, i.check) for i in checked.issues if i.check == "value_present"] == [
        (2, "warning", "value_present")
    ]


def test_xlsx_numbers_keep_the_decimals_of_their_format(tmp_path):
    p = make_project(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["地区", "城镇化率", "人口"])
    ws.append(["全市", 86.4, 15305900])
    ws["B2"].number_format = "0.00"
    ws["C2"].number_format = "#,##0"
    ws.append(["荔湾区", 100, 1000])
    ws["B3"].number_format = "0.00"
    wb.save(p.raw / "t.xlsx")
    (p.raw / "t.toml").write_text(
        'layout="measures"\nregion_column="地区"\nparent="440100"\nyear=2019\nunit="persons"\n'
        'published="2020"\nseries="first_release"\nsource="s"\n[aliases]\n"全市"="440100"\n'
        '[columns]\n"城镇化率"={measure="resident_urban_rate_pct",unit="pct"}\n"人口"="resident_total"\n',
        encoding="utf-8",
    )
    df = check_inputs(p).frame.set_index(["region_code", "measure"])
    assert df.loc[("440100", "resident_urban_rate_pct"), ["value_published", "decimals"]].tolist() == ["86.40", 2]
    assert df.loc[("440103", "resident_urban_rate_pct"), ["value_published", "decimals"]].tolist() == ["100.00", 2]
    assert df.loc[("440100", "resident_total"), "value_published"] == "15305900"


def test_rates_only_from_counts_of_one_series_definition_and_date(tmp_path):
    census_urban = ("u.csv", "地区,城镇人口\n全市,900\n")
    _, con = db(
        tmp_path,
        line("440103", 2019, "resident_urban", 90),
        line("440103", 2019, "resident_total", 100, series="census_revised"),
        line("440104", 2019, "hukou_urban", 80, series="hukou_register", definition="urban_rural_area_2015_rule"),
        line("440104", 2019, "hukou_urban", 90, series="hukou_register", definition="nonagri_2003_rule"),
        line("440104", 2019, "hukou_total", 100, series="hukou_register"),
        line("440100", 2019, "resident_total", 1000),
        extra={
            census_urban[0]: census_urban[1],
            "u.toml": 'layout="measures"\nregion_column="地区"\nyear=2019\nreference_date="2019-11-01"\n'
            'unit="persons"\npublished="2020"\nseries="first_release"\nsource="s"\n'
            '[aliases]\n"全市"="440100"\n[columns]\n"城镇人口"="resident_urban"\n',
        },
    )
    rows = con.execute("select region_code, definition, value from rates order by 1, 2").fetchall()
    assert rows == [("440104", "nonagri_2003_rule", 90.0), ("440104", "urban_rural_area_2015_rule", 80.0)]


def test_published_rate_against_counts(tmp_path):
    same = [line("440100", 2019, "resident_urban", 800), line("440100", 2019, "resident_total", 1000)]
    ok = check_inputs(
        make_project(
            tmp_path / "ok",
            {"a.csv": long_csv(*same, line("440100", 2019, "resident_urban_rate_pct", "80.0", unit="pct"))},
        )
    )
    assert ok.issues == []
    bad = check_inputs(
        make_project(
            tmp_path / "bad",
            {
                "a.csv": long_csv(
                    *same,
                    line("440100", 2019, "resident_urban_rate_pct", "80.2", unit="pct"),
                    line("440100", 2019, "resident_urban_rate_pct", "80.3", unit="pct", source="other"),
                )
            },
        )
    )
    got = sorted((i.row, i.severity) for i in bad.issues if i.check == "rate_matches_counts")
    assert got == [(4, "error"), (5, "warning")]
    # counts in 万人 known to ±50 persons: 0.80万/1.00万 may be anything up to 8050/9950 = 80.90 %
    loose = check_inputs(
        make_project(
            tmp_path / "loose",
            {
                "a.csv": long_csv(
                    line("440100", 2019, "resident_urban", "0.80", unit="10k_persons"),
                    line("440100", 2019, "resident_total", "1.00", unit="10k_persons"),
                    line("440100", 2019, "resident_urban_rate_pct", "80.9", unit="pct"),
                )
            },
        )
    )
    assert [i for i in loose.issues if i.check == "rate_matches_counts"] == []


def test_a_later_release_of_one_source_revises_it_and_is_not_checked_against_it(tmp_path):
    """A revised count is compared with the counts and rates of its own release, not with the figures it revises;
    the same pair from two sources is still a contradiction worth a warning."""
    revised = [
        line("440100", 2019, "resident_urban", 800, published="2020-03"),
        line("440100", 2019, "resident_total", 1000, published="2020-03"),
        line("440100", 2019, "resident_urban_rate_pct", "80.0", unit="pct", published="2020-03"),
        line("440100", 2019, "resident_urban", 1100, published="2021-06"),
        line("440100", 2019, "resident_total", 1200, published="2021-06"),
        line("440100", 2019, "resident_urban_rate_pct", "91.7", unit="pct", published="2021-06"),
    ]
    report = check_inputs(make_project(tmp_path / "rev", {"a.csv": long_csv(*revised)}))
    assert [i for i in report.issues if i.check in ("urban_not_above_total", "rate_matches_counts")] == []
    other = [line("440100", 2019, "resident_urban", 1100, published="2021-06", source="other")]
    report = check_inputs(make_project(tmp_path / "other", {"a.csv": long_csv(*revised[:3], *other)}))
    got = [(i.check, i.severity) for i in report.issues if i.check in ("urban_not_above_total", "rate_matches_counts")]
    assert ("rate_matches_counts", "warning") in got


def test_the_checks_choose_the_publication_the_views_choose(tmp_path):
    """Of three publications of one figure the parent-children check takes the one latest_observations takes: the
    most precise, then from the source that published it first (not the later reprint), whatever was released last."""
    p, con = db(
        tmp_path,
        line("440100", 2019, "resident_total", 1000, published="2020-03"),
        line("440100", 2019, "resident_total", 1010, published="2021-03", source="reprint"),
        line("440100", 2019, "resident_total", "0.11", unit="10k_persons", published="2021-06"),
    )
    (viewed,) = con.execute(
        "select value from latest_observations where region_code = '440100' and measure = 'resident_total'"
    ).fetchone()
    chosen = chosen_publication(Store(p.processed).read().astype({"year": "int64"}))
    assert viewed == 1000 and chosen.value.tolist() == [1000]


def test_headline_prefers_the_published_rate_and_flags_a_mismatch(tmp_path):
    _, con = db(
        tmp_path,
        line("440100", 2019, "resident_urban", 79996),
        line("440100", 2019, "resident_total", 100000),
        line("440100", 2019, "resident_urban_rate_pct", "80.00", unit="pct", source="other"),
        line("440103", 2019, "resident_urban", 80),
        line("440103", 2019, "resident_total", 100),
        line("440103", 2019, "resident_urban_rate_pct", "81.00", unit="pct", source="other"),
    )
    rows = con.execute(
        "select region_code, resident_rate_pct, resident_status, flags from urbanization order by 1"
    ).fetchall()
    assert rows[0] == ("440100", 80.0, "computed", None)
    assert rows[1] == ("440103", 81.0, "computed", "published rate differs from counts")
    assert con.execute("select matches_published from rates order by region_code").fetchall() == [(True,), (False,)]


def test_series_precedence_beats_a_later_release(tmp_path):
    _, con = db(
        tmp_path,
        line("440100", 2019, "resident_urban_rate_pct", "85.13", unit="pct", series="census_revised", published="2022"),
        line("440100", 2019, "resident_urban_rate_pct", "86.46", unit="pct", published="2023-01"),
    )
    assert con.execute("select resident_rate_pct, resident_series from urbanization").fetchone() == (
        85.13,
        "census_revised",
    )


def test_a_narrowing_gap_is_a_negative_change(tmp_path):
    lines = []
    for year, res, huk in ((2013, 800, 600), (2014, 810, 620)):
        lines += [
            line("440100", year, "resident_urban", res),
            line("440100", year, "resident_total", 1000),
            line("440100", year, "hukou_urban", huk, series="hukou_register", definition="urban_rural_area_2015_rule"),
            line("440100", year, "hukou_total", 1000, series="hukou_register"),
        ]
    _, con = db(tmp_path, *lines)
    gap, change, change13 = con.execute(
        "select gap_pp, gap_change_prev_pp, gap_change_2013_pp from urbanization_changes where year = 2014"
    ).fetchone()
    assert gap == pytest.approx(19.0) and change == pytest.approx(-1.0) and change13 == pytest.approx(-1.0)


def test_resident_figures_across_the_census_revision_are_not_compared(con):
    """China 2021 (first release, 2022) against 2013 (first release, 2014): the 2020 census lies between."""
    r13, note = con.execute(
        "select resident_change_2013_pp, comparability_note from urbanization_changes "
        "where region_code = '000000' and year = 2021"
    ).fetchone()
    assert r13 is None and "benchmark revision of 2021-05-11" in note
    assert con.execute(
        "select resident_change_2013_pp from urbanization_changes where region_code = '000000' and year = 2019"
    ).fetchone()[0] == pytest.approx(60.599979 - 53.729643, abs=1e-5)
    for year in (2018, 2019, 2021):  # Guangzhou: headline series without a 2013 value
        assert (
            con.execute(
                "select resident_change_2013_pp from urbanization_changes where region_code = '440100' and year = ?",
                [year],
            ).fetchone()[0]
            is None
        )


@pytest.mark.slow
def test_bulletin_rounds_half_up_from_the_counts(tmp_path):
    # 80125 / 100000 = 80.125 exactly: half-up gives 80.13 where round() gives 80.12 (half-even)
    p, con = db(
        tmp_path,
        line("440100", 2019, "resident_urban", 80125),
        line("440100", 2019, "resident_total", 100000),
        line("440100", 2019, "hukou_urban", 2675, series="hukou_register", definition="urban_rural_area_2015_rule"),
        line("440100", 2019, "hukou_total", 100000, series="hukou_register"),
    )
    con.close()
    out = make_bulletin(p, "440100")
    text = (out / "table3_series.csv").read_text(encoding="utf-8")
    assert ",80.13," in text and ",2.68," in text and ",77.45," in text


def test_bulletin_for_a_year_without_figures_is_refused(bundled):
    with pytest.raises(UsageError, match="no figure for 440100 广州市 or its subdivisions in 1990"):
        make_bulletin(bundled, "440100", 1990)


@pytest.mark.slow
def test_bulletin_default_year_falls_back_to_either_rate(bundled):
    out = make_bulletin(bundled, "浙江")
    assert out.parts[-3:] == ("330000", "2021", "both")


def test_release_dates():
    assert release_date("2020-02") == (dt.date(2020, 2, 29), "month")
    assert release_date("2022") == (dt.date(2022, 12, 31), "year")
    assert release_date("2021-05-11") == (dt.date(2021, 5, 11), "day")
    assert release_date("") == (None, "unknown")


def test_a_failed_write_leaves_no_part_and_the_manifest_whole(tmp_path, monkeypatch):
    p = make_project(tmp_path, {"a.csv": long_csv(line("440100", 2019, "resident_total", 1))})
    ingest(p)
    before = tree_snapshot(p.processed)
    (p.raw / "b.csv").write_text(
        long_csv(line("440100", 2020, "resident_total", 2, published="2021")), encoding="utf-8"
    )

    def half_write(table, where, **kw):
        with open(where, "wb") as f:
            f.write(b"PAR1 partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", half_write)
    from hukou_stats.core.errors import InputOutputError

    with pytest.raises(InputOutputError, match="No space left"):
        ingest(p)
    assert tree_snapshot(p.processed) == before
    assert len(Store(p.processed).read()) == 1


def test_a_published_rate_and_counts_of_different_definitions_stay_apart(tmp_path):
    _, con = db(
        tmp_path,
        line("440100", 2019, "hukou_urban", 80, series="hukou_register", definition="urban_rural_area_2015_rule"),
        line("440100", 2019, "hukou_total", 100, series="hukou_register"),
        line(
            "440100",
            2019,
            "hukou_urban_rate_pct",
            "90.0",
            unit="pct",
            series="hukou_register",
            definition="nonagri_2003_rule",
        ),
        # a total stated under one definition is not the denominator of an urban count of another
        line("440103", 2019, "hukou_urban", 80, series="hukou_register", definition="urban_rural_area_2015_rule"),
        line("440103", 2019, "hukou_total", 100, series="hukou_register", definition="nonagri_2003_rule"),
    )
    rows = con.execute(
        "select region_code, definition, value, status, published_value from rates order by 1, 2"
    ).fetchall()
    assert rows == [
        ("440100", "nonagri_2003_rule", 90.0, "published", 90.0),
        ("440100", "urban_rural_area_2015_rule", 80.0, "computed", None),
    ]


def test_changes_need_the_same_series_and_point_date_at_both_ends(tmp_path):
    spec = (
        'layout="measures"\nregion_column="地区"\nyear=2014\nreference_date="2014-11-01"\nunit="pct"\n'
        'published="2015-02"\nseries="first_release"\nsource="SYNTHETIC"\n[aliases]\n"南沙"="440115"\n'
        '[columns]\n"率"="resident_urban_rate_pct"\n'
    )
    _, con = db(
        tmp_path,
        # resident: 2013 only in the yearbook series, 2014 a first release (no revision in between)
        line(
            "440100",
            2013,
            "resident_urban_rate_pct",
            "85.00",
            unit="pct",
            series="pre_census2020_revision",
            published="2014-06",
        ),
        line("440100", 2014, "resident_urban_rate_pct", "86.00", unit="pct", published="2015-02"),
        # hukou: 2014 in first_release, 2015 in the register series, same definition
        line("440100", 2014, "hukou_urban_rate_pct", "70.00", unit="pct", definition="urban_rural_area_2015_rule"),
        line(
            "440100",
            2015,
            "hukou_urban_rate_pct",
            "71.00",
            unit="pct",
            series="hukou_register",
            definition="urban_rural_area_2015_rule",
        ),
        # 南沙: 2014 dated 1 November by its spec, 2015 at year-end, same series
        line("440115", 2015, "resident_urban_rate_pct", "73.00", unit="pct", published="2016-02"),
        extra={"n.csv": "地区,率\n南沙,72.00\n", "n.toml": spec},
    )
    r2014 = con.execute(
        "select resident_change_prev_pp, resident_change_2013_pp from urbanization_changes "
        "where region_code = '440100' and year = 2014"
    ).fetchone()
    assert r2014 == (None, None)
    h2015 = con.execute(
        "select hukou_change_prev_pp from urbanization_changes where region_code = '440100' and year = 2015"
    ).fetchone()
    assert h2015 == (None,)
    ns = con.execute(
        "select resident_change_prev_pp from urbanization_changes where region_code = '440115' and year = 2015"
    ).fetchone()
    assert ns == (None,)


def test_hong_kong_and_macao_are_regions_outside_chinas_totals(tmp_path):
    # 810000 and 820000 are codes of the registry (GB/T 2260): accepted without a doubt, named, and no child of
    # China's sums (the mainland's statistics do not include them)
    rows = [line(c, 2020, "resident_total", v) for c, v in (("810000", 7474200), ("820000", 683200))]
    checked = check_inputs(make_project(tmp_path / "a", {"a.csv": long_csv(*rows)}))
    assert checked.issues == []
    _, con = db(tmp_path / "b", *rows)
    names = dict(con.execute("select region_code, region_name from observations").fetchall())
    assert names == {"810000": "香港特别行政区", "820000": "澳门特别行政区"}
    assert con.execute("select count(*) from counts where region_code = '000000'").fetchone()[0] == 0
