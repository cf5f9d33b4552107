"""The canonical long CSV: one row per published figure, no spec needed."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from hukou_stats.core.errors import Issue, UsageError
from hukou_stats.ingest.canonical import RowBuilder, empty_frame
from hukou_stats.ingest.textfile import delimiter, read_text
from hukou_stats.reference.registry import CODE_RE, Registry, norm_zh, strip_suffix

LONG_REQUIRED = ["year", "measure", "value", "unit", "source", "published", "series"]
LONG_OPTIONAL = ["region_code", "region", "region_name_zh", "seen_at", "definition", "note", "coverage"]


def read_csv_text(path: Path) -> pd.DataFrame:
    """All cells as text, exactly as written (no NA guessing); UTF-8 +-BOM or GBK/GB18030 (detected)."""
    text, _ = read_text(path)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, sep=delimiter(text))


def read_long_csv(path: Path, registry: Registry, reference_dir: Path, label: str):
    df = read_csv_text(path)
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in LONG_REQUIRED if c not in df.columns]
    if "region_code" not in df.columns and "region" not in df.columns:
        missing.insert(0, "region_code (or region)")
    if missing:
        return empty_frame(), [
            Issue(
                "error",
                "long_columns",
                f"not a canonical long table (missing column(s): {', '.join(missing)}) and no spec "
                f"file {path.with_suffix('.toml').name} beside it",
                file=label,
            )
        ]
    b = RowBuilder(label, reference_dir, registry)
    for i, rec in enumerate(df.to_dict("records")):
        line = i + 2  # header is line 1; blank lines are kept so that this is the line in the file
        if not any(str(v).strip() for v in rec.values()):
            continue
        given = rec.get("region_code") or rec.get("region") or ""
        col = "region_code" if rec.get("region_code") else "region"
        given = str(given).strip()
        if col == "region_code" and not CODE_RE.match(given):
            b.err(line, col, given, "region_code_format", "a region code has 6 digits (12 for villages)")
            continue
        try:
            code = registry.resolve(given)
        except UsageError as e:
            b.err(line, col, given, "region_known", str(e))
            continue
        name = str(rec.get("region_name_zh") or "").strip()
        reg = registry.get(code[:6]) if len(code) == 6 else None
        if name and reg is not None:
            known = {norm_zh(r.name_zh) for r in registry.by_code[code]}
            if norm_zh(name) not in known and strip_suffix(norm_zh(name)) not in {strip_suffix(k) for k in known}:
                b.issues.append(
                    Issue(
                        "warning",
                        "region_name_matches_code",
                        f"name does not match the registry name {reg.name_zh} for code {code}",
                        file=label,
                        row=line,
                        column="region_name_zh",
                        value=name,
                    )
                )
        b.add(
            row=line,
            region_code=code,
            region_name=name or None,
            year=rec["year"],
            measure=rec["measure"].strip(),
            value_text=rec["value"],
            unit=rec["unit"],
            source=rec["source"],
            published=rec["published"],
            series=rec["series"].strip(),
            definition=str(rec.get("definition") or "").strip(),
            seen_at=str(rec.get("seen_at") or "").strip(),
            note=str(rec.get("note") or "").strip(),
            empty_is_missing=False,
            region_column=col,
            coverage=str(rec.get("coverage") or "").strip() or None,
        )
    return b.result()
