"""Bad input stops ingestion with file, row, column and rule, and changes nothing already stored."""

import pytest
from typer.testing import CliRunner

from hukou_stats.cli import app
from hukou_stats.core.errors import ValidationFailed
from hukou_stats.store.commit import ingest
from tests.helpers import long_csv, make_project, tree_snapshot

GOOD = "440100,广州市,2019,resident_total,1530.59,10k_persons,src A,2020-03,,first_release,,"
BAD = {
    "unknown region name": ("地区,2019\n全市,86.46\n花果山区,70.1\n", "years", 3, "地区", "region_known", "花果山区"),
    "rate above 100": (
        long_csv("440100,广州市,2019,resident_urban_rate_pct,100.5,pct,src A,2020-03,,first_release,,"),
        None,
        2,
        "value",
        "between 0 and 100",
        "100.5",
    ),
    "text where a number belongs": (
        long_csv(GOOD, "440103,荔湾区,2019,resident_total,about 97,10k_persons,src A,2020-03,,first_release,,"),
        None,
        3,
        "value",
        "value_numeric",
        "about 97",
    ),
    "urban above total": (
        long_csv(GOOD, "440100,广州市,2019,resident_urban,1600.00,10k_persons,src A,2020-03,,first_release,,"),
        None,
        3,
        "value",
        "urban_le_total",
        "1600.00",
    ),
}
YEARS_SPEC = (
    'layout="years"\nregion_column="地区"\nparent="440100"\nmeasure="resident_urban_rate_pct"\n'
    'unit="pct"\npublished="2020"\nseries="first_release"\nsource="s"\n[aliases]\n"全市"="440100"\n'
)


def _bad_project(tmp_path, case):
    text, layout, *_ = BAD[case]
    p = make_project(tmp_path, {"good.csv": long_csv(GOOD)})
    ingest(p)  # something already stored
    (p.raw / "bad.csv").write_text(text, encoding="utf-8")
    if layout:
        (p.raw / "bad.toml").write_text(YEARS_SPEC, encoding="utf-8")
    return p


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_located_and_nothing_changes(tmp_path, case):
    _, _, row, column, rule, value = BAD[case]
    p = _bad_project(tmp_path, case)
    before = tree_snapshot(p.processed)
    with pytest.raises(ValidationFailed) as e:
        ingest(p)
    errors = e.value.errors()
    hit = [i for i in errors if i.file == "data/raw/bad.csv" and i.row == row and i.column == column]
    assert hit, f"no error at row {row} column {column}: {errors}"
    assert rule in f"{hit[0].check} {hit[0].message}"
    assert hit[0].value == value
    assert tree_snapshot(p.processed) == before
    report = (p.out / "validation" / "validation_report.csv").read_text(encoding="utf-8")
    assert "data/raw/bad.csv" in report and str(row) in report


@pytest.mark.parametrize("case", list(BAD))
def test_cli_reports_bad_input_with_exit_code_1(tmp_path, case):
    _, _, row, column, _, _ = BAD[case]
    p = _bad_project(tmp_path, case)
    before = tree_snapshot(p.processed)
    result = CliRunner().invoke(app, ["--root", str(p.root), "ingest"])
    assert result.exit_code == 1
    assert f"data/raw/bad.csv, row {row}, column '{column}'" in result.output
    assert "Traceback" not in result.output
    assert tree_snapshot(p.processed) == before


def test_raw_inputs_are_not_modified(tmp_path):
    p = make_project(tmp_path, {"good.csv": long_csv(GOOD)})
    before = tree_snapshot(p.raw)
    ingest(p)
    assert tree_snapshot(p.raw) == before


def test_disagreeing_sources_are_warnings_not_errors(tmp_path):
    p = make_project(
        tmp_path,
        {
            "a.csv": long_csv(
                GOOD, "440100,广州市,2019,resident_urban,1600.00,10k_persons,src B,2020-04,,first_release,,"
            )
        },
    )
    checked = ingest(p)
    warns = [i for i in checked.issues if i.check == "urban_le_total"]
    assert len(warns) == 1 and warns[0].severity == "warning"


def test_exit_codes_and_messages_without_traceback(tmp_path, monkeypatch):
    """0 ok, 1 validation failed, 2 usage/configuration, 3 input/output, 4 internal error; --debug shows the trace."""
    p = make_project(tmp_path, {"good.csv": long_csv(GOOD)})
    run = lambda *a: CliRunner().invoke(app, ["--root", str(p.root), *a])  # noqa: E731
    assert run("ingest").exit_code == 0
    missing = run("ingest", str(p.raw / "nope.csv"))
    assert missing.exit_code == 3 and "input not found" in missing.output and "找不到输入文件" in missing.output
    (p.raw / "t.csv").write_text("地区,2019\n全市,1\n", encoding="utf-8")
    (p.raw / "t.toml").write_text('layout="years"\nheader="x"\n', encoding="utf-8")
    spec = run("ingest")
    assert spec.exit_code == 2 and "key 'header': unknown key" in spec.output and "rule 规则: known_key" in spec.output
    (p.raw / "t.toml").unlink()
    (p.raw / "t.csv").unlink()
    (p.raw / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    xls = run("ingest", str(p.raw / "old.xls"))
    assert xls.exit_code == 1 and "save it as .xlsx" in xls.output and "[rule 规则: file_readable]" in xls.output
    import hukou_stats.store.commit as pipeline

    def bug(*a, **k):
        raise KeyError("a bug")

    monkeypatch.setattr(pipeline, "check_inputs", bug)
    internal = run("ingest")
    assert internal.exit_code == 4 and "internal error" in internal.output and "Traceback" not in internal.output
    debug = run("--debug", "ingest")
    assert isinstance(debug.exception, KeyError)
    for r in (missing, spec, xls, internal):
        assert "Traceback" not in r.output
