"""Revision triangle of one figure (reference year x release) and summary revision statistics.

Reads the views `revisions` and `revision_summary`; values are rounded half-up at output only,
to the decimals each figure was published with (revisions to the largest of those).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from hukou_stats.core.errors import UsageError
from hukou_stats.core.numbers import round_half_up

# accepted spellings of the rate measures (the indicator names of the view rates)
MEASURE_ALIASES = {
    "resident_rate_pct": "resident_urban_rate_pct",
    "resident_rate": "resident_urban_rate_pct",
    "hukou_rate_pct": "hukou_urban_rate_pct",
    "hukou_rate": "hukou_urban_rate_pct",
}


@dataclass
class Triangle:
    region_code: str
    region_name: str
    measure: str
    unit: str
    cells: pd.DataFrame  # index: reference year (and point date if not 31 Dec), columns: release date
    series: pd.DataFrame  # same shape: the series of each cell
    n_years: int
    mean_revision: float | None
    mean_abs_revision: float | None
    decimals: int


def revision_triangle(con: duckdb.DuckDBPyConnection, region_code: str, measure: str) -> Triangle:
    measure = MEASURE_ALIASES.get(measure, measure)
    df = con.execute(
        """SELECT year, reference_date, definition, release_date, series, value, unit, decimals,
                               region_name
                        FROM revisions WHERE region_code = ? AND measure = ?
                        ORDER BY year, reference_date, release_date""",
        [region_code, measure],
    ).df()
    if df.empty:
        raise UsageError(
            f"no published figure of {measure} for region {region_code} "
            "(measures: resident_urban_rate_pct, resident_total, hukou_total, ...)"
        )
    point = df.reference_date.dt.strftime("%m-%d")
    df["row"] = (
        df.year.astype(str)
        + point.where(point != "12-31", "").map(lambda p: f" ({p})" if p else "")
        + df.definition.fillna("").map(lambda d: f" [{d}]" if d else "")
    )
    df["col"] = df.release_date.dt.strftime("%Y-%m-%d")
    decimals = int(df.decimals.max())
    df["shown"] = [str(round_half_up(v, int(d))) for v, d in zip(df.value, df.decimals)]
    cells = df.pivot(index="row", columns="col", values="shown")
    series = df.pivot(index="row", columns="col", values="series")
    s = con.execute(
        "SELECT n_years, mean_revision, mean_abs_revision FROM revision_summary WHERE region_code = ? AND measure = ?",
        [region_code, measure],
    ).fetchone()
    n, mean, mean_abs = s if s else (0, None, None)
    return Triangle(
        region_code,
        str(df.region_name.iloc[0]),
        measure,
        str(df.unit.iloc[0]),
        cells,
        series,
        int(n),
        mean,
        mean_abs,
        decimals,
    )
