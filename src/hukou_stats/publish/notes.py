"""Numbered notes, GSS style: every definition, reason and caveat is said once, as "note n", and referred to as
[note n] where it applies: after a table's title (the whole table), after a row label (one row) or after a
column heading. The workbook lists the notes on its Notes sheet and under each table; the page and the
Markdown under each table and at the end; the machine-readable folder in notes.csv.

A note is a `Worded` (key, Chinese, English): the same key is the same note. Notes about the data come from
functions of a `NoteContext` returning `Placed` notes; `PROVIDERS` lists them, and a new kind of note (say,
persons living in areas that belong to no county) is one more function added there::

    def unassigned_population(ctx: NoteContext) -> Iterable[Placed]:
        for code, persons in ctx.con.execute("SELECT ...", [ctx.code, ctx.year]).fetchall():
            yield Placed("table1_regions", code, Worded(f"unassigned:{code}", f"……{persons}人……", f"... {persons} ..."))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Worded:
    """A note, reason or caveat in the reader's words; `key` identifies it (the same reason is one note)."""

    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class Note:
    number: int
    key: str
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en if lang == "en" else f"{self.zh} {self.en}"


def marker(n: int, lang: str) -> str:
    """[note 3] (GSS); [注3] in a Chinese-only bulletin."""
    return f"[注{n}]" if lang == "zh" else f"[note {n}]"


def markers(numbers: Iterable[int], lang: str) -> str:
    return " ".join(marker(n, lang) for n in numbers)


class NoteBook:
    """The bulletin's notes, numbered in the order they are first referred to."""

    def __init__(self) -> None:
        self.notes: list[Note] = []
        self._by_key: dict[str, Note] = {}

    def ref(self, w: Worded) -> int:
        n = self._by_key.get(w.key)
        if n is None:
            n = Note(len(self.notes) + 1, w.key, w.zh, w.en)
            self.notes.append(n)
            self._by_key[w.key] = n
        return n.number

    def refs(self, ws: Iterable[Worded]) -> list[int]:
        out: list[int] = []
        for w in ws:
            n = self.ref(w)
            if n not in out:
                out.append(n)
        return out

    def get(self, number: int) -> Note:
        return self.notes[number - 1]


@dataclass
class Placed:
    """A note and where it applies: a table (its name), and a row (its key) or the whole table (None)."""

    table: str
    row: str | None
    note: Worded


@dataclass
class NoteContext:
    """What a note provider may look at: the connection (on the bulletin's release), the region and year."""

    con: object
    code: str
    year: int
    codes: list[str] = field(default_factory=list)  # the region and the children listed


NoteProvider = Callable[[NoteContext], Iterable[Placed]]


def residuals(ctx: NoteContext) -> Iterable[Placed]:
    """Where the region's published figure and the complete sum of its children differ (温州市 2020: 249,343
    persons in areas that belong to no county; China: the active military), said under the regions table."""
    from hukou_stats.analysis.residuals import residual_findings

    for f in residual_findings(ctx.con, ctx.code, ctx.year):  # type: ignore[arg-type]
        yield Placed("table1_regions", ctx.code, Worded(f"residual:{f.region_code}:{f.series}:{f.kind}", f.zh, f.en))


# functions adding data-level notes (see the module docstring); each returns Placed notes
PROVIDERS: list[NoteProvider] = [residuals]
