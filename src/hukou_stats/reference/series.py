"""The statistical series (first half of a figure's basis) and definitions of urban (second half), and the
point date a series implies."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pandas as pd


@functools.lru_cache(maxsize=8)
def _read(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def series_table(reference_dir: Path) -> pd.DataFrame:
    return _read(str(reference_dir / "series.csv"))


def reference_date(year: int, series: str, reference_dir: Path) -> dt.date:
    """Point date of a figure: 1 November for census-type series, else 31 December."""
    st = series_table(reference_dir)
    hit = st.loc[st.series == series, "point_date"]
    mmdd = hit.iloc[0] if len(hit) else "12-31"
    month, day = (int(x) for x in mmdd.split("-"))
    return dt.date(year, month, day)
