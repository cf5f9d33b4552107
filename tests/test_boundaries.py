"""Boundary crosswalk: figures on old boundaries land on today's regions; missing weights -> not available.

The district counts below are SYNTHETIC (source "SYNTHETIC test figure"), and so are the split weights
written into the test's own crosswalk: no such weights are published in the repository, whose
crosswalk leaves them empty (not available).
"""

import csv

import pandas as pd
import pytest

from hukou_stats.core.errors import UsageError
from hukou_stats.reference.boundaries import boundary_map, load_crosswalk
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from tests.helpers import ROOT, long_csv, make_project

SRC = "SYNTHETIC test figure"
REF = ROOT / "data" / "reference"


def test_crosswalk_covers_every_admin_change():
    changes = pd.read_csv(REF / "admin_changes.csv", dtype=str)
    cw = pd.read_csv(REF / "boundary_crosswalk.csv", dtype=str, keep_default_na=False)
    have = set(zip(cw.effective_date, cw.from_code, cw.to_code))
    missing = [
        (r.effective_date, r.old_code, r.new_code)
        for r in changes.itertuples()
        if (r.effective_date, r.old_code, r.new_code) not in have
    ]
    assert missing == []
    # a split piece never has a made-up weight in the repository
    parts = cw[~cw.weight.isin(["1"])]
    assert set(parts.weight) == {""}


def _counts(code, year, urban, total):
    return [
        f"{code},,{year},resident_urban,{urban},persons,{SRC},2021-04,,first_release,,",
        f"{code},,{year},resident_total,{total},persons,{SRC},2021-04,,first_release,,",
    ]


HANGZHOU_2020 = {
    "330102": (500, 600),
    "330103": (700, 800),
    "330104": (900, 1200),
    "330105": (600, 700),
    "330109": (1500, 2000),
    "330110": (1300, 1900),
}


def _project(tmp_path, weights: dict | None = None, extra=()):
    lines = [x for code, (u, t) in HANGZHOU_2020.items() for x in _counts(code, 2020, u, t)] + list(extra)
    p = make_project(tmp_path, {"s.csv": long_csv(*lines)})
    if weights:
        path = p.reference / "boundary_crosswalk.csv"
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        for r in rows:
            key = (r["effective_date"], r["from_code"], r["to_code"])
            if key in weights:
                r["weight"], r["weight_source"] = str(weights[key]), "SYNTHETIC test weight"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, rows[0].keys())
            w.writeheader()
            w.writerows(rows)
    ingest(p)
    build(p)
    return p


def _current(con, code, measure="resident_total", year=2020):
    return con.execute(
        "select value, boundary_status, boundary_note from comparable_counts where region_code = ? "
        "and year = ? and measure = ?",
        [code, year, measure],
    ).fetchone()


JIANGGAN = {("2021-03-11", "330104", "330102"): 0.75, ("2021-03-11", "330104", "330114"): 0.25}


def test_hangzhou_2020_on_2021_boundaries(tmp_path):
    con = connect(_project(tmp_path, JIANGGAN))
    try:
        # 下城 + 拱墅 -> new 拱墅 (whole units)
        assert _current(con, "330105")[:2] == (800 + 700, "crosswalked")
        # 上城 + 3/4 of 江干 (weight given) -> new 上城
        assert _current(con, "330102")[:2] == (600 + 0.75 * 1200, "crosswalked")
        # 钱塘 needs the 萧山 part, whose weight is missing; 临平 and the new 余杭 need 余杭's
        for code in ("330114", "330113", "330110", "330109"):
            value, status, note = _current(con, code)
            assert value is None and status == "not available" and "not available" in note
        # old codes are gone from today's boundaries
        assert _current(con, "330103") is None and _current(con, "330104") is None
        # a rate from summed counts, not averaged rates
        rate = con.execute("""select value from comparable_rates where region_code = '330105' and year = 2020
            and indicator = 'resident_rate_pct'""").fetchone()[0]
        assert rate == pytest.approx(100 * (700 + 600) / (800 + 700))
    finally:
        con.close()
    con = connect(_reopen(tmp_path), boundaries="as-published")
    try:
        assert _current(con, "330103")[:2] == (800, "as published")
        assert _current(con, "330104")[:2] == (1200, "as published")
        assert _current(con, "330105")[0] == 700
    finally:
        con.close()


def _reopen(tmp_path):
    from hukou_stats.core.project import Project

    return Project.at(tmp_path)


def test_without_weights_the_split_units_are_not_available(tmp_path):
    con = connect(_project(tmp_path))
    try:
        value, status, note = _current(con, "330102")
        assert value is None and status == "not available" and "330104" in note
        assert _current(con, "330105")[:2] == (1500, "crosswalked")
    finally:
        con.close()


