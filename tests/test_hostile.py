"""Hostile input and faults: every attack is refused with a clear message and the right exit code (never 4,
"internal error"), writes nothing outside data/processed and out, and leaves the store byte for byte as it was.

The hostile files are SYNTHETIC and made on the spot by tests/hostile_files.py.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import shutil
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hukou_stats.cli import app
from hukou_stats.core import provenance
from hukou_stats.core.config import ConfigInvalid
from hukou_stats.core.errors import InputOutputError, UsageError, ValidationFailed
from hukou_stats.core.project import Project
from hukou_stats.core.provenance import read_manifest, verify, write_output_manifest
from hukou_stats.ingest.limits import InputTooLarge, Limits
from hukou_stats.ingest.xlsx import NotAWorkbook, read_xlsx
from hukou_stats.store.commit import ingest
from hukou_stats.store.parquet import Store
from hukou_stats.validate.run import check_inputs
from hukou_stats.warehouse.build import build
from hukou_stats.warehouse.connection import connect
from hukou_stats.warehouse.sandbox import run_query
from tests import hostile_files as hf
from tests.helpers import long_csv, make_project, tree_snapshot

GOOD = "440100,广州市,2019,resident_total,1530.59,10k_persons,src A,2020-03,,first_release,,"
runner = CliRunner()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A project with one figure stored and the database built: what an attack must leave as it was."""
    p = make_project(tmp_path_factory.mktemp("prepared") / "p", {"good.csv": long_csv(GOOD)})
    ingest(p)
    build(p)
    return p.root


@pytest.fixture
def proj(prepared, tmp_path) -> Project:
    shutil.copytree(prepared, tmp_path / "p")
    return Project.at(tmp_path / "p")


def outside(p: Project) -> dict[str, bytes]:
    """Every file of the project and beside it, but data/processed and out (what nobody may write)."""
    snap = tree_snapshot(p.root.parent)
    keep = ("p/data/processed/", "p/out/")
    return {k: v for k, v in snap.items() if not k.startswith(keep)}


def cli(p: Project, *args):
    r = runner.invoke(app, ["--root", str(p.root), *args])
    assert "Traceback" not in r.output and "internal error" not in r.output, r.output
    return r


def refused_ingest(p: Project, files: dict[str, bytes], code: int = 1, expect: str = "") -> str:
    """Write the files into data/raw, ingest: refused with `code`, nothing stored or written elsewhere."""
    for name, data in files.items():
        (p.raw / name).write_bytes(data)
    store, rest = tree_snapshot(p.processed), outside(p)
    r = cli(p, "ingest")
    assert r.exit_code == code, r.output
    assert expect in r.output, r.output
    assert tree_snapshot(p.processed) == store
    assert outside(p) == rest
    return r.output


# --- the sandboxed query -------------------------------------------------------------------------------------

LEGITIMATE = [
    "select year, resident_rate_pct, hukou_rate_pct, gap_pp from urbanization where region_code = '440100'",
    "from urbanization_as_of(NULL, pick := 'latest') limit 2",
    "select count(*) from comparable_rates",
    "select getvariable('hukou_release_pick') as pick",
    "with x as (select * from regions) select count(*) from x",
    "summarize select year from stored_observations",
    "describe urbanization",
    "show tables",
    "select view_name from duckdb_views() where not internal order by 1 limit 3",
    "select 1 as x;",
    "select 1 as x; -- a trailing comment",
    "pivot regions on level in (1, 2) using count(*)",
]


@pytest.mark.parametrize("sql", LEGITIMATE)
def test_legitimate_queries_run(proj, sql):
    r = cli(proj, "query", "--csv", sql)
    assert r.exit_code == 0, r.output


