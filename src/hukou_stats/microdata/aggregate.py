"""Counts from person-level records, in DuckDB, with a memory limit and a spill folder.

Each person file is scanned once and grouped by village code (the only wide step); the village counts are
joined to the code list of the reference year and rolled up to county, prefecture, province (and the
country) in a few thousand rows. Nothing is loaded into pandas except the final counts.

Rules:
- hukou_total / hukou_urban: register rows by registration area; urban = class 111-123 of the village;
- resident_total / resident_urban: resident rows by residence area;
- 人户分离 (residence and registration in different 乡镇街道, i.e. the first 9 digits differ), by residence
  area: separated_within_county (same county) and separated_across_counties (another county, or registered
  outside the region: reg_code = 0);
- every row is counted in the totals as delivered: a person whose village is missing from the code list,
  or has an unknown class, is in the total of the county named by the code's digits and not in the urban
  count; quality.py counts and shows these cases (the CLI stores nothing while any is present unless told).
- levels above the smallest region holding every code of the code list (the scope) are not produced:
  a Guangzhou code list gives its districts and the city, never a Guangdong total.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from hukou_stats.core.errors import InputOutputError, UsageError
from hukou_stats.core.sql import literal
from hukou_stats.microdata.codes import is_rollup_unit

URBAN_CLASSES = (111, 112, 121, 122, 123)
RURAL_CLASSES = (210, 220)
MEASURES = (
    "hukou_total",
    "hukou_urban",
    "resident_total",
    "resident_urban",
    "separated_within_county",
    "separated_across_counties",
)
OUTSIDE_REGION = 0  # residents' reg_code for persons registered outside the region
DEFAULT_MEMORY_LIMIT = "2GB"

# unit code (as a number) of each level, from a 12-digit village code
LEVEL_EXPR = {
    3: "code // 1000000",  # county  XXYYZZ
    2: "code // 100000000 * 100",  # prefecture XXYY00
    1: "code // 10000000000 * 10000",  # province XX0000
    0: "0",  # China 000000
}


@dataclass(frozen=True)
class Inputs:
    codes: Path
    register: Path
    residents: Path

    def check(self) -> None:
        for name, p in (("code list", self.codes), ("register", self.register), ("residents", self.residents)):
            if not Path(p).is_file():
                raise InputOutputError(f"{name} file not found: {p}")


MEMORY_LIMIT = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def connect(
    memory_limit: str = DEFAULT_MEMORY_LIMIT, temp_directory: Path | None = None, threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB bounded in memory; what does not fit spills to temp_directory. The settings are
    checked here and passed as configuration (never as SQL text)."""
    if not isinstance(memory_limit, str) or not MEMORY_LIMIT.match(memory_limit):
        raise UsageError(f"--memory-limit {memory_limit!r}: give a size such as 2GB, 500MB or 1.5GiB")
    tmp = Path(temp_directory) if temp_directory else Path(tempfile.gettempdir()) / f"hukou-stats-spill-{os.getpid()}"
    if tmp.exists() and not tmp.is_dir():
        raise UsageError(f"--temp-dir {tmp}: not a folder")
    config = {"memory_limit": memory_limit.strip(), "temp_directory": str(tmp), "preserve_insertion_order": False}
    if threads:
        config["threads"] = int(threads)
    try:
        return duckdb.connect(config=config)
    except duckdb.Error as e:
        raise UsageError(f"DuckDB refused the settings memory_limit={memory_limit!r}, temp_directory={tmp}: {e}") from e


CSV_TYPES = {
    "codes": {"year": "INTEGER", "code": "VARCHAR", "name": "VARCHAR", "class": "VARCHAR"},
    "register": {"person_id": "BIGINT", "reg_code": "BIGINT", "sex": "TINYINT", "birth_year": "SMALLINT"},
    "residents": {"person_id": "BIGINT", "res_code": "BIGINT", "reg_code": "BIGINT"},
}


def scan(path: Path, kind: str) -> str:
    """A FROM clause for a Parquet or CSV input (CSV columns get their declared types). Views over files cannot
    take parameters, so the path is written as a quoted literal."""
    if Path(path).suffix.lower() == ".parquet":
        return f"read_parquet({literal(str(path))})"
    types = "{" + ", ".join(f"{literal(c)}: {literal(t)}" for c, t in CSV_TYPES[kind].items()) + "}"
    return f"read_csv({literal(str(path))}, header = true, types = {types})"


def register_inputs(con: duckdb.DuckDBPyConnection, inputs: Inputs, year: int) -> None:
    """Views codes (of the year), register and residents over the files (nothing is loaded)."""
    inputs.check()
    con.execute(f"CREATE OR REPLACE TEMP VIEW codes_all AS SELECT * FROM {scan(inputs.codes, 'codes')}")
    con.execute(f"""CREATE OR REPLACE TEMP VIEW codes AS
        SELECT TRY_CAST(code AS BIGINT) AS code, name, TRY_CAST(class AS INTEGER) AS class
        FROM codes_all WHERE year = {int(year)}""")
    con.execute(f"CREATE OR REPLACE TEMP VIEW register AS SELECT * FROM {scan(inputs.register, 'register')}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW residents AS SELECT * FROM {scan(inputs.residents, 'residents')}")


