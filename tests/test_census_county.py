"""Every county of China, 2020 census (data/raw/census: leiii/census census_county_2020_v1.xlsx, MIT, from the census
county yearbook), read as published and summed only where the registry says the children are all there.

Published figures asserted (the table's own rows, also in the provincial census bulletins): 广东省 126,012,510 /
93,436,072 = 74.15 %; its counties alone give 71.94 % (东莞 and 中山 have no counties); 广州市 86.19 %, 荔湾区
100.00 %, 从化区 45.80 %, 增城区 73.16 %; 云南省 47,209,277 / 23,628,564 = 50.05 %; 大理白族自治州 3,337,559.
The prefecture residuals (88 prefectures, 22,612,777 persons in all, every one positive) are the areas the table
lists under a prefecture but in no county (development zones, with an NBS code or none).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from hukou_stats.core.numbers import round_half_up
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from tests.helpers import ROOT, make_project

CENSUS = "data/raw/census/census_county_2020_v1.xlsx"
SPEC = (ROOT / "data" / "raw" / "census" / "census_county_2020_v1.toml").read_text(encoding="utf-8")


def census_issues(checked, check):
    return [i for i in checked.issues if i.file == CENSUS and i.check == check]


def test_the_table_is_read_as_published(bundled_checked):
    skipped = census_issues(bundled_checked, "rows_skipped")
    assert len(skipped) == 1 and skipped[0].severity == "warning" and skipped[0].value == "46"
    rows = [int(r) for r in skipped[0].rows.split(", ")]
    assert rows[0] == 2 and 1004 in rows  # the national row; 温州经济技术开发区
    codes = census_issues(bundled_checked, "region_code_known")
    assert all(i.severity == "warning" for i in codes)
    nowhere = [i for i in codes if "in no list of the code history" in i.message]
    earlier = [i for i in codes if "not in the list of 2020" in i.message]
    # 99 NBS statistical codes, 5 市辖区/县 rows of the municipalities, the malformed 170971; two codes of 2019
    assert len(nowhere) == 105 and sorted(i.value for i in earlier) == ["320611", "340208"]
    (bad,) = [i for i in nowhere if i.value == "170971"]
    assert bad.row == 340 and "province part 17 names no province" in bad.message
    assert bundled_checked.errors == []


def rates(con, codes, year=2020):
    got = con.execute(
        "select region_code, resident_rate_pct from urbanization where year = ? and list_contains(?, region_code)",
        [year, codes],
    ).fetchall()
    return {c: str(round_half_up(v, 2)) for c, v in got}


def test_guangzhou_and_its_districts_equal_the_published_rows(con):
    got = rates(con, ["440100", "440103", "440117", "440118"])
    assert got == {"440100": "86.19", "440103": "100.00", "440117": "45.80", "440118": "73.16"}
    n = con.execute("""select count(*) from urbanization where year = 2020 and parent_code = '440100'
        and resident_series = 'census_2020'""").fetchone()[0]
    assert n == 11


def test_guangdong_lists_its_21_prefectures_and_is_the_published_figure(con):
    rows = con.execute("""select region_code from urbanization where year = 2020 and parent_code = '440000'
        order by 1""").fetchall()
    assert len(rows) == 21 and ("441900",) in rows and ("442000",) in rows
    assert rates(con, ["440000"]) == {"440000": "74.15"}


def test_every_province_equals_the_sum_of_its_prefectures(con):
    notes = con.execute("""select region_code, note from reconciliation where year = 2020 and series = 'census_2020'
        and measure = 'resident_total' and region_code like '__0000' and region_code <> '000000'""").fetchall()
    assert len(notes) == 31 and {n for _, n in notes} == {"agrees within rounding"}


def test_prefecture_residuals_are_the_areas_in_no_county(con):
    rows = con.execute("""select region_code, difference from reconciliation where year = 2020
        and series = 'census_2020' and measure = 'resident_total' and region_code like '____00'
        and region_code not like '__0000' and note = 'differs by more than rounding'""").fetchall()
    assert len(rows) == 88 and all(d > 0 for _, d in rows)
    assert sum(d for _, d in rows) == 22612777
    # 南通市: 港闸区 (under its 2019 code) counts as part of 崇川区, leaving 南通经济技术开发区 (NBS code 320671)
    residual = dict(rows)["320600"]
    area = con.execute("""select value from observations where region_code = '320671' and year = 2020
        and measure = 'resident_total'""").fetchone()[0]
    assert residual == area == 332273


def _table(bundled_checked, keep) -> str:
    """The county table's own rows (code, name, total, urban as published) for the codes `keep` accepts."""
    df = bundled_checked.frame
    df = df[(df.source_file == CENSUS) & df.region_code.map(keep)]
    wide = df.pivot_table(index=["source_row", "region_code", "region_name"], columns="measure",
                          values="value_published", aggfunc="first").reset_index()  # fmt: skip
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["区划代码", "区县", "人口数_合计", "城镇人口"])
    for r in wide.itertuples():
        w.writerow([r.region_code, r.region_name, r.resident_total, r.resident_urban])
    return buf.getvalue()


def _built(tmp_path, text):
    spec = "\n".join(line for line in SPEC.splitlines() if not line.startswith("sheet"))
    p = make_project(tmp_path, {"census/part.csv": text, "census/part.toml": spec})
    ingest(p)
    build(p)
    return connect(p)


