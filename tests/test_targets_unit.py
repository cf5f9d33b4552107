"""Every kind and verdict of the target assessment, on SYNTHETIC figures (labelled as such in the source
column), plus the targets file rules and the CI gate (exit codes, JUnit XML)."""

from __future__ import annotations

import json

import pytest
from junitparser import JUnitXml
from typer.testing import CliRunner

from hukou_stats.analysis.targets import assess
from hukou_stats.cli import app
from hukou_stats.core.config import ConfigInvalid
from hukou_stats.reference.targets import load_targets
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from tests.helpers import long_csv, make_project

SRC = "SYNTHETIC test figure"


def rate(region, year, value, measure="resident_urban_rate_pct", definition=""):
    return f"{region},x,{year},{measure},{value},pct,{SRC},{year + 1}-03,reprint,first_release,{definition},"


# Zhejiang (330000) resident rate: 2015 50, 2016 51, 2017 52.5, 2018 53, 2020 60 (SYNTHETIC)
# Guangzhou (440100) hukou rate: 2014 on the 2003 rule, 2016 on the 2015 rule (SYNTHETIC)
DATA = long_csv(
    rate("330000", 2015, 50),
    rate("330000", 2016, 51),
    rate("330000", 2017, 52.5),
    rate("330000", 2018, 53),
    rate("330000", 2020, "60.00"),
    rate("440100", 2014, 88, "hukou_urban_rate_pct", "nonagri_2003_rule"),
    rate("440100", 2016, 79, "hukou_urban_rate_pct", "urban_rural_area_2015_rule"),
)


def target(
    tid,
    region="330000",
    indicator="resident_urban_rate_pct",
    kind="level",
    comparison=">=",
    value=60,
    unit="pct",
    direction="increase",
    base=2015,
    year=2020,
    tolerance=None,
):
    tol = f"tolerance = {tolerance}\n" if tolerance is not None else ""
    return (
        f'[[target]]\nid = "{tid}"\nregion = "{region}"\nindicator = "{indicator}"\nkind = "{kind}"\n'
        f'comparison = "{comparison}"\nvalue = {value}\nunit = "{unit}"\ndirection = "{direction}"\n{tol}'
        f'base_year = {base}\ntarget_year = {year}\nsource_document = "SYNTHETIC test target"\n'
        f'wording_zh = "测试目标"\n'
    )


TARGETS = "\n".join(
    [
        target("met_exactly", value=60),  # 60.00 ≥ 60 → achieved, margin 0
        target("exceeded", value=59),  # 60 ≥ 59 → exceeded, +1
        target("missed", value=61),  # 60 < 61 → not achieved, −1
        target("approx_on_boundary", comparison="≈", value=60.5, tolerance=0.5),  # |60 − 60.5| = 0.5 → achieved
        target("approx_outside", comparison="≈", value=60.51, tolerance=0.5),  # 0.51 > 0.5 below → not achieved
        target("approx_above", comparison="≈", value=59.4, tolerance=0.5),  # 0.6 above, increase → exceeded
        # interim at 2018 (base 2015 = 50, 2018 = 53: +1 point a year observed)
        target("i_on_track", value=55),  # required (55−50)/5 = 1.0 → R = 1.0 → on track
        target("i_accel", value=56),  # required 1.2 → R = 0.833 → acceleration needed
        target("i_limited", value=62),  # required 2.4 → R = 0.417 → limited progress
        target("i_away", comparison="<=", direction="decrease", value=40),  # required −2, observed +1 → R = −0.5
        target(
            "pace_final", kind="pace", unit="pp_per_year", value=1, base=2015, year=2018
        ),  # (53−50)/3 = 1 → achieved
        target(
            "change_final", kind="change_vs_base", unit="pp", value=10, base=2015, year=2020
        ),  # 60−50 = 10 → achieved
        target("no_base", kind="change_vs_base", unit="pp", value=2, base=2013, year=2020),  # no 2013 value
        target("single_point", value=60, base=2018, year=2020),  # as of 2018 only one point
        target(
            "def_break",
            region="440100",
            indicator="hukou_urban_rate_pct",
            kind="pace",
            unit="pp_per_year",
            value=1,
            base=2014,
            year=2016,
        ),
    ]
)


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    p = make_project(tmp_path_factory.mktemp("targets"), {"synthetic/observations.csv": DATA})
    (p.reference / "targets.toml").write_text(TARGETS, encoding="utf-8")
    ingest(p)
    build(p)
    return p


