"""Boundary crosswalk: figures published on old boundaries expressed on today's regions.

`data/reference/boundary_crosswalk.csv` (built from admin_changes.csv, one row per piece of territory):
on `effective_date`, the part of `from_code` given by `weight` (its share of the population) went to
`to_code`. Merges, renames and upgrades move a whole unit (weight 1); a split moves a part, and its
weight must be supplied (from the crosswalk or a census table); where it is missing the weight is
unknown and every figure that needs it is "not available", never guessed. A unit that keeps its code
and all its territory while receiving another is listed onto itself with weight 1 (so the receiving
unit's own figure is an expected part of the new total).

`boundary_map` composes the changes: for each period between two change dates, where a code of that
period went, through every later change, to today's codes, with the product of the weights
(NULL if any is unknown). Codes created by a change are not part of the periods before it; a figure
published under such a code for an earlier year is taken to be on the later boundaries already (as
yearbooks do when they restate past years, e.g. 从化区 2013 in the Guangzhou yearbook 2020).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hukou_stats.core.errors import InputOutputError, Issue, UsageError
from hukou_stats.reference.hierarchy import Hierarchy

COLUMNS = ["effective_date", "from_code", "from_name", "to_code", "to_name", "weight", "weight_source", "note"]
MAP_COLUMNS = ["period_start", "period_end", "from_code", "to_code", "weight"]


@dataclass(frozen=True)
class Piece:
    date: dt.date
    from_code: str
    to_code: str
    weight: float | None


def load_crosswalk(path: Path) -> list[Piece]:
    if not path.exists():
        return []
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as e:
        raise InputOutputError(f"cannot read the boundary crosswalk {path}: {e}") from e
    issues, pieces = [], []
    for i, r in enumerate(df.itertuples(index=False), start=2):
        try:
            day = dt.date.fromisoformat(r.effective_date.strip())
        except ValueError:
            issues.append(
                Issue(
                    "error",
                    "crosswalk_date",
                    "effective_date must be YYYY-MM-DD",
                    file=str(path),
                    row=i,
                    column="effective_date",
                    value=r.effective_date,
                )
            )
            continue
        w = None
        if r.weight.strip():
            try:
                w = float(r.weight)
            except ValueError:
                w = -1.0
            if not 0 <= w <= 1:
                issues.append(
                    Issue(
                        "error",
                        "crosswalk_weight",
                        "weight must be a share between 0 and 1, or empty (not available)",
                        file=str(path),
                        row=i,
                        column="weight",
                        value=r.weight,
                    )
                )
                continue
        pieces.append(Piece(day, r.from_code.strip(), r.to_code.strip(), w))
    for (day, code), grp in pd.DataFrame([p.__dict__ for p in pieces]).groupby(["date", "from_code"]) if pieces else []:
        known = grp.weight.dropna()
        if known.sum() > 1 + 1e-9 or (len(known) == len(grp) and abs(known.sum() - 1) > 1e-9):
            issues.append(
                Issue(
                    "error",
                    "crosswalk_weights_sum",
                    f"the pieces of {code} on {day} have weights summing to {known.sum():g}, not 1",
                    file=str(path),
                    column="weight",
                    value=code,
                )
            )
    if issues:
        raise UsageError(
            "the boundary crosswalk is invalid (a configuration error; nothing was built):\n"
            + "\n".join(f"  - {i}" for i in issues)
        )
    return pieces


def boundary_map(pieces: list[Piece], dates_of_figures: list[dt.date] | None = None) -> pd.DataFrame:
    """Rows (period_start, period_end, from_code, to_code, weight): a figure dated in
    [period_start, period_end) under from_code is, on today's boundaries, `weight` of it in to_code.

    With `dates_of_figures`, only the periods holding one of those dates are listed, and a code that stays itself
    (weight 1) with nothing else going into it is left out (its figure is as published)."""
    dates = sorted({p.date for p in pieces})
    created, abolished = _lifetimes(pieces, dates)
    dest = _composition(pieces, dates)
    codes = sorted({p.from_code for p in pieces} | {p.to_code for p in pieces})
    wanted = None if dates_of_figures is None else {sum(d >= x for x in dates) for d in dates_of_figures}
    rows: list[tuple] = []
    for k, end in enumerate(dates):
        if wanted is not None and k not in wanted:
            continue
        start = dates[k - 1] if k else None
        alive = [
            c
            for c in codes
            if not (c in created and created[c] >= end) and not (c in abolished and start and abolished[c] <= start)
        ]
        period = [(start, end, c, to, w) for c in alive for to, w in dest(c, k).items()]
        rows += period if wanted is None else _changed_only(period)
    return pd.DataFrame(rows, columns=MAP_COLUMNS)


def _lifetimes(pieces: list[Piece], dates: list[dt.date]) -> tuple[dict[str, dt.date], dict[str, dt.date]]:
    """code -> date it was created (a target that was no source in that change), and -> date it ceased (a source
    that is no target of that change)."""
    sources: dict[dt.date, set[str]] = {d: set() for d in dates}
    targets: dict[dt.date, set[str]] = {d: set() for d in dates}
    for p in pieces:
        sources[p.date].add(p.from_code)
        targets[p.date].add(p.to_code)
    created: dict[str, dt.date] = {}
    abolished: dict[str, dt.date] = {}
    for d in dates:
        for c in targets[d] - sources[d]:
            created.setdefault(c, d)
        for c in sources[d] - targets[d]:
            abolished.setdefault(c, d)
    return created, abolished


def _composition(pieces: list[Piece], dates: list[dt.date]):
    """dest(code, k): where `code` of the period ending at dates[k] lands after every change from dates[k] on, with
    the product of the weights (None where one is unknown)."""
    events: dict[tuple[dt.date, str], list[Piece]] = {}
    for p in pieces:
        events.setdefault((p.date, p.from_code), []).append(p)
    memo: dict[tuple[str, int], dict[str, float | None]] = {}

    def dest(code: str, k: int) -> dict[str, float | None]:
        if k == len(dates):
            return {code: 1.0}
        if (code, k) not in memo:
            out: dict[str, float | None] = {}
            for p in events.get((dates[k], code), [Piece(dates[k], code, code, 1.0)]):
                for to, w in dest(p.to_code, k + 1).items():
                    ww = None if w is None or p.weight is None else w * p.weight
                    before = out.get(to, 0.0)
                    out[to] = None if ww is None or before is None else before + ww
            memo[(code, k)] = out
        return memo[(code, k)]

    return dest


def _changed_only(period: list[tuple]) -> list[tuple]:
    """A period's rows without the codes that stay themselves whole with nothing else going into them."""
    into: dict[str, int] = {}
    for r in period:
        into[r[3]] = into.get(r[3], 0) + 1
    return [r for r in period if not (r[2] == r[3] and r[4] == 1.0 and into[r[3]] == 1)]


