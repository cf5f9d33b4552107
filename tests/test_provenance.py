"""Provenance: manifest.json with the SHA-256 of inputs and outputs, tool version, release and time;
`hukou-stats verify` reports drift."""

import hashlib
import json

import duckdb
import pytest
from typer.testing import CliRunner

from hukou_stats import __version__
from hukou_stats.cli import app
from hukou_stats.core.provenance import verify, write_manifest
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build, build_database
from tests import real_layouts as rl
from tests.helpers import long_csv, make_project, tree_snapshot

GOOD = "440100,广州市,2019,resident_total,1530.59,10k_persons,src A,2020-03,,first_release,,"


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_store_and_database_carry_manifests_that_trace_the_inputs(tmp_path):
    p = make_project(tmp_path, {"a.csv": long_csv(GOOD)})
    rl.write_gz_2_7_csv(p.raw)
    ingest(p)
    build(p)
    store = json.loads((p.processed / "observations" / "manifest.json").read_text(encoding="utf-8"))
    db = json.loads((p.processed / "hukou.duckdb.manifest.json").read_text(encoding="utf-8"))
    for m in (store, db):
        assert m["tool"] == "hukou-stats" and m["version"] == __version__ and m["created"].endswith("+00:00")
        inputs = {e["path"]: e["sha256"] for e in m["inputs"]}
        assert inputs["data/raw/a.csv"] == _sha(p.raw / "a.csv")
        assert inputs["data/raw/gz_2-7.csv"] == _sha(p.raw / "gz_2-7.csv")
        assert inputs["data/raw/gz_2-7.toml"] == _sha(p.raw / "gz_2-7.toml")  # the spec is an input too
        assert inputs["data/reference/areacodes/result.csv"] == _sha(p.reference / "areacodes" / "result.csv")
    assert {e["path"] for e in db["outputs"]} == {"data/processed/hukou.duckdb"}
    assert db["outputs"][0]["sha256"] == _sha(p.database)
    parts = {e["path"] for e in store["outputs"]}
    assert "data/processed/observations/_manifest.json" in parts and len(parts) >= 3
    assert all(v.drift == [] for v in verify(p.processed))


def test_the_store_manifest_keeps_earlier_inputs_and_rerunning_changes_nothing(tmp_path):
    p = make_project(tmp_path, {"a.csv": long_csv(GOOD)})
    ingest(p, [p.raw / "a.csv"])
    rl.write_gz_2_7_csv(p.raw)
    ingest(p, [p.raw / "gz_2-7.csv"])
    m = json.loads((p.processed / "observations" / "manifest.json").read_text(encoding="utf-8"))
    assert {"data/raw/a.csv", "data/raw/gz_2-7.csv"} <= {e["path"] for e in m["inputs"]}
    snap = tree_snapshot(p.processed)
    ingest(p)
    assert tree_snapshot(p.processed) == snap


def test_an_unchanged_project_builds_nothing_and_any_change_builds_again(tmp_path):
    p = make_project(tmp_path, {"a.csv": long_csv(GOOD)})
    ingest(p)
    assert build_database(p) == (p.database, True)
    first = (p.database.stat().st_ino, p.database.stat().st_mtime_ns, _sha(p.database))
    assert build_database(p) == (p.database, False)  # same inputs, same program, same file: nothing done
    assert (p.database.stat().st_ino, p.database.stat().st_mtime_ns, _sha(p.database)) == first
    assert build_database(p, force=True)[1]
    # a new figure, a changed reference file, a database changed outside hukou-stats: each builds again
    (p.raw / "b.csv").write_text(long_csv(GOOD.replace("2019", "2018")), encoding="utf-8")
    ingest(p)
    assert build_database(p)[1]
    with open(p.reference / "series.csv", "a", encoding="utf-8") as f:
        f.write("\n")
    assert build_database(p)[1] and not build_database(p)[1]
    con = duckdb.connect(str(p.database))
    con.execute("DROP TABLE rates")
    con.close()
    assert build_database(p)[1]
    con = duckdb.connect(str(p.database))  # a figure changed by hand in a table the build computes
    assert con.execute("UPDATE counts SET value = value + 1").fetchone()[0] >= 1
    con.close()
    assert [v.drift for v in verify(p.database)] != [[]]
    assert build_database(p)[1]
    assert [v.drift for v in verify(p.database)] == [[]]