@pytest.fixture
def scon(synth):
    c = connect(synth)
    yield c
    c.close()


def verdicts(con, as_of=None):
    return {r["target_id"]: r for _, r in assess(con, as_of=as_of).iterrows()}


def test_final_level_verdicts_and_margins(scon):
    v = verdicts(scon)
    assert (v["met_exactly"]["verdict"], v["met_exactly"]["margin"]) == ("achieved", 0)
    assert (v["exceeded"]["verdict"], v["exceeded"]["margin"]) == ("exceeded", pytest.approx(1))
    assert (v["missed"]["verdict"], v["missed"]["margin"]) == ("not_achieved", pytest.approx(-1))
    assert v["approx_on_boundary"]["verdict"] == "achieved"
    assert v["approx_outside"]["verdict"] == "not_achieved"
    assert v["approx_above"]["verdict"] == "exceeded"
    assert v["met_exactly"]["verdict_zh"] == "已实现" and v["missed"]["verdict_zh"] == "未实现"


def test_interim_progress_ratio_thresholds(scon):
    v = verdicts(scon, as_of=2018)
    assert v["i_on_track"]["verdict"] == "on_track" and v["i_on_track"]["progress_ratio"] == pytest.approx(1.0)
    assert v["i_accel"]["verdict"] == "acceleration_needed"
    assert v["i_accel"]["progress_ratio"] == pytest.approx(1 / 1.2)
    assert v["i_limited"]["verdict"] == "limited_progress"
    assert v["i_limited"]["progress_ratio"] == pytest.approx(1 / 2.4)
    assert v["i_away"]["verdict"] == "moving_away" and v["i_away"]["progress_ratio"] == pytest.approx(-0.5)
    # projection from the trend: 53 + 1 × 2 = 55 in 2020
    assert v["i_accel"]["projected_value"] == pytest.approx(55)
    assert "Statistics Canada" in v["i_accel"]["method"]


def test_pace_and_change_vs_base(scon):
    v = verdicts(scon)
    assert v["pace_final"]["verdict"] == "achieved" and v["pace_final"]["margin"] == pytest.approx(0)
    assert v["pace_final"]["annual_changes"] == "2016: +1.00; 2017: +1.50; 2018: +0.50"
    assert v["change_final"]["verdict"] == "achieved"


def test_cannot_assess_has_a_reason(scon):
    v = verdicts(scon, as_of=2018)
    assert v["no_base"]["verdict"] == "cannot_assess" and "no base value" in v["no_base"]["reason"]
    assert v["single_point"]["verdict"] == "cannot_assess" and "fewer than two points" in v["single_point"]["reason"]
    d = verdicts(scon)["def_break"]
    assert d["verdict"] == "cannot_assess" and "definition break" in d["reason"]
    assert "nonagri_2003_rule" in d["reason"] and "urban_rural_area_2015_rule" in d["reason"]


@pytest.mark.parametrize(
    "text, field, rule",
    [
        (target("a", comparison="=="), "comparison", "allowed_value"),
        (target("a", kind="trend"), "kind", "allowed_value"),
        (target("a", tolerance=0.5), "tolerance", "tolerance_only_for_approx"),
        (target("a", base=2020, year=2020), "base_year", "base_before_target"),
        (target("a", direction="decrease"), "direction", "direction_matches_comparison"),
        (target("a") + target("a"), "id", "unique_id"),
        (target("a").replace('wording_zh = "测试目标"\n', ""), "wording_zh", "required"),
        (target("a", region="4401"), "region", "format"),
    ],
)
def test_invalid_targets_file_names_file_target_field_rule(tmp_path, text, field, rule):
    f = tmp_path / "targets.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigInvalid) as e:
        load_targets(f)
    issue = e.value.errors()[0]
    assert (issue.key, issue.check) == (field, rule)
    assert "target a" in issue.message and str(f) in str(issue)


def test_default_tolerance_is_documented_rule(tmp_path):
    f = tmp_path / "targets.toml"
    f.write_text(
        target("a", comparison="≈", value=920, unit="10k_persons") + target("b", comparison="~"), encoding="utf-8"
    )
    a, b = load_targets(f)
    assert a.tolerance == pytest.approx(9.2) and "1%" in a.tolerance_rule
    assert b.comparison == "≈" and b.tolerance == 0.5


def run(synth, *args):
    return CliRunner().invoke(app, ["--root", str(synth.root), "targets", "check", *args])


