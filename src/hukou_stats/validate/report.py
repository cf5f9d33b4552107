"""The validation report: every failed check with file and row, as Markdown and CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hukou_stats.core.atomic import write_text
from hukou_stats.core.errors import Issue, rule_zh
from hukou_stats.core.text import escaped, spreadsheet_text

FIELDS = ["severity", "check", "file", "sheet", "row", "column", "value", "message", "rows"]


def _csv_cell(value) -> str | int:
    if value is None:
        return ""
    return value if isinstance(value, int) else spreadsheet_text(value)


def write_report(issues: list[Issue], out_dir: Path, inputs: list[str]) -> tuple[Path, Path]:
    issues = sorted(issues, key=lambda i: (i.severity != "error", i.file, i.row or 0, i.check))
    buf = io.StringIO()
    w = csv.DictWriter(buf, FIELDS, lineterminator="\n")
    w.writeheader()
    for i in issues:
        # the values quoted from the input are text: never a formula in the program that opens the report
        w.writerow({f: _csv_cell(getattr(i, f)) for f in FIELDS})
    csv_path = out_dir / "validation_report.csv"
    md_path = out_dir / "validation_report.md"
    write_text(csv_path, buf.getvalue())
    n_err = sum(i.severity == "error" for i in issues)
    n_warn = len(issues) - n_err
    lines = [
        "# Validation report / 校验报告",
        "",
        f"Inputs checked: {len(inputs)} file(s). Errors: **{n_err}** (stop ingestion). "
        f"Warnings: **{n_warn}** (reported; sources may legitimately differ).",
        "",
    ]
    for f in inputs:
        lines.append(f"- `{f}`")
    lines.append("")
    if not issues:
        lines.append("Every check passed.")
    else:
        lines += [
            "| severity | check | file | sheet | row | column | value | message | 说明 |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for i in issues:
            row = str(i.row) if i.row is not None else (i.rows or "")
            cells = [i.severity, i.check, i.file, i.sheet, row, i.column, i.value, i.message, rule_zh(i.check)]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    write_text(md_path, "\n".join(lines) + "\n")
    return md_path, csv_path


def _cell(text) -> str:
    """A table cell of the Markdown report: one line, a | kept as text."""
    return escaped(str(text)).replace("|", "\\|")


RECONCILIATION_HEADING = "## Reconciliation: published parent against the sum of its children / 上下级数据核对"


def reconciliation_lines(df) -> list[str]:
    """Markdown section for the view reconciliation: every comparison over a complete set of children
    (agreeing or not), then how many were left aside because children are missing."""
    from hukou_stats.core.numbers import round_half_up

    full = df[df.note.isin(["agrees within rounding", "differs by more than rounding"])]
    lines = [
        RECONCILIATION_HEADING,
        "",
        f"Comparisons over a complete set of children: **{len(full)}**, of which "
        f"**{int((full.note == 'differs by more than rounding').sum())}** differ by more than the published "
        f"rounding. Left aside (children incomplete): {len(df) - len(full)}. All rows: view `reconciliation`, "
        "and `reconciliation.csv` beside this report.",
        "",
    ]
    if len(full):
        lines += [
            "| region | year | measure | basis | published | sum of children | difference | children | note |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in full.itertuples(index=False):
            d = 2 if r.measure.endswith("_pct") else 0
            basis = r.series + (f"/{r.definition}" if isinstance(r.definition, str) and r.definition else "")
            lines.append(
                f"| {r.region_code} {r.region_name or ''} | {r.year} | {r.measure} | {basis} | "
                f"{round_half_up(r.published_value, d)} | {round_half_up(r.children_sum, d)} | "
                f"{round_half_up(r.difference, d)} | {r.n_children} of {r.n_expected} | {r.note} |"
            )
    return lines


def write_reconciliation(con, out_dir: Path) -> tuple[Path, Path]:
    """Write reconciliation.csv and put the reconciliation section into validation_report.md
    (replacing an earlier one; the issues section written by write_report is kept)."""
    df = con.execute("SELECT * FROM reconciliation ORDER BY region_code, year, measure, series").df()
    csv_path = out_dir / "reconciliation.csv"
    write_text(csv_path, df.to_csv(index=False, lineterminator="\n"))
    md_path = out_dir / "validation_report.md"
    head = md_path.read_text(encoding="utf-8") if md_path.exists() else "# Validation report / 校验报告\n"
    head = head.split(RECONCILIATION_HEADING)[0].rstrip("\n") + "\n\n"
    write_text(md_path, head + "\n".join(reconciliation_lines(df)) + "\n")
    return md_path, csv_path
