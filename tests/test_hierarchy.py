"""The hierarchy of every year's list, from the code history (data/reference/areacodes/result.csv), never from the
digits of a code. The facts asserted are those of the Ministry of Civil Affairs' lists as compiled by
yescallop/areacodes, checked against the 2020 census county table (leiii/census)."""

import datetime as dt
from collections import Counter

import pytest

from hukou_stats.core.project import Project
from hukou_stats.reference.registry import load_registry
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def reg():
    return load_registry(Project.at(ROOT))


def kids(reg, code, year):
    return [r.code for r in reg.children(code, year)]


def test_the_list_of_2020(reg):
    levels = Counter(r.level for rs in reg.by_code.values() for r in rs if r.valid_in(2020))
    assert levels == {0: 1, 1: 34, 2: 333, 3: 2844}
    # 台湾, 香港 and 澳门 are in the list but in no total of the mainland's statistics
    assert len(kids(reg, "000000", 2020)) == 31
    assert len(reg.children("000000", 2020, counted_only=False)) == 34
    assert "350527" not in kids(reg, "350500", 2020)  # 金门县: listed under 泉州市, not enumerated by the census


@pytest.mark.parametrize(
    "code, parent",
    [
        ("532901", "532900"),  # 大理市 under 大理白族自治州: xx01 is a county-level city here
        ("522301", "522300"),  # 兴义市
        ("652301", "652300"),  # 昌吉市
        ("422801", "422800"),  # 恩施市
        ("520201", "520200"),  # 钟山区 under 六盘水市: an xx01 under a prefecture city that is a unit
        ("429004", "420000"),  # 仙桃市, directly under 湖北省 (no 429000 grouping)
        ("469005", "460000"),  # 文昌市
        ("419001", "410000"),  # 济源市
        ("659001", "650000"),  # 石河子市
        ("110101", "110000"),  # 东城区, directly under 北京市 (no 110100 市辖区)
        ("441900", "440000"),  # 东莞市, a prefecture city without counties
    ],
)
def test_parents_come_from_the_history(reg, code, parent):
    assert reg.unit(code, 2020).parent_code == parent
    assert code in kids(reg, parent, 2020)


def test_leaves_of_2020_and_sansha(reg):
    for code in ("441900", "442000", "460400", "620200"):  # 东莞, 中山, 儋州, 嘉峪关
        assert reg.unit(code, 2020).level == 2 and kids(reg, code, 2020) == []
    # 三沙 has 西沙区 and 南沙区 from the list of 2020 on, none before
    assert kids(reg, "460300", 2020) == ["460302", "460303"]
    assert all(kids(reg, "460300", y) == [] for y in range(2012, 2020))


def test_units_that_gave_territory_away_are_still_units(reg):
    assert {"330303", "330327"} <= set(kids(reg, "330300", 2020))  # 龙湾区 (灵昆 to 洞头 2015), 苍南县 (龙港 2019)
    assert "330109" in kids(reg, "330100", 2020)  # 萧山区
    assert len(kids(reg, "330300", 2020)) == 12
    assert reg.hierarchy.whole_successor("330303", 2015) is None


def test_each_year_has_its_own_list(reg):
    beijing_2020 = kids(reg, "110000", 2020)
    assert len(beijing_2020) == 16 and not {"110103", "110104"} & set(beijing_2020)  # 崇文, 宣武 gone in 2010
    assert {"110103", "110104"} <= set(kids(reg, "110000", 2009))
    before, after = set(kids(reg, "440100", 2013)), set(kids(reg, "440100", 2014))
    assert {"440116", "440183", "440184"} <= before and not {"440117", "440118"} & before
    assert {"440117", "440118"} <= after and not {"440116", "440183", "440184"} & after
    assert reg.children("440100", dt.date(2019, 12, 31)) == reg.children("440100", 2019)


def test_every_unit_has_its_parent_in_the_same_list(reg):
    h = reg.hierarchy
    orphans = [
        (y, p.code)
        for p in h.periods
        for y in range(p.valid_from_year, (p.valid_to_year or reg.last_year) + 1)
        if p.parent_code and h.unit(p.parent_code, y) is None
    ]
    assert orphans == []


def test_a_prefecture_name_resolves_within_its_years(reg):
    # 伊犁哈萨克自治州 was 652400 until 1983 and is 654000 from 1984: its counties follow
    assert reg.unit("652421", 1982).parent_code == "652400"
    assert reg.unit("654021", 2020).parent_code == "654000"  # 伊宁县 (654121 under 伊犁地区 1984-2000)


def test_whole_successors_and_boundary_changes(reg):
    h = reg.hierarchy
    # two codes of 2019 in the census of 2020, all of whose territory went to one code of the 2020 list
    assert h.whole_successor("320611", 2020) == "320613" and h.whole_successor("340208", 2020) == "340209"
    changes = {(b.code, b.year, b.change, b.other_code) for b in h.boundary_changes}
    assert ("330303", 2015, "gave territory to", "330305") in changes  # 灵昆街道 to 洞头区
    assert ("220300", 2020, "gave territory to", "220100") in changes  # 公主岭市 from 四平 to 长春
    assert ("220100", 2020, "received territory from", "220300") in changes
    # a recode of the same territory is no change: 从化市 440184 -> 从化区 440117, 铜仁地区 -> 铜仁市
    assert not [c for c in changes if c[0] in ("440117", "520600") and c[1] in (2011, 2014)]


def test_codes_in_no_list_are_figures_of_no_unit(reg):
    day = dt.date(2020, 11, 1)
    for code in ("110100", "500200", "429000", "130171"):  # 市辖区, 县, 省直辖 groupings; an NBS function area
        severity, message = reg.check_code(code, day)
        assert severity == "warning" and "in no list of the code history" in message and "no unit" in message
    severity, message = reg.check_code("170971", day)
    assert severity == "warning" and "province part 17 names no province" in message
    assert reg.check_code("532901", day) is None and reg.check_code("330303", day) is None
    severity, message = reg.check_code("320611", day)
    assert "whole territory went to 320613" in message


def test_names_of_every_code(reg):
    assert reg.get("440103").name_en == "Liwan District" and reg.get("330000").name_en == "Zhejiang"
    assert reg.get("441900").name_en == "Dongguan" and reg.get("150100").name_en == "Hohhot"
    assert reg.get("532900").name_en == "Dali Bai Autonomous Prefecture"
    assert reg.name("440300") == "深圳市"
    missing = [r.code for rs in reg.by_code.values() for r in rs if not r.name_en or not r.pinyin]
    assert missing == []
