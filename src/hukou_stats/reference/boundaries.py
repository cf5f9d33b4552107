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


def boundary_map(pieces: list[Piece]) -> pd.DataFrame:
    """Rows (period_start, period_end, from_code, to_code, weight): a figure dated in
    [period_start, period_end) under from_code is, on today's boundaries, `weight` of it in to_code."""
    dates = sorted({p.date for p in pieces})
    events = {d: [p for p in pieces if p.date == d] for d in dates}
    codes = {p.from_code for p in pieces} | {p.to_code for p in pieces}
    created = {}  # code -> date it was created (a target that was no source in that change)
    for d in dates:
        sources = {p.from_code for p in events[d]}
        for p in events[d]:
            if p.to_code not in sources and p.to_code not in created:
                created[p.to_code] = d
    abolished = {}  # code -> date it ceased (a source that is no target of that change)
    for d in dates:
        targets = {p.to_code for p in events[d]}
        for p in events[d]:
            if p.from_code not in targets:
                abolished.setdefault(p.from_code, d)
    rows = []
    for k, end in enumerate(dates):
        start = dates[k - 1] if k else None
        for code in sorted(codes):
            if code in created and created[code] >= end:
                continue  # did not exist in this period
            if code in abolished and start is not None and abolished[code] <= start:
                continue  # no longer existed
            current = {code: 1.0}
            for d in dates[k:]:
                nxt: dict[str, float | None] = {}
                for c, w in current.items():
                    out = [p for p in events[d] if p.from_code == c]
                    for p in out or [Piece(d, c, c, 1.0)]:
                        ww = None if w is None or p.weight is None else w * p.weight
                        if p.to_code in nxt:
                            nxt[p.to_code] = None if nxt[p.to_code] is None or ww is None else nxt[p.to_code] + ww
                        else:
                            nxt[p.to_code] = ww
                current = nxt
            rows += [(start, end, code, to, w) for to, w in current.items()]
    return pd.DataFrame(rows, columns=MAP_COLUMNS)


BOUNDARIES = ("current", "as-published")
BOUNDARIES_VARIABLE = "hukou_boundaries"


def apply_boundaries(con, boundaries: str | None) -> str:
    """Set the variable the views comparable_counts and comparable_rates read: current (default) or as-published."""
    b = (boundaries or "current").strip().lower()
    if b not in BOUNDARIES:
        raise UsageError(f"--boundaries {boundaries!r}: expected current or as-published")
    con.execute(f"SET VARIABLE {BOUNDARIES_VARIABLE} = ?", [b])
    return b