def test_verify_reports_changed_missing_and_added_files(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("a\n1\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "table.csv").write_text("x\n", encoding="utf-8")
    (out / "notes.md").write_text("n\n", encoding="utf-8")
    write_manifest(out, [src], release="2021-03-01", root=tmp_path)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["release"] == "2021-03-01" and m["root"] == ".."
    assert [v.drift for v in verify(out)] == [[]]
    src.write_text("a\n2\n", encoding="utf-8")
    (out / "notes.md").unlink()
    (out / "extra.csv").write_text("y\n", encoding="utf-8")
    drift = {(d.role, d.kind, d.path) for d in verify(out)[0].drift}
    assert drift == {
        ("input", "changed", "in.csv"),
        ("output", "missing", "out/notes.md"),
        ("output", "unlisted", "out/extra.csv"),
    }


def test_a_moved_project_still_verifies(tmp_path):
    p = make_project(tmp_path / "a", {"a.csv": long_csv(GOOD)})
    ingest(p)
    (tmp_path / "a").rename(tmp_path / "b")
    assert all(v.drift == [] for v in verify(tmp_path / "b" / "data" / "processed"))


def test_verify_cli_exit_codes(tmp_path):
    p = make_project(tmp_path, {"a.csv": long_csv(GOOD)})
    ingest(p)
    build(p)
    run = lambda *a: CliRunner().invoke(app, ["verify", *map(str, a)])  # noqa: E731
    ok = run(p.processed)
    assert ok.exit_code == 0 and ok.output.count("OK") == 2
    assert run(p.database).exit_code == 0  # a file: its <file>.manifest.json
    (p.raw / "a.csv").write_text(long_csv(GOOD, GOOD), encoding="utf-8")
    drift = run(p.processed)
    assert drift.exit_code == 1 and "data/raw/a.csv: changed" in drift.output
    none = run(tmp_path / "data" / "raw")
    assert none.exit_code == 2 and "no manifest.json" in none.output and "Traceback" not in none.output


def test_an_output_folder_traces_back_to_the_raw_files(tmp_path):
    """What the lead calls for the bulletin folder: inputs = the database and what it was built from."""
    from hukou_stats.core.provenance import write_output_manifest

    p = make_project(tmp_path, {"a.csv": long_csv(GOOD)})
    ingest(p)
    build(p)
    out = p.out / "bulletin" / "440100" / "2019"
    out.mkdir(parents=True)
    (out / "table1_regions.csv").write_text("x\n", encoding="utf-8")
    m = json.loads(write_output_manifest(p, out, release="2020-06-30").read_text(encoding="utf-8"))
    assert m["release"] == "2020-06-30"
    inputs = {e["path"]: e["sha256"] for e in m["inputs"]}
    assert inputs["data/processed/hukou.duckdb"] == _sha(p.database)
    assert inputs["data/raw/a.csv"] == _sha(p.raw / "a.csv")
    assert [e["path"] for e in m["outputs"]] == ["out/bulletin/440100/2019/table1_regions.csv"]
    assert verify(out)[0].drift == []
    build(p)  # a rebuilt database: the bulletin may no longer be what the database says; the raw files are unchanged
    assert {d.path for d in verify(out)[0].drift} <= {
        "data/processed/hukou.duckdb",
        "data/processed/hukou.duckdb.manifest.json",
    }


@pytest.mark.slow
def test_the_evaluation_report_carries_a_manifest(bundled):
    from hukou_stats.publish.evaluation import evaluate

    md = evaluate(bundled, "440100", 2020, release="2021-03-01")
    m = json.loads((md.parent / "manifest.json").read_text(encoding="utf-8"))
    assert m["release"] == "as known on 2021-03-01"
    assert {"evaluation.md", "evaluation.html"} <= {e["path"].rsplit("/", 1)[1] for e in m["outputs"]}
    assert any(e["path"] == "data/raw/guangzhou/observations.csv" for e in m["inputs"])
    assert verify(md.parent)[0].drift == []
