"""Comparability rules for a change of an indicator between two years (for the bulletin, the target
assessment and anything else that compares two years).

The rules live in the database (one mechanism, used by the view urbanization_changes):
- definition breaks: table definition_breaks (data/reference/definition_breaks.csv) spread to the
  regions below the declared one, with bridges, in the view `comparability`;
- series and benchmark revisions: a change compares values of the same series, definition and point
  date, and resident figures released on either side of a benchmark (table benchmarks) are not compared.

`breaks_between` answers: which definition breaks lie between two years for a region and indicator,
and whether each can be bridged (a year measured under both definitions, supplied as data).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Break:
    region_code: str
    indicator: str
    break_year: int
    definition_before: str
    definition_after: str
    bridge_year: int | None
    bridge_shift_pp: float | None

    @property
    def bridged(self) -> bool:
        return self.bridge_year is not None

    @property
    def note(self) -> str:
        how = f"bridged via {self.bridge_year}" if self.bridged else "no bridge: not compared"
        return (
            f"{self.indicator}: definition break {self.break_year} "
            f"({self.definition_before} -> {self.definition_after}), {how}"
        )


def breaks_between(
    con: duckdb.DuckDBPyConnection, region_code: str, indicator: str, year_from: int, year_to: int
) -> list[Break]:
    """Definition breaks crossed by a comparison of `indicator` ('hukou_rate_pct', 'resident_rate_pct';
    'gap_pp' checks both) between two years: y1 < break_year <= y2. Empty list = no break."""
    lo, hi = sorted((year_from, year_to))
    indicators = ["hukou_rate_pct", "resident_rate_pct"] if indicator == "gap_pp" else [indicator]
    rows = con.execute(
        """SELECT region_code, indicator, break_year, definition_before, definition_after,
                                 bridge_year, bridge_shift_pp
                          FROM comparability
                          WHERE region_code = ? AND list_contains(?, indicator) AND break_year > ? AND break_year <= ?
                          ORDER BY break_year""",
        [region_code, indicators, lo, hi],
    ).fetchall()
    return [Break(*r) for r in rows]


def comparable(
    con: duckdb.DuckDBPyConnection, region_code: str, indicator: str, year_from: int, year_to: int
) -> tuple[bool, str | None]:
    """(True, None) when no break lies between the years; (True, note) when every break is bridged;
    (False, note) when one is not."""
    found = breaks_between(con, region_code, indicator, year_from, year_to)
    if not found:
        return True, None
    return all(b.bridged for b in found), "; ".join(b.note for b in found)
