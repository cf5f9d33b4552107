"""Counts from person-level records, in DuckDB, with a memory limit and a spill folder.

Each person file is scanned once, in one statement, grouped by village code (the only wide steps); the
village counts are joined to the code list of the reference year and rolled up to county, prefecture,
province (and the country) in a few thousand rows. Nothing is loaded into pandas except the final counts.

Rules:
- hukou_total / hukou_urban: register rows by registration area; urban = class 111-123 of the village;
- resident_total / resident_urban: resident rows by residence area;
- 人户分离 (residence and registration in different 乡镇街道, i.e. the first 9 digits differ), by residence
  area: separated_within_county (same county) and separated_across_counties (another county, or registered
  outside the region: reg_code = 0); a resident whose registration code is empty is counted in neither;
- every row is counted in the totals as delivered, at the lowest level that can be known: a person whose
  12-digit code (province 11-82) inside the scope is missing from the code list, or whose village has an
  unknown class, is in the total of the county named by the code's digits (of the prefecture or province
  when those digits name no county unit: PPCC00, a city's 市辖区 PPCC01) and in no urban count; a person
  whose code is empty, not a 12-digit code or outside the scope is in the total of the scope only, in no
  urban count and, for a residence code, in neither 人户分离 count. A village listed twice with different
  classes is urban only if every row says so. quality.py counts and shows these cases, with where they are
  counted (the CLI stores nothing while any is present unless told).
- the scope is the smallest unit holding every 12-digit code of the code list (a Beijing list of 1101xx
  districts: 110000, as 110100 is no unit); levels above it are not produced: a Guangzhou code list gives
  its districts and the city, never a Guangdong total.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from hukou_stats.core.errors import InputOutputError, UsageError
from hukou_stats.core.sql import identifier, literal
from hukou_stats.microdata.codes import NATION, is_rollup_unit, level_of

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
CODE_MIN, CODE_MAX = 110000000000, 829999999999  # a 12-digit village code, province 11..82
LOCATED = f"BETWEEN {CODE_MIN} AND {CODE_MAX}"

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
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit.strip(),
        "temp_directory": str(tmp),
        "preserve_insertion_order": False,
    }
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
    for table in DERIVED:  # counts of earlier inputs in this connection
        con.execute(f"DROP TABLE IF EXISTS {table}")


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether this connection holds the table (the catalog function duckdb_tables() costs milliseconds)."""
    try:
        con.execute(f"SELECT 1 FROM {identifier(name)} LIMIT 0")
    except duckdb.CatalogException:
        return False
    return True


CODE_CLASSES = """
CREATE OR REPLACE TEMP TABLE code_classes AS
SELECT code, bool_and(coalesce(class IN {urban}, false)) AS urban FROM codes WHERE code {located} GROUP BY ALL
"""


def scope_of(con: duckdb.DuckDBPyConnection) -> tuple[str, int]:
    """The smallest unit holding every (12-digit) code of the code list, and its level (0 China ... 3 county).
    Reads the code list once into code_classes: each code, urban when every row of it gives an urban class."""
    if not has_table(con, "code_classes"):
        con.execute(CODE_CLASSES.format(urban=URBAN_CLASSES, located=f"BETWEEN {CODE_MIN} AND {CODE_MAX}"))
    row = con.execute("SELECT min(code), max(code), count(*) FROM code_classes").fetchone()
    lo, hi, n = row or (None, None, 0)
    if not n:
        years = [r[0] for r in con.execute("SELECT DISTINCT year FROM codes_all ORDER BY 1").fetchall()]
        raise UsageError(
            f"the code list has no valid 12-digit code for the year asked; years in it: "
            f"{', '.join(map(str, years)) or 'none'}"
        )
    lo, hi = f"{lo:012d}", f"{hi:012d}"
    for level, digits in ((3, 6), (2, 4), (1, 2)):
        # the smallest unit: a municipality's 市辖区 (110100), 省直辖 (429000) or a city's 市辖区 (440101) is none
        if lo[:digits] == hi[:digits] and is_rollup_unit(lo[:digits].ljust(6, "0")):
            return lo[:digits].ljust(6, "0"), level
    return "000000", 0


