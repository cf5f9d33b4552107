"""Bulletin text: the 统计公报 pattern, words that follow the sign (rises, falls, no change), wording that follows the
point date (year-end, census), derived counts called 推算, child regions in one sentence and counted when they have
no figure, English in millions; a clause whose figure is missing is left out (never a placeholder, never a signed
number)."""

from decimal import Decimal as D

from hukou_stats.publish.bulletin.text import Children, Source, bulletin_text, render_plain
from hukou_stats.publish.wording import people_en

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
YE, CENSUS = "2021-12-31", "2020-11-01"


def rows(code="100001", name="甲市", name_en="Jia", dates=(YE, YE), **values):
    base = {"region_code": code, "region_name": name, "region_name_en": name_en}
    t1 = base | {k: values.get(k) for k in T1_KEYS}
    t1 |= {"resident_reference_date": dates[0], "hukou_reference_date": dates[1]}
    t1 |= {k: values[k] for k in ("resident_urban_derived",) if k in values}
    t2 = base | {k: values.get(k) for k in T2_KEYS}
    return t1, t2


FULL = dict(
    resident_total_10k=D("1881.06"),
    resident_urban_10k=D("1626.36"),
    resident_rate_pct=D("86.46"),
    hukou_total_10k=D("1011.53"),
    hukou_urban_10k=D("817.44"),
    hukou_rate_pct=D("80.81"),
    gap_pp=D("5.65"),
)


def text(lang="zh", children=(), missing=0, year_end=None, year=2021, **values):
    t1, t2 = rows(**values)
    kids = Children([rows(**c)[0] for c in children], missing, "区", "districts")
    return bulletin_text(
        Source(t1, t2, year_end, year), kids, ("甲市", "Jia"), ("第七次全国人口普查", "2020 population census"), lang
    )


def test_the_pattern_of_a_bulletin():
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
        "2021年末，甲市常住人口1881.06万人，比上年末增加7.03万人。其中，城镇常住人口1626.36万人，占常住人口比重（常住人口"
        "城镇化率）为86.46%，比上年末提高0.27个百分点。年末户籍人口1011.53万人，比上年末增加26.42万人。其中，城镇户籍人口"
        "817.44万人，占户籍人口比重（户籍人口城镇化率）为80.81%，比上年末提高0.32个百分点。常住人口城镇化率与户籍人口"
        "城镇化率的差距为5.65个百分点，比上年扩大0.05个百分点，比2013年扩大1.20个百分点。"
    )


def test_a_derived_count_is_called_estimated_in_the_sentence():
    s = render_plain(text(**FULL, resident_urban_derived=True).paragraph)
    assert "城镇常住人口1626.36万人（按常住人口城镇化率推算）" in s
    en = render_plain(text("en", **FULL, resident_urban_derived=True).paragraph)
    assert "16.26 million (estimated from the urbanization rate) lived in urban areas" in en


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
    assert "常住人口1881.06万人，与上年末持平。" in s and "为86.46%，与上年末持平。" in s
    assert "5.65个百分点，与上年持平。" in s and "提高0.00" not in s and "增加0.00" not in s
    en = render_plain(text("en", **FULL, resident_change_prev_pp=D("0.00")).paragraph)
    assert "86.46%, unchanged on the previous year-end" in en


def test_missing_changes_leave_out_the_clause_and_the_gap_has_its_verb():
    s = render_plain(text(**FULL).paragraph)
    assert "比上年" not in s and "持平" not in s and "None" not in s and "[x]" not in s
    assert s.endswith("常住人口城镇化率与户籍人口城镇化率的差距为5.65个百分点。")


def test_missing_population_keeps_the_rates():
    s = render_plain(text(resident_rate_pct=D("64.72"), hukou_rate_pct=D("46.7"), gap_pp=D("18.0")).paragraph)
    assert s == (
        "2021年末，甲市常住人口城镇化率为64.72%。户籍人口城镇化率为46.7%。"
        "常住人口城镇化率与户籍人口城镇化率的差距为18.0个百分点。"
    )


def test_a_sentence_without_figures_is_dropped():
    s = render_plain(text(hukou_rate_pct=D("80.81"), hukou_change_prev_pp=D("0.32")).paragraph)
    assert s == "2021年末，甲市户籍人口城镇化率为80.81%，比上年末提高0.32个百分点。"  # no resident, no gap sentence
    assert text(resident_change_prev_pp=D("0.5")).paragraph == []  # a change without its level is not said either


