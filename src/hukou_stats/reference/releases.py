"""Which release (vintage) of the figures a command reads.

`latest` (the default) takes, for every figure, its latest release; `first` its first release;
a date `YYYY-MM-DD` takes the data as it was known on that date: releases after it are
ignored, and figures whose release date is unknown are left out (they cannot be placed
in time). The choice is held in two DuckDB variables that the view `latest_observations`
reads, so every view built on it (counts, rates, urbanization, ...) follows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hukou_stats.core.errors import UsageError

AS_OF_VARIABLE = "hukou_release_as_of"
PICK_VARIABLE = "hukou_release_pick"


@dataclass(frozen=True)
class Release:
    pick: str = "latest"  # latest | first
    as_of: dt.date | None = None  # ignore releases after this date

    @property
    def label(self) -> str:
        if self.as_of is not None:
            return f"as known on {self.as_of.isoformat()}"
        return f"{self.pick} release"

    @property
    def label_zh(self) -> str:
        if self.as_of is not None:
            return f"截至{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日已发布数据"
        return "最新发布数据" if self.pick == "latest" else "首次发布数据"


LATEST = Release()


def parse_release(text: str | None) -> Release:
    """Parse `latest`, `first` or a date `YYYY-MM-DD` (as given to --release)."""
    if text is None or text.strip().lower() in ("", "latest"):
        return LATEST
    t = text.strip().lower()
    if t == "first":
        return Release(pick="first")
    try:
        return Release(as_of=dt.date.fromisoformat(t))
    except ValueError:
        raise UsageError(f"--release {text!r}: expected latest, first or a date YYYY-MM-DD") from None


def apply_release(con, release: Release | str | None) -> Release:
    """Set the release variables on a DuckDB connection; returns the parsed release."""
    r = release if isinstance(release, Release) else parse_release(release)
    con.execute(f"SET VARIABLE {PICK_VARIABLE} = ?", [r.pick])
    if r.as_of is None:
        con.execute(f"RESET VARIABLE {AS_OF_VARIABLE}")
    else:
        con.execute(f"SET VARIABLE {AS_OF_VARIABLE} = ?::TIMESTAMP", [r.as_of.isoformat()])
    return r


def release_date(published: str) -> tuple[dt.date | None, str]:
    """Resolve a release given as YYYY, YYYY-MM or YYYY-MM-DD.

    A release known only to the month or year is dated at the end of that
    period: the latest day on which it is certain to have been public.
    Returns (date or None, precision: day|month|year|unknown).
    """
    s = str(published).strip()
    if not s:
        return None, "unknown"
    parts = s.split("-")
    y = int(parts[0])
    if len(parts) == 1:
        return dt.date(y, 12, 31), "year"
    m = int(parts[1])
    if len(parts) == 2:
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        return nxt - dt.timedelta(days=1), "month"
    return dt.date(y, m, int(parts[2])), "day"
