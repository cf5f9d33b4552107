"""Readers: the bundled data, wide tables through a spec, and what a spec must say."""

import csv
import zipfile
from collections import Counter

import openpyxl
import pytest

from hukou_stats.core.config import ConfigInvalid
from hukou_stats.core.errors import UsageError
from hukou_stats.validate.run import check_inputs
from tests.helpers import REFERENCE, make_project


def _key(region, year, measure, value, unit, source, published, series, definition, seen_at, note):
    return (
        region,
        int(year),
        measure,
        value,
        unit,
        source,
        published or "",
        series,
        definition or "",
        seen_at or "",
        note or "",
    )


CENSUS = "data/raw/census/census_county_2020_v1.xlsx"


def test_every_bundled_figure_is_ingested_without_error(bundled_checked):
    checked = bundled_checked
    assert checked.errors == []
    census = checked.frame.source_file == CENSUS
    assert (~census).sum() == 314
    assert census.sum() == 2 * (3358 - 46)  # every row with a code, resident_total and resident_urban
    assert checked.frame.row_id.is_unique


def test_ingested_rows_equal_the_published_reference_row_for_row(bundled_checked):
    """data/raw splits the reference by publication (two yearbook tables are wide); nothing is lost or altered."""
    expected = Counter()
    for name in ("guangzhou", "zhejiang", "national"):
        with open(REFERENCE / "observations" / f"{name}.csv", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                expected[
                    _key(
                        r["region_code"],
                        r["year"],
                        r["measure"],
                        r["value"],
                        r["unit"],
                        r["source"],
                        r["published"],
                        r["series"],
                        r["definition"],
                        r["seen_at"],
                        r["note"],
                    )
                ] += 1
    df = bundled_checked.frame
    df = df[df.source_file != CENSUS]  # the census county table: tests/test_census_county.py
    got = Counter(
        _key(*t)
        for t in df[
            [
                "region_code",
                "year",
                "measure",
                "value_published",
                "unit_published",
                "source",
                "published",
                "series",
                "definition",
                "seen_at",
                "note",
            ]
        ].itertuples(index=False)
    )
    assert got == expected


def test_census_and_sample_survey_figures_are_dated_1_november(bundled_checked):
    df = bundled_checked.frame
    census = df[df.series.isin(["census_2020", "sample_survey_2015"])]
    assert len(census) > 0
    assert {(d.month, d.day) for d in census.reference_date} == {(11, 1)}
    year_end = df[~df.series.isin(["census_2020", "sample_survey_2015"])]
    assert {(d.month, d.day) for d in year_end.reference_date} == {(12, 31)}


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2-1"
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_wide_xlsx_with_title_rows_spaced_names_and_ten_thousands(tmp_path):
    p = make_project(tmp_path)
    _xlsx(
        p.raw / "districts.xlsx",
        [
            ["2019年各区人口"],
            [],
            ["地  区", "常住人口", "城镇化率"],
            ["全 市", "1530.59", "86.46"],
            ["荔 湾 区", "—", "100"],
            ["番 禺 区", "182.78", ""],
        ],
    )
    (p.raw / "districts.toml").write_text(
        """
layout = "measures"
sheet = "2-1"
header_row = 3
region_column = "地  区"
parent = "440100"
year = 2019
unit = "万人"
published = "2020-03"
series = "first_release"
source = "test table"
[columns]
"常住人口" = "resident_total"
"城镇化率" = { measure = "resident_urban_rate_pct", unit = "%" }
[aliases]
"全市" = "440100"
""",
        encoding="utf-8",
    )
    checked = check_inputs(p)
    assert checked.errors == []
    df = checked.frame.set_index(["region_code", "measure"])
    assert df.loc[("440100", "resident_total"), "value"] == 15305900
    assert df.loc[("440100", "resident_total"), "precision"] == 50
    assert df.loc[("440113", "resident_total"), "value"] == 1827800
    assert df.loc[("440103", "resident_urban_rate_pct"), "value"] == 100
    assert ("440103", "resident_total") not in df.index  # "—" is not available, not zero
    assert ("440113", "resident_urban_rate_pct") not in df.index
    assert df.loc[("440100", "resident_total"), "source_row"] == 4  # the sheet row a statistician sees
    assert str(df.loc[("440100", "resident_total"), "reference_date"]) == "2019-12-31"


def test_wide_years_layout_reads_year_headers(tmp_path):
    p = make_project(tmp_path, {"t.csv": "地区,2018年,2019年\n全市,86.38,86.46\n白云区,81.02,81.04\n"})
    (p.raw / "t.toml").write_text(
        'layout="years"\nregion_column="地区"\nparent="440100"\n'
        'measure="resident_urban_rate_pct"\nunit="pct"\npublished="2020"\n'
        'series="pre_census2020_revision"\nsource="yearbook"\n[aliases]\n"全市"="440100"\n',
        encoding="utf-8",
    )
    df = check_inputs(p).frame
    assert sorted(zip(df.region_code, df.year, df.value)) == [
        ("440100", 2018, 86.38),
        ("440100", 2019, 86.46),
        ("440111", 2018, 81.02),
        ("440111", 2019, 81.04),
    ]


@pytest.mark.parametrize(
    "spec,message",
    [
        (
            'layout="diagonal"\nregion_column="地区"\nunit="pct"\npublished="2020"\nseries="first_release"\nsource="s"',
            "key 'layout': Input should be 'years' or 'measures'",
        ),
        ('region_column="地区"', "key 'layout': Field required"),
        (
            'layout="years"\nregion_column="地区"\nunit="pct"\npublished="2020"\nseries="first_release"\nsource="s"',
            'layout "years" needs measure',
        ),
        (
            'layout="years"\nregion_column="地区"\nmeasure="resident_urban_rate_pct"\nunit="furlongs"\npublished="2020"\n'
            'series="first_release"\nsource="s"',
            "unknown unit",
        ),
        ('layout="years" region', "not valid TOML"),
    ],
)
def test_a_broken_spec_is_a_configuration_error_naming_the_file(tmp_path, spec, message):
    p = make_project(tmp_path, {"t.csv": "地区,2019\n全市,1\n"})
    (p.raw / "t.toml").write_text(spec, encoding="utf-8")
    with pytest.raises(UsageError, match=message) as e:
        check_inputs(p)
    assert "t.toml" in str(e.value)


def test_a_file_that_is_neither_canonical_nor_specified_is_an_error(tmp_path):
    p = make_project(tmp_path, {"odd.csv": "a,b\n1,2\n"})
    checked = check_inputs(p)
    assert [i.check for i in checked.errors] == ["long_columns"]
    assert checked.errors[0].file == "data/raw/odd.csv"


def test_unreadable_files_are_located_errors_not_crashes(tmp_path):
    p = make_project(tmp_path)
    (p.raw / "empty.csv").write_bytes(b"")
    (p.raw / "gbk.csv").write_bytes(
        "地区,2019\n".encode("gbk") + b"\xff\xff\x80,1\n"
    )  # GBK, then bytes no encoding has
    (p.raw / "broken.xlsx").write_bytes(b"not a zip")
    with zipfile.ZipFile(p.raw / "zipped.xlsx", "w") as z:  # a zip, but no workbook inside
        z.writestr("a.txt", "x")
    spec = (
        'layout="years"\nregion_column="地区"\nmeasure="resident_urban_rate_pct"\nunit="pct"\n'
        'published="2020"\nseries="first_release"\nsource="s"\n'
    )
    (p.raw / "gbk.toml").write_text(spec, encoding="utf-8")
    (p.raw / "broken.toml").write_text(spec, encoding="utf-8")
    (p.raw / "zipped.toml").write_text(spec, encoding="utf-8")
    checked = check_inputs(p)
    got = {(i.file, i.check) for i in checked.errors}
    assert got == {
        ("data/raw/empty.csv", "file_readable"),
        ("data/raw/gbk.csv", "file_readable"),
        ("data/raw/broken.xlsx", "file_readable"),
        ("data/raw/zipped.xlsx", "file_readable"),
    }
    assert any("neither UTF-8" in i.message and "GB18030" in i.message for i in checked.errors)


def test_a_spec_naming_a_missing_sheet(tmp_path):
    p = make_project(tmp_path)
    _xlsx(p.raw / "t.xlsx", [["地区", "2019"], ["全市", "1"]])
    (p.raw / "t.toml").write_text(
        'layout="years"\nsheet="表9"\nregion_column="地区"\nmeasure="resident_total"\n'
        'unit="persons"\npublished="2020"\nseries="first_release"\nsource="s"\n',
        encoding="utf-8",
    )
    errors = check_inputs(p).errors
    assert [(e.file, e.check) for e in errors] == [("data/raw/t.xlsx", "sheet_exists")]
    assert "表9" in errors[0].message


CODED = (
    "区划代码,区县,人口数_合计\n440103,荔湾区,1238305\nNA,某开发区,1000\n,另一区域,2000\n440104,越秀区,1038643\nNA,,\n"
)
CODED_SPEC = """layout = "measures"
header_row = 1
region_column = "区划代码"
region_by = "code"
name_column = "区县"
year = 2020
unit = "persons"
published = "2022"
series = "census_2020"
source = "census county rows (荔湾区, 越秀区 as published; the other rows made up for the test)"

[columns]
"人口数_合计" = "resident_total"
"""


def test_rows_without_a_code_are_skipped_by_a_spec_rule_and_counted(tmp_path):
    rules = '\n[[skip]]\ncolumn = "区划代码"\nvalues = ["NA"]\nreason = "no code"\n\n[[skip]]\ncolumn = "区划代码"\nempty = true\n'
    p = make_project(tmp_path, {"t.csv": CODED, "t.toml": CODED_SPEC + rules})
    checked = check_inputs(p)
    assert checked.errors == []
    assert list(checked.frame.region_code) == ["440103", "440104"]
    assert list(checked.frame.region_name) == ["荔湾区", "越秀区"]  # the names as published (name_column)
    skipped = [(i.value, i.rows) for i in checked.issues if i.check == "rows_skipped"]
    assert skipped == [("2", "3, 6"), ("1", "4")]  # an empty code skips only a row that holds figures
    report = (p.out / "validation" / "validation_report.csv").read_text(encoding="utf-8")
    assert "rows_skipped" in report and "no code" in report


def test_without_the_rule_a_row_without_a_code_is_an_error(tmp_path):
    checked = check_inputs(make_project(tmp_path, {"t.csv": CODED, "t.toml": CODED_SPEC}))
    assert [(i.row, i.check) for i in checked.errors] == [(3, "region_known")]


def test_a_skip_rule_must_say_what_it_skips(tmp_path):
    p = make_project(tmp_path, {"t.csv": CODED, "t.toml": CODED_SPEC + '\n[[skip]]\ncolumn = "区划代码"\n'})
    with pytest.raises(ConfigInvalid, match="values"):
        check_inputs(p)
    p = make_project(
        tmp_path / "b", {"t.csv": CODED, "t.toml": CODED_SPEC + '\n[[skip]]\ncolumn = "代码"\nvalues = ["NA"]\n'}
    )
    checked = check_inputs(p)
    assert [(i.check, i.message) for i in checked.errors] == [
        ("column_exists", "spec [[skip]] names column '代码', which is not in the header")
    ]