@pytest.mark.slow
def test_gate_exit_codes_and_junit(synth, tmp_path):
    junit, js = tmp_path / "junit.xml", tmp_path / "t.json"
    # the fixture has missed targets → 1
    r = run(synth, "--junit", str(junit), "--json", str(js))
    assert r.exit_code == 1, r.output
    xml = JUnitXml.fromfile(str(junit))
    doc = json.loads(js.read_text(encoding="utf-8"))
    n = doc["counts"]
    assert xml.tests == n["targets"] == 15
    assert (
        xml.failures == n["fail"] == 4
    )  # final verdicts: missed, approx_outside, i_limited (60 < 62), i_away (60 > 40)
    assert xml.skipped == n["cannot_assess"]
    cases = {c.name: c for suite in xml for c in suite}
    missed = next(c for name, c in cases.items() if "[missed]" in name)
    assert "330000 resident_urban_rate_pct 2020" in missed.name
    assert "not achieved" in missed.result[0].message
    # only passing targets → 0 (region 440100 has only a cannot-assess target: a warning)
    assert run(synth, "--region", "440100").exit_code == 0
    # ... an error under --strict → 1
    r = run(synth, "--region", "440100", "--strict", "--junit", str(junit))
    assert r.exit_code == 1
    assert JUnitXml.fromfile(str(junit)).failures == 1
    # invalid configuration → 2
    assert run(synth, "--release", "yesterday").exit_code == 2
    assert run(synth, "--region", "nowhere").exit_code == 2


def test_gate_invalid_targets_file_exits_2(tmp_path):
    p = make_project(tmp_path / "p", {"synthetic/observations.csv": DATA})
    ingest(p)
    build(p)
    (p.reference / "targets.toml").write_text(target("a", kind="trend"), encoding="utf-8")
    r = CliRunner().invoke(app, ["--root", str(p.root), "targets", "check"])
    assert r.exit_code == 2 and "kind" in r.output


def test_gate_passes_on_passing_fixture(tmp_path):
    p = make_project(tmp_path / "p", {"synthetic/observations.csv": DATA})
    (p.reference / "targets.toml").write_text(target("ok", value=59) + target("ok2", value=60), encoding="utf-8")
    ingest(p)
    build(p)
    r = CliRunner().invoke(app, ["--root", str(p.root), "targets", "check", "--junit", str(tmp_path / "j.xml")])
    assert r.exit_code == 0, r.output
    xml = JUnitXml.fromfile(str(tmp_path / "j.xml"))
    assert (xml.tests, xml.failures, xml.skipped) == (2, 0, 0)


@pytest.mark.slow
def test_evaluate_writes_markdown_html_and_charts(synth):
    r = CliRunner().invoke(app, ["--root", str(synth.root), "evaluate", "--region", "330000", "--as-of", "2018"])
    assert r.exit_code == 0, r.output
    d = synth.out / "evaluation" / "330000" / "2018"
    md = (d / "evaluation.md").read_text(encoding="utf-8")
    assert "中期评估" in md and "mid-term evaluation" in md and "需加快进度" in md and "latest release" in md
    assert (d / "i_accel.png").read_bytes()[:4] == b"\x89PNG"
    assert 'src="i_accel.png"' in (d / "evaluation.html").read_text(encoding="utf-8")


def test_boundary_change_between_base_and_current_cannot_be_assessed(tmp_path):
    # 440112 黄埔区 absorbed 440116 萝岗区 on 2014-01-23 (admin_changes.csv): 2013 and 2015 are not comparable
    p = make_project(
        tmp_path / "p", {"synthetic/observations.csv": long_csv(rate("440112", 2013, 80), rate("440112", 2015, 82))}
    )
    (p.reference / "targets.toml").write_text(
        target("b", region="440112", kind="change_vs_base", unit="pp", value=1, base=2013, year=2015), encoding="utf-8"
    )
    ingest(p)
    build(p)
    c = connect(p)
    try:
        row = assess(c).iloc[0]
    finally:
        c.close()
    assert row["verdict"] == "cannot_assess"
    assert row["reason"].startswith("boundaries not harmonised") and "440116" in row["reason"]