def test_a_census_headline_is_said_at_its_standard_time_after_the_year_end_figure():
    census = dict(resident_total_10k=D("141177.87"), resident_urban_10k=D("90199.12"), resident_rate_pct=D("63.89"))
    census |= dict(hukou_rate_pct=D("45.4"), gap_pp=D("18.5"))
    t1, t2 = rows(dates=(CENSUS, CENSUS), **census)
    year_end = {"region_code": "100001", "period": "2020", "resident_total_10k": D("141212")}
    kids = Children([], 0, "省（区、市）", "provincial-level regions")
    names, series = ("全国", "China"), ("第七次全国人口普查", "2020 population census")
    s = render_plain(bulletin_text(Source(t1, t2, year_end, 2020), kids, names, series, "zh").paragraph)
    assert s.startswith(
        "2020年末，全国常住人口141212万人。据第七次全国人口普查，2020年11月1日零时，全国常住人口141177.87万人。"
    )
    assert "2020年末，全国常住人口141177.87" not in s and "年末户籍" not in s
    assert s.endswith("户籍人口城镇化率为45.4%。常住人口城镇化率与户籍人口城镇化率的差距为18.5个百分点。")
    en = render_plain(bulletin_text(Source(t1, t2, year_end, 2020), kids, names, series, "en").paragraph)
    assert "At the end of 2020, in China, the resident population was 1,412.12 million." in en
    assert (
        "According to the 2020 population census (1 November 2020), in China, the resident population was 1,411.78 million"
        in en
    )


def test_rates_of_different_dates_say_so():
    s = render_plain(text(dates=(CENSUS, YE), **FULL).paragraph)
    assert "常住人口城镇化率（11月1日零时）与户籍人口城镇化率（年末）的差距为5.65个百分点" in s


def test_children_go_into_one_sentence_and_those_without_figures_are_counted():
    kids = [
        dict(code="100002", name="乙区", name_en="Yi", resident_total_10k=D("281.83"), resident_rate_pct=D("90.53")),
        dict(code="100003", name="丙区", name_en="Bing", resident_total_10k=D("182.18")),
        dict(code="100004", name="丁区", name_en="Ding", resident_total_10k=D("90.04"), hukou_total_10k=D("51.75")),
        dict(code="100005", name="戊区", name_en="Wu", resident_total_10k=D("72.74")),
    ]
    b = text(**FULL, children=kids, missing=3)
    assert render_plain(b.children) == (
        "分地区看，常住人口方面，乙区281.83万人、丙区182.18万人、丁区90.04万人、戊区72.74万人；常住人口城镇化率方面，"
        "乙区90.53%；户籍人口方面，丁区51.75万人。其余3个区暂无数据。"
    )
    en = render_plain(text("en", **FULL, children=kids, missing=3).children)
    assert en.startswith(
        "By region, the resident population was 2.82 million in Yi, 1.82 million in Bing, 900,400 in Ding"
    )
    assert en.endswith("No figures are available yet for the other 3 districts.")
    one = render_plain(text(**FULL, children=kids[:1], missing=30).children)
    assert one == "分地区看，乙区常住人口281.83万人，常住人口城镇化率90.53%。其余30个区暂无数据。"
    assert render_plain(text(**FULL, missing=11).children) == "所辖11个区暂无数据。"


def test_many_children_point_to_the_table_with_the_extremes():
    kids = [
        dict(code=f"1{i:05d}", name=f"{i}区", name_en=f"R{i}", resident_rate_pct=D(f"{50 + i}.00")) for i in range(20)
    ]
    s = render_plain(text(**FULL, children=kids).children)
    assert s == "各区数据见表1。常住人口城镇化率最高的是19区（69.00%），最低的是0区（50.00%）。"


def test_english_counts_are_in_millions():
    assert people_en(D("1881.06")) == "18.81 million" and people_en(D("7.03")) == "70,300"
    assert people_en(D("141212")) == "1,412.12 million" and people_en(D("90.04")) == "900,400"
    en = render_plain(text("en", **FULL, resident_total_change_10k=D("7.03")).paragraph)
    assert "the resident population was 18.81 million, up 70,300 on the previous year-end" in en
    assert "ten thousand" not in en


def test_every_figure_is_traceable_to_its_table():
    b = text(**FULL, hukou_change_prev_pp=D("-0.32"))
    figs = [p for p in b.paragraph if not isinstance(p, str)]
    assert {(f.table, f.column) for f in figs} >= {
        ("table1_regions", "resident_rate_pct"),
        ("table2_changes", "hukou_change_prev_pp"),
    }
    change = next(f for f in figs if f.column == "hukou_change_prev_pp")
    assert change.value == D("-0.32") and change.text == "0.32" and change.key == "100001"
