"""Writes out/bulletin/<region_code>/<year>/: bulletin.xlsx, bulletin.html, bulletin.md, one CSV per table
with datapackage.json, and the charts (PNG and SVG), from one Content gathered from the database; the folder
is written all or nothing (publish.folder)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from hukou_stats.analysis.residuals import residual_findings
from hukou_stats.core.errors import UsageError
from hukou_stats.core.numbers import round_half_up
from hukou_stats.core.project import Project
from hukou_stats.publish import html as html_mod
from hukou_stats.publish import markdown as md_mod
from hukou_stats.publish.bulletin import charts as charts_mod
from hukou_stats.publish.bulletin.tables import (
    BASE_YEAR,
    Table,
    changes_table,
    flows_table,
    pick,
    region_rows,
    regions_table,
    series_table,
    targets_table,
)
from hukou_stats.publish.bulletin.text import bulletin_text
from hukou_stats.publish.datapackage import datapackage, table_csv
from hukou_stats.publish.folder import staged_folder
from hukou_stats.reference.registry import load_registry
from hukou_stats.reference.releases import Release, parse_release
from hukou_stats.warehouse.connection import connect

FORMATS = ("xlsx", "html", "md", "csv")
LANGS = ("zh", "en", "both")
SYNTHETIC_MARK = "SYNTHETIC"


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


def is_synthetic(tables: list[Table]) -> bool:
    """True when any figure used comes from a source (or series/basis) labelled SYNTHETIC."""
    for t in tables:
        texts = [s for s, _ in t.sources]
        for c in ("resident_source", "hukou_source", "resident_basis", "hukou_basis", "flows_source"):
            if c in t.frame.columns:
                texts += [str(v) for v in t.frame[c] if v]
        if any(SYNTHETIC_MARK.lower() in s.lower() for s in texts):
            return True
    return False


@dataclass
class Content:
    code: str
    year: int
    name_zh: str
    name_en: str
    release: Release
    tables: list[Table]
    notes: list[tuple[str, str]]
    synthetic: bool
    has_targets: bool

    @property
    def title_zh(self) -> str:
        return f"{self.name_zh}{self.year}年常住人口城镇化率和户籍人口城镇化率统计公报"

    @property
    def title_en(self) -> str:
        return f"{self.name_en} {self.year}: statistical bulletin on resident and hukou urbanization rates"

    @property
    def release_line(self) -> str:
        return f"数据版本 Release used: {self.release.label_zh} / {self.release.label}"

    @property
    def region_line(self) -> str:
        return f"地区 Region: {self.name_zh} {self.name_en} ({self.code}); 年份 Year: {self.year}"

    @property
    def missing_targets(self) -> str | None:
        return (
            None
            if self.has_targets
            else (
                "表5（目标完成情况）从略：本地区在 data/reference/targets.toml 中没有目标。"
                " Table 5 (targets) is omitted: the region has no target."
            )
        )

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def _notes(con, code: str, tables: list[Table]) -> list[tuple[str, str]]:
    notes = [
        (
            "definitions",
            "常住人口城镇化率 = 城镇常住人口 ÷ 常住人口 × 100（城镇按《统计上划分城乡的规定》）；户籍人口城镇化率 = "
            "城镇户籍人口 ÷ 户籍人口 × 100（公安户籍登记）；差距 = 常住人口城镇化率 − 户籍人口城镇化率，单位个百分点。Resident rate "
            "= urban resident population / resident population × 100; hukou rate = urban hukou population / hukou "
            "population × 100 (public-security register); gap = resident rate − hukou rate, in percentage points. "
            "Rates are computed from summed counts (never averaged); half-up rounding at output only. Urban counts "
            "marked derived are the total × the published rate (推算).",
        ),
        (
            "changes",
            "变化只在同一口径（series）、同一定义、同一时点之间计算；跨口径、跨定义断点或跨2020年人口普查修订的变化不计算（无数据），"
            "原因见各表“说明”。Changes only within one series, definition and point date; across a definition break or "
            "the 2020 census benchmark revision they are not available, never silently bridged.",
        ),
    ]
    breaks = []
    for t in tables:
        if "note" in t.frame.columns:
            for r in t.records():
                for part in str(r.get("note") or "").split("; "):
                    if ("break" in part or "bridge" in part) and part not in breaks:
                        breaks.append(part)
    notes.append(
        (
            "breaks",
            "定义断点与口径 Definition breaks: "
            + (" | ".join(breaks) if breaks else "none in the figures shown / 所列数据无定义断点"),
        )
    )
    if code == "000000":
        prefix, pattern = "", "__0000"
    else:
        prefix = code[:2] if code[2:] == "0000" else code[:4] if code[4:] == "00" else code
        pattern = prefix + "%"
    changes = con.execute(
        "SELECT DISTINCT CAST(effective_date AS VARCHAR), old_name, old_code, new_name, new_code, change_type "
        "FROM admin_changes WHERE (old_code LIKE ? OR new_code LIKE ?) ORDER BY 1, 3, 5",
        [pattern, pattern],
    ).fetchall()
    notes.append(
        (
            "boundaries",
            "行政区划变更 Boundary changes (figures are shown on the boundaries as published, not "
            "bridged): "
            + (
                "; ".join(f"{d} {on} {oc} → {nn} {nc} ({t})" for d, on, oc, nn, nc, t in changes)
                if changes
                else "none recorded in admin_changes.csv / 无"
            ),
        )
    )
    revs = con.execute(
        "SELECT measure, n_years, mean_revision, mean_abs_revision, first_year, last_year, unit "
        "FROM revision_summary WHERE region_code = ? ORDER BY measure",
        [code],
    ).fetchall()

    def _rev(x, unit):  # persons in whole persons, rates in points, rounded half-up at output
        return (
            f"{round_half_up(x, 0):,}人 (persons)"
            if unit == "persons"
            else f"{round_half_up(x, 2)} 个百分点 (pp)"
            if unit == "pct"
            else f"{round_half_up(x, 2)} {unit}"
        )

    if revs:
        notes.append(
            (
                "revisions",
                "修订 Revisions (latest minus first release, figures released at least twice): "
                + "; ".join(
                    f"{m} {a}–{b}: {n} year(s), mean {_rev(mr, u)}, mean absolute {_rev(ma, u)}"
                    for m, n, mr, ma, a, b, u in revs
                )
                + ". See `hukou-stats revisions`.",
            )
        )
    notes.append(
        (
            "flows",
            "户籍人口变动（出生、死亡、迁入、迁出）来自公安户籍登记，只列已公布者。Hukou flows from the register, "
            "where published.",
        )
    )
    notes.append(
        (
            "targets",
            "目标评估方法见 README（Targets）：最终评估与目标比较，中期评估用进度比。Target assessment as in "
            "hukou_stats.analysis.targets; the release used is named in each row.",
        )
    )
    return notes


def collect(project: Project, region: str, year: int | None = None, release: Release | str | None = None) -> Content:
    """Everything the bulletin shows, from the database (one source of truth for every format)."""
    rel = release if isinstance(release, Release) else parse_release(release)
    reg = load_registry(project)
    code = reg.resolve(region)
    con = connect(project, release=rel)
    try:
        year = year or default_year(con, code)
        n = con.execute(
            "SELECT count(*) FROM urbanization WHERE year = ? AND (region_code = ? OR parent_code = ?)",
            [year, code, code],
        ).fetchone()[0]
        if n == 0:
            raise UsageError(f"no urbanization rate for {code} {reg.name(code)} or its children in {year}")
        me = reg.get(code)
        name_zh = me.name_zh if me else reg.name(code)
        name_en = (me.name_en if me else "") or code
        kids = [(r.code, r.name_zh, r.name_en) for r in reg.children(code, year)]
        listed = [(code, name_zh, name_en), *kids]
        rows = region_rows(con, listed, year)
        tables = [
            regions_table(rows, year),
            changes_table(rows, year),
            series_table(con, code, year),
            flows_table(con, listed, year),
        ]
        t5 = targets_table(con, code, year, rel)
        if t5 is not None:
            tables.append(t5)
        notes = _notes(con, code, tables)
        if found := residual_findings(con, code, year):  # a published figure against its children: the residual
            notes.append(("residuals", " | ".join(f"{f.zh} {f.en}" for f in found)))
    finally:
        con.close()
    return Content(code, year, name_zh, name_en, rel, tables, notes, is_synthetic(tables), t5 is not None)


def _created(c: Content) -> dt.datetime:
    """A fixed creation date (the bulletin year's end) so that the same data gives the same files."""
    return dt.datetime(c.year + 1, 1, 1)


def write_charts(c: Content, folder: Path, lang: str) -> list[tuple[str, bytes, str, str]]:
    """(stem, svg, caption, alt) of each chart written."""
    out = []
    t3, t1 = c.table("table3_series"), c.table("table1_regions")
    specs = [
        (
            "chart1_rates",
            charts_mod.rates_chart(
                t3,
                f"{c.name_zh}常住人口和户籍人口城镇化率（{BASE_YEAR}—{c.year}年）",
                f"{c.name_en}: resident and hukou urbanization rates, {BASE_YEAR}-{c.year}",
                lang,
            ),
            pick(
                f"图1 {c.name_zh}两率及差距（据表3）",
                "Figure 1. Both rates over time, gap shaded (from Table 3)",
                lang,
                " / ",
            ),
            f"Line chart of the resident and hukou urbanization rates of {c.name_en}, {BASE_YEAR}-{c.year}",
        ),
        (
            "chart2_regions",
            charts_mod.regions_chart(t1, f"{c.year}年各地区城镇化率", f"Urbanization rates by region, {c.year}", lang),
            pick(
                f"图2 {c.year}年各地区比较（据表1）",
                f"Figure 2. Child regions compared, {c.year} (from Table 1)",
                lang,
                " / ",
            ),
            f"Bar chart of both rates for the regions under {c.name_en} in {c.year}",
        ),
    ]
    for stem, data, caption, alt in specs:
        if data is None:
            continue
        (folder / f"{stem}.png").write_bytes(data["png"])
        (folder / f"{stem}.svg").write_bytes(data["svg"])
        out.append((stem, data["svg"], caption, alt))
    return out


def write_folder(c: Content, folder: Path, lang: str, formats: tuple[str, ...]) -> list[str]:
    """Write every requested format into `folder` (the staging folder); returns the file names."""
    from hukou_stats.publish.workbook import write_workbook

    texts = [
        bulletin_text(c.table("table1_regions").records(), c.table("table2_changes").records(), c.year, lg)
        for lg in (("zh", "en") if lang == "both" else (lang,))
    ]
    charts = write_charts(c, folder, lang)
    if "csv" in formats:
        for t in c.tables:
            (folder / f"{t.name}.csv").write_text(table_csv(t), encoding="utf-8")
        sources = []
        for t in c.tables:
            sources += [f"{s} ({r})" if r else s for s, r in t.sources if (f"{s} ({r})" if r else s) not in sources]
        (folder / "datapackage.json").write_text(
            datapackage(
                c.tables,
                name=f"hukou-bulletin-{c.code}-{c.year}",
                title=f"{c.title_zh} / {c.title_en}",
                description=f"{c.release_line}. Missing figures are empty cells (not available), never 0.",
                sources=sources,
                created=_created(c).isoformat() + "Z",
                synthetic=c.synthetic,
            ),
            encoding="utf-8",
        )
    if "md" in formats:
        (folder / "bulletin.md").write_text(
            md_mod.render(
                title_zh=c.title_zh,
                title_en=c.title_en,
                lang=lang,
                synthetic=c.synthetic,
                texts=texts,
                tables=c.tables,
                charts=[(f"{stem}.png", alt, cap) for stem, _, cap, alt in charts],
                notes=c.notes,
                release_line=c.release_line,
                missing_targets=c.missing_targets,
            ),
            encoding="utf-8",
        )
    if "html" in formats:
        (folder / "bulletin.html").write_text(
            html_mod.render(
                title_zh=c.title_zh,
                title_en=c.title_en,
                lang=lang,
                synthetic=c.synthetic,
                texts=texts,
                tables=c.tables,
                charts=[(svg, cap, alt) for _, svg, cap, alt in charts],
                notes=c.notes,
                release_line=c.release_line,
                missing_targets=c.missing_targets,
            ),
            encoding="utf-8",
        )
    if "xlsx" in formats:
        write_workbook(
            folder / "bulletin.xlsx",
            c.tables,
            title=c.title_zh if lang == "zh" else c.title_en if lang == "en" else f"{c.title_zh} / {c.title_en}",
            region_line=c.region_line,
            release_line=c.release_line,
            notes=c.notes,
            synthetic=c.synthetic,
            lang=lang,
            created=_created(c),
        )
    return sorted(p.name for p in folder.iterdir())


def make_bulletin(
    project: Project,
    region: str,
    year: int | None = None,
    release: Release | str | None = None,
    lang: str = "both",
    formats: tuple[str, ...] | str | None = FORMATS,
) -> Path:
    """Write the bulletin for a region and year; returns out/bulletin/<code>/<year>/."""
    lang = parse_lang(lang)
    formats = parse_formats(formats) if isinstance(formats, str) or formats is None else tuple(formats)
    c = collect(project, region, year, release)
    target = project.out / "bulletin" / c.code / str(c.year)
    with staged_folder(project, target, c.release.label) as staging:
        write_folder(c, staging, lang, formats)
    return target
