"""pandera schemas (schemas/microdata_*.yaml) for the three microdata inputs, applied at scale.

- the code list is small (a national list is ~700,000 rows): validated in full;
- person files can hold 100M rows: pandera sees a sample, the first SAMPLE_ROWS rows of up to
  SAMPLE_GROUPS evenly spaced Parquet row groups (or of the CSV), so types and column names are checked
  without loading the table; the value rules that matter for counting (codes, duplicates, classes) are
  checked over every row in DuckDB by quality.py.
Failures become Issues naming the file, the row (1-based position in the file; CSV: line, header = 1),
the column and the rule.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow.parquet as pq

from hukou_stats.core.errors import InputOutputError, Issue
from hukou_stats.validate.schemas import load_schema

SAMPLE_ROWS = 20_000
SAMPLE_GROUPS = 8
SCHEMA_FILES = {
    "codes": "microdata_codes.yaml",
    "register": "microdata_register.yaml",
    "residents": "microdata_residents.yaml",
}
CSV_DTYPES = {"codes": {"code": str, "class": str, "name": str}}


def read_sample(path: Path, kind: str) -> pd.DataFrame:
    """The rows pandera sees, with `_row` = 1-based row number in the file (CSV: line number)."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".parquet":
            f = pq.ParquetFile(path)
            n_groups = f.metadata.num_row_groups
            groups = (
                range(n_groups)
                if kind == "codes"
                else sorted(set(np.linspace(0, n_groups - 1, min(SAMPLE_GROUPS, n_groups)).astype(int)))
            )
            starts = np.r_[0, np.cumsum([f.metadata.row_group(i).num_rows for i in range(n_groups)])]
            parts = []
            for g in groups:
                t = f.read_row_group(int(g))
                if kind != "codes":
                    t = t.slice(0, SAMPLE_ROWS)
                df = t.to_pandas()
                df["_row"] = starts[g] + np.arange(len(df)) + 1
                parts.append(df)
            return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        df = pd.read_csv(
            path, dtype=CSV_DTYPES.get(kind), nrows=None if kind == "codes" else SAMPLE_ROWS, keep_default_na=True
        )
        df["_row"] = np.arange(len(df)) + 2
        return df
    except (OSError, ValueError) as e:
        raise InputOutputError(f"cannot read {path}: {e}") from e


def validate_input(path: Path, kind: str, schema_dir: Path) -> list[Issue]:
    schema = load_schema(str(Path(schema_dir) / SCHEMA_FILES[kind]))
    df = read_sample(path, kind)
    label = Path(path).name
    missing = [c for c, col in schema.columns.items() if col.required and c not in df.columns]
    if missing:
        return [
            Issue("error", "column_present", f"required column {c} is missing ({kind} file)", file=label, column=c)
            for c in missing
        ]
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as e:
        issues = []
        for fc in e.failure_cases.to_dict("records")[:50]:
            idx, column = fc.get("index"), fc.get("column") or ""
            row = int(df.loc[idx, "_row"]) if idx is not None and not pd.isna(idx) else None
            issues.append(
                Issue(
                    "error",
                    f"{SCHEMA_FILES[kind]}: {column} {fc.get('check')}",
                    f"{kind} file breaks the schema rule {fc.get('check')}",
                    file=label,
                    row=row,
                    column=column,
                    value=str(fc.get("failure_case")),
                )
            )
        return issues
    return []