SCOPE_DIGITS = {0: 0, 1: 2, 2: 4, 3: 6}


def scope_range(scope: str, scope_level: int) -> tuple[int, int]:
    """The 12-digit village codes inside the scope: persons with such a code are located by its digits."""
    digits = SCOPE_DIGITS[scope_level]
    if not digits:
        return CODE_MIN, CODE_MAX
    prefix, width = int(scope[:digits]), 10 ** (12 - digits)
    return max(CODE_MIN, prefix * width), min(CODE_MAX, (prefix + 1) * width - 1)


def counted_in(code: int | None, scope: str, scope_level: int) -> str:
    """The lowest region whose total includes a person with this code (the rule of the rollup below): the
    county of a 12-digit code inside the scope (or the prefecture, province when the county code is no unit);
    the scope for an empty code, a code that is not 12 digits, or one outside the scope."""
    lo, hi = scope_range(scope, scope_level)
    if code is None or not lo <= int(code) <= hi:
        return scope
    c = f"{int(code):012d}"
    for unit, level in ((c[:6], 3), (c[:4] + "00", 2), (c[:2] + "0000", 1)):
        if level >= scope_level and level_of(unit) == level and is_rollup_unit(unit):
            return unit
    return scope


# One statement per person file: DuckDB runs each wide GROUP BY on all threads. The residents' statement
# keeps ONE aggregate per village: every row adds a packed number, 1 (the person) + 2^31 if separated (another
# 乡镇街道) + 2^62 if across counties, summed exactly in DuckDB's 128-bit sum state; the three counts are
# unpacked from the few thousand sums. Each field holds any count below 2^31, so the packing is used when the
# file has fewer rows than that (RESIDENT_COUNTS_UNPACKED otherwise). The CASE settles the two in three persons
# living in their village of registration with one comparison. Measured at 10M and 100M persons: about half of
# what three aggregates (count, count_if, count_if) cost beyond the floor.
PACK_LIMIT = 1 << 31
DERIVED = (
    "code_classes",
    "register_counts",
    "resident_counts",
    "residents_reg_counts",
    "register_repeated",
    "residents_repeated",
)
REGISTER_COUNTS = """
CREATE OR REPLACE TEMP TABLE register_counts AS
SELECT reg_code AS code, count(*) AS n FROM register GROUP BY ALL
"""
RESIDENT_COUNTS = """
CREATE OR REPLACE TEMP TABLE resident_counts AS
SELECT code, CAST(v % 2147483648 AS BIGINT) AS n,
       CAST((v // 2147483648) % 2147483648 - v // 4611686018427387904 AS BIGINT) AS n_within,
       CAST(v // 4611686018427387904 AS BIGINT) AS n_across
FROM (
    SELECT res_code AS code,
           sum(CASE WHEN reg_code = res_code THEN 1
                    WHEN reg_code // 1000000 <> res_code // 1000000 THEN 4611686020574871553
                    WHEN reg_code // 1000 <> res_code // 1000 THEN 2147483649
                    ELSE 1 END) AS v  -- an empty reg_code: neither (every comparison is NULL)
    FROM residents GROUP BY ALL
)
"""
RESIDENT_COUNTS_UNPACKED = """
CREATE OR REPLACE TEMP TABLE resident_counts AS
SELECT res_code AS code, count(*) AS n,
       count_if(reg_code // 1000000 = res_code // 1000000 AND reg_code // 1000 <> res_code // 1000) AS n_within,
       count_if(reg_code // 1000000 <> res_code // 1000000) AS n_across
FROM residents GROUP BY ALL
"""
# The roll-up, one statement over the few thousand village counts: each code with its class and whether it
# locates the person (a 12-digit code inside the scope, counted by its digits) or not (empty, malformed or
# outside the scope: counted in the scope only, never urban), then one GROUPING SETS over the levels.
ROLLUP = """
WITH v AS (
    SELECT coalesce(reg.code, res.code) AS code, reg.n AS hukou, res.n AS resident, res.n_within, res.n_across
    FROM register_counts reg FULL OUTER JOIN resident_counts res ON reg.code = res.code
),
villages AS (
    SELECT v.*, coalesce(v.code BETWEEN $lo AND $hi, false) AS located,
           coalesce(v.code BETWEEN $lo AND $hi AND cls.urban, false) AS urban
    FROM v LEFT JOIN code_classes cls ON cls.code = v.code
),
units AS (
    SELECT *, {units} FROM villages
)
SELECT CASE {level_of} END AS level, coalesce({unit_list}) AS unit,
       sum(hukou) AS hukou_total,
       sum(hukou) FILTER (WHERE urban) AS hukou_urban,
       sum(resident) AS resident_total,
       sum(resident) FILTER (WHERE urban) AS resident_urban,
       sum(n_within) FILTER (WHERE located) AS separated_within_county,
       sum(n_across) FILTER (WHERE located) AS separated_across_counties
FROM units GROUP BY GROUPING SETS ({sets})
HAVING coalesce({unit_list}) IS NOT NULL
ORDER BY level, unit
"""


