"""Connections to the built database for readers (bulletin, targets, revisions, evaluation, query).

The build stores the views analysts and the bulletin read (counts, rates, urbanization, ...) as tables computed
for the latest release. A connection on another release (`first`, or as known on a date) puts their definitions
back as temporary views of the same names (table release_views), so that every view and query reads that release:
`use_release`.

Every reader connection is read-only with every way out of the file closed (core.database.open_read_only). The
database a connection reads is recorded as it is opened (its SHA-256, content digest and build inputs), so that
an output made from it names that database even if a build replaces the file meanwhile
(core.provenance.database_read).
"""

from __future__ import annotations

import os
import re

import duckdb

from hukou_stats.core import provenance
from hukou_stats.core.database import open_read_only
from hukou_stats.core.errors import InputOutputError, UsageError
from hukou_stats.core.project import Project
from hukou_stats.core.sql import identifier
from hukou_stats.reference.boundaries import apply_boundaries
from hukou_stats.reference.releases import Release, apply_release

OPEN_ATTEMPTS = 5


def connect(
    project: Project, release: Release | str | None = None, boundaries: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the database; `release` (a Release, or 'latest', 'first', 'YYYY-MM-DD') picks the vintage the views
    show; `boundaries` ('current', the default, or 'as-published') those of comparable_counts/comparable_rates."""
    con = open_database(project)
    try:
        use_release(con, release)
        apply_boundaries(con, boundaries)
    except BaseException:
        con.close()
        raise
    return con


_CREATE_VIEW = re.compile(r"^\s*CREATE\s+VIEW\s+", re.IGNORECASE)


def use_release(con: duckdb.DuckDBPyConnection, release: Release | str | None) -> Release:
    """Read `release` on this connection: set the release variables, and for any release but the latest, put the
    definitions of the stored views back as temporary views (for the latest, drop them: the tables are it)."""
    r = apply_release(con, release)
    latest = r.as_of is None and r.pick == "latest"
    try:
        stored = con.execute("SELECT name, sql FROM release_views ORDER BY position").fetchall()
    except duckdb.CatalogException:  # a database built before views were stored as tables
        stored = []
    for name, sql in stored:
        if latest:
            con.execute(f"DROP VIEW IF EXISTS temp.{identifier(name)}")
        else:
            con.execute(_CREATE_VIEW.sub("CREATE OR REPLACE TEMP VIEW ", sql, count=1))
    return r


def open_database(project: Project, options: dict | None = None) -> duckdb.DuckDBPyConnection:
    """The database, read-only and locked down, recorded as read by this process (provenance.database_read).
    The file is pinned before DuckDB opens it: if a build renames a new file into place between the two opens,
    the attempt is repeated, so that what is recorded is what DuckDB reads."""
    db = project.database
    if not db.exists():
        raise UsageError(f"no database at {db}: run `hukou-stats build` first")
    for _ in range(OPEN_ATTEMPTS):
        try:
            fd = os.open(db, os.O_RDONLY)
        except FileNotFoundError:
            continue
        except OSError as e:
            raise InputOutputError(f"cannot read {db}: {e.strerror or e}") from e
        try:
            try:
                con = open_read_only(db, options)
            except duckdb.Error as e:
                raise InputOutputError(f"cannot open {db} as a DuckDB database: {str(e).splitlines()[0]}") from e
            try:
                if os.stat(db).st_ino != os.fstat(fd).st_ino:
                    con.close()
                    continue
                provenance.record_database_read(project.root, db, fd, con)
            except BaseException:
                con.close()
                raise
            return con
        finally:
            os.close(fd)
    raise InputOutputError(f"{db} was replaced {OPEN_ATTEMPTS} times while being opened; run again")
