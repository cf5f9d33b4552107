"""Hierarchy for any region of China (GB/T 2260 structure) and aggregation of a census-style table.

The aggregation test ingests the 2020 census counts of Zhejiang's 11 cities (real, published: the
same figures as data/raw/zhejiang/observations.csv, 7th census city bulletins) in a third-party
layout (Chinese headers, extra columns, codes as numbers), with the cities removed from the registry
so that their parents come from the code structure alone. The province rate must equal the published
provincial census rate: 浙江省第七次人口普查主要数据公报 (2021-05-13), 城镇人口 46598465 of
64567588 = 72.17%.
"""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest

from hukou_stats.reference.hierarchy import derived_regions, is_unit, level_of, structural_parent
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from tests.helpers import make_project


@pytest.mark.parametrize(
    "code, parent",
    [
        ("330102", "330100"),  # 杭州市上城区 -> 杭州市
        ("330100", "330000"),  # 杭州市 -> 浙江省
        ("330000", "000000"),
        ("110101", "110000"),  # 北京市东城区: municipality district under the province, not 110100
        ("500230", "500000"),  # 重庆市丰都县 (500230, a 县 under 5002): under the municipality
        ("120225", "120000"),  # 天津市蓟县 (old code, 县 under 1202)
        ("429004", "420000"),  # 仙桃市: county-level, directly under 湖北省
        ("469005", "460000"),  # 文昌市: directly under 海南省
        ("419001", "410000"),  # 济源市: directly under 河南省
        ("659001", "650000"),  # 石河子市: directly under 新疆
        ("441900", "440000"),  # 东莞市: a prefecture without counties
        ("469001", "460000"),  # 五指山市 (PP9001 is a unit under 省直辖)
    ],
)
def test_structural_parent(code, parent):
    assert structural_parent(code) == parent


@pytest.mark.parametrize("code", ["110100", "310200", "500200", "429000", "659000", "330101", "440101"])
def test_groupings_are_not_units(code):
    # 市辖区/县 groupings of municipalities and 省直辖县级行政区划 are not regions: nobody's child
    assert not is_unit(code)
    assert structural_parent(code) is None


def test_derived_regions_stop_at_the_registry():
    d = {
        r.code: r
        for r in derived_regions(
            {"330102": "上城区", "110105": "朝阳区", "110100": "市辖区"}, known={"000000", "330000", "110000"}
        )
    }
    assert d["330102"].parent_code == "330100" and d["330102"].name_zh == "上城区"
    assert d["330100"].level == 2 and d["330100"].name_zh is None and d["330100"].parent_code == "330000"
    assert d["110105"].parent_code == "110000"
    assert "110100" not in d and level_of("110105") == 3


# 7th census, Zhejiang cities: code, name, resident total, urban (real published figures, see module doc)
ZJ_CITIES = [
    (330100, "杭州市", 11936010, 9942081),
    (330200, "宁波市", 9404283, 7335604),
    (330300, "温州市", 9572903, 6907989),
    (330400, "嘉兴市", 5400868, 3852932),
    (330500, "湖州市", 3367579, 2210571),
    (330600, "绍兴市", 5270977, 3743366),
    (330700, "金华市", 7050683, 4808140),
    (330800, "衢州市", 2276184, 1310498),
    (330900, "舟山市", 1157817, 832390),
    (331000, "台州市", 6622888, 4104712),
    (331100, "丽水市", 2507396, 1550182),
]
PUBLISHED_ZJ_RATE = Decimal("72.17")


def _census_table() -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["行政区划代码", "地区", "常住人口", "城镇人口", "乡村人口"])  # extra columns: name, rural
    for code, name, total, urban in ZJ_CITIES:
        w.writerow([code, name, total, urban, total - urban])  # codes written as numbers
    return buf.getvalue()


SPEC = """layout = "measures"
header_row = 1
region_column = "行政区划代码"
region_by = "code"
year = 2020
unit = "persons"
published = "2021-05"
series = "census_2020"
seen_at = "reprint"
source = "7th census city bulletins (re-laid-out for a test)"

[columns]
"常住人口" = "resident_total"
"城镇人口" = "resident_urban"
"""


