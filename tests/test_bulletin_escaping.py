"""Data never becomes code, in any writer: region names and source texts that look like formulas, links, note
references, HTML or Markdown stay text in the workbook (no formula, no hyperlink, not parsed by gptables), the CSV
(formula starts neutralised, numbers left numbers), the Markdown (escaped) and the page (escaped); the evaluation
report goes through the same writers. One bulletin carries every payload, as a district's name and as a source."""

import csv
import io
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest
from markdown_it import MarkdownIt

from hukou_stats.core.text import spreadsheet_text
from hukou_stats.publish import html, markdown, workbook
from hukou_stats.publish.bulletin import make_bulletin
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from tests.helpers import long_csv, make_project

pytestmark = pytest.mark.slow

PAYLOADS = [
    '=HYPERLINK("http://x","Click")',
    "=cmd|' /C calc'!A0",
    "+1",
    "-1+2",
    "@SUM(A1)",
    "[click](javascript:alert(1))",
    "[x](ftp://y)",
    "$$ref$$",
    "<script>alert(1)</script>",
    "line\nbreak",
    "# heading",
]
DISTRICTS = [
    "440103",
    "440104",
    "440105",
    "440106",
    "440111",
    "440112",
    "440113",
    "440114",
    "440115",
    "440117",
    "440118",
]
NAMED = dict(zip(DISTRICTS, PAYLOADS))  # every payload is a district's name and a source text
WITH_FIGURES = DISTRICTS[1:]  # 440103 (=HYPERLINK...) has no figure: its name starts the note that says so


def test_one_escaping_function_per_format():
    assert markdown.escape("a|b [x](y) <b> # h\nz") == "a\\|b \\[x\\](y) \\<b\\> \\# h z"
    assert html.escape('<script>"x"</script>') == "&lt;script&gt;&quot;x&quot;&lt;/script&gt;"
    assert [spreadsheet_text(p) for p in ("=1", "+1", "-1", "@a", "\tx", "\rx", "a=1")] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "a=1",
    ]  # fmt: skip
    assert workbook.escape("[a](b) $$r$$") == f"[a]{workbook.JOINER}(b) ${workbook.JOINER}$r${workbook.JOINER}$"