def _attacks(w: Path) -> list[tuple[str, str]]:
    """(SQL, what the refusal says); `w` is a folder outside the project the attacks try to write into."""
    other = w / "other.duckdb"
    return [
        (f"COPY (select 1) TO '{w}/x.csv'", "statement type: COPY"),
        ("COPY stored_observations TO 'data/processed/observations/release=2020-03-31/part-x.parquet'", "COPY"),
        ("COPY (select '{}') TO 'data/processed/observations/_manifest.json'", "COPY"),
        (f"EXPORT DATABASE '{w}/dump'", "statement type: EXPORT"),
        (f"IMPORT DATABASE '{w}/dump'", "only SELECT"),
        (f"ATTACH '{other}' AS o (READ_WRITE)", "statement type: ATTACH"),
        ("INSTALL httpfs", "only SELECT"),
        ("LOAD httpfs", "only SELECT"),
        ("select * from read_csv('/etc/passwd')", "table function(s) read_csv"),
        ("select * from read_csv('http://example.com/x.csv')", "read_csv"),
        (f"select * from read_parquet('{w}/x.parquet')", "read_parquet"),
        ("select * from read_text('/etc/hostname')", "read_text"),
        ("select * from read_blob('/etc/hostname')", "read_blob"),
        ("select * from glob('/*')", "glob"),
        ("select * from sniff_csv('/etc/passwd')", "sniff_csv"),
        ("from '/etc/passwd'", "the query failed"),
        (f"from read_duckdb('{other}')", "read_duckdb"),
        ("SET enable_external_access = true", "statement type: SET"),
        ("RESET lock_configuration", "only SELECT"),
        ("PRAGMA enable_profiling", "only SELECT"),
        ("select 1; drop view urbanization", "exactly one SQL statement (found 2)"),
        ("select 1; select 2", "exactly one"),
        (f"CALL enable_logging(storage = 'file', storage_path = '{w}/log')", "only SELECT"),
        (f"select * from enable_logging(storage = 'file', storage_path = '{w}/log')", "enable_logging"),
        ("from enable_profiling()", "enable_profiling"),
        ("CALL force_checkpoint()", "only SELECT"),
        ("CHECKPOINT", "only SELECT"),
        ("select * from query('select * from read_csv(''/etc/passwd'')')", "query"),
        ("from json_execute_serialized_sql(json_serialize_sql('select 42'))", "json_execute_serialized_sql"),
        ("CREATE TEMP TABLE t AS SELECT 1", "statement type: CREATE"),
        ("CREATE TEMP VIEW urbanization AS SELECT 1", "statement type: CREATE"),
        ("SET VARIABLE hukou_release_pick = 'first'", "only SELECT"),
        ("DROP VIEW urbanization", "only SELECT"),
        ("INSERT INTO regions SELECT * FROM regions", "only SELECT"),
        ("select (select count(*) from glob('/*')) as n", "glob"),
        ("select list_transform([1], x -> (select count(*) from read_text('/etc/hostname')))", "read_text"),
        ("with t as (select * from read_csv('/etc/passwd')) select * from t", "read_csv"),
        ("pivot regions on level using count(*)", "PIVOT"),
        ("selec 1", "not valid SQL"),
        ("", "exactly one SQL statement (found 0)"),
    ]


@pytest.mark.slow
def test_every_attack_through_query_is_refused_and_writes_nothing(proj, tmp_path):
    w = tmp_path / "elsewhere"
    w.mkdir()
    c = duckdb.connect(str(w / "other.duckdb"))
    c.execute("CREATE TABLE s AS SELECT 'TOPSECRET' AS x")
    c.close()
    before_w, store, rest = tree_snapshot(w), tree_snapshot(proj.processed), outside(proj)
    for sql, says in _attacks(w):
        r = cli(proj, "query", sql)
        assert r.exit_code == 2, (sql, r.output)
        assert says in r.output, (sql, r.output)
        assert "TOPSECRET" not in r.output and "root:" not in r.output
    assert tree_snapshot(w) == before_w
    assert tree_snapshot(proj.processed) == store
    assert outside(proj) == rest
    # the views still give the same figures afterwards (nothing was replaced or shadowed)
    r = cli(proj, "query", "--csv", "select count(*) as n from stored_observations")
    assert r.stdout.split() == ["n", "1"]


def test_query_reads_no_python_object(proj):
    secret_frame = __import__("pandas").DataFrame({"password": ["hunter2"]})  # noqa: F841 - the bait
    with pytest.raises(UsageError, match="the query failed: Catalog Error"):
        run_query(proj, "select * from secret_frame")


def test_query_is_stopped_at_its_timeout_and_its_row_cap(proj):
    t = time.monotonic()
    r = cli(proj, "query", "--timeout", "1", "select count(*) from range(100000000000) a where hash(a.range) = 0")
    assert r.exit_code == 2 and "longer than 1 s and was stopped" in r.output
    assert time.monotonic() - t < 30
    r = cli(proj, "query", "--csv", "--max-rows", "3", "select range from range(10000000000)")
    assert r.exit_code == 0 and r.stdout.split() == ["range", "0", "1", "2"]
    assert "showing the first 3 rows only" in r.stderr


def test_query_over_its_memory_limit_is_refused(proj):
    with pytest.raises(UsageError, match="needs more memory than its limit"):
        run_query(proj, "select list(range) from range(100000000)", memory_limit="100MB")


