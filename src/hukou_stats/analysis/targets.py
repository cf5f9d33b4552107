"""Target attainment as a DataFrame, read from the view target_status.

Example:
    >>> from hukou_stats.warehouse.connection import connect
    >>> con = connect(Project.at("."))
    >>> assess(con, region="440100", as_of=2018)            # the mid-term evaluation
    >>> assess(con, region="000000", release="2021-03-01")  # as known before the 2020 census results
"""

from __future__ import annotations

import pandas as pd

from hukou_stats.reference.releases import Release
from hukou_stats.warehouse.connection import use_release

GATE = {
    "achieved": "pass",
    "exceeded": "pass",
    "on_track": "pass",
    "not_achieved": "fail",
    "acceleration_needed": "fail",
    "limited_progress": "fail",
    "moving_away": "fail",
    "cannot_assess": "warning",
}

# the columns other modules (bulletin T5, gate, report) rely on, in this order; more follow
ASSESS_COLUMNS = [
    "target_id",
    "region_code",
    "indicator",
    "kind",
    "comparison",
    "target_value",
    "unit",
    "base_year",
    "target_year",
    "as_of_year",
    "base_value",
    "observed_value",
    "margin",
    "progress_ratio",
    "verdict",
    "verdict_zh",
    "method",
    "reason",
    "release_used",
    "source_document",
]


def assess(
    con, region: str | None = None, as_of: int | None = None, release: Release | str | None = None
) -> pd.DataFrame:
    """Assess every target (of one region if given) at evaluation year `as_of`.

    as_of=None is the final evaluation (each target at its target year); a year after a target's
    target year is also its final evaluation; a year before its base year is skipped (nothing to assess).
    `release` (latest, first, YYYY-MM-DD or a Release) is applied to the connection first when given;
    otherwise the connection's current release is used.
    """
    if release is not None:
        use_release(con, release)
    sql = "SELECT * FROM target_status WHERE as_of_year = "
    params: list = []
    if as_of is None:
        sql += "target_year"
    else:
        sql += "least(CAST(? AS INTEGER), target_year)"
        params.append(int(as_of))
    if region is not None:
        sql += " AND region_code = ?"
        params.append(region)
    df = con.execute(sql + " ORDER BY region_code, target_year, target_id", params).df()
    rest = [c for c in df.columns if c not in ASSESS_COLUMNS]
    return df[ASSESS_COLUMNS + rest].reset_index(drop=True)


def observed_path(con, target_id: str, as_of: int | None = None) -> pd.DataFrame:
    """The observed path (year, value) of a target's indicator from its base year up to the evaluation year,
    on the connection's release: the distinct observed points of target_status over the evaluation years."""
    return con.execute(
        """SELECT DISTINCT observed_year AS year, observed_value AS value FROM target_status
           WHERE target_id = ? AND observed_year IS NOT NULL
             AND as_of_year <= least(coalesce(CAST(? AS INTEGER), target_year), target_year)
           ORDER BY year""",
        [target_id, as_of],
    ).df()


def release_sensitivity(con, region: str | None = None, as_of: int | None = None) -> pd.DataFrame:
    """Verdicts under several releases: latest, first, and as known the day before each benchmark revision
    (table benchmarks, e.g. the 2020 census results). One row per target, one column per release; `differs`
    marks the targets whose verdict depends on the release. Leaves the connection on the latest release."""
    import datetime as dt

    releases = ["latest", "first"] + [
        (d - dt.timedelta(days=1)).isoformat()
        for (d,) in con.execute("SELECT DISTINCT CAST(benchmark_date AS DATE) FROM benchmarks ORDER BY 1").fetchall()
    ]
    frames = []
    for r in releases:
        t = assess(con, region=region, as_of=as_of, release=r)
        label = use_release(con, r).label
        frames.append(t[["target_id", "verdict"]].rename(columns={"verdict": label}).set_index("target_id"))
    use_release(con, "latest")
    out = pd.concat(frames, axis=1).fillna("not assessed")
    gate = out.apply(lambda col: col.map(lambda v: GATE.get(v, "n/a")))
    # the outcome depends on the release when the gate differs (pass on one release, fail or cannot assess on
    # another), or when it is not a pass everywhere and the verdicts differ (not achieved vs acceleration needed)
    out["differs"] = (gate.nunique(axis=1) > 1) | ((gate != "pass").any(axis=1) & (out.nunique(axis=1) > 1))
    return out.reset_index()