@pytest.fixture(scope="module")
def payload(tmp_path_factory):
    p = make_project(tmp_path_factory.mktemp("payload"))
    # the payloads become the districts' names in the code history and in the names table (a hostile registry)
    history = p.reference / "areacodes" / "result.csv"
    reg = pd.read_csv(history, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for code, name in NAMED.items():
        reg.loc[(reg["代码"] == code) & (reg["状态"] == "在用"), "名称"] = name
    reg.to_csv(history, index=False, encoding="utf-8")
    names = pd.read_csv(p.reference / "region_names.csv", dtype=str, keep_default_na=False)
    for code, name in NAMED.items():
        names.loc[names.code == code, ["name_zh", "name_en", "pinyin"]] = [name, name, f"payload{code}"]
    names.to_csv(p.reference / "region_names.csv", index=False)
    rows = []
    for i, code in enumerate(DISTRICTS):
        src = PAYLOADS[i].replace("\n", " ").replace('"', '""')
        if code not in WITH_FIGURES:
            rows.append(f'440100,,2020,hukou_total,990,10k_persons,"{src}",2021-03,,hukou_register,,')
            continue
        rows.append(f'{code},,2021,resident_total,{100 + i},10k_persons,"{src}",2022-03,,first_release,,')
        rows.append(f'{code},,2020,resident_total,{101 + i},10k_persons,"{src}",2021-03,,first_release,,')
        rows.append(f'{code},,2021,resident_urban_rate_pct,{80 + i}.5,pct,"{src}",2022-03,,first_release,,')
    rows.append('440100,,2021,resident_total,1800,10k_persons,"[x](ftp://y) [a](b)",2022-03,,first_release,,')
    rows.append(
        '440100,,2021,resident_urban_rate_pct,86.46,pct,"$$ref$$ <script>alert(1)</script>",2022-03,,first_release,,'
    )
    rows.append("440100,,2021,hukou_total,1000,10k_persons,# heading,2022-03,,hukou_register,,")
    (p.raw / "payload.csv").write_text(long_csv(*rows), encoding="utf-8")
    targets = (p.reference / "targets.toml").read_text(encoding="utf-8")
    targets = targets.replace(
        'source_document = "广州市推动非户籍人口在城市落户的实施方案 (2017), 一(一)"',
        'source_document = "<script>alert(1)</script> [x](ftp://y) $$ref$$"',
    )
    (p.reference / "targets.toml").write_text(targets, encoding="utf-8")
    ingest(p)
    build(p)
    return p, make_bulletin(p, "440100", 2021)  # a source with an unknown URL scheme does not make it fail


def _plain(s: str) -> str:
    return s.replace(workbook.JOINER, "")


def test_workbook_cells_are_text_not_formulas_links_or_note_references(payload):
    _, out = payload
    wb = openpyxl.load_workbook(out / "bulletin.xlsx")
    texts = []
    for ws in wb.worksheets:
        for r in ws.iter_rows():
            for c in r:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)  # never a formula
                if c.hyperlink is not None:
                    assert ws.title == "Contents" and c.hyperlink.location, (
                        ws.title,
                        c.coordinate,
                    )  # only the contents
                if isinstance(c.value, str):
                    texts.append(_plain(c.value))
    text = "\n".join(texts)
    for p in PAYLOADS:
        assert p.replace("\n", " ") in text.replace("\n", " ") or p in text, p
    assert "$$ref$$" in text and "[note" in text  # $$ref$$ is shown as written, not turned into a note
    t1 = wb["T1"]
    names = [c.value for r in t1.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(_plain(v).startswith("=cmd|' /C calc'!A0") for v in names)  # a name that starts like a formula


def test_csv_neutralises_formula_starts_and_keeps_numbers(payload):
    _, out = payload
    rows = list(csv.DictReader(io.StringIO((out / "table1_regions.csv").read_text(encoding="utf-8"))))
    names = {r["region_code"]: r["region_name"] for r in rows}
    for code in WITH_FIGURES:
        p = NAMED[code]
        expect = ("'" + p) if p[0] in "=+-@" else p
        assert names[code] == expect, (code, names[code])
    changes = list(csv.DictReader(io.StringIO((out / "table2_changes.csv").read_text(encoding="utf-8"))))
    falls = [r["resident_total_change_10k"] for r in changes if r["resident_total_change_10k"].startswith("-")]
    assert falls and all(float(v) < 0 for v in falls)  # negative numbers stay numbers, no apostrophe
    notes = list(csv.DictReader(io.StringIO((out / "notes.csv").read_text(encoding="utf-8"))))
    missing = [n for n in notes if "暂无2021年数据" in n["text_zh"]]
    assert missing and missing[0]["text_zh"].startswith("'=HYPERLINK")  # a note that starts with a name, kept text
    assert not [n for n in notes for k in ("text_zh", "text_en") if n[k][:1] in "=+-@"]


def test_markdown_escapes_what_it_prints_from_data(payload):
    _, out = payload
    text = (out / "bulletin.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    inline = [c for t in tokens for c in (t.children or [])]
    assert {c.content for c in inline if c.type == "html_inline"} <= {"<br>"}  # only the headings' own line breaks
    assert not [t for t in tokens if t.type == "html_block"]
    files = {p.name for p in out.iterdir()}
    assert {c.attrs["href"] for c in inline if c.type == "link_open"} <= files  # links only to the files beside it
    assert {c.attrs["src"] for c in inline if c.type == "image"} <= files
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert not [h for h in headings if h.startswith("heading")]  # '# heading' did not become a heading
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script>" not in rendered and "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    t1 = [line for line in text.split("### 表2")[0].splitlines() if line.startswith("| 4401")]
    widths = {line.replace("\\|", "").count("|") for line in t1}
    assert len(widths) == 1  # pipes in names did not add cells
    assert "line break" in rendered and "line\nbreak" not in text.replace("\\", "")


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_data(self, data):
        self.text.append(data)


def test_the_page_escapes_everything(payload):
    _, out = payload
    page = Elements()
    page.feed((out / "bulletin.html").read_text(encoding="utf-8"))
    assert "script" not in page.tags
    assert all(href and not href.startswith(("javascript", "ftp", "http")) for href in page.links)
    text = "".join(page.text)
    for p in PAYLOADS:
        assert p in text, p


def test_the_evaluation_report_uses_the_same_writers(payload):
    from hukou_stats.publish.evaluation import evaluate

    p, _ = payload
    md = evaluate(p, "440100", 2021)
    page = Elements()
    page.feed(md.with_suffix(".html").read_text(encoding="utf-8"))
    assert "script" not in page.tags and "<script>alert(1)</script>" in "".join(page.text)
    tokens = MarkdownIt("commonmark").enable("table").parse(md.read_text(encoding="utf-8"))
    inline = [c for t in tokens for c in (t.children or [])]
    assert not [c for c in inline if c.type == "link_open"]
    assert {c.content for c in inline if c.type == "html_inline"} <= {"<br>"}
    assert "\\<script\\>" in md.read_text(encoding="utf-8") and (md.parent / "methodology.html").exists()
