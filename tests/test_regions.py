import datetime as dt

import pytest

from hukou_stats.core.errors import UsageError
from hukou_stats.core.project import Project
from hukou_stats.reference.registry import load_registry
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def reg():
    return load_registry(Project.at(ROOT))


def test_registry_covers_what_the_bundle_needs(reg):
    provinces = [c for c, rs in reg.by_code.items() if rs[0].level == 1]
    assert len(provinces) == 34 and all(c.endswith("0000") for c in provinces)  # with 台湾, 香港, 澳门
    assert len(reg.children("330000", 2020)) == 11
    assert {"440116", "440183", "440184"} <= set(reg.by_code)
    # one period of a code per year's list
    for year in (2010, 2020):
        valid = [c for c, rs in reg.by_code.items() if sum(r.valid_in(year) for r in rs) > 1]
        assert valid == []


@pytest.mark.parametrize(
    "text,code",
    [
        ("440100", "440100"),
        ("广州市", "440100"),
        ("广州", "440100"),
        ("guangzhou", "440100"),
        ("Guangzhou", "440100"),
        ("荔 湾 区", "440103"),
        ("荔湾", "440103"),
        ("Liwan District", "440103"),
        ("内蒙古自治区", "150000"),
        ("Inner Mongolia", "150000"),
        ("全国", "000000"),
    ],
)
def test_resolve_by_code_chinese_or_pinyin(reg, text, code):
    assert reg.resolve(text) == code


def test_a_short_name_resolves_by_the_date(reg):
    # "从化" was 从化市 (440184) until January 2014, 从化区 (440117) after
    assert reg.resolve("从化", on=dt.date(2013, 12, 31)) == "440184"
    assert reg.resolve("从化", on=dt.date(2019, 12, 31)) == "440117"
    with pytest.raises(UsageError, match="ambiguous"):
        reg.resolve("从化")


def test_unknown_region_is_refused(reg):
    with pytest.raises(UsageError, match="unknown region"):
        reg.resolve("花果山")


def test_children_follow_the_2014_changes(reg):
    before = {r.code for r in reg.children("440100", dt.date(2013, 12, 31))}
    after = {r.code for r in reg.children("440100", dt.date(2019, 12, 31))}
    assert {"440116", "440183", "440184"} <= before and not {"440117", "440118"} & before
    assert {"440117", "440118"} <= after and not {"440116", "440183", "440184"} & after
    assert len(after) == 11 and len(before) == 12


def test_guangdong_has_21_prefectures_two_of_them_leaves(reg):
    kids = reg.children("440000", 2020)
    assert len(kids) == 21 and all(k.level == 2 for k in kids)
    leaves = [k.code for k in kids if reg.hierarchy.is_leaf(k.code, 2020)]
    assert leaves == ["441900", "442000"]  # 东莞, 中山: no counties
