"""A rate is its numerator over its denominator (core.vocabulary.RATES). The 2010 census reports 非农业户口人口比重:
residents holding a non-agricultural hukou ÷ resident population. It is a measure of its own, under the 非农业 definition,
and never a 户籍人口城镇化率 (urban hukou population ÷ hukou population) nor an urban hukou count.

The figures are SYNTHETIC (source "SYNTHETIC test figure"), made up in the layout of a 2010 census table."""

from __future__ import annotations

import pytest

from hukou_stats.core.config import ConfigInvalid
from hukou_stats.store.commit import ingest
from hukou_stats.validate.run import check_inputs
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from tests.helpers import long_csv, make_project

SRC = "SYNTHETIC test figure"
TABLE = "地区,常住人口,非农业户口人口比重\n杭州市,8700000,45.20\n宁波市,7600000,38.10\n"


def spec(measure: str) -> str:
    return f"""layout = "measures"
header_row = 1
region_column = "地区"
parent = "330000"
names_as_of = "2010-12-31"
year = 2010
unit = "persons"
published = "2012"
series = "census_2010"
source = "{SRC}"

[columns]
"常住人口" = "resident_total"
"非农业户口人口比重" = {{ measure = "{measure}", unit = "pct" }}
"""


def test_the_2010_share_is_its_own_measure_and_never_a_hukou_rate(tmp_path):
    p = make_project(tmp_path, {"c2010.csv": TABLE, "c2010.toml": spec("resident_nonagri_hukou_share_pct")})
    checked = ingest(p)
    assert checked.errors == []
    shares = checked.frame[checked.frame.measure == "resident_nonagri_hukou_share_pct"]
    assert set(shares.definition) == {"nonagri_2003_rule"}  # the measure's one definition, given or not
    build(p)
    con = connect(p)
    try:
        assert con.execute("select count(*) from rates").fetchone()[0] == 0
        assert con.execute("select count(*) from urbanization where hukou_rate_pct is not null").fetchone()[0] == 0
        measures = {m for (m,) in con.execute("select distinct measure from counts").fetchall()}
        assert measures == {"resident_total", "resident_nonagri_hukou"}  # the numerator = share × residents
        v = con.execute("""select value from counts where region_code = '330100'
            and measure = 'resident_nonagri_hukou'""").fetchone()[0]
        assert v == pytest.approx(8700000 * 0.4520)
    finally:
        con.close()


def test_a_spec_cannot_take_the_share_for_the_hukou_rate(tmp_path):
    p = make_project(tmp_path, {"c2010.csv": TABLE, "c2010.toml": spec("hukou_urban_rate_pct")})
    with pytest.raises(ConfigInvalid) as e:
        check_inputs(p)
    assert "非农业户口人口比重" in str(e.value) and "resident_nonagri_hukou_share_pct" in str(e.value)


def test_the_share_under_another_definition_is_an_error(tmp_path):
    row = f"330100,,2010,resident_nonagri_hukou_share_pct,45.2,pct,{SRC},2012,,census_2010,urban_rural_area_2015_rule,"
    checked = check_inputs(make_project(tmp_path, {"a.csv": long_csv(row)}))
    assert [(i.row, i.check) for i in checked.errors] == [(2, "definition_of_measure")]
