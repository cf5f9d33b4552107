"""Writes out/bulletin/<region_code>/<year>/<lang>/: bulletin.xlsx, bulletin.html, bulletin.md, one CSV per table
with notes.csv and datapackage.json, the charts (PNG and SVG) and the methodology note (methodology.html, .md),
from one Content gathered from the database; the folder is written all or nothing (publish.folder).

A second run with nothing changed rewrites nothing: the folder's manifest records the request (region, year,
release, language, formats, the code and the publisher settings) and the inputs (the database and everything
it was built from); when both are as recorded and every output is intact, the bulletin is up to date and the
run stops there.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from hukou_stats.core.errors import UsageError
from hukou_stats.core.project import Project
from hukou_stats.core.provenance import code_fingerprint
from hukou_stats.core.vocabulary import SYNTHETIC_TITLE_PREFIX, is_synthetic
from hukou_stats.publish.folder import recorded, staged_folder, up_to_date
from hukou_stats.publish.publisher import Publisher, config_path, load_publisher
from hukou_stats.reference.releases import Release, parse_release

FORMATS = ("xlsx", "html", "md", "csv")
LANGS = ("zh", "en", "both")


def parse_formats(text: str | None) -> tuple[str, ...]:
    """`xlsx,html,md,csv` (any subset, any order; `all` or empty = every format)."""
    if text is None or text.strip().lower() in ("", "all"):
        return FORMATS
    got = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in got if f not in FORMATS]
    if bad or not got:
        raise UsageError(f"--formats {text!r}: expected a comma-separated list of {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in got)


def parse_lang(text: str | None) -> str:
    t = (text or "both").strip().lower()
    if t not in LANGS:
        raise UsageError(f"--lang {text!r}: expected zh, en or both")
    return t


def default_year(con, region: str) -> int:
    """The latest year in which both rates can be given for the region, else the latest with either."""
    both, either = con.execute(
        "SELECT max(year) FILTER (WHERE resident_rate_pct IS NOT NULL AND hukou_rate_pct IS NOT NULL), max(year) "
        "FROM urbanization WHERE region_code = ?",
        [region],
    ).fetchone()
    if either is None:
        raise UsageError(f"region {region}: no urbanization rate in the database for any year")
    return int(both if both is not None else either)


@dataclass
class Content:
    """Everything the bulletin shows, in every format."""

    code: str
    year: int
    name_zh: str
    name_en: str
    release: Release
    tables: list  # Table, numbered in order (T1, T2, ...)
    notes: list  # Note, numbered
    text_source: object  # text.Source
    children: object  # text.Children
    series_names: tuple[str, str]  # the headline resident series, in Chinese and English
    series_rows: list[dict]  # T3 records (the chart reads them)
    region_rows: list[dict]  # T1 records
    publisher: Publisher
    synthetic: bool
    omitted: list[tuple[str, str]] = field(default_factory=list)  # tables left out, why (zh, en)
    unworded: list[str] = field(default_factory=list)  # notes of the views no sentence was found for (tests)
    default_year: int | None = None  # the region's default bulletin year in this database

    @property
    def title_zh(self) -> str:
        return f"{self.name_zh}{self.year}年常住人口城镇化率和户籍人口城镇化率统计公报"

    @property
    def title_en(self) -> str:
        return f"{self.name_en} {self.year}: statistical bulletin on the resident and hukou urbanization rates"

    def title(self, lang: str) -> str:
        t = self.title_zh if lang == "zh" else self.title_en if lang == "en" else f"{self.title_zh} / {self.title_en}"
        return (SYNTHETIC_TITLE_PREFIX if self.synthetic else "") + t

    def release_line(self, lang: str) -> str:
        zh, en = f"数据版本：{self.release.label_zh}", f"Release used: {self.release.label}"
        return (
            zh
            if lang == "zh"
            else en
            if lang == "en"
            else f"数据版本 Release used: {self.release.label_zh} / {self.release.label}"
        )

    def region_line(self, lang: str) -> str:
        zh = f"地区：{self.name_zh}（{self.code}）；年份：{self.year}"
        en = f"Region: {self.name_en} ({self.code}); year: {self.year}"
        return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"

    def table(self, name: str):
        return next((t for t in self.tables if t.name == name), None)


def _sources_synthetic(tables) -> bool:
    """True when any figure used comes from a source (or series) labelled SYNTHETIC."""
    for t in tables:
        texts = [s for s, _ in t.sources]
        for c in ("resident_source", "hukou_source", "resident_series", "hukou_series", "flows_source"):
            if c in t.frame.columns:
                texts += [str(v) for v in t.frame[c] if v]
        if any(is_synthetic(s) for s in texts):
            return True
    return False


def resolve(project: Project, region: str, year: int | None, release: Release) -> tuple[str, int]:
    """The region's code and the bulletin year (default: the latest with both rates)."""
    from hukou_stats.reference.registry import load_registry
    from hukou_stats.warehouse.connection import connect

    code = load_registry(project).resolve(region)
    if year is not None:
        return code, int(year)
    con = connect(project, release=release)
    try:
        return code, default_year(con, code)
    finally:
        con.close()


