"""The bulletin as readers open it, with the tools they use: LibreOffice converts the workbook to PDF (Chinese
text present, set in a CJK font, pages rendered to PNG by pdftoppm); headless Chromium renders the HTML, and every
figure on the page equals the figure in the CSVs and in the workbook; the page prints on A4; `frictionless
validate` passes. Each converter runs once per module. Without a tool the test is skipped and says which (.ci/run
installs them from Debian: libreoffice-calc, poppler-utils, chromium, fonts-noto-cjk)."""

import csv
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pytest

from hukou_stats.publish.bulletin import columns as T
from hukou_stats.publish.bulletin import make_bulletin
from hukou_stats.publish.wording import people_en

pytestmark = pytest.mark.render

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdftoppm", "pdffonts", "pdfinfo"))
SHEETS = {
    "table1_regions": "T1",
    "table2_changes": "T2",
    "table3_series": "T3",
    "table4_hukou_flows": "T4",
    "table5_targets": "T5",
}


def need(ok, what):
    if not ok:
        pytest.skip(f"{what} is not installed here (apt-get install {what}); .ci/run installs it")


def run(cmd, cwd, timeout=240, **kw):
    env = os.environ | {"HOME": str(cwd)}  # LibreOffice/Chromium profiles inside the temporary folder
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, **kw)
    assert r.returncode == 0, f"{cmd[0]} failed ({r.returncode}): {r.stderr[-2000:]}"
    return r


@pytest.fixture(scope="module")
def gz(bundled):
    return make_bulletin(bundled, "guangzhou")


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("render")


@pytest.fixture(scope="module")
def pdf(gz, work):
    need(SOFFICE, "libreoffice-calc")
    shutil.copy(gz / "bulletin.xlsx", work / "bulletin.xlsx")
    run([SOFFICE, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(work), "bulletin.xlsx"], work)
    out = work / "bulletin.pdf"
    assert out.is_file() and out.stat().st_size > 0
    return out


CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--allow-file-access-from-files",
]


@pytest.fixture(scope="module")
def dom(gz, work):
    need(CHROMIUM, "chromium")
    r = run(
        [CHROMIUM, *CHROME_FLAGS, f"--user-data-dir={work / 'chrome'}", "--dump-dom", (gz / "bulletin.html").as_uri()],
        work,
    )
    assert "<body" in r.stdout
    return r.stdout


def test_libreoffice_converts_the_workbook_with_chinese_text(pdf):
    need(POPPLER, "poppler-utils")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for s in (
        "常住人口城镇化率",
        "户籍人口城镇化率",
        "广州市 Guangzhou",
        "86.46",
        "80.81",
        "5.65",
        "1,881.06",
        "[x]",
        "note 1",
    ):
        assert s in text, s
    assert not re.search(r"(?<![\d,])2,0[12]\d(?![\d,])", text)  # years are years (2013), not thousands (2,013)


def test_pdf_pages_render_with_a_cjk_font_not_empty_boxes(pdf, work):
    need(POPPLER, "poppler-utils")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "Han" in fonts or "WenQuanYi" in fonts, fonts  # the Chinese glyphs come from a CJK font
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    assert pages >= 8  # cover, contents, notes, T1-T5
    run(["pdftoppm", "-r", "50", "-png", "-f", "4", "-l", "4", str(pdf), str(work / "page")], work)
    png = next(work.glob("page*.png"))
    from matplotlib.image import imread

    img = imread(png)
    assert img.shape[0] > 300 and (img[..., :3] < 0.5).any()  # a page with dark (text) pixels on it


class Figures(HTMLParser):
    """Elements carrying data-table / data-key / data-col, with their text."""

    def __init__(self):
        super().__init__()
        self.found, self._stack = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-col" in a:
            self._stack.append([tag, a, ""])

    def handle_data(self, data):
        if self._stack:
            self._stack[-1][2] += data

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1][0] == tag:
            self.found.append(self._stack.pop())


KEYS = {"table3_series": "period", "table5_targets": "target_id"}