def test_census_table_aggregates_to_the_published_province_rate(tmp_path):
    p = make_project(tmp_path, {"census/zj_cities.csv": _census_table(), "census/zj_cities.toml": SPEC})
    reg = p.reference / "regions.csv"
    # a registry without Zhejiang's cities (which then cannot claim to list them all)
    kept = [
        line.replace(",yes,", ",no,") if line.startswith("330000") else line
        for line in reg.read_text(encoding="utf-8").splitlines(keepends=True)
        if not (line.startswith("33") and not line.startswith("330000"))
    ]
    reg.write_text("".join(kept), encoding="utf-8")
    ingest(p)
    build(p)
    con = connect(p)
    try:
        parents = dict(con.execute("select code, parent_code from regions where code like '33%'").fetchall())
        assert parents["330100"] == "330000" and parents["331100"] == "330000"
        value, status = con.execute("""select value, status from rates where region_code = '330000'
            and year = 2020 and indicator = 'resident_rate_pct' and series = 'census_2020'""").fetchone()
        assert status == "aggregated"
        assert Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP) == PUBLISHED_ZJ_RATE
        # the provincial counts are the published ones exactly
        counts = dict(
            con.execute("""select measure, value from counts where region_code = '330000'
            and year = 2020 and series = 'census_2020'""").fetchall()
        )
        assert counts == {"resident_total": 64567588, "resident_urban": 46598465}
        # the nation is not summed from one province
        assert (
            con.execute(
                "select count(*) from counts where region_code = '000000' and year = 2020 and series = 'census_2020'"
            ).fetchone()[0]
            == 0
        )
    finally:
        con.close()


def test_missing_child_stops_the_sum(tmp_path):
    table = "\n".join(_census_table().splitlines()[:-1]) + "\n"  # 丽水市 left out
    p = make_project(tmp_path, {"census/zj_cities.csv": table, "census/zj_cities.toml": SPEC})
    ingest(p)
    build(p)
    con = connect(p)
    try:
        assert (
            con.execute(
                "select count(*) from counts where region_code = '330000' and year = 2020 and status = 'aggregated'"
            ).fetchone()[0]
            == 0
        )
    finally:
        con.close()


def test_municipality_districts_sum_to_the_province(tmp_path):
    # SYNTHETIC counts (made up for the test) for three codes under 北京 (110000), which the registry lists
    # without children: the districts go straight to the province, not to the grouping 110100
    src = "SYNTHETIC test figure"
    lines = [
        f"{code},,2020,resident_{m},{v},persons,{src},2021-05,,census_2020,,"
        for code, u, t in [("110101", 60, 70), ("110105", 300, 340), ("110229", 20, 40)]
        for m, v in (("urban", u), ("total", t))
    ]
    from tests.helpers import long_csv

    p = make_project(tmp_path, {"bj.csv": long_csv(*lines)})
    ingest(p)
    build(p)
    con = connect(p)
    try:
        assert con.execute("select count(*) from regions where code = '110100'").fetchone()[0] == 0
        value, status = con.execute("""select value, status from counts where region_code = '110000' and year = 2020
            and measure = 'resident_total'""").fetchone()
        assert (value, status) == (450, "aggregated")
    finally:
        con.close()


def test_one_city_table_does_not_complete_the_province():
    from hukou_stats.reference.hierarchy import complete_from_data

    parents = {
        "000000": None,
        "440000": "000000",
        "440100": "440000",
        "440103": "440100",
        "440300": "440000",
        "440303": "440300",
        "440304": "440300",
    }
    shenzhen = {"a Shenzhen table": {"440303", "440304"}}
    assert complete_from_data(parents, {"440000", "440300"}, shenzhen) == {"440300"}
    whole = {"a Guangdong county table": {"440103", "440303", "440304"}}
    assert complete_from_data(parents, {"440000", "440300"}, whole) == {"440000", "440300"}
    # two sources each covering a part do not make a whole
    halves = {"s1": {"440103"}, "s2": {"440303", "440304"}}
    assert complete_from_data(parents, {"440000"}, halves) == set()


def test_guangdong_is_not_summed_from_shenzhen_and_guangzhou(tmp_path):
    # SYNTHETIC counts (made up for the test): Shenzhen districts only, plus the bundled Guangzhou registry
    src = "SYNTHETIC test figure"
    lines = [
        f"{code},,2020,resident_total,{v},persons,{src},2021-05,,census_2020,,"
        for code, v in [("440303", 100), ("440304", 200)]
    ]
    lines += [
        f"4401{d:02d},,2020,resident_total,10,persons,other {src},2021-05,,census_2020,,"
        for d in (3, 4, 5, 6, 11, 12, 13, 14, 15, 17, 18)
    ]
    from tests.helpers import long_csv

    p = make_project(tmp_path, {"sz.csv": long_csv(*lines)})
    ingest(p)
    build(p)
    con = connect(p)
    try:
        got = dict(
            con.execute("""select region_code, value from counts where year = 2020
            and measure = 'resident_total' and status = 'aggregated'""").fetchall()
        )
        assert got.get("440300") == 300 and got.get("440100") == 110
        assert "440000" not in got
    finally:
        con.close()