def collect(project: Project, region: str, year: int | None = None, release: Release | str | None = None) -> Content:
    """Everything the bulletin shows, from the database (one source of truth for every format)."""
    from hukou_stats.analysis.targets import assess
    from hukou_stats.publish.bulletin import context, figures
    from hukou_stats.publish.bulletin.tables import Builder
    from hukou_stats.publish.bulletin.targets import headline_precision, target_rows
    from hukou_stats.publish.bulletin.text import Children, Source
    from hukou_stats.publish.notes import PROVIDERS, NoteBook, NoteContext
    from hukou_stats.publish.wording import Vocab
    from hukou_stats.reference.registry import load_registry
    from hukou_stats.warehouse.connection import connect

    rel = release if isinstance(release, Release) else parse_release(release)
    reg = load_registry(project)
    code = reg.resolve(region)
    con = connect(project, release=rel)
    try:
        vocab = Vocab.load(con)
        default = default_year(con, code)
        year = year or default
        me = reg.get(code)
        name_zh = me.name_zh if me else reg.name(code)
        name_en = (me.name_en if me else "") or code
        kids = [(r.code, r.name_zh, r.name_en) for r in reg.children(code, year)]
        listed = [(code, name_zh, name_en), *kids]
        rows = figures.region_rows(con, listed, year, vocab)
        if not rows:
            raise UsageError(f"no figure for {code} {name_zh} or its subdivisions in {year}")
        shown = {r["region_code"] for r in rows}
        missing = [k for k in kids if k[0] not in shown]
        book = NoteBook()
        b = Builder(vocab, book, year)
        units = context.subdivisions(reg, code)
        english = {c: r.name_en for c in units if (r := reg.get(c)) is not None and r.name_en}
        extra = [w for w in (context.boundary_note(con, code, units, english),) if w]
        t1 = b.regions(rows, missing, extra)
        t2 = b.changes(rows)
        s_rows, gaps = figures.series_rows(con, code, name_zh, name_en, year, vocab)
        t3 = b.series(s_rows, gaps, [w for w in (context.revisions_note(con, code),) if w])
        t4 = b.flows(figures.balance_rows(con, listed, year))
        assessed = assess(con, region=code, as_of=year).to_dict("records")
        t5 = b.target_table(target_rows(assessed, b.targets, headline_precision(con, code)))
        tables = [t for t in (t1, t2, t3, t4, t5) if t is not None]
        _provider_notes(PROVIDERS, NoteContext(con, code, year, [c for c, _, _ in listed]), tables, book)
    finally:
        con.close()
    omitted = _omitted(t2, t4, t5, assessed)
    for i, t in enumerate(tables, 1):  # numbered as they appear: a table left out leaves no gap
        t.ref = f"T{i}"
    me_row = next((r for r in rows if r["region_code"] == code), {"region_code": code})
    t2_row = next((r for r in t2.records() if r["region_code"] == code), None) if t2 else None
    year_end = next((r for r in s_rows if r.get("year_end_only") and r["year"] == year), None)
    res_series = me_row.get("resident_series") or ""
    children = Children(
        [r for r in rows if r["region_code"] != code],
        len(missing),
        *context.children_noun(me.level if me else None, [k[1] for k in kids]),
        comparable=len({(r.get("resident_series"), r.get("resident_reference_date")) for r in rows[1:]}) <= 1,
        **_children_when([r for r in rows if r["region_code"] != code], vocab),
    )
    return Content(
        code=code,
        year=year,
        name_zh=name_zh,
        name_en=name_en,
        release=rel,
        tables=tables,
        notes=book.notes,
        text_source=Source(me_row, t2_row, year_end, year),
        children=children,
        series_names=(vocab.series_name(res_series, "zh"), vocab.series_name(res_series, "en")),
        series_rows=s_rows,
        region_rows=rows,
        publisher=load_publisher(project),
        synthetic=_sources_synthetic(tables),
        omitted=omitted,
        unworded=list(b.phrases.unknown),
        default_year=default,
    )


