"""HTML writer of a Document (the bulletin, the evaluation report, the methodology note): one self-contained page
(text, tables, charts as SVG data URIs, notes, sources) that opens offline and prints on A4. Every figure carries
data-table / data-key / data-col so it can be traced to its CSV. Everything printed from data goes through
`escape` (html.escape, quotes included): a name or a source text can never become markup or script.
"""

from __future__ import annotations

import base64
import html

from hukou_stats.publish.document import (
    Document,
    Fig,
    Figure,
    Heading,
    Links,
    NoteList,
    Para,
    TableBlock,
    cell,
    note_line,
    table_title,
)

CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimHei",
       "WenQuanYi Micro Hei", sans-serif; font-size: 10.5pt; line-height: 1.55; color: #111; max-width: 190mm;
       margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 17pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 16pt 0 4pt; border-bottom: 1px solid #888; }
h3 { font-size: 11pt; margin: 14pt 0 2pt; } .en { color: #333; }
.banner { border: 3px solid #b00; color: #b00; background: #fee; font-weight: bold; font-size: 14pt;
          padding: 6pt; margin: 6pt 0; text-align: center; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4pt 0; page-break-inside: auto; }
th, td { border-bottom: 1px solid #ccc; padding: 2pt 4pt; vertical-align: top; }
th { border-bottom: 1.5px solid #333; text-align: left; font-weight: bold; font-size: 7.5pt; }
td.num, th.num { text-align: right; } td.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { page-break-inside: avoid; } thead { display: table-header-group; } td.label { min-width: 26mm; }
p.src, p.note, ol.src, p.meta { font-size: 8pt; color: #444; margin: 2pt 0; }
figure { margin: 8pt 0; page-break-inside: avoid; text-align: center; } figure img { max-width: 100%; }
figcaption { font-size: 8.5pt; color: #333; }
.fig { font-weight: bold; }
a.ref { color: inherit; text-decoration: none; font-size: 8pt; vertical-align: super; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def escape(text) -> str:
    """Literal text in HTML (element content and attribute values)."""
    return html.escape(str(text), quote=True)


def _pieces(pieces) -> str:
    out = []
    for p in pieces:
        if isinstance(p, Fig):
            out.append(
                f'<span class="fig" data-table="{escape(p.table)}" data-key="{escape(p.key)}" '
                f'data-col="{escape(p.column)}" data-value="{p.value:f}"'
                + (' data-format="people-en"' if p.people else "")
                + f">{escape(p.text)}</span>"
            )
        else:
            out.append(escape(p))
    return "".join(out)


def _lines(lines: list[str]) -> str:
    return "<br>".join(escape(x) for x in lines)


def table_html(tb: TableBlock, doc: Document) -> str:
    t, lang = tb.table, doc.lang
    cols = t.shown
    rows = []
    for r in t.records():
        cells = []
        for c in cols:
            text, num = cell(t, r, c, lang)
            attrs = (
                f' class="num" data-table="{escape(t.name)}" data-key="{escape(r[t.key])}" data-col="{escape(c.name)}"'
                if num
                else ' class="label"'
                if c.name == t.label
                else ""
            )
            cells.append(f"<td{attrs}>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(
        ("<th>" if c.type == "string" else '<th class="num">') + _lines(t.head(c, lang).split("\n")) + "</th>"
        for c in cols
    )
    notes = "".join(f'<p class="note" id="note-{n}">{escape(note_line(doc.notes[n], lang))}</p>' for n in t.all_notes())
    src_head = {"zh": "资料来源：", "en": "Sources:"}.get(lang, "资料来源 Sources:")
    src = "".join(f"<li>{escape(s)}{' — ' + escape(rel) if rel else ''}</li>" for s, rel in t.sources)
    return (
        f'<section class="table" id="{escape(t.name)}"><h3>{_lines(table_title(t, tb.number, lang))}</h3>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{notes}"
        + (f'<p class="src">{escape(src_head)}</p><ol class="src">{src}</ol>' if src else "")
        + "</section>"
    )


def figure_html(f: Figure) -> str:
    if f.svg is not None:
        src = "data:image/svg+xml;base64," + base64.b64encode(f.svg).decode("ascii")
    else:
        src = f.file
    return (
        f'<figure><img src="{escape(src)}" alt="{escape(f.alt)}"><figcaption>{escape(f.caption)}</figcaption></figure>'
    )


def _block(b, doc: Document) -> str:
    if isinstance(b, Heading):
        return f"<h{b.level}>{escape(b.text)}</h{b.level}>"
    if isinstance(b, Para):
        lang = f' lang="{"zh-CN" if b.lang == "zh" else "en"}"' if b.lang else ""
        return f'<p class="{escape(b.kind)}"{lang}>{_pieces(b.pieces)}</p>'
    if isinstance(b, TableBlock):
        return table_html(b, doc)
    if isinstance(b, Figure):
        return figure_html(b)
    if isinstance(b, NoteList):
        return "".join(f'<p class="note">{escape(note_line(n, doc.lang))}</p>' for n in b.notes)
    if isinstance(b, Links):
        return (
            "<ul>"
            + "".join(f'<li><a href="{escape(n)}">{escape(n)}</a>: {escape(w)}</li>' for n, w in b.items)
            + "</ul>"
        )
    raise TypeError(f"unknown block {b!r}")


def page(title: str, lang: str, body: str) -> str:
    code = "en" if lang == "en" else "zh-CN"
    return (
        f'<!DOCTYPE html><html lang="{code}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body>{body}</body></html>\n"
    )


def render(doc: Document) -> str:
    return page(doc.title, doc.lang, "".join(_block(b, doc) for b in doc.blocks))


def render_markdown_page(text: str, title: str, lang: str = "both") -> str:
    """A page from Markdown written by the project (the methodology note): CommonMark with tables, raw HTML off."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return page(title, lang, md.render(text))


__all__ = ["escape", "page", "render", "render_markdown_page"]
