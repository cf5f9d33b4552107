"""Targets as data: read and validate data/reference/targets.toml.

Every rule broken is reported as an Issue naming the file, the target id, the field and the rule;
all of them at once, in a ValidationFailed (exit code 1 on the command line ... 2 for `targets check`,
where a broken targets file is a configuration error).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hukou_stats.core.errors import InputOutputError, Issue, ValidationFailed

KINDS = ("level", "change_vs_base", "pace")
COMPARISONS = {">=": ">=", "<=": "<=", "≈": "≈", "~": "≈"}
DIRECTIONS = ("increase", "decrease")
UNITS = ("pct", "pp", "pp_per_year", "10k_persons", "10k_persons_per_year")
RATE_UNITS = ("pct", "pp", "pp_per_year")
# documented default half-width of the band for "≈" (左右) when a target does not state one
DEFAULT_TOLERANCE_RATE = 0.5  # percentage points, for pct / pp / pp_per_year
DEFAULT_TOLERANCE_COUNT_REL = 0.01  # 1% of the value, for counts
REQUIRED = (
    "id",
    "region",
    "indicator",
    "kind",
    "comparison",
    "value",
    "unit",
    "direction",
    "base_year",
    "target_year",
    "source_document",
    "wording_zh",
)
OPTIONAL = ("tolerance", "note")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
REGION_RE = re.compile(r"^\d{6}$")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")

COLUMNS = [
    "target_id",
    "region_code",
    "indicator",
    "kind",
    "comparison",
    "target_value",
    "unit",
    "direction",
    "tolerance",
    "tolerance_rule",
    "base_year",
    "target_year",
    "source_document",
    "wording_zh",
    "note",
]


@dataclass(frozen=True)
class Target:
    target_id: str
    region_code: str
    indicator: str
    kind: str
    comparison: str
    target_value: float
    unit: str
    direction: str
    tolerance: float | None
    tolerance_rule: str
    base_year: int
    target_year: int
    source_document: str
    wording_zh: str
    note: str


def default_tolerance(value: float, unit: str) -> tuple[float, str]:
    if unit in RATE_UNITS:
        return DEFAULT_TOLERANCE_RATE, f"default ±{DEFAULT_TOLERANCE_RATE} point"
    return abs(value) * DEFAULT_TOLERANCE_COUNT_REL, "default ±1% of the value"


def _check_entry(i: int, e: dict, file: str, seen: set[str]) -> tuple[list[Issue], Target | None]:
    issues: list[Issue] = []
    tid = e.get("id") if isinstance(e.get("id"), str) else f"[[target]] #{i + 1}"
    where = f"target {tid}"

    def bad(field_: str, rule: str, message: str, value=""):
        issues.append(Issue("error", rule, f"{where}: {message}", file=file, column=field_, value=str(value)))

    for k in REQUIRED:
        if k not in e or e[k] in ("", None):
            bad(k, "required", f"field '{k}' is missing")
    for k in e:
        if k not in REQUIRED and k not in OPTIONAL:
            bad(k, "known_field", f"unknown field '{k}' (known: {', '.join(REQUIRED + OPTIONAL)})")
    if issues:
        return issues, None
    if not isinstance(e["id"], str) or not ID_RE.match(e["id"]):
        bad("id", "id_format", "id must be lower-case letters, digits and underscores", e["id"])
    elif e["id"] in seen:
        bad("id", "unique_id", "id is used by an earlier target", e["id"])
    seen.add(str(e["id"]))
    if not isinstance(e["region"], str) or not REGION_RE.match(e["region"]):
        bad("region", "region_code", "region must be a 6-digit GB/T 2260 code written as a string", e["region"])
    if not isinstance(e["indicator"], str) or not re.match(r"^[a-z][a-z0-9_]*$", e["indicator"]):
        bad("indicator", "indicator_name", "indicator must be a lower-case name", e["indicator"])
    if e["kind"] not in KINDS:
        bad("kind", "kind", f"kind must be one of {', '.join(KINDS)}", e["kind"])
    comp = COMPARISONS.get(e["comparison"])
    if comp is None:
        bad("comparison", "comparison", "comparison must be '>=', '<=' or '≈'", e["comparison"])
    if isinstance(e["value"], bool) or not isinstance(e["value"], (int, float)):
        bad("value", "number", "value must be a number", e["value"])
    if e["unit"] not in UNITS:
        bad("unit", "unit", f"unit must be one of {', '.join(UNITS)}", e["unit"])
    if e["direction"] not in DIRECTIONS:
        bad("direction", "direction", "direction must be increase or decrease", e["direction"])
    for k in ("base_year", "target_year"):
        if isinstance(e[k], bool) or not isinstance(e[k], int) or not 1949 <= e[k] <= 2100:
            bad(k, "year", f"{k} must be a year (integer 1949-2100)", e[k])
    if not CJK_RE.search(str(e["wording_zh"])):
        bad("wording_zh", "original_wording", "wording_zh must quote the original Chinese wording", e["wording_zh"])
    if issues:
        return issues, None
    if e["base_year"] >= e["target_year"]:
        bad(
            "base_year",
            "base_before_target",
            f"base_year {e['base_year']} must be before target_year {e['target_year']}",
            e["base_year"],
        )
    if e["kind"] == "level" and comp == ">=" and e["direction"] != "increase":
        bad(
            "direction",
            "direction_matches_comparison",
            "a '>=' level target needs direction = increase",
            e["direction"],
        )
    if e["kind"] == "level" and comp == "<=" and e["direction"] != "decrease":
        bad(
            "direction",
            "direction_matches_comparison",
            "a '<=' level target needs direction = decrease",
            e["direction"],
        )
    if e["kind"] == "pace" and not e["unit"].endswith("_per_year"):
        bad("unit", "pace_unit", "a pace target is a change per year: unit must end in _per_year", e["unit"])
    if e["kind"] == "change_vs_base" and e["unit"] not in ("pp", "10k_persons"):
        bad("unit", "change_unit", "a change against the base is in pp (rates) or 10k_persons (counts)", e["unit"])
    if e["kind"] == "level" and e["unit"] not in ("pct", "10k_persons"):
        bad("unit", "level_unit", "a level target is in pct (rates) or 10k_persons (counts)", e["unit"])
    if e["kind"] != "level" and comp == "≈":
        bad("comparison", "approx_level_only", "'≈' is supported for level targets only", e["comparison"])
    tol = e.get("tolerance")
    if tol is not None:
        if comp != "≈":
            bad("tolerance", "tolerance_only_for_approx", "a tolerance is only meaningful with '≈'", tol)
        elif isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0:
            bad("tolerance", "tolerance_non_negative", "tolerance must be a number ≥ 0 in the target's unit", tol)
    if issues:
        return issues, None
    if comp == "≈":
        if tol is None:
            tol, rule = default_tolerance(float(e["value"]), e["unit"])
        else:
            rule = f"±{tol:g} {e['unit']} (stated)"
        tol = float(tol)
    else:
        rule = ""
    return issues, Target(
        e["id"],
        e["region"],
        e["indicator"],
        e["kind"],
        comp,
        float(e["value"]),
        e["unit"],
        e["direction"],
        tol,
        rule,
        e["base_year"],
        e["target_year"],
        str(e["source_document"]),
        str(e["wording_zh"]),
        str(e.get("note", "")),
    )


def load_targets(path: Path, label: str | None = None) -> list[Target]:
    """Read and validate a targets TOML file; raises ValidationFailed listing every broken rule."""
    file = label or str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise InputOutputError(f"cannot read {file}: {e}") from e
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ValidationFailed([Issue("error", "toml_syntax", f"not valid TOML: {e}", file=file)]) from None
    entries = doc.get("target")
    unknown = [k for k in doc if k != "target"]
    issues: list[Issue] = [
        Issue("error", "known_field", f"unknown top-level key '{k}' (only [[target]] tables)", file=file, column=k)
        for k in unknown
    ]
    if not isinstance(entries, list) or not entries or not all(isinstance(x, dict) for x in entries):
        issues.append(Issue("error", "has_targets", "no [[target]] tables", file=file))
        raise ValidationFailed(issues)
    targets, seen = [], set()
    for i, e in enumerate(entries):
        found, t = _check_entry(i, e, file, seen)
        issues += found
        if t is not None:
            targets.append(t)
    if issues:
        raise ValidationFailed(issues)
    return targets


def targets_frame(targets: list[Target]) -> pd.DataFrame:
    return pd.DataFrame([t.__dict__ for t in targets], columns=COLUMNS)
