"""The bulletin as its readers get it: the document (text, charts, tables, notes) that the page and the Markdown
are written from, the texts of the workbook's cover, the charts, and the machine-readable folder (CSV, notes.csv,
datapackage.json). Nothing here names the repository, the program's interface or a file path: the reader is
pointed to the methodology note and the files beside the bulletin.
"""

from __future__ import annotations

from pathlib import Path

from hukou_stats.core.vocabulary import BASE_YEAR, SYNTHETIC_BANNER
from hukou_stats.publish.bulletin import charts as charts_mod
from hukou_stats.publish.bulletin.text import bulletin_text
from hukou_stats.publish.datapackage import datapackage, notes_csv, table_csv
from hukou_stats.publish.document import Document, Figure, Heading, Links, Para, TableBlock, legend
from hukou_stats.publish.wording import pick


def write_charts(c, folder: Path, lang: str) -> list[Figure]:
    """Chart 1 (both rates over time, from the series table) and chart 2 (the subdivisions, from table 1)."""
    out = []
    t3 = c.table("table3_series")
    n3 = c.tables.index(t3) + 1 if t3 is not None else 0
    specs = [
        (
            "chart1_rates",
            charts_mod.rates_chart(
                c.series_rows,
                (BASE_YEAR, c.year),
                pick(
                    f"{c.name_zh}常住人口和户籍人口城镇化率（{BASE_YEAR}—{c.year}年）",
                    f"{c.name_en}: resident and hukou urbanization rates, {BASE_YEAR}-{c.year}",
                    lang,
                    "\n",
                ),
                lang,
                n3,
            ),
            pick(
                f"图1 {c.name_zh}两率及差距（据表{n3}）：折线只连接同一数据系列、同一口径、同一时点且可比的相邻年份，"
                "口径、时点变化处和缺少年份处断开；空心点为人口普查或抽样调查时点（11月1日零时）的数据。",
                f"Figure 1. Both rates and their gap (from Table {n3}): a line joins only consecutive comparable years of "
                "one series, definition and point date, and breaks where these change or a year is missing; hollow "
                "points are census or sample-survey figures (zero hour, 1 November).",
                lang,
            ),
            pick(
                f"{c.name_zh}常住人口城镇化率和户籍人口城镇化率折线图，{BASE_YEAR}—{c.year}年",
                f"Line chart of the resident and hukou urbanization rates of {c.name_en}, {BASE_YEAR}-{c.year}",
                lang,
            ),
        ),
        (
            "chart2_regions",
            charts_mod.regions_chart(
                c.region_rows,
                pick(f"{c.year}年各地区城镇化率", f"Urbanization rates by region, {c.year}", lang, "\n"),
                lang,
            ),
            pick(
                f"图2 {c.year}年各地区城镇化率比较（据表1）",
                f"Figure 2. Regions compared, {c.year} (from Table 1)",
                lang,
            ),
            pick(
                f"{c.year}年{c.name_zh}及所辖地区城镇化率条形图",
                f"Bar chart of both rates in {c.name_en} and its subdivisions, {c.year}",
                lang,
            ),
        ),
    ]
    for stem, data, caption, alt in specs:
        if data is None:
            continue
        (folder / f"{stem}.png").write_bytes(data["png"])
        (folder / f"{stem}.svg").write_bytes(data["svg"])
        out.append(Figure(f"{stem}.png", data["svg"], caption, alt))
    return out


def texts(c, lang: str) -> list:
    """The bulletin's text in its language(s): one Bulletin for zh or en, two (Chinese first) for both."""
    return [
        bulletin_text(c.text_source, c.children, (c.name_zh, c.name_en), c.series_names, lg)
        for lg in (("zh", "en") if lang == "both" else (lang,))
    ]


def _files(c, lang: str, formats: tuple[str, ...]) -> list[tuple[str, str]]:
    items = [
        ("methodology.html", pick("方法说明（网页）", "methodology note (page)", lang)),
        ("methodology.md", pick("方法说明（Markdown）", "methodology note (Markdown)", lang)),
    ]
    if "xlsx" in formats:
        items.append(("bulletin.xlsx", pick("电子表格（GSS格式）", "spreadsheet (GSS layout)", lang)))
    if "csv" in formats:
        items += [
            (f"{t.name}.csv", pick(f"表{i} 数据（CSV）", f"Table {i} data (CSV)", lang))
            for i, t in enumerate(c.tables, 1)
        ]
        items += [
            ("notes.csv", pick("注释（CSV）", "notes (CSV)", lang)),
            ("datapackage.json", pick("数据包说明（Frictionless）", "data package description (Frictionless)", lang)),
        ]
    return items