def test_guangzhou_2013_on_today_boundaries(tmp_path):
    extra = _counts("440116", 2013, 300, 400) + _counts("440112", 2013, 800, 900) + _counts("440184", 2013, 400, 600)
    p = make_project(tmp_path, {"s.csv": long_csv(*extra)})
    ingest(p)
    build(p)
    con = connect(p)
    try:
        assert _current(con, "440112", year=2013)[:2] == (1300, "crosswalked")  # 黄埔 + 萝岗
        assert _current(con, "440117", year=2013)[:2] == (600, "crosswalked")  # 从化市 -> 从化区
        assert _current(con, "440116", year=2013) is None
    finally:
        con.close()
    con = connect(p, boundaries="as-published")
    try:
        assert _current(con, "440116", year=2013)[:2] == (400, "as published")
        assert _current(con, "440112", year=2013)[0] == 900
    finally:
        con.close()


def test_a_missing_piece_makes_the_merged_unit_not_available(tmp_path):
    p = make_project(tmp_path, {"s.csv": long_csv(*_counts("440116", 2013, 300, 400))})
    ingest(p)
    build(p)
    con = connect(p)
    try:
        value, status, note = _current(con, "440112", year=2013)
        assert value is None and status == "not available" and "440112" in note
    finally:
        con.close()


def test_weights_must_sum_to_one(tmp_path):
    path = tmp_path / "cw.csv"
    path.write_text(
        "effective_date,from_code,from_name,to_code,to_name,weight,weight_source,note\n"
        "2021-03-11,330104,,330102,,0.7,,\n2021-03-11,330104,,330114,,0.4,,\n",
        encoding="utf-8",
    )
    with pytest.raises(UsageError, match=r"cw.csv.*weights summing to 1.1"):
        load_crosswalk(path)


def test_chained_changes_compose():
    import datetime as dt

    from hukou_stats.reference.boundaries import Piece

    d1, d2 = dt.date(2015, 1, 1), dt.date(2020, 1, 1)
    m = boundary_map([Piece(d1, "A", "B", 1.0), Piece(d2, "B", "C", 0.5), Piece(d2, "B", "B", 0.5)])
    first = m[(m.period_end == d1) & (m.from_code == "A")]
    assert sorted(zip(first.to_code, first.weight)) == [("B", 0.5), ("C", 0.5)]


def test_a_published_rate_follows_a_rename_but_not_a_merge(tmp_path):
    lines = [
        f"440184,,2013,resident_urban_rate_pct,40.5,pct,{SRC},2014-03,,first_release,,",
        f"440116,,2013,resident_urban_rate_pct,90.5,pct,{SRC},2014-03,,first_release,,",
    ]
    p = make_project(tmp_path, {"s.csv": long_csv(*lines)})
    ingest(p)
    build(p)
    con = connect(p)
    try:
        got = con.execute("""select region_code, value, boundary_status from comparable_rates where year = 2013
            order by region_code""").fetchall()
        # 从化市 -> 从化区 is the same territory; 萝岗区's rate cannot stand for the new 黄埔区
        assert got == [("440117", 40.5, "crosswalked")]
    finally:
        con.close()


def test_the_code_history_bridges_china_wholesale(tmp_path):
    # 2019: 崇川区 320602 and 港闸区 320611 (both ended; all of each went to the new 崇川区 320613 in 2020, a
    # change no hand-made crosswalk row describes); 邯郸县 130421 (2010) went to three districts in 2014 and 2016
    lines = _counts("320602", 2019, 700, 800) + _counts("320611", 2019, 300, 400) + _counts("130421", 2010, 50, 100)
    p = make_project(tmp_path, {"s.csv": long_csv(*lines)})
    ingest(p)
    build(p)
    con = connect(p)
    try:
        value, status, note = _current(con, "320613", year=2019)
        assert (value, status) == (1200, "crosswalked") and "320602" in note and "320611" in note
        source = con.execute("""select distinct source from boundary_crosswalk where from_code = '320611'""").fetchall()
        assert source == [("code history",)]
        split = con.execute("""select region_code, value, boundary_status from comparable_counts
            where year = 2010 and measure = 'resident_total'""").fetchall()
        assert split and all(v is None and s == "not available" for _, v, s in split)
        assert {c for c, _, _ in split} == {"130402", "130403", "130404"}
    finally:
        con.close()


def test_a_change_across_a_boundary_change_is_flagged_not_computed(tmp_path):
    # 龙湾区 330303 gave 灵昆街道 to the new 洞头区 in 2015 (国函〔2015〕122号): 2014 and 2015 are other territories
    lines = _counts("330303", 2014, 500, 700) + _counts("330303", 2015, 520, 680)
    p = make_project(tmp_path, {"s.csv": long_csv(*lines)})
    ingest(p)
    build(p)
    con = connect(p)
    try:
        change, flag, note = con.execute("""select resident_change_prev_pp, break_flag, comparability_note
            from urbanization_changes where region_code = '330303' and year = 2015""").fetchone()
        assert change is None
        assert "boundaries changed (2015 gave territory to 330305)" in flag
        assert "boundaries changed between 2014 and 2015" in note
    finally:
        con.close()