def scope_of(con: duckdb.DuckDBPyConnection) -> tuple[str, int]:
    """The smallest region holding every code of the code list, and its level (0 China ... 3 county)."""
    lo, hi, n = con.execute("SELECT min(code), max(code), count(code) FROM codes").fetchone()
    if not n:
        years = [r[0] for r in con.execute("SELECT DISTINCT year FROM codes_all ORDER BY 1").fetchall()]
        raise UsageError(
            f"the code list has no valid 12-digit code for the year asked; years in it: "
            f"{', '.join(map(str, years)) or 'none'}"
        )
    lo, hi = f"{lo:012d}", f"{hi:012d}"
    for level, digits in ((3, 6), (2, 4), (1, 2)):
        if lo[:digits] == hi[:digits]:
            return lo[:digits].ljust(6, "0"), level
    return "000000", 0


# one statement per person file: DuckDB runs each wide GROUP BY on all threads (in one statement joined
# together they ran at half the speed at 100M rows)
REGISTER_COUNTS = """
CREATE OR REPLACE TEMP TABLE register_counts AS
SELECT reg_code AS code, count(*) AS n FROM register GROUP BY ALL
"""
RESIDENT_COUNTS = """
CREATE OR REPLACE TEMP TABLE resident_counts AS
-- a NULL registration code compares as NULL and is counted in neither (quality.py reports it)
SELECT res_code AS code,
       count(*) AS n,
       count_if(reg_code // 1000 <> res_code // 1000) AS n_separated,
       count_if(reg_code // 1000000 <> res_code // 1000000) AS n_across
FROM residents GROUP BY ALL
"""
VILLAGE_COUNTS = """
CREATE OR REPLACE TEMP TABLE village_counts AS
WITH cls AS (
    SELECT code, any_value(class) AS class FROM codes GROUP BY ALL
)
SELECT v.code, coalesce(v.hukou, 0) AS hukou, coalesce(v.resident, 0) AS resident,
       coalesce(v.n_within, 0) AS n_within, coalesce(v.n_across, 0) AS n_across,
       cls.class IN {urban} AS urban
FROM (SELECT coalesce(reg.code, res.code) AS code, reg.n AS hukou, res.n AS resident,
             res.n_separated - res.n_across AS n_within, res.n_across
      FROM register_counts reg FULL OUTER JOIN resident_counts res ON reg.code = res.code) v
LEFT JOIN cls ON cls.code = v.code
WHERE v.code IS NOT NULL
"""

ROLLUP = """
SELECT lpad(CAST({expr} AS VARCHAR), 6, '0') AS region_code, {level} AS level,
       sum(hukou) AS hukou_total,
       sum(hukou) FILTER (WHERE urban) AS hukou_urban,
       sum(resident) AS resident_total,
       sum(resident) FILTER (WHERE urban) AS resident_urban,
       sum(n_within) AS separated_within_county,
       sum(n_across) AS separated_across_counties
FROM village_counts GROUP BY ALL
"""


def aggregate(con: duckdb.DuckDBPyConnection, inputs: Inputs, year: int) -> pd.DataFrame:
    """Counts per region (wide: one row per region, one column per measure), levels county up to the scope."""
    register_inputs(con, inputs, year)
    scope, scope_level = scope_of(con)
    con.execute(REGISTER_COUNTS)
    con.execute(RESIDENT_COUNTS)
    con.execute(VILLAGE_COUNTS.format(urban=URBAN_CLASSES))
    parts = [ROLLUP.format(expr=LEVEL_EXPR[lv], level=lv) for lv in (3, 2, 1, 0) if lv >= scope_level]
    df = con.execute(" UNION ALL ".join(parts) + " ORDER BY level, region_code").df()
    # a region outside the scope (a code of another province in a person file) is kept at county level only
    if scope_level > 0:
        keep = (df.level == 3) | df.region_code.str.startswith(scope[: {1: 2, 2: 4, 3: 6}[scope_level]])
        df = df[keep]
    # groupings that are no unit (a municipality's 市辖区 PP0100, 省直辖 PP9000) get no figure of their own;
    # their persons are in the counties below and the province above
    df = df[df.region_code.map(lambda c: c == "000000" or is_rollup_unit(c))]
    for m in MEASURES:
        df[m] = df[m].fillna(0).astype("int64")
    df.attrs["scope"] = scope
    return df.reset_index(drop=True)


def long_counts(wide: pd.DataFrame) -> pd.DataFrame:
    """region_code, measure, value: the form compared across implementations and turned into observations."""
    out = wide.melt(id_vars=["region_code", "level"], value_vars=list(MEASURES), var_name="measure", value_name="value")
    return out.sort_values(["region_code", "measure"]).reset_index(drop=True)
