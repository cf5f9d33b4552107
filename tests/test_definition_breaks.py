"""Definition breaks: the registry (data/reference/definition_breaks.csv), bridges and the flags.

Guangzhou's hukou urban population changed definition in 2015 (definitions.csv). On the bundled real
data there is no year measured under both rules, so no change across 2014-2015 can be computed. The
bridge test uses SYNTHETIC figures (source "SYNTHETIC test figure"), none of them published.
"""

from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from tests.helpers import long_csv, make_project

SRC = "SYNTHETIC test figure"


def breaks_between(con, region: str, indicators: list[str], y1: int, y2: int) -> list[tuple]:
    """The rule of the view comparability, queried as an analyst would: breaks with y1 < break_year <= y2."""
    return con.execute(
        """SELECT break_year, definition_before, definition_after, bridge_year, bridge_shift_pp FROM comparability
           WHERE region_code = ? AND list_contains(?, indicator) AND break_year > ? AND break_year <= ?
           ORDER BY break_year""",
        [region, indicators, y1, y2],
    ).fetchall()


def test_guangzhou_hukou_2014_2015_is_a_break_without_bridge(con):
    found = breaks_between(con, "440100", ["hukou_rate_pct"], 2013, 2020)
    assert found == [(2015, "nonagri_2003_rule", "urban_rural_area_2015_rule", None, None)]
    both = ["hukou_rate_pct", "resident_rate_pct"]  # the gap crosses a break of either rate
    assert [b[0] for b in breaks_between(con, "440100", both, 2014, 2015)] == [2015]
    assert breaks_between(con, "440100", ["hukou_rate_pct"], 2015, 2016) == []
    # the break is nationwide (国发〔2014〕25号): China and every region with figures, declared or not
    assert breaks_between(con, "000000", ["hukou_rate_pct"], 2013, 2020) == found
    assert breaks_between(con, "330100", ["hukou_rate_pct", "resident_rate_pct"], 2013, 2020)[0][0] == 2015
    declared = dict(con.execute("select region_code, declared_for from comparability").fetchall())
    assert declared["000000"] == "000000" and declared["330100"] == "000000"
    # a region's own declaration comes before the nation's; districts inherit the city's
    assert declared["440100"] == "440100"
    assert breaks_between(con, "440106", ["hukou_rate_pct"], 2014, 2015)[0][0] == 2015


def test_changes_across_the_break_are_null_and_flagged(con):
    rows = con.execute("""select year, hukou_change_prev_pp, hukou_change_2013_pp, gap_change_2013_pp, break_flag,
        comparability_note from urbanization_changes where region_code = '440100' and hukou_rate_pct is not null
        order by year""").fetchall()
    assert rows, "Guangzhou has hukou rates from 2015"
    for year, prev, base, gap_base, flag, note in rows:
        assert base is None and gap_base is None
        assert "definition break 2015" in flag and "urban_rural_area_2015_rule) from 2015: 2013 not compared" in note
        if year == 2015:
            assert prev is None and "vs 2014" in flag


def test_the_bulletin_shows_the_break(bundled):
    from hukou_stats.publish.bulletin import collect

    c = collect(bundled, "440100", 2021)
    t2 = c.table("table2_changes")
    said = [c.notes[n - 1].zh for n in t2.row_notes["440100"]]
    assert any("自2015年起由“非农业人口口径”改为“按户籍登记地城乡属性划分”，两种口径不可比" in s for s in said)


def _hukou(code, year, urban, total, definition):
    return [
        f"{code},,{year},hukou_urban,{urban},persons,{SRC},2022-03,,hukou_register,{definition},",
        f"{code},,{year},hukou_total,{total},persons,{SRC},2022-03,,hukou_register,,",
    ]


def test_a_bridge_year_allows_the_change(tmp_path):
    old, new = "nonagri_2003_rule", "urban_rural_area_2015_rule"
    lines = (
        _hukou("440100", 2013, 700, 1000, old)
        + _hukou("440100", 2014, 720, 1000, old)
        + [f"440100,,2014,hukou_urban,610,persons,{SRC},2022-03,,hukou_register,{new},"]
        + [
            f"440100,,2015,hukou_urban,630,persons,{SRC},2022-03,,hukou_register,{new},",
            f"440100,,2015,hukou_total,1000,persons,{SRC},2022-03,,hukou_register,,",
        ]
    )
    p = make_project(tmp_path, {"s.csv": long_csv(*lines)})
    ingest(p)
    build(p)
    con = connect(p)
    try:
        bridge_year, shift = breaks_between(con, "440100", ["hukou_rate_pct"], 2013, 2015)[0][3:]
        assert bridge_year == 2014 and abs(shift - (61.0 - 72.0)) < 1e-9
        prev, base, flag = con.execute("""select hukou_change_prev_pp, hukou_change_2013_pp, break_flag
            from urbanization_changes where region_code = '440100' and year = 2015""").fetchone()
        assert abs(prev - 2.0) < 1e-9  # 63 - 61, same definition in 2014: no break crossed
        assert abs(base - (63.0 - (70.0 - 11.0))) < 1e-9  # 2013 on the new definition via the 2014 shift
        assert "bridged via 2014" in flag and "vs 2014" not in flag
    finally:
        con.close()
