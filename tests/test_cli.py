"""The command line, through typer's runner (the same entry point as the console script)."""

import csv
import io

import pytest
from typer.testing import CliRunner

from hukou_stats.cli import app

runner = CliRunner()


def run(project, *args):
    return runner.invoke(app, ["--root", str(project.root), *args])


def test_query_as_csv(bundled):
    r = run(
        bundled,
        "query",
        "--csv",
        "select year, round(resident_rate_pct, 2) as r from urbanization where region_code = '440100' order by year",
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [int(x["year"]) for x in rows] == list(range(2013, 2022))


def test_query_table_and_bad_sql(bundled, bundled_checked):
    ok = run(bundled, "query", "select count(*) as n from observations")
    assert ok.exit_code == 0 and f"{len(bundled_checked.frame)}" in ok.output
    bad = run(bundled, "query", "select * from nowhere")
    assert bad.exit_code == 2 and "the query failed" in bad.output and "Traceback" not in bad.output


@pytest.mark.slow
def test_region_by_any_name(bundled):
    for name in ("440100", "广州市", "guangzhou"):
        r = run(bundled, "bulletin", "--region", name, "--year", "2020")
        assert r.exit_code == 0, r.output
        assert "out/bulletin/440100/2020" in r.output.replace("\n", "")


def test_unknown_region_is_a_usage_error(bundled):
    r = run(bundled, "bulletin", "--region", "atlantis")
    assert r.exit_code == 2 and "unknown region 'atlantis'" in r.output


def test_validate_writes_a_report_and_stores_nothing(tmp_path):
    from tests.helpers import make_project, tree_snapshot

    p = make_project(tmp_path, bundled=True)
    r = run(p, "validate", *(str(p.raw / f) for f in ("guangzhou", "zhejiang", "national")))
    assert r.exit_code == 0, r.output
    assert "314 figures, 0 error(s)" in r.output
    assert tree_snapshot(p.processed) == {}
    assert (p.out / "validation" / "validation_report.md").exists()


def test_build_before_ingest_says_what_to_do(tmp_path):
    from tests.helpers import make_project

    r = run(make_project(tmp_path), "build")
    assert r.exit_code == 2 and "run `hukou-stats ingest` first" in r.output


def test_bulletin_wrong_options_are_usage_errors(bundled):
    r = run(bundled, "bulletin", "-r", "440100", "--formats", "xlsx,pdf")
    assert r.exit_code == 2 and "--formats 'xlsx,pdf'" in r.output and "Traceback" not in r.output
    r = run(bundled, "bulletin", "-r", "440100", "--lang", "fr")
    assert r.exit_code == 2 and "expected zh, en or both" in r.output
    r = run(bundled, "bulletin", "-r", "440100", "--release", "yesterday")
    assert r.exit_code == 2 and "--release" in r.output


@pytest.mark.slow
def test_bulletin_lang_and_formats(bundled):
    r = run(bundled, "bulletin", "-r", "guangzhou", "-y", "2020", "--lang", "zh", "--formats", "md,csv")
    assert r.exit_code == 0, r.output
    out = bundled.out / "bulletin" / "440100" / "2020" / "zh"
    assert (out / "bulletin.md").exists() and not (out / "bulletin.xlsx").exists()
    assert "## Bulletin" not in (out / "bulletin.md").read_text(encoding="utf-8")


def test_help_has_examples():
    r = runner.invoke(app, ["bulletin", "--help"])
    assert r.exit_code == 0 and "Example" in r.output


def test_revisions_command(bundled):
    r = run(bundled, "revisions", "--region", "广州", "--measure", "resident_rate")
    assert r.exit_code == 0, r.output
    assert "86.46" in r.output and "85.13" in r.output and "mean absolute revision" in r.output
    mid = run(bundled, "revisions", "-r", "440100", "-m", "resident_rate", "--release", "2020-06-30")
    assert mid.exit_code == 0 and "86.46" in mid.output and "85.13" not in mid.output
    unknown = run(bundled, "revisions", "-r", "440100", "-m", "no_such_measure")
    assert unknown.exit_code == 2 and "no published figure" in unknown.output
