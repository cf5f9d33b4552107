"""Reference tables other than regions: series (bases), definitions, measures."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pandas as pd

COUNT_MEASURES = {
    "resident_total",
    "resident_urban",
    "hukou_total",
    "hukou_urban",
    "hukou_rural",
    "hukou_births",
    "hukou_deaths",
    "hukou_in_migration",
    "hukou_out_migration",
    "separated_within_county",
    "separated_across_counties",  # 人户分离, from microdata (by residence area)
}
RATE_MEASURES = {"resident_urban_rate_pct", "hukou_urban_rate_pct"}
MEASURES = COUNT_MEASURES | RATE_MEASURES


@functools.lru_cache(maxsize=8)
def _read(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def series_table(reference_dir: Path) -> pd.DataFrame:
    return _read(str(reference_dir / "series.csv"))


def definitions_table(reference_dir: Path) -> pd.DataFrame:
    return _read(str(reference_dir / "definitions.csv"))


def reference_date(year: int, series: str, reference_dir: Path) -> dt.date:
    """Point date of a figure: 1 November for census-type series, else 31 December."""
    st = series_table(reference_dir)
    hit = st.loc[st.series == series, "point_date"]
    mmdd = hit.iloc[0] if len(hit) else "12-31"
    month, day = (int(x) for x in mmdd.split("-"))
    return dt.date(year, month, day)


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
