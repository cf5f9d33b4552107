"""Quality of person-level inputs, checked over every row in DuckDB (nothing loaded into pandas).

Each check gives a count and up to EXAMPLES examples (the offending code or id, with file and where it
occurs). Nothing is dropped: aggregate.py counts every row as delivered, and a defect is either fixed in
the input or accepted explicitly (`--accept-defects`), with this report kept beside the figures.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from hukou_stats.core.atomic import write_text
from hukou_stats.microdata.aggregate import OUTSIDE_REGION, RURAL_CLASSES, URBAN_CLASSES, Inputs

EXAMPLES = 5
VALID = URBAN_CLASSES + RURAL_CLASSES
CODE_OK = "BETWEEN 110000000000 AND 829999999999"  # 12 digits, province 11..82


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
            "shown so they can be fixed at the source or accepted explicitly.",
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


def _count_and_examples(con, count_sql: str, examples_sql: str) -> tuple[int, list[dict]]:
    n = con.execute(count_sql).fetchone()[0] or 0
    ex = con.execute(examples_sql + f" LIMIT {EXAMPLES}").df().to_dict("records") if n else []
    return int(n), [{k: (None if v != v else v) if isinstance(v, float) else v for k, v in e.items()} for e in ex]


def check_quality(con: duckdb.DuckDBPyConnection, inputs: Inputs, year: int, with_ids: bool = True) -> QualityReport:
    """Run every check over the views made by aggregate.register_inputs (call that first).

    with_ids=False skips the two checks that group by person id (the costly ones at 100M rows)."""
    f_codes, f_reg, f_res = (Path(p).name for p in (inputs.codes, inputs.register, inputs.residents))
    rows = dict(
        zip(
            ("code list", "register", "residents"),
            con.execute(
                "SELECT (SELECT count(*) FROM codes), (SELECT count(*) FROM register), (SELECT count(*) FROM residents)"
            ).fetchone()
            or (0, 0, 0),
        )
    )
    checks: list[Check] = []

    def add(name, file, column, rule, unit, count_sql, ex_sql):
        n, ex = _count_and_examples(con, count_sql, ex_sql)
        checks.append(Check(name, file, column, rule, n, unit, ex))

    valid = "(" + ", ".join(map(str, VALID)) + ")"
    add(
        "malformed village code",
        f_codes,
        "code",
        f"12 digits, province 11-82 (year {year})",
        "rows",
        f"SELECT count(*) FROM codes_all WHERE year = {int(year)} AND (TRY_CAST(code AS BIGINT) IS NULL OR NOT TRY_CAST(code AS BIGINT) {CODE_OK} OR length(CAST(code AS VARCHAR)) <> 12)",
        f"SELECT code, name, class FROM codes_all WHERE year = {int(year)} AND (TRY_CAST(code AS BIGINT) IS NULL OR NOT TRY_CAST(code AS BIGINT) {CODE_OK} OR length(CAST(code AS VARCHAR)) <> 12)",
    )
    add(
        "duplicate village code",
        f_codes,
        "code",
        "one row per code and year",
        "codes",
        "SELECT count(*) FROM (SELECT code FROM codes GROUP BY code HAVING count(*) > 1)",
        "SELECT code, count(*) AS rows, string_agg(DISTINCT CAST(class AS VARCHAR), ' / ') AS classes FROM codes GROUP BY code HAVING count(*) > 1 ORDER BY code",
    )
    add(
        "unknown urban-rural class",
        f_codes,
        "class",
        "one of 111 112 121 122 123 (urban), 210 220 (rural)",
        "codes",
        f"SELECT count(*) FROM codes WHERE class IS NULL OR class NOT IN {valid}",
        f"""SELECT c.code, c.name, a.class AS class_given,
                   (SELECT count(*) FROM residents r WHERE r.res_code = c.code) AS residents_there
            FROM codes c JOIN codes_all a ON TRY_CAST(a.code AS BIGINT) = c.code AND a.year = {year}
            WHERE c.class IS NULL OR c.class NOT IN {valid} ORDER BY c.code""",
    )
    for file, table, col, what in (
        (f_reg, "register", "reg_code", "registration"),
        (f_res, "residents", "res_code", "residence"),
        (f_res, "residents", "reg_code", "registration"),
    ):
        marker = f" AND {col} <> {OUTSIDE_REGION}" if (table, col) == ("residents", "reg_code") else ""
        rule = f"{what} village code present in the code list of {year}"
        if marker:
            rule += f" ({OUTSIDE_REGION} = registered outside the region)"
        add(
            f"{what} code missing from the code list",
            file,
            col,
            rule,
            "rows",
            f"SELECT count(*) FROM {table} t ANTI JOIN codes c ON t.{col} = c.code WHERE t.{col} IS NOT NULL{marker}",
            f"""SELECT t.{col} AS code, count(*) AS rows, min(t.person_id) AS example_person_id
                FROM {table} t ANTI JOIN codes c ON t.{col} = c.code WHERE t.{col} IS NOT NULL{marker}
                GROUP BY ALL ORDER BY rows DESC, code""",
        )
        add(
            f"{what} code empty",
            file,
            col,
            "a code is required" + (f" (or {OUTSIDE_REGION})" if marker else ""),
            "rows",
            f"SELECT count(*) FROM {table} WHERE {col} IS NULL",
            f"SELECT person_id FROM {table} WHERE {col} IS NULL ORDER BY person_id",
        )
    if with_ids:
        # one GROUP BY person_id per file (the costly step: it may spill); the checks read the small result
        for table, code in (("register", "reg_code"), ("residents", "res_code")):
            con.execute(f"""CREATE OR REPLACE TEMP TABLE {table}_repeated AS
                SELECT person_id, count(*) AS rows, min({code}) AS lo, max({code}) AS hi,
                       string_agg(DISTINCT CAST({code} AS VARCHAR), ' / ') AS codes
                FROM {table} GROUP BY ALL HAVING count(*) > 1""")
        for file, table, twice, twice_rule in (
            (f_reg, "register", "registered twice", "one registration per person (same id, different codes)"),
            (f_res, "residents", "resident listed twice", "one usual residence per person (same id, different codes)"),
        ):
            add(
                "duplicate person id",
                file,
                "person_id",
                "each id once (same id and same code repeated)",
                "persons",
                f"SELECT count(*) FROM {table}_repeated WHERE lo = hi",
                f"SELECT person_id, rows, lo AS code FROM {table}_repeated WHERE lo = hi ORDER BY person_id",
            )
            add(
                twice,
                file,
                "person_id",
                twice_rule,
                "persons",
                f"SELECT count(*) FROM {table}_repeated WHERE lo <> hi",
                f"SELECT person_id, rows, codes FROM {table}_repeated WHERE lo <> hi ORDER BY person_id",
            )
    not_run = [] if with_ids else ["duplicate person id", "registered twice", "resident listed twice"]
    return QualityReport(year, {k: int(v) for k, v in rows.items()}, checks, not_run)
