"""Bulletin text: words follow the sign (rises, falls, no change), a clause or sentence whose figure is missing is
left out (never a placeholder, never a signed number)."""

from decimal import Decimal as D

from hukou_stats.publish.bulletin.text import bulletin_text, render_plain

T1_KEYS = [
    "resident_total_10k",
    "resident_urban_10k",
    "resident_rate_pct",
    "hukou_total_10k",
    "hukou_urban_10k",
    "hukou_rate_pct",
    "gap_pp",
]
T2_KEYS = [
    "resident_total_change_10k",
    "resident_change_prev_pp",
    "resident_change_2013_pp",
    "hukou_total_change_10k",
    "hukou_change_prev_pp",
    "hukou_change_2013_pp",
    "gap_change_prev_pp",
    "gap_change_2013_pp",
]


def rows(code="100001", name="甲市", name_en="Jia", **values):
    base = {"region_code": code, "region_name": name, "region_name_en": name_en}
    t1 = base | {k: values.get(k) for k in T1_KEYS}
    t2 = base | {k: values.get(k) for k in T2_KEYS}
    return t1, t2


FULL = dict(
    resident_total_10k=D("1881.06"),
    resident_urban_10k=D("1626.36"),
    resident_rate_pct=D("86.46"),
    hukou_total_10k=D("1011.53"),
    hukou_rate_pct=D("80.81"),
    gap_pp=D("5.65"),
)


def text(lang="zh", children=(), **values):
    t1, t2 = rows(**values)
    kids = [rows(**c) for c in children]
    return bulletin_text([t1, *[k[0] for k in kids]], [t2, *[k[1] for k in kids]], 2021, lang)


def test_rises():
    b = text(
        **FULL,
        resident_total_change_10k=D("7.03"),
        resident_change_prev_pp=D("0.27"),
        hukou_total_change_10k=D("26.42"),
        hukou_change_prev_pp=D("0.32"),
        gap_change_prev_pp=D("0.05"),
        gap_change_2013_pp=D("1.20"),
    )
    assert render_plain(b.paragraph) == (
        "2021年末，甲市常住人口1881.06万人，比上年末增加7.03万人，其中城镇常住人口1626.36万人，占常住人口比重（常住人口城镇化率）"
        "为86.46%，比上年末提高0.27个百分点。年末户籍人口1011.53万人，比上年末增加26.42万人，户籍人口城镇化率为80.81%，"
        "比上年末提高0.32个百分点。常住人口城镇化率与户籍人口城镇化率两者差距5.65个百分点，比上年扩大0.05个百分点，"
        "比2013年扩大1.20个百分点。"
    )


def test_falls_use_the_words_for_a_fall_and_no_minus_sign():
    b = text(
        **FULL,
        resident_total_change_10k=D("-1.20"),
        resident_change_prev_pp=D("-0.30"),
        hukou_change_prev_pp=D("-0.02"),
        gap_change_prev_pp=D("-0.28"),
        gap_change_2013_pp=D("-2.01"),
    )
    s = render_plain(b.paragraph)
    assert "比上年末减少1.20万人" in s and "比上年末下降0.30个百分点" in s and "比上年末下降0.02个百分点" in s
    assert "比上年缩小0.28个百分点" in s and "比2013年缩小2.01个百分点" in s
    assert "-" not in s and "提高" not in s and "增加" not in s
    en = render_plain(text("en", **FULL, resident_change_prev_pp=D("-0.30"), gap_change_2013_pp=D("-2.01")).paragraph)
    assert "down 0.30 percentage points on the previous year-end" in en and "narrowed by 2.01 points on 2013" in en
    assert "-" not in en.replace("year-end", "")


def test_no_change_is_chiping():
    b = text(
        **FULL, resident_total_change_10k=D("0.00"), resident_change_prev_pp=D("0.00"), gap_change_prev_pp=D("0.00")
    )
    s = render_plain(b.paragraph)
    assert (
        "常住人口1881.06万人，与上年末持平，" in s
        and "为86.46%，与上年末持平。" in s
        and "5.65个百分点，与上年持平。" in s
    )
    assert "提高0.00" not in s and "增加0.00" not in s
    en = render_plain(text("en", **FULL, resident_change_prev_pp=D("0.00")).paragraph)
    assert "86.46%, unchanged on the previous year-end" in en


def test_missing_changes_leave_out_the_clause():
    s = render_plain(text(**FULL).paragraph)
    assert "比上年" not in s and "持平" not in s and "None" not in s and "—" not in s
    assert s.endswith("两者差距5.65个百分点。")


def test_missing_population_keeps_the_rates():
    s = render_plain(text(resident_rate_pct=D("64.72"), hukou_rate_pct=D("46.7"), gap_pp=D("18.0")).paragraph)
    assert s == (
        "2021年末，甲市常住人口城镇化率为64.72%。户籍人口城镇化率为46.7%。"
        "常住人口城镇化率与户籍人口城镇化率两者差距18.0个百分点。"
    )


def test_a_sentence_without_figures_is_dropped():
    s = render_plain(text(hukou_rate_pct=D("80.81"), hukou_change_prev_pp=D("0.32")).paragraph)
    assert s == "2021年末，甲市户籍人口城镇化率为80.81%，比上年末提高0.32个百分点。"  # no resident, no gap sentence
    en = render_plain(text("en", hukou_rate_pct=D("80.81")).paragraph)
    assert en == "Jia, 2021: The hukou urbanization rate was 80.81%."
    # a change without its level is not said either
    assert text(resident_change_prev_pp=D("0.5")).paragraph == []


def test_child_lines_and_children_without_figures():
    b = text(
        **FULL,
        children=[
            dict(code="100002", name="乙区", name_en="Yi", resident_rate_pct=D("90.53")),
            dict(code="100003", name="丙区", name_en="Bing"),
        ],
    )
    assert [render_plain(c) for c in b.children] == ["乙区：常住人口城镇化率90.53%。"]
    assert b.missing == ["丙区"] and b.plain().endswith("以下地区无数据：丙区。")
    en = text("en", **FULL, children=[dict(code="100003", name="丙区", name_en="Bing")])
    assert en.plain().endswith("No figures for: Bing.")


def test_every_figure_is_traceable_to_its_table():
    b = text(**FULL, hukou_change_prev_pp=D("-0.32"))
    figs = [p for p in b.paragraph if not isinstance(p, str)]
    assert {(f.table, f.column) for f in figs} >= {
        ("table1_regions", "resident_rate_pct"),
        ("table2_changes", "hukou_change_prev_pp"),
    }
    change = next(f for f in figs if f.column == "hukou_change_prev_pp")
    assert change.value == D("-0.32") and change.text == "0.32" and change.key == "100001"
