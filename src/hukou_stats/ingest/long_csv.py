"""The canonical long CSV: one row per published figure, no spec needed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hukou_stats.core.errors import Issue, UsageError
from hukou_stats.core.text import control_character
from hukou_stats.ingest.canonical import MEMO_SIZE, RowBuilder, empty_frame
from hukou_stats.ingest.textfile import LONG_HINT, read_rows
from hukou_stats.reference.registry import CODE_RE, Registry, norm_zh, strip_suffix

LONG_REQUIRED = ["year", "measure", "value", "unit", "source", "published", "series"]
LONG_OPTIONAL = ["region_code", "region", "region_name_zh", "seen_at", "definition", "note", "coverage"]


def read_long_csv(path: Path, registry: Registry, reference_dir: Path, label: str):
    rows, lines, _ = read_rows(path, hint=LONG_HINT)
    if not rows:
        return empty_frame(), [Issue("error", "file_readable", "the file is empty", file=label)]
    header = [c.strip() for c in rows[0]]
    problem = _header_problem(header, path)
    if problem:
        return empty_frame(), [Issue("error", problem[0], problem[1], file=label, row=lines[0])]
    b = RowBuilder(label, reference_dir, registry)
    regions: dict[tuple[str, str, str], tuple[str | None, tuple[str, str] | None]] = {}  # worked out once each
    for line, cells in zip(lines[1:], rows[1:]):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            b.err(line, "", "", "row_fields", f"{len(cells)} fields, the header has {len(header)}: the row is not read")
            continue
        rec = dict(zip(header, cells + [""] * (len(header) - len(cells))))
        given = rec.get("region_code") or rec.get("region") or ""
        col = "region_code" if rec.get("region_code") else "region"
        name = str(rec.get("region_name_zh") or "").strip()
        key = (col, given, name)
        found = regions.get(key)
        if found is None:
            found = _region(registry, col, given, name)
            if len(regions) < MEMO_SIZE:
                regions[key] = found
        code, doubt = found
        if code is None:
            assert doubt is not None
            b.err(line, col, given.strip() if doubt[0] != "control_character" else given, *doubt)
            continue
        if doubt is not None:
            b.issues.append(
                Issue("warning", doubt[0], doubt[1], file=label, row=line, column="region_name_zh", value=name)
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


def _header_problem(header: list[str], path: Path) -> tuple[str, str] | None:
    """(rule, message) when the header is not that of a canonical long table."""
    twice = sorted(c for c, n in Counter(header).items() if n > 1 and c)  # empty trailing columns are not read
    if twice:
        shown = ", ".join(repr(c[:40]) for c in twice[:10])
        return "duplicate_column", f"column(s) {shown} appear more than once in the header: which one holds the figure?"
    missing = [c for c in LONG_REQUIRED if c not in header]
    if "region_code" not in header and "region" not in header:
        missing.insert(0, "region_code (or region)")
    if missing:
        return (
            "long_columns",
            f"not a canonical long table (missing column(s): {', '.join(missing)}) and no spec "
            f"file {path.with_suffix('.toml').name} beside it",
        )
    return None


def _region(registry: Registry, col: str, given: str, name: str) -> tuple[str | None, tuple[str, str] | None]:
    """(code, None), (code, a warning on the name as published) or (None, the error: rule and message) for the
    region cell of a row and its name."""
    if bad := control_character(given.strip(" ")):
        return None, ("control_character", f"holds {bad}: a damaged or hostile cell")
    given = given.strip()
    if col == "region_code" and not CODE_RE.match(given):
        return None, ("region_code_format", "a region code has 6 digits (12 for villages)")
    try:
        code = registry.resolve(given)
    except UsageError as e:
        return None, ("region_known", str(e))
    reg = registry.get(code[:6]) if len(code) == 6 else None
    if name and reg is not None:
        known = {norm_zh(r.name_zh) for r in registry.by_code[code]}
        if norm_zh(name) not in known and strip_suffix(norm_zh(name)) not in {strip_suffix(k) for k in known}:
            return code, (
                "region_name_matches_code",
                f"name does not match the registry name {reg.name_zh} for code {code}",
            )
    return code, None
