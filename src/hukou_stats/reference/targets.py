"""Targets as data: data/reference/targets.toml, read and checked.

Each `[[target]]` is checked against a declarative schema (types, allowed values, formats), then against the
rules that tie its fields together (a `>=` level target needs direction = increase, ...). Every broken rule is
reported at once, naming the file, the target, the key and the rule (core.config.ConfigInvalid, exit 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictFloat, StrictInt, field_validator

from hukou_stats.core.config import ConfigInvalid, read_toml, shown, validate
from hukou_stats.core.errors import Issue
from hukou_stats.core.text import plain

KINDS = ("level", "change_vs_base", "pace")
COMPARISONS = {">=": ">=", "<=": "<=", "≈": "≈", "~": "≈"}
UNITS = ("pct", "pp", "pp_per_year", "10k_persons", "10k_persons_per_year")
RATE_UNITS = ("pct", "pp", "pp_per_year")
# documented default half-width of the band for "≈" (左右) when a target does not state one
DEFAULT_TOLERANCE_RATE = 0.5  # percentage points, for pct / pp / pp_per_year
DEFAULT_TOLERANCE_COUNT_REL = 0.01  # 1% of the value, for counts
CJK = re.compile(r"[\u4e00-\u9fff]")

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

Number = Annotated[StrictInt | StrictFloat, Field(allow_inf_nan=False, ge=-1e12, le=1e12)]
Year = Annotated[StrictInt, Field(ge=1949, le=2100)]
Text = Annotated[str, Field(max_length=2_000), AfterValidator(plain)]


class TargetEntry(BaseModel):
    """One [[target]] table."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """Unique name of the target: lower-case letters, digits and underscores."""
    region: str = Field(pattern=r"^[0-9]{6}$")
    """Region the target is set for: a 6-digit GB/T 2260 code written as a string (000000 = China)."""
    indicator: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """What is targeted: resident_urban_rate_pct, hukou_urban_rate_pct, gap_pp (resident minus hukou rate, points), hukou_total, or an indicator with no data yet (then every verdict is cannot_assess)."""
    kind: Literal["level", "change_vs_base", "pace"]
    """level (the value in the target year), change_vs_base (the change since the base year) or pace (the average annual change since the base year)."""
    comparison: Literal[">=", "<=", "≈", "~"]
    """">=", "<=" or "≈" (左右, about; "~" is read as "≈"). "≈" is for level targets only."""
    value: Number
    """The target value, in unit."""
    unit: Literal["pct", "pp", "pp_per_year", "10k_persons", "10k_persons_per_year"]
    """pct and 10k_persons for levels; pp and 10k_persons for changes against the base; pp_per_year and 10k_persons_per_year for a pace."""
    direction: Literal["increase", "decrease"]
    """The desirable movement of the indicator: a ">=" level needs increase, a "<=" level decrease; for changes and paces, the direction of the change the value measures (a gap reduction is a decrease)."""
    tolerance: Annotated[Number, Field(ge=0)] | None = None
    """Only with "≈": half-width of the band, in unit. Default: 0.5 for pct, pp and pp_per_year, 1% of the value for counts."""
    base_year: Year
    """The year progress is measured from; before target_year."""
    target_year: Year
    """The year the target applies to."""
    source_document: Annotated[Text, Field(min_length=1)]
    """The document that sets the target."""
    wording_zh: Annotated[Text, Field(min_length=1)]
    """The target's original Chinese wording, quoted (it must hold Chinese characters)."""
    note: Annotated[str, Field(max_length=2_000)] = ""
    """Any note, e.g. how the base year was chosen."""

    @field_validator("wording_zh")
    @classmethod
    def _original_wording(cls, v: str) -> str:
        if not CJK.search(v):
            raise ValueError("wording_zh must quote the original Chinese wording")
        return v


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


# rules across the fields of one target: (rule, key, broken?, message)
CROSS_RULES = [
    ("base_before_target", "base_year", lambda t: t.base_year >= t.target_year, "base_year must be before target_year"),
    (
        "direction_matches_comparison",
        "direction",
        lambda t: t.kind == "level" and COMPARISONS[t.comparison] == ">=" and t.direction != "increase",
        "a '>=' level target needs direction = increase",
    ),
    (
        "direction_matches_comparison",
        "direction",
        lambda t: t.kind == "level" and t.comparison == "<=" and t.direction != "decrease",
        "a '<=' level target needs direction = decrease",
    ),
    (
        "pace_unit",
        "unit",
        lambda t: t.kind == "pace" and not t.unit.endswith("_per_year"),
        "a pace target is a change per year: unit must end in _per_year",
    ),
    (
        "change_unit",
        "unit",
        lambda t: t.kind == "change_vs_base" and t.unit not in ("pp", "10k_persons"),
        "a change against the base is in pp (rates) or 10k_persons (counts)",
    ),
    (
        "level_unit",
        "unit",
        lambda t: t.kind == "level" and t.unit not in ("pct", "10k_persons"),
        "a level target is in pct (rates) or 10k_persons (counts)",
    ),
    (
        "approx_level_only",
        "comparison",
        lambda t: t.kind != "level" and COMPARISONS[t.comparison] == "≈",
        "'≈' is supported for level targets only",
    ),
    (
        "tolerance_only_for_approx",
        "tolerance",
        lambda t: t.tolerance is not None and COMPARISONS[t.comparison] != "≈",
        "a tolerance is only meaningful with '≈'",
    ),
]


def _target(e: TargetEntry) -> Target:
    comp = COMPARISONS[e.comparison]
    tol, rule = (None, "")
    if comp == "≈":
        tol, rule = (
            default_tolerance(float(e.value), e.unit)
            if e.tolerance is None
            else (e.tolerance, f"±{e.tolerance:g} {e.unit} (stated)")
        )
    return Target(
        e.id, e.region, e.indicator, e.kind, comp, float(e.value), e.unit, e.direction,
        None if tol is None else float(tol), rule, e.base_year, e.target_year, e.source_document, e.wording_zh, e.note,
    )  # fmt: skip


def load_targets(path: Path, label: str | None = None) -> list[Target]:
    """Read and check a targets file; ConfigInvalid lists every broken rule."""
    file = label or str(path)
    doc = read_toml(path, file)
    issues = [
        Issue("error", "known_key", "unknown top-level key (only [[target]] tables)", file=file, key=k)
        for k in doc
        if k != "target"
    ]
    entries = doc.get("target")
    if not isinstance(entries, list) or not entries or not all(isinstance(x, dict) for x in entries):
        raise ConfigInvalid(file=file, issues=[*issues, Issue("error", "required", "no [[target]] tables", file=file)])
    targets, seen = [], set()
    for i, raw in enumerate(entries):
        name = raw.get("id") if isinstance(raw.get("id"), str) else f"[[target]] #{i + 1}"
        where = f"target {name}"
        entry, found = validate(TargetEntry, raw, file, where=where)
        issues += found
        if entry is None:
            continue
        broken = [(r, k, m) for r, k, bad, m in CROSS_RULES if bad(entry)]
        if entry.id in seen:
            broken.append(("unique_id", "id", "id is used by an earlier target"))
        seen.add(entry.id)
        issues += [Issue("error", r, f"{where}: {m}", file=file, key=k, value=shown(raw.get(k))) for r, k, m in broken]
        if not broken:
            targets.append(_target(entry))
    if issues:
        raise ConfigInvalid(file=file, issues=issues)
    return targets


def targets_frame(targets: list[Target]) -> pd.DataFrame:
    return pd.DataFrame([t.__dict__ for t in targets], columns=COLUMNS)
