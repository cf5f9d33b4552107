"""A contradiction inside one publication: two different values for the same figure.

The same figure is the same region, year, measure, point date (reference date), source, release, series and
definition. Two rows of one figure agree when their values are equal within the precision each is published to
(1530.59 万人 and 15,305,923 persons agree); otherwise the publication contradicts itself, and neither value can be
published: an error, so nothing is stored, naming every row involved. Figures already stored take part (a new
row contradicting a stored one is an error); contradictions among stored rows alone are not reported again.
Between different publications figures may disagree: that is the cross-checks' warning, not this error.
"""

from __future__ import annotations

import pandas as pd

from hukou_stats.core.errors import Issue

FIGURE = ["region_code", "year", "measure", "reference_date", "source", "release_date", "series", "definition"]
MAX_NAMED = 10  # rows named in one message


def contradictions(new: pd.DataFrame, stored: pd.DataFrame | None = None) -> list[Issue]:
    """One error per figure for which the rows (new, or new and stored) give values that differ by more than
    their precision."""
    if new.empty:
        return []
    frames = [new.assign(new_row=True)]
    if stored is not None and not stored.empty:
        old = stored[~stored.row_id.isin(new.row_id)]
        frames.insert(0, old.astype({"year": "int64"}).assign(new_row=False))
    df = pd.concat(frames, ignore_index=True).drop_duplicates("row_id")  # one figure given twice is not two
    keyed = df[FIGURE].astype("string").fillna("\x00")  # a missing definition or date is a value of the key
    groups = df.groupby([keyed[c] for c in FIGURE], sort=False).ngroup()
    df = df.assign(figure_no=groups.to_numpy())
    by = df.groupby("figure_no")
    spread = by.value.transform("max") - by.value.transform("min")
    suspect = df[(spread > 0) & by.new_row.transform("any")]  # more than one value, and a new row among them
    return [_issue(g) for _, g in suspect.groupby("figure_no", sort=False) if _disagree(g)]


def _disagree(g: pd.DataFrame) -> bool:
    """Some two rows differ by more than the sum of their precisions."""
    rows = list(zip(g.value, g.precision))
    return any(abs(a - b) > pa + pb + 1e-9 for i, (a, pa) in enumerate(rows) for b, pb in rows[i + 1 :])


def _issue(g: pd.DataFrame) -> Issue:
    g = g.sort_values(["new_row", "source_file", "source_row"], ascending=[False, True, True])
    first = g.iloc[0]
    named = [
        f"{r.value_published} {r.unit_published} ({r.source_file} row {int(r.source_row)}"
        + ("" if r.new_row else ", stored")
        + ")"
        for r in g.head(MAX_NAMED).itertuples()
    ]
    more = f" and {len(g) - MAX_NAMED} more" if len(g) > MAX_NAMED else ""
    basis = first.series + (f"/{first.definition}" if isinstance(first.definition, str) and first.definition else "")
    return Issue(
        "error",
        "contradiction",
        f"one publication gives {len(g)} different values for {first.measure} of {first.region_code} in "
        f"{first.year} ({basis}, source {first.source!r}, released {first.published}): {'; '.join(named)}{more}. "
        "Which one is right cannot be told: correct the input (nothing was stored)",
        file=first.source_file,
        row=int(first.source_row),
        column="value",
        value=str(first.value_published),
        rows="; ".join(f"{r.source_file}:{int(r.source_row)}" for r in g.itertuples()),
        row_ids=tuple(g.row_id),
    )
