"""Connections to the built database for readers (bulletin, targets, query, notebook)."""

from __future__ import annotations

import duckdb

from hukou_stats.core.errors import UsageError
from hukou_stats.core.project import Project
from hukou_stats.reference.boundaries import apply_boundaries
from hukou_stats.reference.releases import Release, apply_release


def connect(
    project: Project, read_only: bool = True, release: Release | str | None = None, boundaries: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the database; `release` (a Release, or 'latest', 'first', 'YYYY-MM-DD') picks the vintage the views
    show; `boundaries` ('current', the default, or 'as-published') those of comparable_counts/comparable_rates."""
    if not project.database.exists():
        raise UsageError(f"no database at {project.database}: run `hukou-stats build` first")
    con = duckdb.connect(str(project.database), read_only=read_only)
    apply_release(con, release)
    apply_boundaries(con, boundaries)
    return con
