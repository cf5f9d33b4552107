"""Quality of person-level inputs, checked over every row in DuckDB (nothing loaded into pandas).

Each check gives a count and up to EXAMPLES examples (the offending code or id, with file, where it occurs
and where the persons concerned are counted). Nothing is dropped: aggregate.py counts every row as delivered
(a person with an empty or unknown code in the total of the lowest level that can be known), and a defect is
either fixed in the input or accepted explicitly (`--accept-defects`), with this report kept beside the
figures.

Cost: every code check reads the per-code counts of aggregate.count_villages (a few thousand rows; made here
when the aggregation has not made them in this connection) plus one GROUP BY reg_code over the residents; the
id checks are one GROUP BY person_id per person file, keeping only the count and the least and greatest code of
each id. Everything else (examples, the codes of a person registered twice) is looked up afterwards for the
few codes and ids shown, and only when there is a defect.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from hukou_stats.core.atomic import write_text
from hukou_stats.microdata.aggregate import (
    CODE_MAX,
    CODE_MIN,
    OUTSIDE_REGION,
    RURAL_CLASSES,
    URBAN_CLASSES,
    Inputs,
    count_villages,
    counted_in,
    has_table,
    scope_of,
)

EXAMPLES = 5
VALID = URBAN_CLASSES + RURAL_CLASSES
CODE_OK = f"BETWEEN {CODE_MIN} AND {CODE_MAX}"  # 12 digits, province 11..82


@dataclass
class Check:
    name: str
    file: str
    column: str
    rule: str
    count: int
    unit: str  # what is counted: rows, persons, codes
    examples: list[dict] = field(default_factory=list)


@dataclass
class QualityReport:
    year: int
    rows: dict
    checks: list[Check]
    not_run: list[str] = field(default_factory=list)

    @property
    def defects(self) -> list[Check]:
        return [c for c in self.checks if c.count > 0]

    def to_json(self) -> str:
        return (
            json.dumps(
                {
                    "year": self.year,
                    "rows": self.rows,
                    "checks": [asdict(c) for c in self.checks],
                    "not_run": self.not_run,
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            )
            + "\n"
        )

    def to_markdown(self, title: str = "Microdata quality report") -> str:
        lines = [
            f"# {title}",
            "",
            f"Code list year {self.year}. Rows read: " + ", ".join(f"{k} {v:,}" for k, v in self.rows.items()) + ".",
            "",
            "Every row is counted in the totals as delivered; the cases below are not dropped, they are "
            "shown so they can be fixed at the source or accepted explicitly. A person whose code is missing "
            "from the code list is counted in the county its digits name; one whose code is empty, not a "
            "12-digit code or outside the region of the code list, in the total of that region only; neither "
            "is in an urban count (column `counted_in` of the examples).",
            "",
            "| check | file | column | rule | count | unit |",
            "|---|---|---|---|---:|---|",
        ]
        lines += [f"| {c.name} | {c.file} | {c.column} | {c.rule} | {c.count:,} | {c.unit} |" for c in self.checks]
        lines += [f"| {name} | | person_id | **not run** (--no-id-checks) | — | |" for name in self.not_run]
        for c in self.defects:
            lines += ["", f"## {c.name}: {c.count:,} {c.unit}", "", f"{c.file}, column `{c.column}`: {c.rule}.", ""]
            if c.examples:
                keys = list(c.examples[0])
                lines += ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
                lines += ["| " + " | ".join(str(e[k]) for k in keys) + " |" for e in c.examples]
        if not self.defects:
            lines += ["", "No defect found."]
        return "\n".join(lines) + "\n"

    def write(self, folder: Path, title: str = "Microdata quality report") -> tuple[Path, Path]:
        md, js = Path(folder) / "quality_report.md", Path(folder) / "quality_report.json"
        write_text(md, self.to_markdown(title))
        write_text(js, self.to_json())
        return md, js


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | None = None) -> list[dict]:
    cur = con.execute(sql, list(params) if params else None)
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | None = None) -> int:
    row = con.execute(sql, list(params) if params else None).fetchone()
    return int(row[0] or 0) if row else 0


# one GROUP BY person_id per file, only the ids that occur more than once kept
REPEATED = """
CREATE OR REPLACE TEMP TABLE {table}_repeated AS
SELECT person_id, count(*) AS rows, min({code}) AS lo, max({code}) AS hi
FROM {table} GROUP BY ALL HAVING count(*) > 1
"""
RESIDENTS_REG_COUNTS = """
CREATE OR REPLACE TEMP TABLE residents_reg_counts AS
SELECT reg_code AS code, count(*) AS n FROM residents GROUP BY ALL
"""


def check_quality(con: duckdb.DuckDBPyConnection, inputs: Inputs, year: int, with_ids: bool = True) -> QualityReport:
    """Run every check over the views made by aggregate.register_inputs (call that first); the per-code counts
    of aggregate() are used when it ran in this connection since.

    with_ids=False skips the checks that group by person id (the costly ones at 100M rows)."""
    f_codes, f_reg, f_res = (Path(p).name for p in (inputs.codes, inputs.register, inputs.residents))
    scope, scope_level = scope_of(con)
    if not (has_table(con, "register_counts") and has_table(con, "resident_counts")):
        count_villages(con, inputs)
    con.execute(RESIDENTS_REG_COUNTS)
    rows = {
        "code list": _one(con, "SELECT count(*) FROM codes"),
        "register": _one(con, "SELECT sum(n) FROM register_counts"),
        "residents": _one(con, "SELECT sum(n) FROM resident_counts"),
    }
    checks: list[Check] = []

    def add(name, file, column, rule, unit, count, examples=()):
        checks.append(Check(name, file, column, rule, int(count), unit, list(examples) if count else []))

    valid = "(" + ", ".join(map(str, VALID)) + ")"
    malformed = f"""FROM codes_all WHERE year = $1 AND (TRY_CAST(code AS BIGINT) IS NULL
        OR NOT TRY_CAST(code AS BIGINT) {CODE_OK} OR length(CAST(code AS VARCHAR)) <> 12)"""
    n = _one(con, f"SELECT count(*) {malformed}", [year])
    add(
        "malformed village code",
        f_codes,
        "code",
        f"12 digits, province 11-82 (year {year})",
        "rows",
        n,
        _records(con, f"SELECT code, name, class {malformed} LIMIT {EXAMPLES}", [year]) if n else (),
    )
    n = _one(con, "SELECT count(*) FROM (SELECT code FROM codes GROUP BY code HAVING count(*) > 1)")
    add(
        "duplicate village code",
        f_codes,
        "code",
        "one row per code and year (urban only if every row says so)",
        "codes",
        n,
        _records(
            con,
            "SELECT code, count(*) AS rows, string_agg(DISTINCT CAST(class AS VARCHAR), ' / ') AS classes "
            f"FROM codes GROUP BY code HAVING count(*) > 1 ORDER BY code LIMIT {EXAMPLES}",
        )
        if n
        else (),
    )
    unknown = f"FROM codes WHERE class IS NULL OR class NOT IN {valid}"
    n = _one(con, f"SELECT count(*) {unknown}")
    add(
        "unknown urban-rural class",
        f_codes,
        "class",
        "one of 111 112 121 122 123 (urban), 210 220 (rural); the persons there are in no urban count",
        "codes",
        n,
        _records(
            con,
            f"""SELECT c.code, c.name, a.class AS class_given, coalesce(r.n, 0) AS residents_there
                FROM codes c JOIN codes_all a ON TRY_CAST(a.code AS BIGINT) = c.code AND a.year = $1
                LEFT JOIN resident_counts r ON r.code = c.code
                WHERE c.class IS NULL OR c.class NOT IN {valid} ORDER BY c.code LIMIT {EXAMPLES}""",
            [year],
        )
        if n
        else (),
    )

    def where(code) -> str:
        return counted_in(code, scope, scope_level)

    for file, table, counts, col, what in (
        (f_reg, "register", "register_counts", "reg_code", "registration"),
        (f_res, "residents", "resident_counts", "res_code", "residence"),
        (f_res, "residents", "residents_reg_counts", "reg_code", "registration"),
    ):
        of_residents = (table, col) == ("residents", "reg_code")
        marker = f" AND t.code <> {OUTSIDE_REGION}" if of_residents else ""
        rule = f"{what} village code present in the code list of {year}"
        if of_residents:
            rule += (
                f" ({OUTSIDE_REGION} = registered outside the region); the person is counted where they live, "
                "and in 人户分离 by comparing the code's digits"
            )
        else:
            rule += "; counted in the county the code names (in the region of the code list when outside it)"
        missing = f"FROM {counts} t ANTI JOIN codes c ON t.code = c.code WHERE t.code IS NOT NULL{marker}"
        n = _one(con, f"SELECT sum(n) {missing}")
        examples: list[dict] = []
        if n:
            top = _records(con, f"SELECT t.code, t.n AS rows {missing} ORDER BY rows DESC, code LIMIT {EXAMPLES}")
            first = {
                r["code"]: r["p"]
                for r in _records(
                    con,
                    f"SELECT {col} AS code, min(person_id) AS p FROM {table} "
                    f"WHERE {col} IN (SELECT unnest($1::BIGINT[])) GROUP BY ALL",
                    [[r["code"] for r in top]],
                )
            }
            examples = [
                {
                    **r,
                    **({} if of_residents else {"counted_in": where(r["code"])}),
                    "example_person_id": first.get(r["code"]),
                }
                for r in top
            ]
        add(f"{what} code missing from the code list", file, col, rule, "rows", n, examples)
        n = _one(con, f"SELECT sum(n) FROM {counts} WHERE code IS NULL")
        empty_rule = "a code is required" + (f" (or {OUTSIDE_REGION})" if of_residents else "")
        empty_rule += (
            "; the person is in neither 人户分离 count"
            if of_residents
            else f"; the person is counted in the total of {scope} (the region of the code list) only"
        )
        add(
            f"{what} code empty",
            file,
            col,
            empty_rule,
            "rows",
            n,
            [
                {**r, **({} if of_residents else {"counted_in": where(None)})}
                for r in _records(
                    con, f"SELECT person_id FROM {table} WHERE {col} IS NULL ORDER BY person_id LIMIT {EXAMPLES}"
                )
            ]
            if n
            else (),
        )
    if with_ids:
        for file, table, code, twice, twice_rule in (
            (
                f_reg,
                "register",
                "reg_code",
                "registered twice",
                "one registration per person (same id, different codes)",
            ),
            (
                f_res,
                "residents",
                "res_code",
                "resident listed twice",
                "one usual residence per person (same id, different codes)",
            ),
        ):
            con.execute(REPEATED.format(table=table, code=code))
            rep = f"{table}_repeated"
            n = _one(con, f"SELECT count(*) FROM {rep} WHERE lo = hi")
            add(
                "duplicate person id",
                file,
                "person_id",
                "each id once (same id and same code repeated; every row is counted)",
                "persons",
                n,
                _records(
                    con,
                    f"SELECT person_id, rows, lo AS code FROM {rep} WHERE lo = hi ORDER BY person_id LIMIT {EXAMPLES}",
                )
                if n
                else (),
            )
            n = _one(con, f"SELECT count(*) FROM {rep} WHERE lo <> hi")
            add(
                twice,
                file,
                "person_id",
                twice_rule + "; every row is counted",
                "persons",
                n,
                _records(
                    con,
                    f"""SELECT r.person_id, r.rows, t.codes FROM (
                            SELECT * FROM {rep} WHERE lo <> hi ORDER BY person_id LIMIT {EXAMPLES}) r
                        JOIN (SELECT person_id, string_agg(DISTINCT CAST({code} AS VARCHAR), ' / '
                                                           ORDER BY CAST({code} AS VARCHAR)) AS codes
                              FROM {table}
                              WHERE person_id IN (SELECT person_id FROM {rep} WHERE lo <> hi
                                                  ORDER BY person_id LIMIT {EXAMPLES})
                              GROUP BY ALL) t USING (person_id)
                        ORDER BY person_id""",
                )
                if n
                else (),
            )
    not_run = [] if with_ids else ["duplicate person id", "registered twice", "resident listed twice"]
    return QualityReport(year, rows, checks, not_run)
