"""The validation report: every failed check with file and row, as Markdown and CSV."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import Issue
from .fileio import write_text

FIELDS = ["severity", "check", "file", "row", "column", "value", "message", "rows"]


def write_report(issues: list[Issue], out_dir: Path, inputs: list[str]) -> tuple[Path, Path]:
    issues = sorted(issues, key=lambda i: (i.severity != "error", i.file, i.row or 0, i.check))
    buf = io.StringIO()
    w = csv.DictWriter(buf, FIELDS, lineterminator="\n")
    w.writeheader()
    for i in issues:
        w.writerow({f: ("" if getattr(i, f) is None else getattr(i, f)) for f in FIELDS})
    csv_path = out_dir / "validation_report.csv"
    md_path = out_dir / "validation_report.md"
    write_text(csv_path, buf.getvalue())
    n_err = sum(i.severity == "error" for i in issues)
    n_warn = len(issues) - n_err
    lines = ["# Validation report / 校验报告", "",
             f"Inputs checked: {len(inputs)} file(s). Errors: **{n_err}** (stop ingestion). "
             f"Warnings: **{n_warn}** (reported; sources may legitimately differ).", ""]
    for f in inputs:
        lines.append(f"- `{f}`")
    lines.append("")
    if not issues:
        lines.append("Every check passed.")
    else:
        lines += ["| severity | check | file | row | column | value | message |",
                  "|---|---|---|---|---|---|---|"]
        for i in issues:
            msg = i.message.replace("|", "\\|").replace("\n", " ")
            row = str(i.row) if i.row is not None else (i.rows or "")
            lines.append(f"| {i.severity} | {i.check} | {i.file} | {row} | {i.column} | {i.value} | {msg} |")
    write_text(md_path, "\n".join(lines) + "\n")
    return md_path, csv_path
