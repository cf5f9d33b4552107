"""Markdown writer of a Document (the bulletin, the evaluation report): text, tables, figures as image links,
notes and sources. Everything printed from data goes through `escape`, so that a region name or a source text
can never become a heading, a link, a table cell boundary or HTML."""

from __future__ import annotations

import re

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

# characters that start Markdown (or GitHub's HTML, math and table) syntax anywhere in a line
SPECIAL = re.compile(r"([\\`*_\[\]<>|~$&#])")
# what makes a line a list item, a quote or a setext heading when it starts the line
LINE_START = re.compile(r"^(\s*)([+\-=>]|\d+(?=[.)]))")


def escape(text) -> str:
    """Literal text in Markdown: line breaks become spaces (a cell or a paragraph stays on its line); backslash,
    backtick, emphasis, brackets (links, images), angle brackets (HTML, autolinks), pipes (table cells), tilde,
    dollar (math), ampersand (entities) and hash (headings) are backslash-escaped."""
    s = " ".join(str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return SPECIAL.sub(r"\\\1", s)


def line(text: str) -> str:
    """An escaped text that starts a line: a leading list, quote or heading marker is escaped too
    (1. -> 1\\., - -> \\-)."""
    m = LINE_START.match(text)
    if not m:
        return text
    lead, mark = m.groups()
    rest = text[m.end() :]
    return f"{lead}{mark}\\{rest}" if mark[0].isdigit() else f"{lead}\\{mark}{rest}"


def pieces(ps) -> str:
    return "".join(escape(p.text) if isinstance(p, Fig) else escape(p) for p in ps)


def table_md(tb: TableBlock, doc: Document) -> list[str]:
    t, lang = tb.table, doc.lang
    cols = t.shown
    lines = [f"### {escape(x)}" if i == 0 else escape(x) for i, x in enumerate(table_title(t, tb.number, lang))]
    head = ["<br>".join(escape(part) for part in t.head(c, lang).split("\n")) for c in cols]
    lines += ["", "| " + " | ".join(head) + " |"]
    lines.append("|" + "|".join("---" if c.type == "string" else "---:" for c in cols) + "|")
    for r in t.records():
        lines.append("| " + " | ".join(escape(cell(t, r, c, lang)[0]) for c in cols) + " |")
    lines.append("")
    for n in t.all_notes():
        lines += [escape(note_line(doc.notes[n], lang)), ""]
    if t.sources:
        lines += [escape({"zh": "资料来源：", "en": "Sources:"}.get(lang, "资料来源 Sources:")), ""]
        lines += [f"{i}. {escape(s)}" + (f" — {escape(rel)}" if rel else "") for i, (s, rel) in enumerate(t.sources, 1)]
        lines.append("")
    return lines


def render(doc: Document) -> str:
    lines: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            lines += ["#" * b.level + " " + escape(b.text), ""]
        elif isinstance(b, Para):
            text = line(pieces(b.pieces))
            lines += [f"> **{text}**" if b.kind == "banner" else text, ""]
        elif isinstance(b, TableBlock):
            lines += table_md(b, doc)
        elif isinstance(b, Figure):
            lines += [f"![{escape(b.alt)}]({b.file})", "", f"*{escape(b.caption)}*", ""]
        elif isinstance(b, NoteList):
            for n in b.notes:
                lines += [escape(note_line(n, doc.lang)), ""]
        elif isinstance(b, Links):
            lines += [f"- [{escape(name)}]({name}): {escape(what)}" for name, what in b.items] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


__all__ = ["escape", "render"]
