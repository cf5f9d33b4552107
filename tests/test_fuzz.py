"""Property-based tests (hypothesis) over generated tables: layouts, encodings, junk cells, huge and tiny values.

Every input either reads to figures equal to what the cells say, or fails with located errors (Issue) or a
documented error type (HukouStatsError), never an unhandled exception. About 1,200 cases in `make test`;
`make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs 20 times as many. The generated tables are SYNTHETIC.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hukou_stats.core.errors import HukouStatsError, Issue, ValidationFailed
from hukou_stats.core.numbers import parse_number
from hukou_stats.ingest import read_file
from hukou_stats.reference.registry import load_registry
from hukou_stats.store.commit import ingest
from hukou_stats.store.parquet import Store
from hukou_stats.validate.schemas import validate_frame
from tests.helpers import make_project, tree_snapshot

pytestmark = pytest.mark.fuzz

FACTOR = 20 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 1


def examples(n: int):
    # make test: the same cases every run (derandomize, no example database); make fuzz: new ones each run
    return settings(
        max_examples=n * FACTOR,
        deadline=None,
        derandomize=FACTOR == 1,
        **({"database": None} if FACTOR == 1 else {}),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    )


# region names as tables print them -> code (None: not a region)
NAMES = {
    "荔湾区": "440103",
    "荔 湾 区": "440103",
    "荔灣區": "440103",
    "荔湾区 Liwan": "440103",
    "Liwan": "440103",
    "越秀区": "440104",
    "白雲區": "440111",
    "黃埔區": "440112",
    "从化区": "440117",
    "增 城 区": "440118",
    "番禺": "440113",
    "天河区": "440106",
    "全市": "440100",
}
NOT_REGIONS = [
    "花果山区",
    "#中心城区",
    "其中：市辖区",
    "注：本表为测试。",
    "资料来源：测试",
    "按区分",
    "Region",
    "单位：万人",
    "(%)",
    "",
    "  ",
    "地区",
    "2019",
    "\u3000",
    "ｘ",
    "—",
    "=SUM(B2:B5)",
    "\x00",
    "😀",
]

FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


@st.composite
def published_number(draw):
    """(text as printed, Decimal value, decimals) for a valid published figure."""
    decimals = draw(st.integers(0, 4))
    units = draw(st.integers(0, 10**11 - 1))
    value = Decimal(units).scaleb(-decimals)
    text = f"{value:.{decimals}f}"
    style = draw(st.sampled_from(["plain", "thousands", "fullwidth", "spaced", "fw_thousands"]))
    if style in ("thousands", "fw_thousands"):
        whole, _, frac = text.partition(".")
        text = f"{int(whole):,}" + (f".{frac}" if frac else "")
    if style in ("fullwidth", "fw_thousands"):
        text = text.translate(FULLWIDTH)
    if style == "spaced":
        text = f" {text}\u3000"
    return text, value, decimals


junk_cell = st.one_of(
    st.sampled_from(["", "—", "…", "-", "x", "X", "——", "……", "N/A", "[x]", "..", " "]),
    st.sampled_from(
        [
            "1e5",
            "1,5",
            "12,34",
            "86.46*",
            "inf",
            "-inf",
            "nan",
            "NaN",
            "9" * 30,
            "0x1F",
            "１e３",
            "1.2.3",
            "+-1",
            "—5",
            "5%",
            "(3)",
            "１，２３４．５",
            "1 234",
            "TRUE",
            "#REF!",
            "#DIV/0!",
        ]
    ),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    published_number().map(lambda t: t[0]),
)


def _check_result(frame, issues, label):
    """What any read must satisfy: located issues, and figures that are finite canonical rows."""
    assert all(isinstance(i, Issue) and i.file == label for i in issues)
    for i in issues:
        str(i)  # every message renders (bilingual), whatever the value
        assert i.severity in ("error", "warning")
    if len(frame):
        assert frame.value.map(lambda v: v == v and abs(v) < 1e16).all()
        assert frame.region_code.str.fullmatch(r"\d{6}(\d{6})?").all()
        for text, value, unit in zip(frame.value_published, frame.value, frame.unit_published):
            parsed = parse_number(text)
            factor = 10_000 if unit == "10k_persons" else 1
            assert parsed is not None and float(parsed[0] * factor) == value


@pytest.fixture(scope="module")
def proj(tmp_path_factory):
    p = make_project(tmp_path_factory.mktemp("fuzz"))
    return p, load_registry(p)


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


@st.composite
def wide_table(draw):
    """A years-layout table: title rows, optional unit line, one or two header lines, rows of names and cells;
    returns (rows, expected {(code, year): (value, decimals)} for the rows that must read, spec text)."""
    years = sorted(draw(st.sets(st.integers(2010, 2022), min_size=1, max_size=4)))
    width = len(years) + 1
    rows = [
        [draw(st.sampled_from(["表2-10 各区常住人口城镇化率", "Table 2-10", "", "单位：%"]))] + [""] * (width - 1)
        for _ in range(draw(st.integers(0, 3)))
    ]
    rows.append(
        [draw(st.sampled_from(["地区", "地  区", "地區"]))]
        + [draw(st.sampled_from([f"{y}", f"{y}年", f"{y}年末", f"{y} "])) for y in years]
    )
    if draw(st.booleans()):
        rows.append(["Region"] + [str(y) for y in years])
    expected, seen = {}, set()
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 5)) == 0:
            rows.append([draw(st.sampled_from(NOT_REGIONS))] + [draw(junk_cell) for _ in years])
            continue
        name = draw(st.sampled_from(sorted(NAMES)))
        code = NAMES[name]
        cells = []
        for y in years:
            if draw(st.integers(0, 6)) == 0:
                cells.append(draw(junk_cell))
                expected[(code, y)] = "?"
            else:
                text, value, decimals = draw(published_number())
                value = min(value, Decimal(100)) if value <= 100 else Decimal(50)
                text = text if Decimal(parse_number(text)[0]) <= 100 else "50"
                cells.append(text)
                expected[(code, y)] = "?" if (code, y) in seen else (parse_number(text)[0], parse_number(text)[1])
            seen.add((code, y))
        rows.append([name] + cells)
    if draw(st.booleans()):
        rows.append(["注：测试表，数据为生成的 SYNTHETIC。"] + [""] * (width - 1))
    unit = draw(st.sampled_from(['unit = "pct"\n'] * 4 + ["", 'unit = "%"\n', 'unit = "persons"\n']))
    spec = (
        'layout = "years"\nregion_column = "地区"\nparent = "440100"\nmeasure = "resident_urban_rate_pct"\n'
        f'{unit}published = "2020"\nseries = "first_release"\nsource = "SYNTHETIC fuzz table"\n'
        '[aliases]\n"全市" = "440100"\n'
    )
    return rows, expected, spec


def _read_wide(proj, rows, spec, suffix, encoding="utf-8", merged=False, numbers=False):
    p, reg = proj
    path = p.raw / f"fuzz{suffix}"
    if suffix == ".csv":
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        path.write_bytes(_encode(buf.getvalue(), encoding))
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        for r in rows:
            out = []
            for c in r:
                try:
                    n = parse_number(c)
                except ValueError:
                    n = None
                out.append(
                    float(n[0])
                    if numbers and n is not None and n[1] == 0 and abs(n[0]) < 10**9
                    else ("".join(ch for ch in c if ch.isprintable() and ch not in "\x00") or None)
                )
            ws.append(out)
        if merged and ws.max_row >= 2:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(ws.max_column, 1))
        wb.save(path)
    (p.raw / "fuzz.toml").write_text(spec, encoding="utf-8")
    try:
        return read_file(path, reg, p.reference, path.name), path.name
    finally:
        path.unlink()


# the least share of generated tables that must be read to figures (not refused): a generator that only ever
# produced refused tables would let every property pass without checking a single figure. About a fifth of the
# generated wide tables read (measured over random runs: 19-25 %; short GBK tables are refused as too little
# evidence of their encoding), so 15 % leaves room for chance and still checks thousands of figures in make fuzz.
MIN_READ = 0.15


def outcome(frame, issues) -> str:
    if any(i.severity == "error" for i in issues):
        return "refused"
    return "read" if not frame.empty else "empty"


def assert_enough_read(outcomes: Counter, least: float = MIN_READ) -> None:
    n = sum(outcomes.values())
    assert n and outcomes["read"] / n >= least, f"only {outcomes['read']} of {n} generated tables were read: {outcomes}"


def _check_expected(frame, issues, expected):
    """Where a table reads without errors, each figure equals what its cell says."""
    if any(i.severity == "error" for i in issues):
        event("refused with located errors")
        return
    event(f"read; figures checked: {'yes' if any(v != '?' for v in expected.values()) else 'none'}")
    got = {(r.region_code, r.year): (Decimal(repr(r.value)), r.decimals) for r in frame.itertuples()}
    for key, want in expected.items():
        if want == "?":
            continue
        assert key in got, (key, want)
        assert got[key][0] == want[0] and got[key][1] == want[1], (key, got[key], want)


def test_wide_csv_reads_to_its_figures_or_to_located_errors(proj):
    outcomes: Counter = Counter()

    @examples(450)
    @given(table=wide_table(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]))
    def prop(table, encoding):
        rows, expected, spec = table
        try:
            (frame, issues), label = _read_wide(proj, rows, spec, ".csv", encoding)
        except HukouStatsError:
            outcomes["documented error"] += 1
            return  # a documented error (e.g. the spec): fine
        _check_result(frame, issues, label)
        outcomes[outcome(frame, issues)] += 1
        if 'unit = "persons"' not in spec:
            _check_expected(frame, issues, expected)
        else:  # the unit line 单位：% contradicts the spec, or a rate in persons: never silently read
            assert frame.empty or not any(r[0] == "单位：%" for r in rows)

    prop()
    assert_enough_read(outcomes)


def test_wide_xlsx_reads_to_its_figures_or_to_located_errors(proj):
    outcomes: Counter = Counter()

    @examples(70)
    @given(table=wide_table(), merged=st.booleans(), numbers=st.booleans())
    def prop(table, merged, numbers):
        rows, expected, spec = table
        try:
            (frame, issues), label = _read_wide(proj, rows, spec, ".xlsx", merged=merged, numbers=numbers)
        except HukouStatsError:
            outcomes["documented error"] += 1
            return
        _check_result(frame, issues, label)
        outcomes[outcome(frame, issues)] += 1
        if 'unit = "persons"' not in spec:
            _check_expected(frame, issues, expected)

    prop()
    assert_enough_read(outcomes)


LONG_HEADER = [
    "region_code",
    "region_name_zh",
    "year",
    "measure",
    "value",
    "unit",
    "source",
    "published",
    "seen_at",
    "series",
    "definition",
    "note",
]
field_junk = {
    "region_code": st.sampled_from(["440100", "440103", "330000", "000000", "999999", "44010", "abc", "", "440100.0"]),
    "year": st.sampled_from(["2019", "2020", "19", "", "二〇一九", "2019.5", "-1"]),
    "measure": st.sampled_from(["resident_total", "resident_urban", "resident_urban_rate_pct", "hukou_total", "x", ""]),
    "unit": st.sampled_from(["persons", "10k_persons", "pct", "万人", "%", "人", "", "thousands"]),
    "source": st.sampled_from(["SYNTHETIC src", "", " "]),
    "published": st.sampled_from(["2020", "2020-03", "2020-03-31", "2020-13", "", "soon"]),
    "series": st.sampled_from(["first_release", "census_2020", "nope", ""]),
}


@st.composite
def long_row(draw):
    """A valid row of the canonical long table (four rows in five), or one with a junk field or cell."""
    measure, unit, value = draw(
        st.sampled_from(
            [
                ("resident_total", "persons", "1234567"),
                ("resident_total", "10k_persons", "1530.59"),
                ("resident_total", "万人", "１，５３０．５９"),
                ("resident_urban_rate_pct", "pct", "86.46"),
                ("resident_urban_rate_pct", "%", "0.5"),
                ("hukou_total", "人", "9851142"),
            ]
        )
    )
    row = {
        "region_code": draw(st.sampled_from(["440100", "440103", "330000", "000000"])),
        "year": draw(st.sampled_from(["2019", "2020"])),
        "measure": measure,
        "unit": unit,
        "value": value,
        "source": "SYNTHETIC src",
        "published": draw(st.sampled_from(["2020", "2020-03", "2020-03-31"])),
        "series": draw(st.sampled_from(["first_release", "census_2020"])),
    }
    if draw(st.integers(0, 4)) == 0:  # one field or the value replaced by junk
        field = draw(st.sampled_from([*field_junk, "value"]))
        row[field] = draw(junk_cell if field == "value" else field_junk[field])
    return row


def test_long_csv_reads_or_fails_with_located_errors(proj):
    outcomes: Counter = Counter()

    @examples(300)
    @given(
        rows=st.lists(long_row(), max_size=6),
        encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
        extra=st.sampled_from(["", ",extra", "\n\n"]),
    )
    def prop(rows, encoding, extra):
        p, reg = proj
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(LONG_HEADER)
        for r in rows:
            w.writerow(
                [
                    r["region_code"],
                    "",
                    r["year"],
                    r["measure"],
                    r["value"],
                    r["unit"],
                    r["source"],
                    r["published"],
                    "",
                    r["series"],
                    "",
                    "",
                ]
            )
        path = p.raw / "fuzz_long.csv"
        path.write_bytes(_encode(buf.getvalue() + extra, encoding))
        try:
            frame, issues = read_file(path, reg, p.reference, "fuzz_long.csv")
        finally:
            path.unlink()
        _check_result(frame, issues, "fuzz_long.csv")
        outcomes[outcome(frame, issues)] += 1
        n_lines = len(rows) + 4
        assert all(i.row is None or 1 <= i.row <= n_lines for i in issues)
        if not frame.empty:
            validate_frame(frame, p.schemas)  # the schema checks run on whatever was read

    prop()
    assert_enough_read(outcomes)


@examples(350)
@given(number=published_number())
def test_published_numbers_read_back_exactly(number):
    text, value, decimals = number
    assert parse_number(text) == (value, decimals)


@examples(25)
@given(table=wide_table(), encoding=st.sampled_from(["utf-8", "gbk"]))
def test_ingest_stores_everything_or_nothing(tmp_path_factory, table, encoding):
    """Through the whole pipeline: stored and readable, or ValidationFailed and the store unchanged."""
    rows, _, spec = table
    p = make_project(tmp_path_factory.mktemp("ing"))
    (p.raw / "ok.csv").write_text(
        ",".join(LONG_HEADER) + "\n440100,广州市,2019,resident_total,1530.59,10k_persons,SYNTHETIC s,2020-03,,"
        "first_release,,\n",
        encoding="utf-8",
    )
    ingest(p)
    before = tree_snapshot(p.processed)
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (p.raw / "t.csv").write_bytes(_encode(buf.getvalue(), encoding))
    (p.raw / "t.toml").write_text(spec, encoding="utf-8")
    try:
        checked = ingest(p)
    except ValidationFailed as e:
        assert e.errors() and tree_snapshot(p.processed) == before
        return
    except HukouStatsError:
        assert tree_snapshot(p.processed) == before
        return
    stored = Store(p.processed).read()
    assert len(stored) == 1 + checked.stored["new"]