def _resident(con, code):
    r = con.execute("""select value, status from rates where region_code = ? and year = 2020
        and indicator = 'resident_rate_pct'""", [code]).fetchone()  # fmt: skip
    return (str(round_half_up(r[0], 2)), r[1]) if r else None


@pytest.mark.slow
def test_guangdong_from_its_prefectures_and_never_from_counties_alone(tmp_path, bundled_checked):
    # no province row: Guangdong is the sum of its 21 prefectures, 东莞 and 中山 with their own figures
    con = _built(tmp_path / "a", _table(bundled_checked, lambda c: c.startswith("44") and c != "440000"))
    assert _resident(con, "440000") == ("74.15", "aggregated")
    total = con.execute("""select value from counts where region_code = '440000' and year = 2020
        and measure = 'resident_total'""").fetchone()[0]
    assert total == 126012510
    con.close()
    # without the rows of the prefectures that have no counties: not available, and why (never 71.94 %)
    con = _built(
        tmp_path / "b",
        _table(bundled_checked, lambda c: c.startswith("44") and c not in ("440000", "441900", "442000")),
    )
    assert _resident(con, "440000") is None
    missing = con.execute("""select missing_children from incomplete_sums where region_code = '440000'
        and measure = 'resident_total'""").fetchone()[0]
    assert missing == "441900 东莞市, 442000 中山市"
    con.close()


@pytest.mark.slow
def test_yunnan_from_counties_where_prefecture_rows_are_missing(tmp_path, bundled_checked):
    # no province row and no 大理州 row: 大理州 is the sum of its 12 units (大理市 532901 among them), Yunnan of its
    # 16 prefectures: 50.05 %, the published rate
    con = _built(
        tmp_path / "a", _table(bundled_checked, lambda c: c.startswith("53") and c not in ("530000", "532900"))
    )
    assert _resident(con, "532900") == ("42.88", "aggregated")
    assert _resident(con, "530000") == ("50.05", "aggregated")
    con.close()
    # and without 大理市 too: neither 大理州 nor Yunnan
    con = _built(
        tmp_path / "b",
        _table(bundled_checked, lambda c: c.startswith("53") and c not in ("530000", "532900", "532901")),
    )
    assert _resident(con, "532900") is None and _resident(con, "530000") is None
    assert Decimal("48.79") not in {Decimal(v) for (v,) in con.execute("select round(value, 2) from rates").fetchall()}
    con.close()


# 7th census, Zhejiang's 11 cities (the city bulletins, as in data/raw/zhejiang/observations.csv): name, total, urban
ZJ_CITIES = [
    ("杭州市", 11936010, 9942081), ("宁波市", 9404283, 7335604), ("温州市", 9572903, 6907989),
    ("嘉兴市", 5400868, 3852932), ("湖州市", 3367579, 2210571), ("绍兴市", 5270977, 3743366),
    ("金华市", 7050683, 4808140), ("衢州市", 2276184, 1310498), ("舟山市", 1157817, 832390),
    ("台州市", 6622888, 4104712), ("丽水市", 2507396, 1550182),
]  # fmt: skip
ZJ_SPEC = """layout = "measures"
region_column = "地区"
parent = "330000"
names_as_of = "2020-11-01"
year = 2020
published = "2021-05"
series = "census_2020"
source = "浙江省第七次人口普查 city bulletins, re-laid-out as another compiler's table"

[columns]
"常住人口" = "resident_total"
"城镇人口" = "resident_urban"
"""


def _zj_table(cities) -> str:
    lines = ["表1 各市常住人口（第七次全国人口普查）", "单位：人", "地区,常住人口,城镇人口,乡村人口"]
    lines += [f"{n},{t},{u},{t - u}" for n, t, u in cities]
    return "\n".join(lines) + "\n注：城镇、乡村按统计上划分城乡的规定划分。\n"


@pytest.mark.slow
def test_another_compilers_city_table_gives_the_published_province_or_nothing(tmp_path):
    # names, a title, a unit line and a footnote: Zhejiang = the sum of its 11 cities = 72.17 % (浙江省第七次人口
    # 普查主要数据公报: 46,598,465 of 64,567,588)
    p = make_project(tmp_path / "a", {"zj.csv": _zj_table(ZJ_CITIES), "zj.toml": ZJ_SPEC})
    ingest(p)
    build(p)
    con = connect(p)
    assert _resident(con, "330000") == ("72.17", "aggregated")
    counts = dict(con.execute("""select measure, value from counts where region_code = '330000'""").fetchall())
    assert counts == {"resident_total": 64567588, "resident_urban": 46598465}
    con.close()
    p = make_project(tmp_path / "b", {"zj.csv": _zj_table(ZJ_CITIES[:-1]), "zj.toml": ZJ_SPEC})
    ingest(p)
    build(p)
    con = connect(p)
    assert _resident(con, "330000") is None
    assert con.execute("select missing_children from incomplete_sums where region_code = '330000'").fetchall() == [
        ("331100 丽水市",),
        ("331100 丽水市",),
    ]
    con.close()


def test_figures_of_no_unit_keep_their_published_name_and_say_what_they_are(con):
    rows = dict(
        (c, (n, lv, f))
        for c, n, lv, f in con.execute("""select region_code, region_name, region_level, flags from urbanization
            where year = 2020 and region_code in ('130171', '110100', '170971')""").fetchall()
    )
    assert rows["130171"][:2] == ("石家庄高新技术产业开发区", None) and "figure of no unit" in rows["130171"][2]
    assert rows["110100"][0] == "市辖区" and rows["170971"][0] == "五台山风景名胜区"