def rollup_sql(scope_level: int) -> str:
    """ROLLUP for the levels from the county up to the scope: unit u<level> is the region of the code at that
    level, or the scope (at the scope's level only) for a person the code does not locate."""
    levels = [lv for lv in (3, 2, 1, 0) if lv >= scope_level]
    units = ", ".join(
        f"CASE WHEN located THEN {LEVEL_EXPR[lv]} {'ELSE $scope ' if lv == scope_level else ''}END AS u{lv}"
        for lv in levels
    )
    return ROLLUP.format(
        units=units,
        level_of=" ".join(f"WHEN GROUPING(u{lv}) = 0 THEN {lv}" for lv in levels),
        unit_list=", ".join(f"u{lv}" for lv in levels),
        sets=", ".join(f"(u{lv})" for lv in levels),
    )


def rows_upper_bound(path: Path) -> int:
    """At least the number of rows of a person file, known without reading it: the Parquet footer, or for a
    CSV its size (every row has a delimiter and an end of line)."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (OSError, ValueError) as e:
            raise InputOutputError(f"cannot read {path} as Parquet: {e}") from e
    return path.stat().st_size // 2


def count_villages(con: duckdb.DuckDBPyConnection, inputs: Inputs, pack_limit: int = PACK_LIMIT) -> None:
    """The two wide statements: temp tables register_counts (code, n) and resident_counts (code, n, n_within,
    n_across), one row per code as delivered (NULL included). quality.py reads them too."""
    con.execute(REGISTER_COUNTS)
    con.execute(RESIDENT_COUNTS if rows_upper_bound(inputs.residents) < pack_limit else RESIDENT_COUNTS_UNPACKED)


def aggregate(con: duckdb.DuckDBPyConnection, inputs: Inputs, year: int, pack_limit: int = PACK_LIMIT) -> pd.DataFrame:
    """Counts per region (wide: one row per region, one column per measure), levels county up to the scope."""
    register_inputs(con, inputs, year)
    scope, scope_level = scope_of(con)
    count_villages(con, inputs, pack_limit)
    lo, hi = scope_range(scope, scope_level)
    rows = con.execute(rollup_sql(scope_level), {"lo": lo, "hi": hi, "scope": int(scope)}).fetchall()
    # groupings that are no unit (a municipality's 市辖区 PP0100, 省直辖 PP9000), and digits that name a region
    # of another level (a code PPCC00xxxxxx has no county), get no figure of their own; their persons are in
    # the regions above
    units = [(f"{unit:06d}", level, *(int(v or 0) for v in counts)) for level, unit, *counts in rows]
    df = pd.DataFrame(
        [r for r in units if level_of(r[0]) == r[1] and (r[0] == NATION or is_rollup_unit(r[0]))],
        columns=["region_code", "level", *MEASURES],
    ).astype({"level": "int32", **dict.fromkeys(MEASURES, "int64")})
    df.attrs["scope"] = scope
    return df.reset_index(drop=True)


def long_counts(wide: pd.DataFrame) -> pd.DataFrame:
    """region_code, measure, value: the form compared across implementations and turned into observations."""
    out = wide.melt(id_vars=["region_code", "level"], value_vars=list(MEASURES), var_name="measure", value_name="value")
    return out.sort_values(["region_code", "measure"]).reset_index(drop=True)
