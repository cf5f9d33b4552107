"""Microdata: counts against an independent plain-Python count, calibration to published figures,
planted quality defects, schema errors, SYNTHETIC labels end to end, and the commands."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hukou_stats.cli import app
from hukou_stats.core.errors import ValidationFailed
from hukou_stats.core.project import Project
from hukou_stats.microdata.aggregate import Inputs, aggregate, connect, long_counts
from hukou_stats.microdata.calibration import calibrate
from hukou_stats.microdata.run import inputs_from_dir, run
from hukou_stats.microdata.synth import synthesize
from hukou_stats.store.parquet import Store
from tests.helpers import ROOT, holding_write_lock, make_project

REPO = Project.at(ROOT)
URBAN = {"111", "112", "121", "122", "123"}


@pytest.fixture(scope="module")
def gz1m(tmp_path_factory):
    """1M SYNTHETIC Guangzhou residents, calibrated to the bundled published figures."""
    out = tmp_path_factory.mktemp("gz1m")
    synthesize(REPO, 1_000_000, "440100", 11, out, year=2021)
    return out


def plain_python_counts(inputs: Inputs, year: int) -> dict[tuple[str, str], int]:
    """The same counts with pyarrow batches and dicts only (no DuckDB, no pandas)."""
    cls = {r["code"]: r["class"] for r in pq.read_table(inputs.codes).to_pylist() if r["year"] == year}
    units = lambda c: {f"{c:012d}"[:6], f"{c:012d}"[:4] + "00"}  # noqa: E731 county, prefecture (scope 440100)
    out: dict[tuple[str, str], int] = defaultdict(int)
    for batch in pq.ParquetFile(inputs.register).iter_batches(columns=["reg_code"]):
        for code, n in Counter(batch.column(0).to_pylist()).items():
            for u in units(code):
                out[u, "hukou_total"] += n
                out[u, "hukou_urban"] += n * (cls.get(f"{code:012d}") in URBAN)
    for batch in pq.ParquetFile(inputs.residents).iter_batches(columns=["res_code", "reg_code"]):
        res, reg = batch.column(0).to_pylist(), batch.column(1).to_pylist()
        for a, b in zip(res, reg):
            for u in units(a):
                out[u, "resident_total"] += 1
                out[u, "resident_urban"] += cls.get(f"{a:012d}") in URBAN
                if b == 0 or b // 1_000_000 != a // 1_000_000:
                    out[u, "separated_across_counties"] += 1
                elif b // 1000 != a // 1000:
                    out[u, "separated_within_county"] += 1
    return dict(out)


@pytest.mark.slow
def test_counts_equal_independent_plain_python_count_at_1m(gz1m):
    inputs = inputs_from_dir(gz1m)
    con = connect("1GB")
    long = long_counts(aggregate(con, inputs, 2021))
    mine = {(r.region_code, r.measure): int(r.value) for r in long.itertuples()}
    theirs = plain_python_counts(inputs, 2021)
    assert set(k for k, v in mine.items() if v) == set(k for k, v in theirs.items() if v)
    assert {k: v for k, v in mine.items() if v} == {k: v for k, v in theirs.items() if v}
    assert mine["440100", "resident_total"] == 1_000_000
    # the city is the sum of its 11 districts, for every measure
    for m in ("hukou_total", "hukou_urban", "resident_urban", "separated_within_county"):
        assert mine["440100", m] == sum(v for (c, mm), v in mine.items() if mm == m and c != "440100")


def test_synthetic_guangzhou_is_calibrated_to_published_figures(gz1m):
    con = connect("1GB")
    w = aggregate(con, inputs_from_dir(gz1m), 2021).set_index("region_code")
    rate = lambda c, k: 100 * w.loc[c, f"{k}_urban"] / w.loc[c, f"{k}_total"]  # noqa: E731
    # 广州统计年鉴2020 表2-10 (2019): 白云 81.04, 花都 69.02, 从化 45.11; 番禺 2021 90.53 (番禺区统计数据)
    for code, published in (
        ("440111", 81.04),
        ("440114", 69.02),
        ("440117", 45.11),
        ("440113", 90.53),
        ("440103", 100.0),
    ):
        assert abs(rate(code, "resident") - published) < 1.0, code
    # the city's hukou rate 2021: 8,174,391 / 10,115,306 = 80.81 %; hukou/resident 1011.53万 / 1881.06万
    assert abs(rate("440100", "hukou") - 80.81) < 1.0
    assert abs(w.loc["440100", "hukou_total"] / 1_000_000 - 10_115_306 / 18_810_600) < 0.002
    # district sizes: 白云 2021 368.91万 of 1881.06万 residents
    assert abs(w.loc["440111", "resident_total"] / 1e6 - 368.91 / 1881.06) < 0.003


@pytest.mark.parametrize("per_county", [30, 300])  # 300: the most a county gets (a province-sized run)
def test_synthetic_village_codes_are_unique_and_numbered_by_class(tmp_path, per_county):
    r = synthesize(REPO, 20_000, "330000", 7, tmp_path / "s", villages_per_county=per_county)
    t = pq.read_table(r.paths()["codes"]).to_pandas()
    assert t["code"].is_unique
    number = t["code"].str[-3:].astype(int)
    urban = t["class"].astype(str).str.startswith("1")
    assert number[urban].between(1, 199).all() and number[~urban].between(200, 399).all()  # 居委会 / 村委会


def test_synth_is_deterministic_and_labelled(tmp_path):
    a = synthesize(REPO, 20_000, "330000", 5, tmp_path / "a")
    b = synthesize(REPO, 20_000, "330000", 5, tmp_path / "b")
    c = synthesize(REPO, 20_000, "330000", 6, tmp_path / "c")
    for name in ("codes", "register", "residents"):
        ta, tb, tc = (pq.read_table(r.paths()[name]) for r in (a, b, c))
        assert ta.equals(tb)
        assert (ta.schema.metadata or {})[b"hukou_stats.synthetic"] == b"SYNTHETIC"
        assert a.paths()[name].name.startswith("SYNTHETIC_")
        if name != "codes":
            assert not ta.equals(tc)
    meta = json.loads(a.paths()["metadata"].read_text(encoding="utf-8"))
    assert meta["seed"] == 5 and "SYNTHETIC" in meta
    assert all(n.startswith("SYNTHETIC") for n in pq.read_table(a.paths()["codes"]).column("name").to_pylist())


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def defective(tmp_path):
    """A tiny county with one of each defect planted."""
    codes = write_csv(
        tmp_path / "codes.csv",
        ["year", "code", "name", "class"],
        [
            [2021, "440103001001", "A 社区", "111"],
            [2021, "440103001201", "B 村", "220"],
            [2021, "440103002001", "C 社区", "999"],  # unknown class
            [2020, "440103009001", "old list", "111"],
        ],
    )  # another year: ignored
    register = write_csv(
        tmp_path / "register.csv",
        ["person_id", "reg_code", "sex", "birth_year"],
        [
            [1, 440103001001, 1, 1980],
            [2, 440103001201, 2, 1990],
            [3, 440103001001, 1, 1970],
            [3, 440103001201, 1, 1970],  # registered twice
            [4, 440103001001, 2, 2000],
            [4, 440103001001, 2, 2000],  # duplicate record
            [5, 440103005555, 1, 1960],
        ],
    )  # code missing from the list
    residents = write_csv(
        tmp_path / "residents.csv",
        ["person_id", "res_code", "reg_code"],
        [[1, 440103001001, 440103001001], [2, 440103001001, 440103001201], [6, 440103002001, 0], [7, 440103001201, ""]],
    )  # registration code empty
    return Inputs(codes, register, residents)


def test_quality_report_counts_planted_defects_with_examples(tmp_path, defective):
    p = make_project(tmp_path / "proj")
    with pytest.raises(ValidationFailed) as e:
        run(p, defective, 2021, "2022-03-31")
    rules = {i.check for i in e.value.errors()}
    assert rules == {
        f"microdata quality: {n}"
        for n in (
            "unknown urban-rural class",
            "registered twice",
            "duplicate person id",
            "registration code missing from the code list",
            "registration code empty",
        )
    }
    assert Store(p.processed).read().empty  # nothing stored
    q = json.loads((p.out / "microdata" / "2021" / "quality_report.json").read_text(encoding="utf-8"))
    by = {(c["name"], c["file"]): c for c in q["checks"]}
    assert by["registered twice", "register.csv"]["examples"][0]["person_id"] == 3
    assert by["duplicate person id", "register.csv"]["examples"][0]["person_id"] == 4
    assert by["registration code missing from the code list", "register.csv"]["examples"][0]["code"] == 440103005555
    assert by["unknown urban-rural class", "codes.csv"]["examples"][0]["class_given"] == "999"
    assert by["registration code empty", "residents.csv"]["count"] == 1
    assert by["residence code missing from the code list", "residents.csv"]["count"] == 0
    md = (p.out / "microdata" / "2021" / "quality_report.md").read_text(encoding="utf-8")
    assert "440103005555" in md and "registered twice" in md


def test_accepted_defects_are_counted_not_dropped(tmp_path, defective):
    p = make_project(tmp_path / "proj")
    r = run(p, defective, 2021, "2022-03-31", accept_defects=True)
    c = {(x.region_code, x.measure): x.value for x in r.counts.itertuples()}
    assert c["440103", "hukou_total"] == 7  # every register row, duplicates included
    assert c["440103", "hukou_urban"] == 4  # rows in 111 villages (1, 3, 4, 4); 999 and missing are not urban
    assert c["440103", "resident_total"] == 4
    assert c["440103", "resident_urban"] == 2  # the 999 village is not counted as urban
    assert c["440103", "separated_within_county"] == 0  # person 2: another village of the same township
    assert c["440103", "separated_across_counties"] == 1  # person 6: registered outside (0); person 7 unknown
    stored = Store(p.processed).read()
    assert len(stored) == r.stored["new"] > 0 and set(stored.series) == {"microdata"}


def test_schema_error_names_file_row_column(tmp_path, defective):
    p = make_project(tmp_path / "proj")
    write_csv(defective.register, ["person_id", "reg_code", "sex"], [[1, 440103001001, 1], [2, 4401030, 3]])
    with pytest.raises(ValidationFailed) as e:
        run(p, defective, 2021, "2022-03-31")
    text = "\n".join(map(str, e.value.errors()))
    assert "register.csv, row 3, column 'reg_code'" in text and "in_range" in text
    assert "register.csv, row 3, column 'sex'" in text and "isin" in text


@pytest.mark.slow
def test_synthetic_run_feeds_the_bulletin_marked_synthetic(tmp_path):
    """A province-sized (Zhejiang, 11 cities) synthetic run, ingested into an empty project, to the bulletin."""
    from hukou_stats.publish.bulletin import make_bulletin
    from hukou_stats.warehouse.build import build

    synthesize(REPO, 200_000, "330000", 2, tmp_path / "syn")
    p = make_project(tmp_path / "proj")
    r = run(p, inputs_from_dir(tmp_path / "syn"), 2021, "2022-02-28")
    assert r.scope == "330000"
    # calibrated: resident rate 72.66 % published for 2021; hukou rate (not published for Zhejiang) = China's
    # 46.7 % scaled city by city, which the generator reaches even though it is far below the resident rate
    c = {(x.region_code, x.measure): x.value for x in r.counts.itertuples()}
    assert abs(100 * c["330000", "resident_urban"] / c["330000", "resident_total"] - 72.66) < 1.0
    cal = calibrate(REPO, "330000", 2021)
    implied = 100 * sum(t.hukou_share * t.hukou_rate for t in cal.children)
    assert abs(100 * c["330000", "hukou_urban"] / c["330000", "hukou_total"] - implied) < 1.0
    stored = Store(p.processed).read()
    assert stored.source.str.startswith("SYNTHETIC").all()
    build(p)
    out = make_bulletin(p, "330000", 2021)
    text = (out / "bulletin.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text and "杭州市" in text


def test_cli_synth_and_aggregate(tmp_path):
    p = make_project(tmp_path / "proj")
    runner = CliRunner()
    syn = tmp_path / "syn"
    res = runner.invoke(
        app,
        [
            "--root",
            str(p.root),
            "synth",
            "--persons",
            "5000",
            "--region",
            "guangzhou",
            "--seed",
            "1",
            "--out",
            str(syn),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "SYNTHETIC" in res.output
    res = runner.invoke(app, ["--root", str(p.root), "microdata", "aggregate", str(syn), "--year", "2021"])
    assert res.exit_code == 2 and "--release" in res.output
    res = runner.invoke(
        app,
        [
            "--root",
            str(p.root),
            "microdata",
            "aggregate",
            str(syn),
            "--year",
            "2021",
            "--release",
            "2022-03-31",
            "--memory-limit",
            "lots",
        ],
    )
    assert res.exit_code == 2 and "--memory-limit" in res.output
    res = runner.invoke(
        app,
        [
            "--root",
            str(p.root),
            "microdata",
            "aggregate",
            str(tmp_path / "nowhere"),
            "--year",
            "2021",
            "--release",
            "2022-03-31",
        ],
    )
    assert res.exit_code == 3 and "not found" in res.output
    res = runner.invoke(
        app, ["--root", str(p.root), "microdata", "aggregate", str(syn), "--year", "2021", "--release", "2022-03-31"]
    )
    assert res.exit_code == 0, res.output
    assert "72 new figures" in res.output
    res = runner.invoke(
        app, ["--root", str(p.root), "microdata", "aggregate", str(syn), "--year", "2021", "--release", "31/03/2022"]
    )
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output  # refused before counting


def test_stored_microdata_take_the_write_lock_and_update_the_store_manifest(tmp_path):
    from hukou_stats.core.errors import InputOutputError
    from hukou_stats.core.provenance import read_manifest, verify

    p = make_project(tmp_path / "proj")
    syn = synthesize(REPO, 5_000, "440100", 1, tmp_path / "syn").paths()
    with holding_write_lock(p.processed):
        with pytest.raises(InputOutputError):
            run(p, inputs_from_dir(tmp_path / "syn"), 2021, "2022-03-31", lock_timeout=0.3)
        assert Store(p.processed).read().empty  # nothing stored while another run writes
    run(p, inputs_from_dir(tmp_path / "syn"), 2021, "2022-03-31")
    m = read_manifest(Store(p.processed).root / "manifest.json")
    assert {syn["register"].name, syn["residents"].name, syn["codes"].name} <= {
        e["path"].rsplit("/", 1)[-1] for e in m["inputs"]
    }
    assert [v.drift for v in verify(p.processed)] == [[] for _ in verify(p.processed)]


def test_synthetic_figures_do_not_mix_with_real_ones_unless_asked(tmp_path, bundled):
    from hukou_stats.core.errors import UsageError

    synthesize(REPO, 5_000, "440100", 1, tmp_path / "syn")
    before = len(Store(bundled.processed).read())
    with pytest.raises(UsageError, match="would mix"):
        run(bundled, inputs_from_dir(tmp_path / "syn"), 2021, "2022-03-31")
    assert len(Store(bundled.processed).read()) == before


def test_national_synthetic_counts_only_units(tmp_path):
    """China: 31 provinces with synthetic counties; municipalities' districts sit under the province, and no
    grouping that is not a unit (110100 市辖区) gets a figure; the provinces sum to the country."""
    synthesize(REPO, 50_000, "000000", 3, tmp_path / "cn")
    w = aggregate(connect("1GB"), inputs_from_dir(tmp_path / "cn"), 2021).set_index("region_code")
    assert "110100" not in w.index and "110111" in w.index and "440100" in w.index
    provinces = w[w.level == 1]
    assert len(provinces) == 31
    assert provinces.resident_total.sum() == w.loc["000000", "resident_total"] == 50_000
    assert provinces.hukou_urban.sum() == w.loc["000000", "hukou_urban"]


def test_unreadable_inputs_are_located_errors(tmp_path, defective):
    from hukou_stats.core.errors import InputOutputError, UsageError

    p = make_project(tmp_path / "proj")
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"not parquet")
    with pytest.raises(InputOutputError, match="junk.parquet"):
        run(p, Inputs(defective.codes, junk, defective.residents), 2021, "2022-03-31")
    with pytest.raises(UsageError, match="years in it: 2020, 2021"):
        run(p, defective, 2019, "2022-03-31")
    # a bad value after the rows pandera samples: DuckDB's message names the line
    rows = [[i, 440103001001, 1, 1980] for i in range(1, 30_001)] + [["x9", 440103001001, 1, 1980]]
    write_csv(defective.register, ["person_id", "reg_code", "sex", "birth_year"], rows)
    with pytest.raises(InputOutputError, match="could not be read"):
        run(p, defective, 2021, "2022-03-31")


@pytest.mark.slow
def test_memory_limit_and_spill_folder_give_the_same_counts(gz1m, tmp_path):
    """DuckDB under a 40MB memory limit, spill folder set, one thread: same counts, and the id checks
    (a GROUP BY over 1.5M ids) still complete."""
    from hukou_stats.microdata.aggregate import register_inputs
    from hukou_stats.microdata.quality import check_quality

    inputs = inputs_from_dir(gz1m)
    roomy = long_counts(aggregate(connect("1GB"), inputs, 2021))
    con = connect("40MB", tmp_path / "spill", threads=1)
    assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == str(tmp_path / "spill")
    tight = long_counts(aggregate(con, inputs, 2021))
    assert tight.equals(roomy)
    register_inputs(con, inputs, 2021)
    assert not check_quality(con, inputs, 2021).defects


# --- persons with empty or unknown codes: counted at the lowest level that can be known -------------------

GZ_LO, GZ_HI = 440100000000, 440199999999  # the 12-digit codes inside Guangzhou (440100)


def located_units(code: int | None) -> list[str]:
    """Where the rule puts a person of a Guangzhou file, written out for this test: a 12-digit code inside
    440100 in its county (unless its digits PPCCXX end in 01, the city's 市辖区, which is no unit, or 00, the
    city itself) and in the city; anything else (empty, not 12 digits, another province) in the city only."""
    if code is None or not GZ_LO <= code <= GZ_HI:
        return ["440100"]
    county = f"{code:012d}"[:6]
    return ([] if county[4:] in ("00", "01") else [county]) + ["440100"]


def plain_python_counts_planted(inputs: Inputs, year: int) -> dict[tuple[str, str], int]:
    """The counts of a Guangzhou file with pyarrow rows and dicts only, by the rule of located_units: urban
    only for a listed village of an urban class; 人户分离 only for a located residence and a non-empty
    registration code."""
    cls = {int(r["code"]): r["class"] for r in pq.read_table(inputs.codes).to_pylist() if r["year"] == year}
    out: dict[tuple[str, str], int] = defaultdict(int)
    for r in pq.read_table(inputs.register).to_pylist():
        for u in located_units(r["reg_code"]):
            out[u, "hukou_total"] += 1
            out[u, "hukou_urban"] += cls.get(r["reg_code"]) in URBAN
    for r in pq.read_table(inputs.residents).to_pylist():
        a, b = r["res_code"], r["reg_code"]
        for u in located_units(a):
            out[u, "resident_total"] += 1
            out[u, "resident_urban"] += cls.get(a) in URBAN
            if a is None or not GZ_LO <= a <= GZ_HI or b is None:
                continue
            if b == 0 or b // 1_000_000 != a // 1_000_000:
                out[u, "separated_across_counties"] += 1
            elif b // 1000 != a // 1000:
                out[u, "separated_within_county"] += 1
    return {k: v for k, v in out.items() if v}


PLANTED_REGISTER = [None, 440103999999, 440101001001, 440100001001, 12345, 330102001001]
PLANTED_RESIDENTS = [  # (res_code, reg_code)
    (None, 440103001001),
    (440103999999, 440103001001),
    (12345, 0),
    (330102001001, 440106001001),
    (440106001001, None),
    (440106001001, 440106999999),
]


@pytest.fixture
def planted(tmp_path):
    """A small SYNTHETIC Guangzhou with persons of empty, unknown and malformed codes appended at the end of
    the person files, and one village of an unknown class."""
    import pyarrow as pa

    src = synthesize(REPO, 3_000, "440100", 4, tmp_path / "syn").paths()
    codes = pq.read_table(src["codes"])
    cls = codes.column("class").to_pylist()
    cls[0] = "999"
    pq.write_table(codes.set_column(codes.schema.get_field_index("class"), "class", pa.array(cls)), src["codes"])
    reg = pq.read_table(src["register"])
    n = reg.num_rows
    extra = pa.table(
        {
            "person_id": pa.array(range(10**12, 10**12 + len(PLANTED_REGISTER)), pa.int64()),
            "reg_code": pa.array(PLANTED_REGISTER, pa.int64()),
            "sex": pa.array([1] * len(PLANTED_REGISTER), pa.int8()),
            "birth_year": pa.array([1980] * len(PLANTED_REGISTER), pa.int16()),
        },
        schema=reg.schema,
    )
    pq.write_table(pa.concat_tables([reg, extra]), src["register"])
    res = pq.read_table(src["residents"])
    extra = pa.table(
        {
            "person_id": pa.array(range(2 * 10**12, 2 * 10**12 + len(PLANTED_RESIDENTS)), pa.int64()),
            "res_code": pa.array([a for a, _ in PLANTED_RESIDENTS], pa.int64()),
            "reg_code": pa.array([b for _, b in PLANTED_RESIDENTS], pa.int64()),
        },
        schema=res.schema,
    )
    pq.write_table(pa.concat_tables([res, extra]), src["residents"])
    return inputs_from_dir(tmp_path / "syn"), n + len(PLANTED_REGISTER), 3_000 + len(PLANTED_RESIDENTS)


def test_persons_with_empty_or_unknown_codes_are_counted_where_they_can_be_known(planted):
    inputs, registered, residents = planted
    wide = aggregate(connect("1GB"), inputs, 2021)
    mine = {(r.region_code, r.measure): int(r.value) for r in long_counts(wide).itertuples() if r.value}
    assert mine == plain_python_counts_planted(inputs, 2021)
    # nobody disappears: the city holds every row of both files, its districts all but the unlocated ones
    assert mine["440100", "hukou_total"] == registered
    assert mine["440100", "resident_total"] == residents
    districts = sum(v for (c, m), v in mine.items() if m == "resident_total" and c != "440100")
    assert districts == residents - 3  # empty, malformed, another province's code: in the city only
    assert "330102" not in set(wide.region_code) and "440101" not in set(wide.region_code)
    # the unpacked statement (used for files of 2^31 rows or more) gives the same counts
    assert long_counts(aggregate(connect("1GB"), inputs, 2021, pack_limit=0)).equals(long_counts(wide))


def test_quality_report_says_where_persons_with_bad_codes_are_counted(planted):
    from hukou_stats.microdata.aggregate import register_inputs
    from hukou_stats.microdata.quality import check_quality

    inputs, _, _ = planted
    con = connect("1GB")
    register_inputs(con, inputs, 2021)
    q = check_quality(con, inputs, 2021)  # standalone: makes the per-code counts itself
    by = {(c.name, c.file, c.column): c for c in q.checks}
    reg, res = inputs.register.name, inputs.residents.name
    missing = by["registration code missing from the code list", reg, "reg_code"]
    assert missing.count == 5
    assert {e["code"]: e["counted_in"] for e in missing.examples} == {
        440103999999: "440103",
        440101001001: "440100",  # 440101 (市辖区) is no unit: the city
        440100001001: "440100",  # no county digits
        12345: "440100",
        330102001001: "440100",  # outside the region of the code list
    }
    assert all(e["example_person_id"] >= 10**12 for e in missing.examples)
    empty = by["registration code empty", reg, "reg_code"]
    assert empty.count == 1 and empty.examples == [{"person_id": 10**12, "counted_in": "440100"}]
    where = {
        e["code"]: e["counted_in"] for e in by["residence code missing from the code list", res, "res_code"].examples
    }
    assert where == {440103999999: "440103", 12345: "440100", 330102001001: "440100"}
    assert by["residence code empty", res, "res_code"].count == 1
    assert by["registration code empty", res, "reg_code"].count == 1
    assert [e["code"] for e in by["registration code missing from the code list", res, "reg_code"].examples] == [
        440106999999
    ]  # 0 (registered outside the region) is no defect
    unknown = by["unknown urban-rural class", inputs.codes.name, "class"]
    assert unknown.count == 1 and unknown.examples[0]["class_given"] == "999"
    # after aggregate() in the same connection the checks read its per-code counts: same report
    con2 = connect("1GB")
    aggregate(con2, inputs, 2021)
    assert check_quality(con2, inputs, 2021).to_json() == q.to_json()


def test_accepted_defects_never_make_persons_disappear(planted, tmp_path, monkeypatch):
    """Through run(), with the planted rows beyond the rows pandera samples (they would be schema errors
    there): stored with --accept-defects, every person in the city's totals."""
    from hukou_stats.microdata import schemas

    monkeypatch.setattr(schemas, "SAMPLE_ROWS", 100)
    inputs, registered, residents = planted
    p = make_project(tmp_path / "proj")
    with pytest.raises(ValidationFailed):
        run(p, inputs, 2021, "2022-03-31")
    assert Store(p.processed).read().empty
    r = run(p, inputs, 2021, "2022-03-31", accept_defects=True)
    c = {(x.region_code, x.measure): int(x.value) for x in r.counts.itertuples() if x.value}
    assert c == plain_python_counts_planted(inputs, 2021)
    stored = Store(p.processed).read()
    city = stored[(stored.region_code == "440100") & stored.measure.isin(["hukou_total", "resident_total"])]
    assert dict(zip(city.measure, city.value.astype(int))) == {"hukou_total": registered, "resident_total": residents}