def _csv(gz, name):
    with open(gz / f"{name}.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    key = KEYS.get(name, "region_code")
    return {r[key]: r for r in rows}


def _sheet(wb, name, sheet):
    """{row key: {column name: cell}} read back from the workbook sheet of a table (rows in the CSV's order)."""
    cols = {
        "table1_regions": T.T1_COLUMNS,
        "table2_changes": T.T2_COLUMNS,
        "table3_series": T.T3_COLUMNS,
        "table4_hukou_flows": T.T4_COLUMNS,
        "table5_targets": T.T5_COLUMNS,
    }[name]
    shown = [c for c in cols if c.shown and c.name != "point"]
    ws = wb[sheet]
    rows = list(ws.iter_rows())
    h = next(i for i, r in enumerate(rows) if str(r[0].value or "").startswith("This worksheet contains")) + 1
    index = {str(cell.value).split(" [note")[0]: j for j, cell in enumerate(rows[h])}
    body = [r for r in rows[h + 1 :] if r[0].value is not None]
    keys = list(_csv(SHEET_FOLDER[0], name))
    return {k: {c.name: r[index[c.header("both")]] for c in shown} for k, r in zip(keys, body)}


SHEET_FOLDER = []


def test_every_figure_on_the_page_equals_the_csv_and_the_workbook(gz, dom):
    p = Figures()
    p.feed(dom)
    wb = openpyxl.load_workbook(gz / "bulletin.xlsx")
    names = [t for t in SHEETS if (gz / f"{t}.csv").exists()]
    SHEET_FOLDER[:] = [gz]
    csvs = {n: _csv(gz, n) for n in names}
    sheets = {n: _sheet(wb, n, f"T{i}") for i, n in enumerate(names, 1)}
    checked = {"text": 0, "table": 0}
    for tag, a, text in p.found:
        table, key, col = a["data-table"], a["data-key"], a["data-col"]
        expected = csvs[table][key][col]
        cell = sheets[table][key][col]
        if (
            tag == "span"
        ):  # a figure in the text: absolute value (in millions for English readers), signed in data-value
            assert Decimal(a["data-value"]) == Decimal(expected)
            shown = (
                people_en(abs(Decimal(expected)))
                if a.get("data-format") == "people-en"
                else f"{abs(Decimal(expected)):f}"
            )
            assert text == shown, (table, key, col)
            checked["text"] += 1
        else:
            assert text == (expected if expected != "" else text), (table, key, col)
            assert expected != "" or text in ("[x]", "[z]"), (table, key, col)
            checked["table"] += 1
        if expected == "":
            assert cell.value in ("[x]", "[z]") and cell.value == text, (table, key, col)
        else:
            assert cell.value == pytest.approx(float(expected), abs=0), (table, key, col)
            decimals = len(expected.split(".")[1]) if "." in expected else 0
            fmt = cell.number_format
            assert (len(fmt.split(".")[1]) if "." in fmt else 0) == decimals, (table, key, col, fmt)
    assert checked["text"] >= 30 and checked["table"] >= 150, checked


def test_the_page_is_self_contained_and_prints_on_a4(gz, work):
    page = (gz / "bulletin.html").read_text(encoding="utf-8")
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert page.count('src="data:image/svg+xml;base64,') == 2 and "<link" not in page and "<script" not in page
    assert 'href="methodology.html"' in page
    assert "@page { size: A4" in page
    need(CHROMIUM, "chromium")
    need(POPPLER, "poppler-utils")
    out = work / "page.pdf"
    run(
        [
            CHROMIUM,
            *CHROME_FLAGS,
            f"--user-data-dir={work / 'chrome'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            (gz / "bulletin.html").as_uri(),
        ],
        work,
    )
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "常住人口城镇化率为86.46%" in text.replace("\n", "").replace(
        "占常住人口比重（常住人口城镇化率）为", "常住人口城镇化率为"
    )


def test_frictionless_validate_passes(gz):
    need(importlib.util.find_spec("frictionless") is not None, "frictionless (pip, in [dev])")
    r = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "datapackage.json"],
        cwd=gz, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "VALID" in r.stdout.upper() and "INVALID" not in r.stdout.upper()
