"""Target verdicts on the bundled real data, against verdicts worked out by hand from the published figures."""

from __future__ import annotations

import csv

import pandas as pd
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
    # gap vs 2013: the 2013 hukou rate ("36%左右", NDRC 2014) counts 非农业人口, the 2020 one (45.4, 公安部) the
    # registration area's urban class: the nationwide break of 2015 (国发〔2014〕25号) lies between them and no year
    # is measured under both rules, so the reduction is not assessed (it would read 17.73 − 18.49 = −0.76)
    g = t["cn_gap_reduction_2020"]
    assert g["verdict"] == "cannot_assess" and pd.isna(g["margin"])
    assert "definition break: nonagri_2003_rule until 2014, urban_rural_area_2015_rule from 2015" in g["reason"]
    # no settlement or transfer counts in the data: cannot assess, with the reason
    for k in ("cn_migrants_settled_2020", "cn_hukou_transfers_pace_2016_2020", "cn_non_hukou_settled_2020"):
        assert t[k]["verdict"] == "cannot_assess" and "no observation" in t[k]["reason"]


def test_national_gap_is_not_assessed_across_the_nationwide_break_on_any_release(con):
    """As known before the census results (2021-05-11) the latest gap was 2019's (first release: 84843/140005 × 100
    − 44.38 = 16.22); on the latest release it is 2020's (63.89 − 45.4 = 18.49). Either way the comparison with
    2013 crosses the 2015 break without a bridge: not assessed, with the reason, never a verdict."""
    before = by_id(assess(con, region="000000", as_of=2020, release="2021-03-01"))["cn_gap_reduction_2020"]
    after = by_id(assess(con, region="000000", as_of=2020, release="latest"))["cn_gap_reduction_2020"]
    assert before["observed_year"] == 2019 and after["observed_year"] == 2020
    assert before["observed_value"] == pytest.approx(84843 / 140005 * 100 - 44.38, abs=1e-9)
    assert before["release_used"].startswith("as known on 2021-03-01")
    for r in (before, after):
        assert r["verdict"] == "cannot_assess" and "definition break" in r["reason"]


def test_mid_term_2018_guangzhou(con):
    t = by_id(assess(con, region="440100", as_of=2018, release="latest"))
    # hukou population 2018: 9,276,914 = 927.69万, inside 910.8–929.2: already reached → on track
    assert t["gz_hukou_total_2020"]["verdict"] == "on_track"
    assert "already reached" in t["gz_hukou_total_2020"]["method"]
    # hukou rate 2018: 7,401,177 / 9,276,914 = 79.78 %, inside 79.30–80.30 → on track
    assert t["gz_hukou_rate_2020"]["verdict"] == "on_track"


@pytest.mark.slow
def test_release_sensitivity_flags_what_the_vintage_changes(con):
    from hukou_stats.analysis.targets import release_sensitivity

    s = release_sensitivity(con, region="000000", as_of=2020).set_index("target_id")
    # the gap against 2013 crosses the nationwide 2015 break on every vintage
    assert set(s.loc["cn_gap_reduction_2020", ["latest release", "as known on 2021-05-10"]]) == {"cannot_assess"}
    # 45%左右 (national urbanization plan): final on the census release (45.4); as known before it, only a trend
    # from the 2013 base, across the break, was available
    assert s.loc["cn_hukou_rate_2020_nup", "latest release"] == "achieved"
    assert s.loc["cn_hukou_rate_2020_nup", "as known on 2021-05-10"] == "cannot_assess"
    assert s["differs"].loc[lambda x: x].index.tolist() == ["cn_hukou_rate_2020_nup"]
    # the connection is left on the latest release
    assert by_id(assess(con, region="000000"))["cn_hukou_rate_2020_nup"]["verdict"] == "achieved"
