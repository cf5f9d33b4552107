"""A published table: columns with Chinese and English headers, type, unit and description, and a frame of
output-ready values that every writer (workbook, page, Markdown, CSV and datapackage.json) reads.

Numbers are `Decimal` already rounded half-up to their published precision, so that the decimals a figure
carries are its exponent; counts of persons are `int`. A figure that is not available is `None` (shown [x]);
one that does not apply is `NA` (shown [z]); never 0, never an empty cell. Notes are numbered (notes.py) and
referred to from the title, a row (after its heading) or a column (after its heading).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hukou_stats.publish.notes import markers


class NotApplicable:
    """A figure that does not apply (GSS [z]), as opposed to one that is not available (None, [x])."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "[z]"


NA = NotApplicable()
SYMBOL_X, SYMBOL_Z = "[x]", "[z]"


def symbol(v) -> str | None:
    """[x] for a figure not available, [z] for one that does not apply, None for a value."""
    return SYMBOL_X if v is None else SYMBOL_Z if v is NA else None


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    en: str
    type: str = "string"  # string | integer | number (Table Schema types)
    unit: str = ""  # %, pp (个百分点), 10k persons (万人), persons (人)
    description: str = ""
    shown: bool = True  # shown in the workbook, HTML and Markdown (always in the CSV)

    def header(self, lang: str) -> str:
        """The heading in the bulletin's language; a line break may separate a Chinese name from its unit."""
        return self.zh if lang == "zh" else self.en if lang == "en" else f"{self.zh}\n{self.en}"

    @property
    def title(self) -> str:
        """One-line bilingual title (data package)."""
        return f"{self.zh.replace(chr(10), '')} / {self.en}"


@dataclass
class Table:
    name: str  # file stem of the CSV and the resource name
    ref: str  # T1 ... T5
    title_zh: str
    title_en: str
    columns: list[Column]
    frame: pd.DataFrame  # output-ready values (Decimal, int, str, None = [x], NA = [z])
    sources: list[tuple[str, str]] = field(default_factory=list)  # (source, release as published)
    key: str = "region_code"  # the column that names a row (for cross-format checks)
    label: str = "region_name"  # the row heading, where a row's note markers go
    notes: list[int] = field(default_factory=list)  # notes of the whole table (markers after the title)
    row_notes: dict[str, list[int]] = field(default_factory=dict)  # row key -> notes
    column_notes: dict[str, list[int]] = field(default_factory=dict)  # column name -> notes

    @property
    def shown(self) -> list[Column]:
        return [c for c in self.columns if c.shown]

    def records(self) -> list[dict]:
        return self.frame.to_dict("records")

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en if lang == "en" else f"{self.title_zh} {self.title_en}"

    def all_notes(self) -> list[int]:
        """Every note the table refers to, in number order (listed under the table)."""
        found = set(self.notes) | {n for ns in self.row_notes.values() for n in ns}
        found |= {n for ns in self.column_notes.values() for n in ns}
        return sorted(found)

    def text(self, r: dict, c: Column, lang: str) -> str:
        """A text cell as shown: names in the bulletin's language, the row's note markers after the row heading,
        [z] for nothing to say."""
        v = r.get(c.name)
        if lang == "en" and c.name + "_en" in r and r.get(c.name + "_en"):
            v = r[c.name + "_en"]
        elif lang == "both" and c.name + "_en" in r and r.get(c.name + "_en") and r.get(c.name + "_en") != v:
            v = f"{v} {r[c.name + '_en']}"
        v = "" if v is None or v is NA else str(v)
        if c.name == self.label and self.row_notes.get(str(r[self.key])):
            v = f"{v} {markers(self.row_notes[str(r[self.key])], lang)}".strip()
        return v or SYMBOL_Z

    def head(self, c: Column, lang: str) -> str:
        h = c.header(lang)
        return f"{h} {markers(self.column_notes[c.name], lang)}" if self.column_notes.get(c.name) else h