def _children_when(kids: list[dict], vocab) -> dict[str, str]:
    """The point date of the subdivisions' figures, for the text, where all share one that is not the year-end."""
    from hukou_stats.publish.wording import is_year_end, point_en, point_zh

    dates = {d for r in kids for d in (r.get("resident_reference_date"), r.get("hukou_reference_date")) if d}
    if len(dates) != 1 or is_year_end(next(iter(dates))):
        return {}
    d = next(iter(dates))
    series = {r.get("resident_series") or r.get("hukou_series") for r in kids}
    if len(series) == 1:
        s = next(iter(series))
        return {
            "when_zh": f"（{vocab.series_name(s, 'zh')}，{point_zh(d, False)}）",
            "when_en": f" ({vocab.series_name(s, 'en')}, {point_en(d)})",
        }
    return {"when_zh": f"（{point_zh(d, False)}）", "when_en": f" ({point_en(d)})"}


def _provider_notes(providers, ctx, tables, book) -> None:
    """Data-level notes from the note providers, placed on their table (title) or row."""
    by_name = {t.name: t for t in tables}
    for provide in providers:
        for placed in provide(ctx):
            t = by_name.get(placed.table)
            if t is None:
                continue
            n = book.ref(placed.note)
            target = t.notes if placed.row is None else t.row_notes.setdefault(str(placed.row), [])
            if n not in target:
                target.append(n)


def _omitted(t2, t4, t5, assessed) -> list[tuple[str, str]]:
    out = []
    if t2 is None:
        out.append(
            (
                "变化表从略：没有可比的上年或2013年数据。",
                "The table of changes is left out: no comparable figure for the previous year or 2013.",
            )
        )
    if t4 is None:
        out.append(
            (
                "户籍人口变动表从略：本年没有公布户籍出生、死亡或迁移人数。",
                "The table of hukou flows is left out: no births, deaths or migration published for the year.",
            )
        )
    if t5 is None:
        out.append(
            (
                "目标完成情况表从略：本地区没有规划目标。",
                "The targets table is left out: the region has no plan target.",
            )
            if not assessed
            else (
                "目标完成情况表从略：各项目标均无相关数据。",
                "The targets table is left out: no target has any figure.",
            )
        )
    return out


def _created(c: Content) -> dt.datetime:
    """A fixed creation date (the bulletin year's end) so that the same data gives the same files."""
    return dt.datetime(c.year + 1, 1, 1)


def request_key(project: Project, code: str, year: int, release: Release, lang: str, formats: tuple[str, ...]) -> dict:
    """What the bulletin was asked for and made with, recorded in its manifest; the same key and unchanged
    inputs mean the folder is up to date."""
    return {
        "what": "bulletin",
        "region": code,
        "year": year,
        "release": release.label,
        "lang": lang,
        "formats": list(formats),
        "code": code_fingerprint(),
    }


