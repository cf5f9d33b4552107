"""The CI gate on target attainment: `hukou-stats targets check`.

Exit codes: 0 every assessed target achieved or on track; 1 any not achieved or off track (acceleration
needed, limited progress, moving away) — and, with --strict, any "cannot assess"; 2 invalid input or
configuration (a broken targets.toml, an unknown region, a bad --release). "cannot assess" is otherwise
a warning: it is reported (a JUnit <skipped> with its reason) but does not fail the gate.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hukou_stats.analysis.targets import assess
from hukou_stats.core.atomic import write_text
from hukou_stats.core.errors import UsageError
from hukou_stats.core.numbers import format_half_up
from hukou_stats.core.project import Project
from hukou_stats.core.vocabulary import SYNTHETIC, is_synthetic
from hukou_stats.reference.releases import Release, parse_release
from hukou_stats.reference.targets import load_targets
from hukou_stats.warehouse.connection import connect

UNIT_LABEL = {
    "pct": "%",
    "pp": " points",
    "pp_per_year": " points a year",
    "10k_persons": " (10k persons)",
    "10k_persons_per_year": " (10k persons a year)",
}


@dataclass
class GateResult:
    table: pd.DataFrame
    release: Release
    strict: bool

    @property
    def failed(self) -> pd.DataFrame:
        return self.table[self.table["gate"] == "fail"]

    @property
    def cannot(self) -> pd.DataFrame:
        return self.table[self.table["gate"] == "warning"]

    @property
    def synthetic(self) -> bool:
        """Some verdict rests on figures whose source is labelled SYNTHETIC."""
        return bool(self.table["observed_source"].map(is_synthetic).any()) if len(self.table) else False

    @property
    def exit_code(self) -> int:
        if len(self.failed) or (self.strict and len(self.cannot)):
            return 1
        return 0


def format_figure(x, unit: str = "") -> str:
    if x is None or pd.isna(x):
        return "n/a"
    return f"{format_half_up(x, 2)}{UNIT_LABEL.get(unit, '')}"


def case_name(row) -> str:
    return f"{row['region_code']} {row['indicator']} {int(row['target_year'])} [{row['target_id']}]"


def message(row) -> str:
    """The verdict in words (the JUnit failure message); SYNTHETIC first when its figures are synthetic."""
    v = row["verdict"]
    head = (
        (f"{SYNTHETIC} DATA 合成数据: " if is_synthetic(row.get("observed_source")) else "")
        + f"{row['verdict_zh']} {v.replace('_', ' ')}: target {row['comparison']} {format_figure(row['target_value'], row['unit'])}"
    )
    if v == "cannot_assess":
        return f"{head}; cannot assess: {row['reason']} ({row['release_used']})"
    if row["assessment"] == "final":
        body = (
            f"; observed {int(row['observed_year'])}: {format_figure(row['assessed_value'], row['unit'])}, "
            f"margin {format_half_up(row['margin'], 2, sign=True)}"
        )
    else:
        body = (
            f"; interim at {int(row['as_of_year'])} (latest data {int(row['observed_year'])}): progress ratio "
            f"{format_half_up(row['progress_ratio'], 2)}"
            if pd.notna(row["progress_ratio"])
            else ""
        )
        body += f", projected {int(row['target_year'])}: {format_figure(row['projected_value'], row['unit'])}"
    notes = f"; note: {row['notes']}" if isinstance(row.get("notes"), str) and row["notes"] else ""
    return f"{head}{body}; method: {row['method']}; release: {row['release_used']}{notes}"


def run_check(
    project: Project,
    region: str | None = None,
    year: int | None = None,
    release: Release | str | None = None,
    strict: bool = False,
) -> GateResult:
    """Assess the targets (all, or one region's) at evaluation year `year` (default: each target year)."""
    r = release if isinstance(release, Release) else parse_release(release)
    path = project.reference / "targets.toml"
    if not path.exists():
        raise UsageError(f"no targets file at {project.label(path)}")
    load_targets(path, project.label(path))  # the file as it is now, not as it was at build time (exit 2)
    code = None
    if region is not None:
        from hukou_stats.reference.registry import load_registry

        code = load_registry(project).resolve(region)
    con = connect(project, release=r)
    try:
        table = assess(con, region=code, as_of=year)
    finally:
        con.close()
    if code is not None and table.empty:
        raise UsageError(f"no target for region {code} in {project.label(path)}")
    return GateResult(table, r, strict)


def junit_xml(result: GateResult) -> str:
    """JUnit XML: one <testcase> per target; failure = not achieved / off track; skipped (or failure
    with --strict) = cannot assess."""
    t = result.table
    n_fail = len(result.failed) + (len(result.cannot) if result.strict else 0)
    n_skip = 0 if result.strict else len(result.cannot)
    suites = ET.Element(
        "testsuites",
        name="hukou-stats targets",
        tests=str(len(t)),
        failures=str(n_fail),
        errors="0",
        skipped=str(n_skip),
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"targets ({result.release.label})",
        tests=str(len(t)),
        failures=str(n_fail),
        errors="0",
        skipped=str(n_skip),
    )
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="release", value=result.release.label)
    ET.SubElement(props, "property", name="strict", value=str(result.strict).lower())
    ET.SubElement(props, "property", name="synthetic", value=str(result.synthetic).lower())
    for _, row in t.iterrows():
        case = ET.SubElement(suite, "testcase", name=case_name(row), classname=f"targets.{row['region_code']}")
        msg = message(row)
        if row["gate"] == "fail":
            el = ET.SubElement(case, "failure", message=msg, type=row["verdict"])
            el.text = msg
        elif row["gate"] == "warning":
            if result.strict:
                el = ET.SubElement(case, "failure", message=msg, type="cannot_assess")
                el.text = msg
            else:
                ET.SubElement(case, "skipped", message=msg)
        ET.SubElement(case, "system-out").text = msg
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def json_report(result: GateResult) -> str:
    cols = [
        "target_id",
        "region_code",
        "indicator",
        "kind",
        "comparison",
        "target_value",
        "unit",
        "tolerance",
        "base_year",
        "base_year_used",
        "target_year",
        "as_of_year",
        "assessment",
        "base_value",
        "observed_year",
        "observed_value",
        "assessed_value",
        "margin",
        "progress_ratio",
        "projected_value",
        "annual_changes",
        "verdict",
        "verdict_zh",
        "gate",
        "method",
        "reason",
        "notes",
        "release_used",
        "source_document",
        "wording_zh",
        "observed_source",
    ]
    rows = json.loads(result.table[cols].to_json(orient="records", force_ascii=False))
    doc = {
        "release": result.release.label,
        "synthetic": result.synthetic,
        "strict": result.strict,
        "exit_code": result.exit_code,
        "counts": {
            "targets": len(result.table),
            "pass": int((result.table["gate"] == "pass").sum()),
            "fail": len(result.failed),
            "cannot_assess": len(result.cannot),
        },
        "targets": rows,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write_reports(result: GateResult, junit: Path | None = None, json_path: Path | None = None) -> None:
    if junit is not None:
        write_text(Path(junit), junit_xml(result))
    if json_path is not None:
        write_text(Path(json_path), json_report(result))