def test_municipality_code_list_gets_the_municipality_total(tmp_path):
    """A Beijing list holds only 1101xx districts; 110100 (市辖区) is no unit, so the scope is 110000."""
    codes = write_csv(
        tmp_path / "codes.csv",
        ["year", "code", "name", "class"],
        [[2021, "110101001001", "A", "111"], [2021, "110105001001", "B", "220"]],
    )
    register = write_csv(
        tmp_path / "register.csv",
        ["person_id", "reg_code", "sex", "birth_year"],
        [[1, 110101001001, 1, 1980], [2, 110105001001, 2, 1990]],
    )
    residents = write_csv(
        tmp_path / "residents.csv",
        ["person_id", "res_code", "reg_code"],
        [[1, 110101001001, 110101001001], [2, 110101001001, 110105001001], [3, 110105001001, ""]],
    )
    w = aggregate(connect("1GB"), Inputs(codes, register, residents), 2021).set_index("region_code")
    assert w.attrs["scope"] == "110000"
    assert set(w.index) == {"110101", "110105", "110000"}
    assert w.loc["110000", "resident_total"] == 3 and w.loc["110000", "separated_across_counties"] == 1


# --- the benchmark: baselines doing the same checks, results kept across runs -------------------------------


def bench_module():
    import importlib
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module("bench")
    finally:
        sys.path.pop(0)


