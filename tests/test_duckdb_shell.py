"""The DuckDB shell that analysts install as a package (duckdb-cli) opens the database and runs the views."""

import subprocess
import sys

import pytest


def shell() -> list[str]:
    """The shell of the duckdb-cli package, run through this interpreter (a script's own first line breaks in a
    folder whose path holds a double quote)."""
    try:
        import duckdb_cli  # noqa: F401
    except ImportError:
        pytest.fail("the DuckDB shell is not installed: pip install duckdb-cli (part of the test extra)")
    return [sys.executable, "-m", "duckdb_cli"]


def test_the_duckdb_shell_opens_the_database_and_queries_the_headline(bundled):
    r = subprocess.run(
        [*shell(), "-readonly", "-csv", str(bundled.database), "-c",
         "select region_code, year, round(resident_rate_pct, 2) as r from urbanization "
         "where region_code = '440100' and year = 2021"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["region_code,year,r", "440100,2021,86.46"]


def test_the_shell_sees_every_view_with_its_description(bundled, con):
    r = subprocess.run(
        [*shell(), "-readonly", "-csv", str(bundled.database), "-c",
         "select count(*) from duckdb_views() where not internal and comment is not null"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    n = con.execute("select count(*) from duckdb_views() where not internal").fetchone()[0]
    assert r.stdout.splitlines()[1] == str(n)