def test_build_refuses_an_invalid_targets_file_and_keeps_the_old_database(synth, tmp_path):
    import shutil

    p = make_project(tmp_path / "p", {"synthetic/observations.csv": DATA})
    shutil.copy(synth.reference / "targets.toml", p.reference / "targets.toml")
    ingest(p)
    build(p)
    before = p.database.read_bytes()
    (p.reference / "targets.toml").write_text(target("x", comparison="≈", tolerance=-1), encoding="utf-8")
    with pytest.raises(ConfigInvalid) as e:
        build(p)
    assert "target x" in str(e.value) and "tolerance" in str(e.value)
    assert p.database.read_bytes() == before


def _assess_gz_hukou(tmp_path, rows, base=2014, value=0.5, as_of=2016):
    p = make_project(tmp_path / "p", {"synthetic/observations.csv": long_csv(*rows)})
    (p.reference / "targets.toml").write_text(
        target(
            "t",
            region="440100",
            indicator="hukou_urban_rate_pct",
            kind="pace",
            unit="pp_per_year",
            value=value,
            base=base,
            year=2016,
        ),
        encoding="utf-8",
    )
    ingest(p)
    build(p)
    c = connect(p)
    try:
        return assess(c, as_of=as_of).set_index("as_of_year").loc[as_of]
    finally:
        c.close()


def test_registry_break_blocks_a_comparison_even_when_the_figures_state_no_definition(tmp_path):
    # definition_breaks.csv: Guangzhou's hukou rate changed definition in 2015, no bridge year in these figures
    row = _assess_gz_hukou(
        tmp_path, [rate("440100", 2014, 88, "hukou_urban_rate_pct"), rate("440100", 2016, 79, "hukou_urban_rate_pct")]
    )
    assert row["verdict"] == "cannot_assess"
    assert "definition break" in row["reason"] and "2015" in row["reason"] and "definition_breaks.csv" in row["reason"]


# Guangzhou hukou rate with 2015 measured under both rules (SYNTHETIC): 88.5 old, 78.5 new → bridge shift −10
BRIDGED = [
    rate("440100", 2014, 88, "hukou_urban_rate_pct", "nonagri_2003_rule"),
    rate("440100", 2015, 88.5, "hukou_urban_rate_pct", "nonagri_2003_rule"),
    rate("440100", 2015, 78.5, "hukou_urban_rate_pct", "urban_rural_area_2015_rule"),
    rate("440100", 2016, 79, "hukou_urban_rate_pct", "urban_rural_area_2015_rule"),
]


def test_bridged_break_is_compared_on_the_new_definition_and_flagged(tmp_path):
    # 2015 measured under both rules (88.5 old, 78.5 new): shift −10; base 2014 88 → 78; 2016 79 → +1 over 2 years
    row = _assess_gz_hukou(tmp_path, BRIDGED, value=0.5)
    assert row["verdict"] == "achieved", row["reason"]
    assert row["base_value"] == pytest.approx(78.0)
    assert row["assessed_value"] == pytest.approx(0.5)
    assert "bridge year 2015" in row["notes"] and "-10.00" in row["notes"]


def test_bridge_is_not_applied_when_both_ends_are_on_the_old_definition(tmp_path):
    # as of 2015 the headline 2015 figure may be the old-rule one (88.5): then 2014 → 2015 is +0.5 on one rule,
    # and the bridge shift (−10) must not be added to the base
    row = _assess_gz_hukou(tmp_path, BRIDGED, as_of=2015)
    if row["observed_definition"] == "nonagri_2003_rule":
        assert row["base_value"] == pytest.approx(88.0) and "bridge" not in (row["notes"] or "")
        assert row["observed_value"] - row["base_value"] == pytest.approx(0.5)
    else:  # the new-rule figure chosen for 2015: the base is moved by the bridge
        assert row["base_value"] == pytest.approx(78.0)


def test_gate_marks_verdicts_resting_on_synthetic_figures(synth):
    from hukou_stats.analysis.gate import json_report, junit_xml, message, run_check

    result = run_check(synth)
    assert result.synthetic
    assessed = result.table[result.table["observed_source"].notna()]
    assert len(assessed) and all(message(r).startswith("SYNTHETIC") for _, r in assessed.iterrows())
    assert json.loads(json_report(result))["synthetic"] is True
    assert '<property name="synthetic" value="true"' in junit_xml(result)


def test_gate_does_not_mark_real_figures_synthetic(bundled):
    from hukou_stats.analysis.gate import message, run_check

    result = run_check(bundled)
    assert not result.synthetic
    assert not any(message(r).startswith("SYNTHETIC") for _, r in result.table.iterrows())
