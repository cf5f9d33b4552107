"""The hierarchy of each year's list, from the code history (never from the digits of a code).

- `children(code, year)`: the units of the list of 31 December `year` whose parent is `code`, counted in its
  totals (金门县 is listed under 泉州市 but counted in no mainland total: data/reference/region_scope.csv);
- a unit without children that year is a leaf (东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200): it counts
  with its own figure; 三沙 460300 has 西沙区 and 南沙区 from the 2020 list on, and none before;
- a unit that gave territory away is still a unit (330303 龙湾区 after 2015);
- `successions()`: where the territory of each code went (新代码), as (from, to, year, whole): `whole` when the
  code ended that year and one code took over all of it (a weight-1 bridge); otherwise the part that moved has an
  unknown weight.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Unit(Protocol):
    """A period of the code history (hukou_stats.reference.registry.Region)."""

    @property
    def code(self) -> str: ...
    @property
    def parent_code(self) -> str | None: ...
    @property
    def level(self) -> int: ...
    @property
    def valid_from_year(self) -> int: ...
    @property
    def successors(self) -> tuple[tuple[str, int], ...]: ...
    @property
    def in_parent_totals(self) -> bool: ...
    @property
    def end_year(self) -> int | None: ...

    def valid_in(self, year: int) -> bool: ...


@dataclass(frozen=True)
class BoundaryChange:
    code: str
    year: int  # first list with the new boundaries
    change: str  # gave territory to | received territory from | formed from
    other_code: str


@dataclass(frozen=True)
class Succession:
    from_code: str
    to_code: str
    year: int  # first list that shows the move
    whole: bool  # the from code ended and this code took all of its territory


class Hierarchy:
    """Parents and children of every year's list; `periods` are the rows of the code history."""

    def __init__(self, periods: Iterable[Unit]):
        self.periods = list(periods)
        self._by_parent: dict[str, list[Unit]] = {}
        self._by_code: dict[str, list[Unit]] = {}
        for p in self.periods:
            self._by_code.setdefault(p.code, []).append(p)
            if p.parent_code:
                self._by_parent.setdefault(p.parent_code, []).append(p)
        for rows in (*self._by_parent.values(), *self._by_code.values()):
            rows.sort(key=lambda r: (r.code, r.valid_from_year))

    def unit(self, code: str, year: int) -> Unit | None:
        """The period of `code` in the list of `year`, None if the code is not in it."""
        return next((p for p in self._by_code.get(code, []) if p.valid_in(year)), None)

    def children(self, code: str, year: int, counted_only: bool = True) -> list[Unit]:
        """Units of the list of `year` under `code` (only those counted in its totals, unless counted_only=False)."""
        return [
            p for p in self._by_parent.get(code, []) if p.valid_in(year) and (p.in_parent_totals or not counted_only)
        ]

    @functools.lru_cache(maxsize=64)  # noqa: B019 (a Hierarchy lives as long as its registry)
    def parents_in(self, year: int) -> dict[str, str]:
        """child -> parent for every unit of the list of `year` counted in its parent's totals."""
        return {
            p.code: p.parent_code for p in self.periods if p.parent_code and p.in_parent_totals and p.valid_in(year)
        }

    def is_leaf(self, code: str, year: int) -> bool:
        return not self.children(code, year)

    def leaves_under(self, code: str, year: int) -> list[str]:
        """Every leaf below `code` in `year`: counties, and prefectures without counties."""
        out: list[str] = []
        for c in self.children(code, year):
            out += self.leaves_under(c.code, year) or [c.code]
        return out

    def missing_children(self, code: str, year: int, present: set[str]) -> list[str]:
        """Children of `code` in `year` that `present` lacks."""
        return [c.code for c in self.children(code, year) if c.code not in present]

    def successions(self) -> list[Succession]:
        """Every move of territory the history records (a code listing itself, a rename, is no move)."""
        return [s for rows in self._successions.values() for s in rows]

    def successions_of(self, code: str) -> list[Succession]:
        return list(self._successions.get(code, []))

    def whole_successor(self, code: str, year: int) -> str | None:
        """The one unit of `year`'s list that took over all of `code`'s territory in `year` (the code ended at the
        end of `year - 1`), else None."""
        return next(
            (s.to_code for s in self._successions.get(code, []) if s.year == year and s.whole),
            None,
        )

    def ancestors(self, code: str, year: int) -> dict[int, str]:
        """level -> code of `code` and its ancestors in the list of `year`."""
        out: dict[int, str] = {}
        u = self.unit(code, year)
        while u is not None and u.level not in out:
            out[u.level] = u.code
            u = self.unit(u.parent_code, year) if u.parent_code else None
        return out

    @functools.cached_property
    def moves(self) -> list[Succession]:
        """Every move of territory, at every level: the successions of the history, and for a unit that moved to
        another prefecture or province, the move between those ancestors (whole: the old ancestor ended and all
        of it went to the one new ancestor)."""
        pairs: dict[tuple[str, int], set[str]] = {}
        for s in self.successions():
            old, new = self.ancestors(s.from_code, s.year - 1), self.ancestors(s.to_code, s.year)
            if not old or not new:
                continue
            for level in (2, 1):
                a, b = old.get(level), new.get(level)
                if level < max(old) and level < max(new) and a and b and a != b:
                    pairs.setdefault((a, s.year), set()).add(b)
        out = list(self.successions())
        for (code, year), to in sorted(pairs.items()):
            ended = self.unit(code, year) is None
            out += [Succession(code, t, year, ended and len(to) == 1) for t in sorted(to)]
        return out

    @functools.cached_property
    def boundary_changes(self) -> list[BoundaryChange]:
        """Changes of a unit's territory that make its figures of the years before and after not comparable: it gave
        territory away and stayed, it received territory and stayed, or it was formed from several units or parts.
        A new code that took over all of one ended code, and nothing else, is the same territory (a rename or a
        recode, e.g. 440184 从化市 -> 440117 从化区): no change."""
        out: set[BoundaryChange] = set()
        feeds: dict[tuple[str, int], set[tuple[str, bool]]] = {}
        for m in self.moves:
            if self.unit(m.from_code, m.year) is not None:
                out.add(BoundaryChange(m.from_code, m.year, "gave territory to", m.to_code))
            if self.unit(m.to_code, m.year - 1) is not None:
                out.add(BoundaryChange(m.to_code, m.year, "received territory from", m.from_code))
            else:
                feeds.setdefault((m.to_code, m.year), set()).add((m.from_code, m.whole))
        for (code, year), sources in feeds.items():
            if not (len(sources) == 1 and next(iter(sources))[1]):
                out |= {BoundaryChange(code, year, "formed from", c) for c, _ in sources}
        return sorted(out, key=lambda b: (b.code, b.year, b.change, b.other_code))

    @functools.cached_property
    def _successions(self) -> dict[str, list[Succession]]:
        by: dict[str, list[Succession]] = {}
        for p in self.periods:
            at_end = [c for c, y in p.successors if y == p.end_year]
            for to, year in p.successors:
                if to == p.code and year == p.end_year:
                    continue
                ended = p.end_year == year and self.unit(p.code, year) is None
                whole = ended and at_end == [to] and self.unit(to, year) is not None
                by.setdefault(p.code, []).append(Succession(p.code, to, year, whole))
        return by
