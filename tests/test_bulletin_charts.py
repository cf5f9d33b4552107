"""The rates chart never joins what the tables refuse to compare: a line breaks at every change of series,
definition or point date, at every missing year and wherever the change on the previous year is not computed;
census points stand alone and are marked. Tested on the chart's data (the segments), not on pixels."""

import pytest

from hukou_stats.publish.bulletin import charts, collect


@pytest.fixture(scope="module")
def gz(bundled):
    return collect(bundled, "440100", 2021)


def spans(segments):
    return [[p.year for p in s.points] for s in segments]


def test_guangzhou_breaks_at_the_revision_and_at_the_census(gz):
    seg = charts.rate_segments(gz.series_rows)
    res = seg["resident"]
    # 2017 (yearbook before the census revision) -> 2018 (revised after the census): the "fall" of 1.4 is a revision
    assert [2017, 2018] not in [s[i : i + 2] for s in spans(res) for i in range(len(s))]
    assert spans(res) == [[2013, 2014], [2015], [2016, 2017], [2018, 2019], [2020], [2021]]
    census = [s for s in res if s.points[0].census]
    assert [s.points[0].year for s in census] == [2015, 2020] and all(len(s.points) == 1 for s in census)
    assert all(p.x < p.year for s in census for p in s.points)  # drawn at 1 November, before the year-end
    hukou = spans(seg["hukou"])
    assert hukou == [[2015], [2018, 2019, 2020, 2021]]  # 2015 -> 2018 has no 2016-2017 between: broken


@pytest.mark.slow
def test_every_joined_pair_is_comparable(bundled, gz):
    for c in (gz, collect(bundled, "000000", 2021), collect(bundled, "330000", 2021)):
        rows = {(r["year"], r["period"]): r for r in c.series_rows}
        for side, segs in charts.rate_segments(c.series_rows).items():
            for s in segs:
                for a, b in zip(s.points, s.points[1:]):
                    assert b.year == a.year + 1 and not a.census and not b.census
                    ra = next(r for (y, _), r in rows.items() if y == a.year and r.get(f"{side}_rate_pct") is not None)
                    rb = next(r for (y, _), r in rows.items() if y == b.year and r.get(f"{side}_rate_pct") is not None)
                    assert ra[f"{side}_series"] == rb[f"{side}_series"] and rb[f"{side}_change_prev_pp"] is not None


@pytest.mark.slow
def test_china_breaks_at_the_census_and_zhejiang_at_its_gaps(bundled):
    cn = charts.rate_segments(collect(bundled, "000000", 2021).series_rows)
    years = spans(cn["resident"])
    assert [2020] in years and not any(2019 in s and 2020 in s for s in years)
    assert not any(2020 in s and 2021 in s for s in years)
    zj = collect(bundled, "330000", 2021)
    present = {r["year"] for r in zj.series_rows if r.get("resident_rate_pct") is not None}
    for s in spans(charts.rate_segments(zj.series_rows)["resident"]):
        assert all(y in present for y in range(s[0], s[-1] + 1))  # no line runs through a missing year
    assert 2014 not in present and 2016 not in present and 2019 not in present


@pytest.mark.slow
def test_the_caption_says_where_lines_break(bundled):
    out = bundled.out / "chart-test"
    out.mkdir(exist_ok=True)
    from hukou_stats.publish.bulletin.report import write_charts

    c = collect(bundled, "440100", 2021)
    figures = write_charts(c, out, "both")
    caption = figures[0].caption
    assert "断开" in caption and "空心点为人口普查或抽样调查时点" in caption and "hollow points are census" in caption
    assert (out / "chart1_rates.png").read_bytes()[:4] == b"\x89PNG" and b"<svg" in (
        out / "chart1_rates.svg"
    ).read_bytes()


@pytest.mark.slow
def test_charts_set_chinese_in_the_font_the_project_installs(bundled, recwarn):
    from matplotlib import font_manager

    c = collect(bundled, "440100", 2019)
    out = charts.regions_chart(c.region_rows, "2019年各地区城镇化率", "both")
    assert out["png"].startswith(b"\x89PNG") and b"<svg" in out["svg"]
    path = font_manager.findfont(font_manager.FontProperties(family=charts.FONT_NAME), fallback_to_default=False)
    assert path == str(charts.cjk_font_path()) and "mplfonts" in path
    assert not [w for w in recwarn if "missing from font" in str(w.message)]  # no glyph fell back to a box