def bulletin_document(c, lang: str, figures: list[Figure], formats: tuple[str, ...]) -> Document:
    doc = Document(lang, c.title(lang), synthetic=c.synthetic, notes={n.number: n for n in c.notes})
    if c.synthetic:
        doc.add(Para([SYNTHETIC_BANNER], kind="banner"))
    doc.add(Heading(c.title_zh if lang != "en" else c.title_en, 1))
    if lang == "both":
        doc.add(Para([c.title_en], kind="meta"))
    doc.add(Para([c.release_line(lang)], kind="meta"))
    for line in c.publisher.lines(lang):
        doc.add(Para([line], kind="meta"))
    for b in texts(c, lang):
        doc.add(Heading("公报" if b.lang == "zh" else "Bulletin"))
        doc.add(Para(b.paragraph, lang=b.lang))
        if b.children:
            doc.add(Para(b.children, lang=b.lang))
    if figures:
        doc.add(Heading(pick("图", "Charts", lang)), *figures)
    doc.add(Heading(pick("表", "Tables", lang)), Para([legend(lang)], kind="note"))
    doc.add(*[TableBlock(t, i) for i, t in enumerate(c.tables, 1)])
    for zh, en in c.omitted:
        doc.add(Para([pick(zh, en, lang)], kind="note"))
    doc.add(
        Heading(pick("方法说明和数据文件", "Methodology and data files", lang)),
        Para(
            [
                pick(
                    "定义、数据选取、可比性、舍入、目标评估方法和符号见方法说明。",
                    "Definitions, the choice of figures, comparability, rounding, the assessment of targets and the symbols are explained in the methodology note.",
                    lang,
                )
            ]
        ),
        Links(_files(c, lang, formats)),
    )
    return doc


def workbook_texts(c, lang: str) -> dict:
    """Title, cover texts (introduction, about, contact) and legend of the workbook."""
    sources = []
    for t in c.tables:
        for s, rel in t.sources:
            line = f"{s} ({rel})" if rel else s
            if line not in sources:
                sources.append(line)
    intro = ([SYNTHETIC_BANNER] if c.synthetic else []) + [c.region_line(lang), c.release_line(lang)]
    intro += [line for line in c.publisher.lines(lang) if not line.startswith(("联系方式", "Contact"))]
    marker = "[注n]" if lang == "zh" else "[note n]"
    about = [
        legend(lang, notes_on_sheet=True),
        pick(
            f"每个工作表一个表（见目录）；注释以 {marker} 标注，全文见“注释”工作表；数值以数字存储，单元格格式显示公布精度。",
            "One table per sheet (see Contents); notes are marked [note n] and given in full on the Notes sheet; "
            "figures are stored as numbers and the cell format shows their published precision.",
            lang,
        ),
        pick(
            "方法说明见与本工作簿同一文件夹中的 methodology.html（定义、数据选取、可比性、舍入、目标评估、符号）。",
            "The methodology note is methodology.html in the same folder as this workbook (definitions, choice of "
            "figures, comparability, rounding, targets, symbols).",
            lang,
        ),
        pick("资料来源：", "Sources:", lang),
        *sources,
    ]
    contact = [c.publisher.lines(lang)[1], c.publisher.lines(lang)[0], c.publisher.lines(lang)[2]]
    return {"title": c.title(lang), "intro": intro, "about": about, "contact": contact, "legend": legend(lang, True)}


def write_data(c, folder: Path) -> None:
    """One CSV per table, notes.csv and datapackage.json."""
    for t in c.tables:
        (folder / f"{t.name}.csv").write_text(table_csv(t), encoding="utf-8")
    (folder / "notes.csv").write_text(notes_csv(c.notes), encoding="utf-8")
    sources = []
    for t in c.tables:
        sources += [f"{s} ({r})" if r else s for s, r in t.sources if (f"{s} ({r})" if r else s) not in sources]
    (folder / "datapackage.json").write_text(
        datapackage(
            c.tables,
            name=f"hukou-bulletin-{c.code}-{c.year}",
            title=f"{c.title_zh} / {c.title_en}",
            description=f"{c.release_line('both')}.",
            sources=sources,
            created=f"{c.year + 1}-01-01T00:00:00Z",
            synthetic=c.synthetic,
        ),
        encoding="utf-8",
    )
