"""bulletin.html: one self-contained page (text, tables, charts as SVG data URIs, notes, sources) that opens
offline and prints on A4. Every figure carries data-table/data-key/data-col so it can be traced to its CSV.
"""

from __future__ import annotations

import base64
import html
from decimal import Decimal

from hukou_stats.publish.bulletin.tables import Table, display_text, pick
from hukou_stats.publish.bulletin.text import Bulletin, Fig

MISSING = "—"

CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimHei",
       "WenQuanYi Micro Hei", sans-serif; font-size: 10.5pt; line-height: 1.5; color: #111; max-width: 190mm;
       margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 17pt; margin: 0 0 2pt; } h2 { font-size: 13pt; margin: 14pt 0 4pt; border-bottom: 1px solid #888; }
h3 { font-size: 11pt; margin: 12pt 0 2pt; } .en { color: #333; }
.synthetic { border: 3px solid #b00; color: #b00; background: #fee; font-weight: bold; font-size: 14pt;
             padding: 6pt; margin: 6pt 0; text-align: center; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4pt 0; page-break-inside: auto; }
th, td { border-bottom: 1px solid #ccc; padding: 2pt 4pt; vertical-align: top; }
th { border-bottom: 1.5px solid #333; text-align: left; font-weight: bold; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; } th.num { text-align: right; }
th { font-size: 7.5pt; } td.note { font-size: 7.5pt; min-width: 30mm; }
tr { page-break-inside: avoid; } thead { display: table-header-group; }
.src, .note { font-size: 8pt; color: #444; margin: 2pt 0; }
figure { margin: 8pt 0; page-break-inside: avoid; text-align: center; } figure img { max-width: 100%; }
figcaption { font-size: 8.5pt; color: #333; }
.fig { font-weight: bold; }
section.table { page-break-inside: auto; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def _e(s) -> str:
    return html.escape(str(s), quote=True)


def _pieces(pieces) -> str:
    out = []
    for p in pieces:
        if isinstance(p, Fig):
            out.append(
                f'<span class="fig" data-table="{_e(p.table)}" data-key="{_e(p.key)}" data-col="{_e(p.column)}"'
                f' data-value="{p.value:f}">{_e(p.text)}</span>'
            )
        else:
            out.append(_e(p))
    return "".join(out)


def _value(v) -> str:
    if v is None:
        return MISSING
    if isinstance(v, Decimal):
        return f"{v:f}"
    return str(v)


def _head(c, lang) -> str:
    if lang == "zh":
        return _e(c.zh)
    if lang == "en":
        return _e(c.en)
    return f'{_e(c.zh)}<br><span class="en">{_e(c.en)}</span>'


def table_html(t: Table, n: int, lang: str) -> str:
    cols = t.shown
    zh, en = f"表{n} {_e(t.title_zh)}", f"Table {n}. {_e(t.title_en)}"
    title = zh if lang == "zh" else en if lang == "en" else f'{zh}<br><span class="en">{en}</span>'
    rows = []
    for r in t.records():
        cells = []
        for c in cols:
            v = r[c.name]
            cls = "num" if c.type != "string" else ""
            attrs = f' class="{cls}"' if cls else ""
            if c.type != "string":
                attrs += f' data-table="{_e(t.name)}" data-key="{_e(r[t.key])}" data-col="{_e(c.name)}"'
            cells.append(f"<td{attrs}>{_e(_value(v)) if c.type != 'string' else _e(display_text(r, c, lang))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f'<th class="{"num" if c.type != "string" else ""}">{_head(c, lang)}</th>' for c in cols)
    src = "".join(f"<li>{_e(s)}{' — ' + _e(rel) if rel else ''}</li>" for s, rel in t.sources)
    notes = "".join(f'<p class="note">{_e(x)}</p>' for x in t.notes)
    shown = {c.name for c in cols}
    row_notes = (
        []
        if "note" in shown
        else [(r.get("region_name") or r.get(t.key), r.get("note")) for r in t.records() if r.get("note")]
    )
    row_notes_html = "".join(f"<li>{_e(a)}: {_e(b)}</li>" for a, b in row_notes)
    return (
        f'<section class="table" id="{_e(t.name)}"><h3>{title}</h3>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"{notes}"
        + (f'<div class="note">说明 Notes:<ul>{row_notes_html}</ul></div>' if row_notes_html else "")
        + (f'<div class="src">资料来源 Sources (release / 发布日期):<ol>{src}</ol></div>' if src else "")
        + "</section>"
    )


def figure_html(svg: bytes, caption: str, alt: str) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return (
        f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{_e(alt)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def render(
    *,
    title_zh: str,
    title_en: str,
    lang: str,
    synthetic: bool,
    texts: list[Bulletin],
    tables: list[Table],
    charts: list[tuple[bytes, str, str]],
    notes: list[tuple[str, str]],
    release_line: str,
    missing_targets: str | None,
) -> str:
    t = title_zh if lang == "zh" else title_en if lang == "en" else f"{title_zh} {title_en}"
    if synthetic:
        t = "SYNTHETIC 合成数据 — " + t
    parts = [
        f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
        f"<title>{_e(t)}</title><style>{CSS}</style></head><body>"
    ]
    if synthetic:
        parts.append(
            '<div class="synthetic" id="synthetic">SYNTHETIC DATA — 合成数据，非官方统计。'
            "Some figures come from a source labelled SYNTHETIC.</div>"
        )
    parts.append(f"<h1>{_e(title_zh if lang != 'en' else title_en)}</h1>")
    if lang == "both":
        parts.append(f'<p class="en"><b>{_e(title_en)}</b></p>')
    parts.append(f'<p class="src">{_e(release_line)}</p>')
    for b in texts:
        parts.append(f"<h2>{'公报' if b.lang == 'zh' else 'Bulletin'}</h2>")
        if b.paragraph:
            parts.append(f'<p class="para" lang="{"zh-CN" if b.lang == "zh" else "en"}">{_pieces(b.paragraph)}</p>')
        for c in b.children:
            parts.append(f'<p class="child">{_pieces(c)}</p>')
        if b.missing:
            parts.append(
                f'<p class="note">{_e(("以下地区无数据：" + "、".join(b.missing) + "。") if b.lang == "zh" else "No figures for: " + ", ".join(b.missing) + ".")}</p>'
            )
    if charts:
        parts.append(f"<h2>{pick('图', 'Charts', lang)}</h2>")
        parts += [figure_html(svg, cap, alt) for svg, cap, alt in charts]
    parts.append(f"<h2>{pick('表', 'Tables', lang)}</h2>")
    parts.append(
        f'<p class="note">{_e(pick(f"“{MISSING}” 表示无数据，从不以 0 代替；数据按公布精度四舍五入。", f"“{MISSING}” = not available (never 0). Figures are rounded half-up to their published precision.", lang))}</p>'
    )
    for n, tb in enumerate(tables, 1):
        parts.append(table_html(tb, n, lang))
    if missing_targets:
        parts.append(f'<p class="note">{_e(missing_targets)}</p>')
    parts.append(f"<h2>{pick('注释', 'Notes', lang)}</h2><dl>")
    for ref, text in notes:
        parts.append(f"<dt>{_e(ref)}</dt><dd>{_e(text)}</dd>")
    parts.append(
        '</dl><p class="src">Produced by hukou-stats; machine-readable tables: the CSV files and '
        "datapackage.json beside this page.</p></body></html>\n"
    )
    return "".join(parts)