def make_bulletin(
    project: Project,
    region: str,
    year: int | None = None,
    release: Release | str | None = None,
    lang: str = "both",
    formats: tuple[str, ...] | str | None = FORMATS,
    force: bool = False,
) -> Path:
    """Write the bulletin for a region and year; returns out/bulletin/<code>/<year>/<lang>/ (<lang>-first,
    <lang>-YYYY-MM-DD for another release than the latest). With nothing changed
    since the last run (same request, same inputs, outputs intact) nothing is rewritten, unless `force`."""
    lang = parse_lang(lang)
    formats = parse_formats(formats) if isinstance(formats, str) or formats is None else tuple(formats)
    rel = release if isinstance(release, Release) else parse_release(release)
    extra_inputs = [p for p in (config_path(project),) if p.is_file()]
    if not force:
        done = existing(project, region, year, rel, lang, formats, extra_inputs)
        if done is not None:
            return done
    code, year = resolve(project, region, year, rel)
    target = project.out / "bulletin" / code / str(year) / folder_name(lang, rel)
    key = request_key(project, code, year, rel, lang, formats)
    if not force and up_to_date(project, target, key, extra_inputs):
        return target
    c = collect(project, code, year, rel)
    extra = {"default_year": c.default_year}
    with staged_folder(project, target, rel.label, request=key, inputs=extra_inputs, extra=extra) as staging:
        write_folder(c, staging, lang, formats)
    return target


CODE = re.compile(r"^\d{6}$")


def folder_name(lang: str, release: Release) -> str:
    """zh, en or both; another release than the latest beside it: both-first, zh-2021-03-01."""
    if release.as_of is not None:
        return f"{lang}-{release.as_of.isoformat()}"
    return lang if release.pick == "latest" else f"{lang}-{release.pick}"


def existing(
    project: Project, region: str, year: int | None, release: Release, lang: str, formats: tuple, inputs: list[Path]
) -> Path | None:
    """An up-to-date bulletin for this request, found from the manifests alone (no database, no registry): the
    region given as its code, and, without a year, the folder of the year that was the default when it was made
    (its recorded inputs unchanged, the default is still that year)."""
    code = region.strip()
    if not CODE.match(code):
        return None
    base = project.out / "bulletin" / code
    name = folder_name(lang, release)
    folders = [base / str(year) / name] if year else sorted(base.glob(f"*/{name}"))
    for folder in folders:
        y = folder.parent.name
        if not y.isdigit() or (year is None and recorded(folder).get("default_year") != int(y)):
            continue
        if up_to_date(project, folder, request_key(project, code, int(y), release, lang, formats), inputs):
            return folder
    return None


def write_folder(c: Content, folder: Path, lang: str, formats: tuple[str, ...]) -> list[str]:
    """Write every requested format into `folder` (the staging folder); returns the file names."""
    from hukou_stats.publish import html, markdown
    from hukou_stats.publish.bulletin.report import bulletin_document, workbook_texts, write_charts, write_data
    from hukou_stats.publish.document import methodology_text

    charts = write_charts(c, folder, lang)
    doc = bulletin_document(c, lang, charts, formats)
    if "csv" in formats:
        write_data(c, folder)
    if "md" in formats:
        (folder / "bulletin.md").write_text(markdown.render(doc), encoding="utf-8")
    if "html" in formats:
        (folder / "bulletin.html").write_text(html.render(doc), encoding="utf-8")
    if "xlsx" in formats:
        from hukou_stats.publish.workbook import write_workbook

        write_workbook(
            folder / "bulletin.xlsx", c.tables, notes=c.notes, lang=lang, created=_created(c), **workbook_texts(c, lang)
        )
    method = methodology_text()
    (folder / "methodology.md").write_text(method, encoding="utf-8")
    (folder / "methodology.html").write_text(
        html.render_markdown_page(method, "方法说明 Methodology note"), encoding="utf-8"
    )
    return sorted(p.name for p in folder.iterdir())


__all__ = ["FORMATS", "LANGS", "Content", "collect", "default_year", "make_bulletin"]
