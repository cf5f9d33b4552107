"""Coverage is part of a figure. China's 2020 census figure (第七次全国人口普查公报: 1,411,778,724 persons, published as
141177.87万, and 901,991,162 urban, 63.89 %) includes 2,000,000 active military who belong to no province; the 31
provinces sum to 1,409,778,724 persons, 899,991,162 urban (63.84 %; the 全国 row of the census county table). Both are
published figures; one is never a revision of the other, nor in its place."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hukou_stats.analysis.targets import assess
from hukou_stats.core.errors import ValidationFailed
from hukou_stats.core.numbers import round_half_up
from hukou_stats.store.commit import ingest
from hukou_stats.validate.run import check_inputs
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from tests.helpers import LONG_HEADER, ROOT, make_project

NATIONAL = (ROOT / "data" / "raw" / "national" / "observations.csv").read_text(encoding="utf-8")
SUM_SOURCE = "全国 row of a county table: the sum of the 31 provinces (census county yearbook as compiled)"


def provinces_sum(coverage: str = "") -> str:
    header = LONG_HEADER.rstrip("\n") + (",coverage\n" if coverage else "\n")
    tail = f",{coverage}" if coverage else ""
    return header + "".join(
        f"000000,全国,2020,{m},{v},persons,{SUM_SOURCE},2022-10,reprint,census_2020,,{tail}\n"
        for m, v in (("resident_total", 1409778724), ("resident_urban", 899991162))
    )


def built(tmp_path, extra: str):
    p = make_project(tmp_path, {"national/observations.csv": NATIONAL, "sum.csv": extra})
    checked = ingest(p)
    build(p)
    return p, checked, connect(p)


def headline(con):
    v, status = con.execute("""select resident_rate_pct, resident_status from urbanization
        where region_code = '000000' and year = 2020""").fetchone()
    return round_half_up(v, 2), status


def test_a_second_publication_of_another_coverage_warns_and_does_not_replace_the_headline(tmp_path):
    p, checked, con = built(tmp_path, provinces_sum())
    warned = [i for i in checked.issues if i.check == "second_publication_differs"]
    assert len(warned) == 2 and all(i.severity == "warning" and i.file == "data/raw/sum.csv" for i in warned)
    assert all(SUM_SOURCE in i.message and "data/raw/national/observations.csv" in i.message for i in warned)
    assert all("not a revision" in i.message and "coverage" in i.message for i in warned)
    # the headline stays the published national figure (with the military): 901,991,162 / 1,411,778,700
    assert headline(con) == (Decimal("63.89"), "computed")
    flags = con.execute("select flags from urbanization where region_code = '000000' and year = 2020").fetchone()[0]
    assert "another publication differs" in flags and SUM_SOURCE in flags
    # the target gate assesses the published figure, and revisions see no revision of −2,000,000
    t = assess(con, region="000000", as_of=2020).set_index("target_id")
    assert t.loc["cn_resident_rate_2020_13fyp", "margin"] == pytest.approx(901991162 / 1411778700 * 100 - 60)
    revised = con.execute("""select count(*) from revisions where region_code = '000000' and year = 2020
        and measure = 'resident_urban' and revision_from_first <> 0""").fetchone()[0]
    assert revised == 0
    second = con.execute("""select measure, value, first_published_value from second_publications
        where region_code = '000000' order by measure""").fetchall()
    assert second == [("resident_total", 1409778724, 1411778700), ("resident_urban", 899991162, 901991162)]
    con.close()


def test_declared_coverage_is_another_figure_shown_beside_the_headline(tmp_path):
    p, checked, con = built(tmp_path, provinces_sum("provinces_31"))
    assert [i for i in checked.issues if i.check == "second_publication_differs"] == []
    assert headline(con) == (Decimal("63.89"), "computed")
    beside = con.execute("""select measure, value, headline_value, difference, status from other_coverages
        where region_code = '000000' and year = 2020 order by measure""").fetchall()
    assert beside[1:] == [
        ("resident_total", 1409778724, 1411778700, -1999976, "published"),
        ("resident_urban", 899991162, 901991162, -2000000, "published"),
    ]
    rate = beside[0]
    assert rate[0] == "resident_rate_pct" and round_half_up(rate[1], 2) == Decimal("63.84")
    assert con.execute("select count(*) from second_publications").fetchone()[0] == 0
    con.close()


def test_an_unknown_coverage_is_an_error(tmp_path):
    p = make_project(tmp_path, {"sum.csv": provinces_sum("mainland_without_tibet")})
    checked = check_inputs(p)
    assert [(i.row, i.check) for i in checked.errors] == [(2, "coverage_known"), (3, "coverage_known")]
    assert "provinces_31" in checked.errors[0].message
    with pytest.raises(ValidationFailed):
        ingest(p)
