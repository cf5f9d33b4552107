"""Loads the pandera schemas stored as YAML in schemas/ and turns failures into located Issues."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from hukou_stats.core.errors import Issue, UsageError

# schema file -> which rows it applies to
SCHEMA_SUBSETS = {
    "observations.yaml": None,
    "rates.yaml": ("unit", "pct"),
    "counts.yaml": ("unit", "persons"),
}


@functools.lru_cache(maxsize=16)
def load_schema(path: str) -> pa.DataFrameSchema:
    try:
        return pa.DataFrameSchema.from_yaml(Path(path).read_text(encoding="utf-8"))
    except Exception as e:
        raise UsageError(f"schema {path} cannot be loaded: {e}") from e


def validate_frame(df: pd.DataFrame, schema_dir: Path) -> list[Issue]:
    """Run every schema over the rows it applies to; one Issue per failed cell."""
    issues: list[Issue] = []
    for name, subset in SCHEMA_SUBSETS.items():
        schema = load_schema(str(schema_dir / name))
        part = df if subset is None else df[df[subset[0]] == subset[1]]
        if part.empty:
            continue
        try:
            schema.validate(part, lazy=True)
        except pa.errors.SchemaErrors as e:
            for fc in e.failure_cases.to_dict("records"):
                idx = fc.get("index")
                column = fc.get("column") or ""
                check = str(fc.get("check"))
                if idx is None or pd.isna(idx):
                    issues.append(
                        Issue(
                            "error",
                            f"{name}: {check}",
                            f"schema check failed for column {column}",
                            column=column,
                            value=str(fc.get("failure_case")),
                        )
                    )
                    continue
                src = df.loc[idx]
                issues.append(
                    Issue(
                        "error",
                        f"{name}: {column} {check}",
                        _explain(column, check, src),
                        file=src["source_file"],
                        row=int(src["source_row"]),
                        column="value" if column == "value" else column,
                        value=str(src.get("value_published") if column == "value" else fc.get("failure_case")),
                    )
                )
    return issues


def _explain(column: str, check: str, row) -> str:
    if column == "value" and row["unit"] == "pct":
        return f"a rate ({row['measure']}) must lie between 0 and 100"
    if column == "value":
        return f"a count ({row['measure']}) must be a number of persons between 0 and 2,000,000,000"
    return f"{column} breaks the schema check {check}"