def test_every_reader_connection_is_locked_down(proj, tmp_path):
    con = connect(proj, release="first")
    try:
        assert con.execute("select count(*) from urbanization").fetchone() is not None
        for sql in (
            f"COPY (select 1) TO '{tmp_path}/x.csv'",
            "select * from read_csv('/etc/passwd')",
            f"ATTACH '{tmp_path}/o.duckdb' AS o",
            "INSTALL httpfs",
            "DROP VIEW observations",
            "DROP TABLE counts",
            "CREATE TABLE main.x AS SELECT 1",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(sql)
        for sql in ("SET enable_external_access = true", "SET lock_configuration = false", "SET threads = 1"):
            with pytest.raises(duckdb.Error, match="locked|Cannot"):
                con.execute(sql)
        assert con.execute("select getvariable('hukou_release_pick')").fetchone() == ("first",)
    finally:
        con.close()
    assert not list(tmp_path.glob("x.csv")) and not list(tmp_path.glob("o.duckdb"))


# --- bounded readers: XLSX -----------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_sheet_that_declares_or_styles_the_whole_grid_reads_as_its_values(tmp_path):
    """<dimension ref="A1:XFD1048576"/>, a merge to the last cell, an empty styled cell there: two rows."""
    for name, sheet in {
        "dim_huge": hf.sheet_xml(hf.table_rows(), dimension="A1:XFD1048576", merges=["A20:XFD1048576"]),
        "styled_far": hf.sheet_xml(hf.table_rows({1048576: [hf.cell("XFD1048576", style=0)]})),
    }.items():
        t = time.monotonic()
        rows, title, merged = read_xlsx(hf.write_xlsx(tmp_path / f"{name}.xlsx", sheet), None)
        assert rows == hf.TABLE and title == "Sheet1" and merged == []
        assert time.monotonic() - t < 5


XLSX_REFUSED = {
    "a value in the last cell": (
        lambda d: hf.write_xlsx(d / "x.xlsx", hf.sheet_xml(hf.table_rows({1048576: [hf.cell("XFD1048576", "x")]}))),
        "rows (a value in row 1048576): 1,048,576 is over the limit of 200,000",
    ),
    "a value in column 3000": (
        lambda d: hf.write_xlsx(d / "x.xlsx", hf.sheet_xml(hf.table_rows({3: [hf.cell("DKJ3", "x")]}))),
        "columns (a value in column 3000)",
    ),
    "a used range too big to hold": (
        lambda d: hf.write_xlsx(d / "x.xlsx", hf.sheet_xml(hf.table_rows({199999: [hf.cell("BXX199999", "x")]}))),
        "cells of the used range A1:BXX199999",
    ),
    "a zip bomb (a part inflating 100 times)": (
        lambda d: hf.write_zip_bomb_xlsx(d / "x.xlsx", 3 * 2**20),
        "a zip bomb, not a table",
    ),
    "a zip directory that lies about a part": (lambda d: hf.write_lying_xlsx(d / "x.xlsx"), "Bad CRC-32"),
    "an inline string of 40,000 characters": (
        lambda d: hf.write_xlsx(d / "x.xlsx", hf.sheet_xml(hf.table_rows({3: [hf.cell("A3", "x" * 40_000)]}))),
        "characters of the cell in row 3, column 1: 40,000 is over the limit of 32,767",
    ),
    "a shared string of 40,000 characters": (
        lambda d: hf.write_xlsx(d / "x.xlsx", hf.sheet_xml(hf.table_rows()), shared=["y" * 40_000]),
        "characters of shared string 1",
    ),
    "50,001 merged ranges": (
        lambda d: hf.write_xlsx(
            d / "x.xlsx", hf.sheet_xml(hf.table_rows(), merges=[f"C{i}:D{i}" for i in range(1, 50_002)])
        ),
        "merged ranges of the sheet: 50,001",
    ),
    "entities (billion laughs)": (
        lambda d: hf.write_xlsx(
            d / "x.xlsx",
            hf.sheet_xml(
                hf.table_rows({3: [hf.cell("A3", xml="<v>&lol9;</v>")]}),
                head='<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol9 "&lol;&lol;&lol;&lol;&lol;&lol;">]>',
            ),
        ),
        "declares a DTD or entities",
    ),
    "a chart sheet": (
        lambda d: hf.write_xlsx(d / "x.xlsx", hf.sheet_xml(hf.table_rows()), sheet_type=hf.CHARTSHEET),
        "is a chart sheet, not a table",
    ),
    "a number that is not one": (
        lambda d: hf.write_xlsx(d / "x.xlsx", hf.sheet_xml(hf.table_rows({3: [hf.cell("B3", number="1" * 5000)]}))),
        "the cell in row 3, column 2 holds",
    ),
    "a shared string that does not exist": (
        lambda d: hf.write_xlsx(
            d / "x.xlsx", hf.sheet_xml(hf.table_rows({3: ['<c r="B3" t="s"><v>7</v></c>']})), shared=["a"]
        ),
        "refers to shared string 7",
    ),
    "not a zip": (lambda d: (d / "x.xlsx").write_bytes(b"PK\x03\x04 but no more") and d / "x.xlsx", "zip"),
    "a file over 50 MiB": (lambda d: _sparse(d / "x.xlsx", 51 * 2**20), "bytes of the file: 53,477,376"),
}


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        f.truncate(size)
    return path


@pytest.mark.parametrize("case", list(XLSX_REFUSED))
def test_hostile_workbooks_are_refused_by_the_reader_before_memory_grows(tmp_path, case):
    make, says = XLSX_REFUSED[case]
    path = make(tmp_path)
    before = _peak_rss_mb()
    t = time.monotonic()
    with pytest.raises((InputTooLarge, NotAWorkbook), match=None) as e:
        read_xlsx(path, None)
    assert says in str(e.value), str(e.value)
    assert time.monotonic() - t < 10
    assert _peak_rss_mb() - before < 200  # the peak of the process did not grow by more (MB)


@pytest.mark.parametrize("case", ["a value in the last cell", "a zip bomb (a part inflating 100 times)"])
def test_hostile_workbooks_through_ingest_are_located_errors_with_exit_1(proj, case):
    path = XLSX_REFUSED[case][0](proj.raw)
    out = refused_ingest(proj, {"t.xlsx": path.read_bytes(), "t.toml": hf.SPEC.encode()}, 1, "data/raw/t.xlsx")
    path.unlink()
    assert "[rule 规则: input_too_large]" in out


@pytest.mark.slow
def test_a_sheet_of_200001_rows_is_refused_in_seconds(tmp_path):
    rows = {r: [f'<c r="A{r}"><v>{r}</v></c>'] for r in range(3, 200_002)}
    path = hf.write_xlsx(tmp_path / "rows.xlsx", hf.sheet_xml(hf.table_rows(rows)))
    t = time.monotonic()
    with pytest.raises(InputTooLarge, match="a value in row 200001"):
        read_xlsx(path, None)
    assert time.monotonic() - t < 30


@pytest.mark.slow
def test_a_part_over_100_mib_is_refused_from_the_zip_directory(tmp_path):
    path = hf.write_zip_bomb_xlsx(tmp_path / "bomb.xlsx", 101 * 2**20)
    before = _peak_rss_mb()
    with pytest.raises(InputTooLarge, match="uncompressed bytes of part xl/sharedStrings.xml"):
        read_xlsx(path, None)
    assert _peak_rss_mb() - before < 50


def test_limits_can_be_tightened(tmp_path):
    path = hf.write_xlsx(tmp_path / "t.xlsx", hf.sheet_xml(hf.table_rows()))
    with pytest.raises(InputTooLarge, match="cells holding a value: 4 is over the limit of 3"):
        read_xlsx(path, None, Limits(cells=3))


# --- bounded readers: CSV, encodings, layouts ----------------------------------------------------------------

SPEC_TOML = hf.SPEC.encode()


def test_a_line_of_megabytes_is_refused_and_never_quoted_whole(proj):
    line = b"440100,," + b"9" * 2_000_000
    out = refused_ingest(proj, {"big.csv": b"region_code,year\n" + line + b"\n"}, 1, "bytes of line 2")
    assert len(out) < 5_000
    report = proj.out / "validation" / "validation_report.csv"
    assert report.stat().st_size < 5_000


def test_a_value_of_30000_characters_is_quoted_in_a_few_hundred(proj):
    text = long_csv(GOOD.replace("1530.59", "x" * 30_000))
    out = refused_ingest(proj, {"long.csv": text.encode()}, 1, "value_numeric")
    assert "(30,000 characters)" in out and len(out) < 5_000
    for report in ("validation_report.csv", "validation_report.md"):
        assert (proj.out / "validation" / report).stat().st_size < 5_000


CSV_REFUSED = {
    "a file over 50 MiB": (None, "bytes of the file: 53,477,376"),
    "3,000 fields on a line": ("地区," + ",".join(["1"] * 3000) + "\n全市,86.46\n", "fields in line 1"),
    "a field over 32,767 characters": ('地区,2019\n全市,"' + "9" * 40_000 + '"\n', "longer than 32,767 characters"),
    "200,002 lines": ("地区,2019\n" + "全市,1\n" * 200_001, "lines of the file"),
    "year headers 1899 and 2101": ("地区,1899年,2019,2101\n全市,1,86.46,2\n", "year_header_range"),
    "Big5 without its encoding": ("地區,2019年\n廣州市,86.46\n荔灣區,100.00\n", "it looks most like big5"),
}


@pytest.mark.parametrize("case", list(CSV_REFUSED))
def test_hostile_csv_tables_are_located_errors(proj, case):
    text, says = CSV_REFUSED[case]
    if text is None:
        _sparse(proj.raw / "t.csv", 51 * 2**20)
        data = (proj.raw / "t.csv").read_bytes()
    else:
        data = text.encode("big5" if "Big5" in case else "utf-8")
    out = refused_ingest(proj, {"t.csv": data, "t.toml": SPEC_TOML}, 1, says)
    assert "data/raw/t.csv" in out


def test_big5_and_latin1_are_refused_without_an_encoding_and_read_with_one(proj):
    big5 = "地區,2019年\n全市,86.46\n".encode("big5")
    refused_ingest(proj, {"t.csv": big5, "t.toml": SPEC_TOML}, 1, 'encoding = "big5"')
    (proj.raw / "t.toml").write_bytes(b'encoding = "big5"\n' + SPEC_TOML)
    assert cli(proj, "ingest").exit_code == 0
    latin = long_csv("440100,,2019,resident_total,1530.59,10k_persons,Montréal yearbook,2020-03,,first_release,,")
    latin = latin.encode("latin-1")
    refused_ingest(proj, {"l.csv": latin}, 1, "save it as UTF-8")


def test_a_gbk_yearbook_table_is_read_as_gb18030(proj):
    text = "地区,2019年\n全市,86.46\n注：常住人口城镇化率，测试表 SYNTHETIC。\n"
    (proj.raw / "t.csv").write_bytes(text.encode("gbk"))
    (proj.raw / "t.toml").write_bytes(SPEC_TOML)
    r = cli(proj, "ingest")
    assert r.exit_code == 0, r.output
    assert "1 new" in r.output


def test_duplicate_columns_of_the_long_table_are_an_error(proj):
    text = (
        "region_code,year,measure,value,unit,source,published,series,value\n"
        "440100,2019,resident_total,1530.59,10k_persons,src A,2020-03,first_release,99\n"
    )
    refused_ingest(proj, {"dup.csv": text.encode()}, 1, "column(s) 'value' appear more than once")


@pytest.mark.parametrize(
    "code,rule",
    [
        ("４４０１００", "region_code_format"),
        ("440100\x0b", "control_character"),
        ('"440100\n"', "control_character"),
        ("440100\x00", "file_readable"),  # NUL: not text at all
    ],
)
def test_control_characters_and_other_digits_in_codes_are_errors(proj, code, rule):
    text = long_csv(GOOD.replace("440100", code, 1))
    refused_ingest(proj, {"c.csv": text.encode()}, 1, f"[rule 规则: {rule}]")


def test_a_source_over_its_length_limit_is_refused(proj):
    text = long_csv(GOOD.replace("src A", "s" * 5_000))
    out = refused_ingest(proj, {"s.csv": text.encode()}, 1, "5,000 characters; at most 1,000 are stored")
    assert len(out) < 5_000


# --- a contradiction inside one publication ------------------------------------------------------------------


def test_two_values_of_one_figure_in_one_publication_store_nothing_and_name_both_rows(proj):
    rate = "440100,广州市,2021,resident_urban_rate_pct,{},pct,SYNTHETIC yearbook,2022-03,,first_release,,"
    text = long_csv(rate.format("86.46"), GOOD, rate.format("50.00"))
    out = refused_ingest(proj, {"c.csv": text.encode()}, 1, "one publication gives 2 different values")
    assert "86.46 pct (data/raw/c.csv row 2); 50.00 pct (data/raw/c.csv row 4)" in out


def test_a_new_value_contradicting_a_stored_one_is_an_error(proj):
    text = long_csv(GOOD.replace("1530.59", "1600.00"))
    out = refused_ingest(proj, {"c.csv": text.encode()}, 1, "[rule 规则: contradiction]")
    assert "1600.00 10k_persons (data/raw/c.csv row 2); 1530.59 10k_persons (data/raw/good.csv row 2)" in out
    (proj.raw / "good.csv").unlink()  # only the new file is read: the other value is the one stored
    store = tree_snapshot(proj.processed)
    with pytest.raises(ValidationFailed, match=r"data/raw/good.csv row 2, stored"):
        ingest(proj)
    assert tree_snapshot(proj.processed) == store


def test_one_figure_in_two_units_within_precision_is_no_contradiction(proj):
    persons = GOOD.replace("1530.59,10k_persons", "15305923,persons")
    (proj.raw / "c.csv").write_text(long_csv(persons), encoding="utf-8")
    assert cli(proj, "ingest").exit_code == 0


def test_two_publications_may_disagree(proj):
    other = GOOD.replace("1530.59", "1600.00").replace("src A", "src B")
    (proj.raw / "c.csv").write_text(long_csv(other), encoding="utf-8")
    assert cli(proj, "ingest").exit_code == 0


# --- specs and targets: user input never reaches "internal error" ---------------------------------------------

BAD_SPEC_KEYS = {
    "layout = 1": "key 'layout'",
    "region_column = [1]": "key 'region_column'",
    "published = 2020.5": "key 'published'",
    'published = "2020-13"': "not a release date",
    'published = "soon"': "not a release date",
    'published = "2020-02-30"': "day is out of range",
    'header_row = "2"': "key 'header_row'",
    "sheet = 1.5": "key 'sheet'",
    "sheet = -1": "key 'sheet'",
    "aliases = [1]": "key 'aliases'",
    'aliases = {"全市" = 440100}': "key 'aliases.全市'",
    'aliases = {"全市" = "440100\\n"}': "key 'aliases.全市'",
    'aliases = {"全市" = "４４０１００"}': "key 'aliases.全市'",
    'aliases = {"全\\u0000市" = "440100"}': "control character U+0000",
    "columns = 3": "key 'columns'",
    "years = [2019]": "key 'years'",
    'years = {"2019" = "x"}': "key 'years.2019'",
    'encoding = "undefined"': "not a text encoding",
    'encoding = "rot13"': "not a text encoding",
    'encoding = "nope"': "unknown encoding",
    "encoding = 5": "key 'encoding'",
    'names_as_of = "soon"': "key 'names_as_of'",
    'source = "a\\u0000b"': "control character U+0000",
    'source = "' + "x" * 2000 + '"': "at most 1000 characters",
    "header_rows = 1000000": "key 'header_rows'",
}


@pytest.mark.parametrize("line", list(BAD_SPEC_KEYS))
def test_spec_keys_of_the_wrong_type_or_value_are_usage_errors_naming_the_key(proj, line):
    key = line.split(" = ")[0]
    spec = "\n".join(x for x in hf.SPEC.splitlines() if not x.startswith(f"{key} ") and not x.startswith("["))
    if key.startswith("aliases"):
        spec += "\n" + line + "\n"
    else:
        spec = line + "\n" + spec + '\n[aliases]\n"全市" = "440100"\n'
    out = refused_ingest(proj, {"t.csv": hf.csv_bytes(hf.TABLE), "t.toml": spec.encode()}, 2, BAD_SPEC_KEYS[line])
    assert "data/raw/t.toml" in out


@pytest.mark.parametrize("encoding,says", [("gbk", "not UTF-8"), ("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_spec_not_in_utf8_is_a_usage_error_naming_the_file(proj, encoding, says):
    spec = hf.SPEC + 'note = "注：测试"\n'
    out = refused_ingest(proj, {"t.csv": hf.csv_bytes(hf.TABLE), "t.toml": spec.encode(encoding)}, 2, says)
    assert "data/raw/t.toml" in out and "save it as UTF-8" in out


@pytest.mark.parametrize(
    "change,says",
    [
        ("value = 60.0", ""),  # the valid target, for contrast
        ("value = nan", "key 'value'"),
        ("value = inf", "key 'value'"),
        ("value = true", "key 'value"),
        ('region = "４４０１００"', "key 'region'"),
        ("base_year = 2015.0", "key 'base_year'"),
        ('wording_zh = "目标\\u0000"', "control character U+0000"),
        ("target_year = [2020]", "key 'target_year'"),
    ],
)
def test_targets_of_the_wrong_type_are_usage_errors(proj, change, says):
    target = {
        "id": '"t1"', "region": '"440100"', "indicator": '"resident_urban_rate"', "kind": '"level"',
        "comparison": '">="', "value": "60.0", "unit": '"pct"', "direction": '"increase"', "base_year": "2015",
        "target_year": "2020", "source_document": '"SYNTHETIC plan"', "wording_zh": '"常住人口城镇化率达到60%"',
    }  # fmt: skip
    key, value = change.split(" = ", 1)
    target[key] = value
    (proj.reference / "targets.toml").write_text(
        "[[target]]\n" + "".join(f"{k} = {v}\n" for k, v in target.items()), encoding="utf-8"
    )
    rest = outside(proj)
    r = cli(proj, "targets", "check")
    if not says:
        assert r.exit_code in (0, 1), r.output
        return
    assert r.exit_code == 2 and says in r.output and "targets.toml" in r.output, r.output
    assert outside(proj) == rest


# --- faults: the store, the database and their manifests ------------------------------------------------------


def _plant(part: Path) -> None:
    """Rewrite a stored part with one figure changed (what a COPY ... TO could do)."""
    t = pq.read_table(part)
    values = t.column("value").to_pylist()
    values[0] = 99.99
    pq.write_table(t.set_column(t.schema.get_field_index("value"), "value", pa.array(values)), part)


def test_build_and_ingest_refuse_a_tampered_part(proj):
    part = Store(proj.processed).part_paths()[0]
    _plant(part)
    db, processed = proj.database.read_bytes(), tree_snapshot(proj.processed)
    r = cli(proj, "build")
    assert r.exit_code == 3 and "is not the file that was stored" in r.output and "Refusing to use" in r.output
    assert proj.database.read_bytes() == db and tree_snapshot(proj.processed) == processed
    (proj.raw / "new.csv").write_text(long_csv(GOOD.replace("2019", "2018")), encoding="utf-8")
    r = cli(proj, "ingest")
    assert r.exit_code == 3 and "is not the file that was stored" in r.output
    assert tree_snapshot(proj.processed) == processed
    with pytest.raises(InputOutputError, match="is not the file that was stored"):
        Store(proj.processed).read()


@pytest.mark.slow
def test_a_rebuild_from_unchanged_inputs_keeps_outputs_verifiable(proj):
    out = proj.out / "bulletin" / "440100" / "2019"
    out.mkdir(parents=True)
    (out / "table1.csv").write_text("x\n", encoding="utf-8")
    m = read_manifest(write_output_manifest(proj, out, release="latest"))
    db_entry = next(e for e in m["inputs"] if e["path"] == "data/processed/hukou.duckdb")
    assert db_entry["content_sha256"] and "data/processed/hukou.duckdb.manifest.json" not in str(m["inputs"])
    old = proj.database.read_bytes()
    build(proj, force=True)  # built again from the same inputs
    assert proj.database.read_bytes() != old  # other bytes...
    assert verify(out)[0].drift == [] and all(v.drift == [] for v in verify(proj.processed))  # ...same content
    (proj.raw / "more.csv").write_text(long_csv(GOOD.replace("2019", "2018")), encoding="utf-8")
    ingest(proj)
    build(proj)  # new content: the output no longer matches the database
    assert {d.path for d in verify(out)[0].drift} == {"data/processed/hukou.duckdb"}


def test_an_output_names_the_database_it_read_even_if_a_build_replaces_it(proj):
    con = connect(proj)  # the bulletin opens the database...
    con.close()
    read_at_open = json.loads((proj.processed / "hukou.duckdb.manifest.json").read_text())["outputs"][0]["sha256"]
    (proj.raw / "more.csv").write_text(long_csv(GOOD.replace("2019", "2018")), encoding="utf-8")
    ingest(proj)
    build(proj)  # ...a build replaces it while the bulletin writes...
    out = proj.out / "evaluation" / "x"
    out.mkdir(parents=True)
    (out / "a.md").write_text("x\n", encoding="utf-8")
    m = read_manifest(write_output_manifest(proj, out))  # ...the manifest names the database that was read
    entry = next(e for e in m["inputs"] if e["path"] == "data/processed/hukou.duckdb")
    assert entry["sha256"] == read_at_open
    assert not any(e["path"].endswith("more.csv") for e in m["inputs"])


@pytest.mark.slow
@pytest.mark.parametrize("new_figures", [False, True])
def test_after_a_build_killed_before_its_manifest_verify_reports_no_drift(proj, monkeypatch, new_figures):
    """The process stops between renaming the database into place and renaming its manifest: whether the
    database has new content or not, verify finds the database as its manifest (written ahead) says."""
    if new_figures:
        (proj.raw / "more.csv").write_text(long_csv(GOOD.replace("2019", "2018")), encoding="utf-8")
        ingest(proj)
    real = os.replace

    def killed_before_the_manifest(src, dst, *a, **k):
        if str(dst).endswith(".manifest.json"):
            raise KeyboardInterrupt
        return real(src, dst, *a, **k)

    old = proj.database.read_bytes()
    monkeypatch.setattr(os, "replace", killed_before_the_manifest)
    with pytest.raises(KeyboardInterrupt):
        build(proj, force=True)
    monkeypatch.undo()
    assert proj.database.read_bytes() != old  # the new database is in place, its manifest is not
    assert all(v.drift == [] for v in verify(proj.processed))
    r = cli(proj, "verify", str(proj.processed))
    assert r.exit_code == 0 and "DRIFT" not in r.output
    build(proj)  # the next build puts everything in order
    assert not provenance.pending_path(proj.database).exists()
    assert all(v.drift == [] for v in verify(proj.processed))


def test_a_tampered_database_is_drift_even_with_its_manifest(proj):
    con = duckdb.connect(str(proj.database))
    con.execute("UPDATE stored_observations SET value = 99.99")
    con.execute("CHECKPOINT")
    con.close()
    drift = [d for v in verify(proj.processed) for d in v.drift]
    assert [(d.path, d.kind) for d in drift] == [("data/processed/hukou.duckdb", "changed")]


# --- faults: the published folder is whole at every instant ---------------------------------------------------


def test_the_folder_swap_never_leaves_the_target_missing(proj, tmp_path):
    """A reader polls the target while it is replaced 200 times: it is there every time it looks."""
    import multiprocessing

    from hukou_stats.core.atomic import replace_folder

    target = tmp_path / "out" / "2021"
    target.parent.mkdir()
    stop = multiprocessing.Event()
    missing = multiprocessing.Value("i", 0)
    looks = multiprocessing.Value("i", 0)

    def reader():
        while not stop.is_set():
            if not (target / "a.txt").exists():
                missing.value += 1
            looks.value += 1

    staging = tmp_path / "out" / ".s"
    staging.mkdir()
    (staging / "a.txt").write_text("0")
    replace_folder(staging, target)
    proc = multiprocessing.get_context("fork").Process(target=reader)
    proc.start()
    try:
        for i in range(200):
            staging = tmp_path / "out" / f".s{i}"
            staging.mkdir()
            (staging / "a.txt").write_text(str(i))
            assert replace_folder(staging, target) == "exchange"
            shutil.rmtree(staging)
    finally:
        stop.set()
        proc.join()
    assert looks.value > 100 and missing.value == 0


@pytest.mark.kills
def test_killed_publishing_at_random_moments_leaves_a_whole_folder_and_no_leftovers(proj):
    """A run writing a staged folder is killed at random moments (HUKOU_KILLS) while a reader polls the target:
    the reader always finds it, the published folder is whole (its manifest verifies) after every kill, and the
    next run sweeps what the killed ones left."""
    import multiprocessing
    import random
    import signal

    from hukou_stats.publish.folder import staged_folder

    kills = int(os.environ.get("HUKOU_KILLS", "20"))
    rng = random.Random(int(os.environ.get("HUKOU_KILL_SEED", "11")))
    target = proj.out / "bulletin" / "440100" / "2019"

    def publish(version: int) -> None:
        with staged_folder(proj, target, "latest") as staging:
            for k in range(60):
                (staging / f"t{k}.csv").write_text(f"{version},{k}\n" * 20_000, encoding="utf-8")

    publish(0)
    t = time.monotonic()
    publish(1)
    duration = time.monotonic() - t
    ctx = multiprocessing.get_context("fork")
    stop, missing, looks = ctx.Event(), ctx.Value("i", 0), ctx.Value("i", 0)

    def reader():
        while not stop.is_set():
            missing.value += not (target / "manifest.json").is_file()
            looks.value += 1

    poller = ctx.Process(target=reader)
    poller.start()
    killed = 0
    try:
        for i in range(kills):
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    publish(i + 2)
                    code = 0
                finally:
                    os._exit(code)
            time.sleep(rng.uniform(0, 1.2) * duration)
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            killed += os.WIFSIGNALED(status)
            v = verify(target)
            assert len(v) == 1 and v[0].drift == [], v[0].drift
            assert len(v[0].data["outputs"]) == 60
    finally:
        stop.set()
        poller.join()
    print(f"{kills} runs, {killed} killed mid-run; one publication takes {duration:.2f} s; {looks.value} looks")
    assert looks.value > kills and missing.value == 0
    assert killed > kills // 2
    publish(kills + 2)
    assert sorted(p.name for p in target.parent.iterdir()) == [".2019.lock", "2019"]
    assert (target / "t0.csv").read_text().startswith(f"{kills + 2},0")


@pytest.mark.kills
def test_a_bulletin_killed_at_random_moments_leaves_the_published_one_whole(bundled, tmp_path):
    """The real bulletin, killed while it runs (HUKOU_BULLETIN_KILLS, default 3): after every kill the published
    folder is there and verifies, and a later run sweeps what the killed ones left."""
    import random
    import signal

    from hukou_stats.publish.bulletin.make import make_bulletin

    shutil.copytree(bundled.root, tmp_path / "b")
    p = Project.at(tmp_path / "b")
    t = time.monotonic()
    target = make_bulletin(p, "440100", 2021)
    duration = time.monotonic() - t
    rng = random.Random(5)
    for _ in range(int(os.environ.get("HUKOU_BULLETIN_KILLS", "3"))):
        pid = os.fork()
        if pid == 0:
            try:
                make_bulletin(p, "440100", 2021)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert [v.drift for v in verify(target)] == [[]]
    make_bulletin(p, "440100", 2021)
    assert [x.name for x in target.parent.iterdir() if x.name.startswith(".") and x.is_dir()] == []
    assert [v.drift for v in verify(target)] == [[]]


@pytest.mark.parametrize(
    "manifest",
    [
        [],
        {"tool": "hukou-stats", "inputs": [1]},
        {"tool": "hukou-stats", "inputs": [{"sha256": "x"}]},
        {"tool": "hukou-stats", "inputs": [], "outputs": "x"},
        {"tool": "hukou-stats", "inputs": [], "root": 5},
    ],
)
def test_verify_of_a_malformed_manifest_is_a_usage_error(tmp_path, manifest):
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    r = runner.invoke(app, ["verify", str(tmp_path)])
    assert r.exit_code == 2 and "is not a hukou-stats manifest" in r.output, r.output


def test_a_store_without_hashes_in_its_commit_list_is_checked_against_its_provenance_manifest(proj):
    """Stores written before the parts' hashes were kept in _manifest.json: the provenance manifest holds them."""
    listing = proj.processed / "observations" / "_manifest.json"
    m = json.loads(listing.read_text(encoding="utf-8"))
    for part in m["parts"]:
        part.pop("sha256")
    listing.write_text(json.dumps(m), encoding="utf-8")
    assert len(Store(proj.processed).read()) == 1
    (proj.raw / "more.csv").write_text(long_csv(GOOD.replace("2019", "2018")), encoding="utf-8")
    ingest(proj)  # the next commit writes every part's hash into the list
    assert all(p.get("sha256") for p in json.loads(listing.read_text(encoding="utf-8"))["parts"])
    _plant(Store(proj.processed).part_paths()[0])
    with pytest.raises(InputOutputError, match="is not the file that was stored"):
        build(proj)


def test_the_validation_report_quotes_input_as_text_never_as_a_formula(tmp_path):
    """A cell that a spreadsheet program would run (=, +, -, @) is quoted in validation_report.csv with an
    apostrophe in front, as in the bulletin's CSV files."""
    hostile = GOOD.replace("1530.59", '"=HYPERLINK(""http://x"",""y"")"')
    p = make_project(tmp_path / "p", {"bad.csv": long_csv(hostile)})
    checked = check_inputs(p)
    assert checked.errors
    with open(p.out / "validation" / "validation_report.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    values = [r["value"] for r in rows if r["check"] == "value_numeric"]
    assert values == ['\'=HYPERLINK("http://x","y")']
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_a_project_sets_its_own_reading_limits_in_hukou_stats_toml(tmp_path):
    """[limits] rows and file_mib replace the defaults for every file the project reads; an unknown key or a value
    out of range is refused before anything is read."""
    rows = [GOOD.replace("2019", str(y)) for y in range(2001, 2011)]  # 10 figures: 11 lines
    p = make_project(tmp_path / "p", {"long.csv": long_csv(*rows)})
    assert not check_inputs(p).errors
    p.settings_file.write_text("[limits]\nrows = 5\n", encoding="utf-8")
    refused = check_inputs(p)
    assert [(i.check, i.file) for i in refused.errors] == [("input_too_large", "data/raw/long.csv")]
    assert "over the limit of 6" in refused.errors[0].message
    p.settings_file.write_text("[limits]\nrows = 20\nfile_mib = 1\n", encoding="utf-8")
    assert not check_inputs(p).errors
    for bad in ("[limits]\nrow = 5\n", "[limits]\nrows = 0\n", "[limits]\nfile_mib = 100000\n"):
        p.settings_file.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigInvalid):
            check_inputs(p)
