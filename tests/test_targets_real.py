"""Target verdicts on the bundled real data, against verdicts worked out by hand from the published figures."""

from __future__ import annotations

import csv

import pytest

from hukou_stats.analysis.targets import ASSESS_COLUMNS, assess
from hukou_stats.reference.targets import load_targets
from tests.helpers import REFERENCE, ROOT


def by_id(df):
    return {r["target_id"]: r for _, r in df.iterrows()}


def test_every_shared_target_is_in_the_toml_with_its_wording():
    rows = list(csv.DictReader((REFERENCE / "targets.csv").open(encoding="utf-8")))
    targets = load_targets(ROOT / "data" / "reference" / "targets.toml")
    assert len(targets) == len(rows) == 14
    for row in rows:
        # the quoted wording of every CSV row appears in one target (modulo full-width/half-width spaces)
        quote = row["source_document"].split("'")[1] if "'" in row["source_document"] else row["source_document"]
        key = quote.replace(" ", "")[:12]
        assert any(key in (t.wording_zh + t.source_document).replace(" ", "") for t in targets), quote
    assert all(t.tolerance is not None for t in targets if t.comparison == "≈")


def test_guangzhou_2020_final_verdicts_by_hand(con):
    t = by_id(assess(con, region="440100", as_of=2020))
    assert list(assess(con, region="440100").columns[: len(ASSESS_COLUMNS)]) == ASSESS_COLUMNS
    # hukou population 2020: 9,851,142 persons (Guangzhou summary table) = 985.1142万;
    # target 920万左右, band ±1% = 910.8–929.2 → above the band, in the desirable direction → exceeded, +65.11
    assert t["gz_hukou_total_2020"]["verdict"] == "exceeded"
    assert t["gz_hukou_total_2020"]["margin"] == pytest.approx(985.1142 - 920, abs=1e-4)
    # hukou rate 2020: 7,929,575 / 9,851,142 × 100 = 80.494 %; target 79.80%左右 ±0.5 → 79.30–80.30 → exceeded, +0.69
    assert t["gz_hukou_rate_2020"]["verdict"] == "exceeded"
    assert t["gz_hukou_rate_2020"]["margin"] == pytest.approx(7929575 / 9851142 * 100 - 79.80, abs=1e-6)
    # gap vs 2013: no 2013 hukou rate is published under either rule, and the 2015 rule starts after 2013
    g = t["gz_gap_reduction_2020"]
    assert g["verdict"] == "cannot_assess"
    assert "no base value" in g["reason"] and "definition break" in g["reason"]


def test_china_2020_final_verdicts_by_hand(con):
    t = by_id(assess(con, region="000000", as_of=2020, release="latest"))
    # resident rate 2020 (census): 901,991,162 / 1,411,778,700 = 63.89 % ≥ 60 → exceeded by 3.89
    assert t["cn_resident_rate_2020_13fyp"]["verdict"] == "exceeded"
    assert t["cn_resident_rate_2020_13fyp"]["margin"] == pytest.approx(901991162 / 1411778700 * 100 - 60, abs=1e-6)
    # hukou rate 2020 = 45.4 (MPS): "45%左右" ±0.5 → achieved (+0.4); "≥45%" → exceeded (+0.4)
    assert t["cn_hukou_rate_2020_nup"]["verdict"] == "achieved"
    assert t["cn_hukou_rate_2020_13fyp"]["verdict"] == "achieved"
    assert t["cn_hukou_rate_2020_gwr2016"]["verdict"] == "exceeded"
    assert t["cn_hukou_rate_2020_doc72"]["margin"] == pytest.approx(0.4)
    # pace ≥ 1 point a year: no 2015 value, first available 2017 (42.35): (45.4 − 42.35) / 3 = 1.0167 → exceeded
    p = t["cn_hukou_rate_pace_2016_2020"]
    assert p["verdict"] == "exceeded" and p["base_year_used"] == 2017
    assert p["margin"] == pytest.approx((45.4 - 42.35) / 3 - 1)
    assert "2018: +1.02; 2019: +1.01; 2020: +1.02" in p["annual_changes"]
    # gap: 2013 = 73111/136072 × 100 − 36 = 53.73 − 36 = 17.73; 2020 = 63.89 − 45.4 = 18.49
    # reduction = 17.73 − 18.49 = −0.76 < 2 → not achieved, margin −2.76
    g = t["cn_gap_reduction_2020"]
    assert g["verdict"] == "not_achieved"
    gap13 = 73111 / 136072 * 100 - 36
    gap20 = 901991162 / 1411778700 * 100 - 45.4
    assert g["margin"] == pytest.approx(gap13 - gap20 - 2, abs=1e-9)
    assert "benchmark revision" in g["notes"] and "approximate" in g["notes"]
    # no settlement or transfer counts in the data: cannot assess, with the reason
    for k in ("cn_migrants_settled_2020", "cn_hukou_transfers_pace_2016_2020", "cn_non_hukou_settled_2020"):
        assert t[k]["verdict"] == "cannot_assess" and "no observation" in t[k]["reason"]


def test_national_gap_verdict_depends_on_the_release(con):
    """Known before the census results (2021-05-11) the gap was narrowing; on the census figures it widened."""
    before = by_id(assess(con, region="000000", as_of=2020, release="2021-03-01"))["cn_gap_reduction_2020"]
    # latest data 2019 (first release): 84843/140005 × 100 − 44.38 = 60.60 − 44.38 = 16.22
    # narrowed 17.73 − 16.22 = 1.51 in 6 years; required 2 in 7 years → R = (1.51/6) / (2/7) = 0.88
    # → 0.60 ≤ R < 0.95: acceleration needed (interim: 2020 not yet published)
    gap19 = 84843 / 140005 * 100 - 44.38
    gap13 = 73111 / 136072 * 100 - 36
    assert before["verdict"] == "acceleration_needed"
    assert before["progress_ratio"] == pytest.approx(((gap13 - gap19) / 6) / (2 / 7), abs=1e-9)
    assert before["release_used"].startswith("as known on 2021-03-01")
    after = by_id(assess(con, region="000000", as_of=2020, release="latest"))["cn_gap_reduction_2020"]
    assert after["verdict"] == "not_achieved" and after["release_used"].startswith("latest release")


def test_mid_term_2018_guangzhou(con):
    t = by_id(assess(con, region="440100", as_of=2018, release="latest"))
    # hukou population 2018: 9,276,914 = 927.69万, inside 910.8–929.2: already reached → on track
    assert t["gz_hukou_total_2020"]["verdict"] == "on_track"
    assert "already reached" in t["gz_hukou_total_2020"]["method"]
    # hukou rate 2018: 7,401,177 / 9,276,914 = 79.78 %, inside 79.30–80.30 → on track
    assert t["gz_hukou_rate_2020"]["verdict"] == "on_track"


@pytest.mark.slow
def test_release_sensitivity_flags_the_national_gap_only(con):
    from hukou_stats.analysis.targets import release_sensitivity

    s = release_sensitivity(con, region="000000", as_of=2020).set_index("target_id")
    assert s.loc["cn_gap_reduction_2020", "as known on 2021-05-10"] == "acceleration_needed"
    assert s.loc["cn_gap_reduction_2020", "latest release"] == "not_achieved"
    assert s["differs"].loc[lambda x: x].index.tolist() == ["cn_gap_reduction_2020"]
    # the connection is left on the latest release
    assert by_id(assess(con, region="000000"))["cn_gap_reduction_2020"]["verdict"] == "not_achieved"