def history_pieces(
    hierarchy: Hierarchy, skip: frozenset[tuple[str, int]] | set[tuple[str, int]] = frozenset()
) -> list[Piece]:
    """The crosswalk of every move of territory the code history records (hierarchy.moves: counties, and the
    prefectures and provinces they moved between), dated 1 January of the first list showing it (a
    figure dated in a year is on that year's list): a code that ended with one successor goes to it whole (weight
    1); the parts of a code that went to several, or that gave territory away and stayed, have unknown weights
    (NULL: not available until supplied); a unit that received territory and stayed is listed onto itself (weight
    1). (from_code, year) in `skip` are left to the hand-made crosswalk (data/reference/boundary_crosswalk.csv)."""
    out: dict[tuple[str, int], list[Piece]] = {}
    receivers: set[tuple[str, int]] = set()
    for s in hierarchy.moves:
        if (s.from_code, s.year) in skip:
            continue
        day = dt.date(s.year, 1, 1)
        pieces = out.setdefault((s.from_code, s.year), [])
        pieces.append(Piece(day, s.from_code, s.to_code, 1.0 if s.whole else None))
        if hierarchy.unit(s.from_code, s.year) is not None and not any(p.to_code == s.from_code for p in pieces):
            pieces.append(Piece(day, s.from_code, s.from_code, None))  # the part that stayed
        if hierarchy.unit(s.to_code, s.year - 1) is not None:
            receivers.add((s.to_code, s.year))
    for code, year in receivers - set(out) - skip:
        out[(code, year)] = [Piece(dt.date(year, 1, 1), code, code, 1.0)]
    return [p for ps in out.values() for p in ps]


BOUNDARIES = ("current", "as-published")
BOUNDARIES_VARIABLE = "hukou_boundaries"


def apply_boundaries(con, boundaries: str | None) -> str:
    """Set the variable the views comparable_counts and comparable_rates read: current (default) or as-published."""
    b = (boundaries or "current").strip().lower()
    if b not in BOUNDARIES:
        raise UsageError(f"--boundaries {boundaries!r}: expected current or as-published")
    con.execute(f"SET VARIABLE {BOUNDARIES_VARIABLE} = ?", [b])
    return b