def test_bench_quality_baselines_count_what_quality_counts(planted, defective):
    """The hand-written single-pass baselines (DuckDB, Polars) give the counts of quality.py per check, on
    the planted Parquet files and on the CSV fixture with one of each defect."""
    from hukou_stats.microdata.aggregate import register_inputs
    from hukou_stats.microdata.quality import check_quality

    bench = bench_module()
    for inputs in (planted[0], defective):
        con = connect("1GB")
        register_inputs(con, inputs, 2021)
        ours = {f"{c.name}|{c.file}|{c.column}": c.count for c in check_quality(con, inputs, 2021).checks}
        assert sum(ours.values()) > 0
        assert bench.quality_duckdb_single_pass(inputs, connect("1GB"), 2021) == ours
        assert bench.quality_polars(inputs, 2021) == ours


def test_bench_results_are_merged_by_size_and_ratios_come_from_one_run():
    bench = bench_module()

    def rec(n, impl, wall, run):
        return {"persons": n, "impl": impl, "wall_s": wall, "min_cpu_s": wall, "run_id": run, "peak_rss_mb": 300,
                "load_avg_1m_before": 1.0}  # fmt: skip

    old = [rec(10**7, "duckdb", 1.0, "a"), rec(10**7, "floor_same_columns", 0.9, "a"), rec(10**8, "duckdb", 9, "a")]
    new = [rec(10**8, "duckdb", 8.0, "b"), rec(10**8, "floor_same_columns", 7.0, "b"), rec(10**8, "polars", 10, "b")]
    merged = bench.merge_runs(old, new)
    assert [(r["persons"], r["impl"], r["run_id"]) for r in merged] == [
        (10**7, "duckdb", "a"),
        (10**7, "floor_same_columns", "a"),
        (10**8, "duckdb", "b"),
        (10**8, "floor_same_columns", "b"),
        (10**8, "polars", "b"),
    ]
    ratios, _, goals = bench.ratios_and_goals(merged)
    by = {r["persons"]: r for r in ratios}
    assert by[10**7]["duckdb_over_floor_same_columns"] == round(1.0 / 0.9, 3)
    assert by[10**8]["duckdb_over_floor_same_columns"] == round(8 / 7, 3) and by[10**8]["duckdb_over_polars"] == 0.8
    assert goals["100M_within_1.2x_of_floor_same_columns"]["met"] and goals["100M_ahead_of_polars"]["met"]
    # a record from another run is not compared with
    ratios, _, _ = bench.ratios_and_goals(bench.merge_runs(merged, [rec(10**7, "duckdb", 1.0, "c")]))
    assert "duckdb_over_floor_same_columns" not in {r["persons"]: r for r in ratios}.get(10**7, {})
