"""bulletin.md for wikis and repositories: text, tables, charts (as image links), notes and sources."""

from __future__ import annotations

from decimal import Decimal

from hukou_stats.publish.bulletin.tables import Table, display_text, pick
from hukou_stats.publish.bulletin.text import Bulletin

MISSING = "—"


def _cell(v) -> str:
    if v is None or v == "":
        return MISSING
    if isinstance(v, Decimal):
        return f"{v:f}"
    return str(v).replace("|", "\\|").replace("\n", " ")


def _head(c, lang: str) -> str:
    return c.zh if lang == "zh" else c.en if lang == "en" else f"{c.zh}<br>{c.en}"


def table_md(t: Table, n: int, lang: str) -> list[str]:
    cols = t.shown
    title = {"zh": f"### 表{n} {t.title_zh}", "en": f"### Table {n}. {t.title_en}"}.get(
        lang, f"### 表{n} {t.title_zh}\nTable {n}. {t.title_en}"
    )
    lines = [
        title,
        "",
        "| " + " | ".join(_head(c, lang) for c in cols) + " |",
        "|" + "|".join("---" if c.type == "string" else "---:" for c in cols) + "|",
    ]
    for r in t.records():
        lines.append(
            "| "
            + " | ".join(
                _cell(r[c.name]) if c.type != "string" else display_text(r, c, lang).replace("|", "\\|") for c in cols
            )
            + " |"
        )
    lines.append("")
    lines += [x for note in t.notes for x in (note, "")]
    row_notes = (
        []
        if "note" in {c.name for c in cols}
        else [(r.get("region_name") or r.get(t.key), r.get("note")) for r in t.records() if r.get("note")]
    )
    if row_notes:
        lines += ["说明 Notes:", ""] + [f"- {a}: {b}" for a, b in row_notes] + [""]
    if t.sources:
        lines += ["资料来源 Sources (release date / 发布日期):", ""]
        lines += [
            f"{i}. {s} — {rel or 'release date unknown / 发布日期不详'}" for i, (s, rel) in enumerate(t.sources, 1)
        ]
        lines.append("")
    return lines


def render(
    *,
    title_zh: str,
    title_en: str,
    lang: str,
    synthetic: bool,
    texts: list[Bulletin],
    tables: list[Table],
    charts: list[tuple[str, str, str]],
    notes: list[tuple[str, str]],
    release_line: str,
    missing_targets: str | None,
) -> str:
    lines = []
    if synthetic:
        lines += [
            "> **SYNTHETIC DATA — 合成数据，非官方统计。** Some figures come from a source labelled SYNTHETIC.",
            "",
        ]
    prefix = "SYNTHETIC 合成数据 — " if synthetic else ""
    if lang != "en":
        lines.append(f"# {prefix}{title_zh}")
    if lang != "zh":
        lines.append(f"{'#' if lang == 'en' else '##'} {prefix if lang == 'en' else ''}{title_en}")
    lines += ["", release_line, ""]
    for b in texts:
        lines += ["## 公报" if b.lang == "zh" else "## Bulletin", "", b.plain(), ""]
    if charts:
        lines += (
            [f"## {pick('图', 'Charts', lang)}", ""]
            + [x for path, alt, caption in charts for x in (f"![{alt}]({path})", "", f"*{caption}*", "")]
            + [""]
        )
    lines += [
        f"## {pick('表', 'Tables', lang)}",
        "",
        pick(
            f"“{MISSING}” 表示无数据，从不以 0 代替；数据按公布精度四舍五入。",
            f"“{MISSING}” = not available (never 0). Figures are rounded half-up to their published precision.",
            lang,
        ),
        "",
    ]
    for n, t in enumerate(tables, 1):
        lines += table_md(t, n, lang)
    if missing_targets:
        lines += [missing_targets, ""]
    lines += [f"## {pick('注释', 'Notes', lang)}", ""] + [f"- **{ref}**: {text}" for ref, text in notes] + [""]
    lines += [
        "---",
        "Produced by hukou-stats from data/processed/hukou.duckdb. Machine-readable tables: "
        + ", ".join(f"`{t.name}.csv`" for t in tables)
        + " and `datapackage.json`.",
    ]
    return "\n".join(lines) + "\n"
