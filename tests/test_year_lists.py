"""Each year's figures are summed against that year's list: a table of another year never changes this year's sums
or reconciliation (崇文区 110103 and 宣武区 110104 are children of 北京市 in the list of 2009, not of 2020).

The 2020 figures are the census county table's own rows for 北京市 (real, published); the 2009 and 2010 figures are
SYNTHETIC (source "SYNTHETIC test figure"), made up for the test: only their years and codes matter here.
"""

from __future__ import annotations

import pytest

from hukou_stats.core.project import Project
from hukou_stats.reference.registry import load_registry
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from tests.helpers import ROOT, long_csv, make_project

SRC = "SYNTHETIC test figure"
CENSUS = "data/raw/census/census_county_2020_v1.xlsx"
REG = load_registry(Project.at(ROOT))


def beijing_2020(bundled_checked) -> str:
    df = bundled_checked.frame
    df = df[(df.source_file == CENSUS) & df.region_code.str.startswith("11")]
    return long_csv(
        *(
            f'{r.region_code},,2020,{r.measure},{r.value_published},persons,"{r.source}",2022-10,,census_2020,,'
            for r in df.itertuples()
        )
    )


def synthetic(year: int) -> list[str]:
    kids = [k.code for k in REG.children("110000", year)]
    rows = []
    for i, code in enumerate(kids):
        rows += [
            f"{code},,{year},resident_total,{1000 + i},persons,{SRC},{year + 1}-03,,first_release,,",
            f"{code},,{year},resident_urban,{900 + i},persons,{SRC},{year + 1}-03,,first_release,,",
        ]
    return rows + [f"110000,,{year},resident_total,{sum(1000 + i for i in range(len(kids)))},persons,{SRC} total,"
                   f"{year + 1}-03,,first_release,,"]  # fmt: skip


def reconciliation(con, year):
    return con.execute(
        "select * from reconciliation where year = ? order by region_code, measure, series", [year]
    ).fetchall()


@pytest.mark.slow
def test_a_table_of_other_years_does_not_change_2020(tmp_path, bundled_checked):
    assert {"110103", "110104"} <= {k.code for k in REG.children("110000", 2009)}
    alone = make_project(tmp_path / "alone", {"bj2020.csv": beijing_2020(bundled_checked)})
    ingest(alone)
    build(alone)
    both = make_project(
        tmp_path / "both",
        {"bj2020.csv": beijing_2020(bundled_checked), "bj_older.csv": long_csv(*synthetic(2009), *synthetic(2010))},
    )
    ingest(both)
    build(both)
    a, b = connect(alone), connect(both)
    try:
        before = reconciliation(a, 2020)
        assert before and before == reconciliation(b, 2020)
        beijing = [r for r in before if r[0] == "110000" and r[4] == "resident_total"]
        assert [(r[12], r[13], r[15]) for r in beijing] == [(16, 16, "agrees within rounding")]
        # each older year against its own list: 18 units in 2009 (with 崇文, 宣武), 16 in 2010
        older = b.execute("""select year, n_children, n_expected, note from reconciliation
            where region_code = '110000' and year < 2020 order by year""").fetchall()
        assert older == [(2009, 18, 18, "agrees within rounding"), (2010, 16, 16, "agrees within rounding")]
    finally:
        a.close()
        b.close()
