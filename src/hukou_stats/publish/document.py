"""A report as a list of blocks (headings, paragraphs, tables, figures, notes), written by one writer per format
(markdown.py, html.py): the bulletin and the evaluation report are both documents, so they share the writers and
their escaping. Text is text: a writer escapes every string it prints (data never becomes markup or code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources

from hukou_stats.publish.notes import Note, marker, markers
from hukou_stats.publish.table import Column, Table, symbol
from hukou_stats.publish.wording import people_en


@dataclass(frozen=True)
class Fig:
    """A figure in the text, traceable to its table: value (signed, as in the table), table, row key, column."""

    value: Decimal
    table: str  # table name (CSV stem)
    key: str  # row key
    column: str
    people: bool = False  # a count in 万人 written for English readers (millions, or persons)

    @property
    def text(self) -> str:
        """The figure as written in the text: its absolute value (the word carries the sign)."""
        return people_en(abs(self.value)) if self.people else f"{abs(self.value):f}"


Piece = str | Fig


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Para:
    pieces: list[Piece]
    kind: str = "para"  # para | note | src | banner
    lang: str | None = None  # the paragraph's own language, where the document has two


@dataclass
class TableBlock:
    table: Table
    number: int


@dataclass
class Figure:
    file: str  # the PNG beside the document
    svg: bytes | None  # embedded in the page when given (self-contained), else the PNG is linked
    caption: str
    alt: str


@dataclass
class NoteList:
    """The document's numbered notes (all of them, at the end)."""

    notes: list[Note]


@dataclass
class Links:
    """Files beside the document, named for the reader (file name, what it is)."""

    items: list[tuple[str, str]]


Block = Heading | Para | TableBlock | Figure | NoteList | Links


@dataclass
class Document:
    lang: str  # zh | en | both
    title: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)
    notes: dict[int, Note] = field(default_factory=dict)  # every note, by number (tables list theirs)
    synthetic: bool = False

    def add(self, *blocks: Block) -> Document:
        self.blocks += blocks
        return self


def number_text(v) -> str:
    """A table figure as text: [x] / [z] symbols, or the rounded value with its published decimals."""
    s = symbol(v)
    if s:
        return s
    if isinstance(v, Decimal):
        return f"{v:f}"
    return str(v)


def cell(t: Table, r: dict, c: Column, lang: str) -> tuple[str, bool]:
    """(text, is a number) of one cell."""
    if c.type == "string":
        return t.text(r, c, lang), False
    return number_text(r.get(c.name)), True


def table_title(t: Table, number: int, lang: str) -> list[str]:
    """The title line(s) of a table, with the markers of the notes of the whole table."""
    refs = f" {markers(t.notes, lang)}" if t.notes else ""
    zh, en = f"表{number} {t.title_zh}", f"Table {number}. {t.title_en}"
    if lang == "zh":
        return [zh + refs]
    if lang == "en":
        return [en + refs]
    return [zh + refs, en]


def note_line(n: Note, lang: str) -> str:
    return f"{marker(n.number, lang)} {n.text(lang)}"


def legend(lang: str, notes_on_sheet: bool = False) -> str:
    """The symbols, and where the notes are: under the table (page, Markdown) or on the Notes sheet (workbook)."""
    where_zh, where_en = (
        ("见“注释”工作表", "see the Notes sheet") if notes_on_sheet else ("见表下注释", "see the notes under the table")
    )
    zh = f"[x] 无数据（不以0代替）；[z] 不适用；数据按公布精度四舍五入；[注n]{where_zh}。"
    en = f"[x] not available (never 0); [z] not applicable; figures rounded half-up to their published precision; [note n] {where_en}."
    return zh if lang == "zh" else en if lang == "en" else f"{zh.replace('[注n]', '[note n] ')} {en}"


def methodology_text() -> str:
    """The methodology note (Chinese and English), shipped with the package; the documentation includes it too."""
    return resources.files("hukou_stats.publish").joinpath("methodology.md").read_text(encoding="utf-8")
