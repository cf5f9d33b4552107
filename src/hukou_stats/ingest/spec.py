"""The TOML spec that describes a wide table (see data/raw/guangzhou/*.toml), as a declarative schema: every
key, its type and its allowed values; every broken rule is reported as file, key and rule (core.config)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from hukou_stats.core.config import ConfigInvalid, read_toml, validate
from hukou_stats.core.numbers import normalise_unit
from hukou_stats.core.vocabulary import MEASURES

Measure = Literal[tuple(sorted(MEASURES))]  # type: ignore[valid-type]
Row = Annotated[StrictInt, Field(ge=1)]
Decimals = Annotated[StrictInt, Field(ge=0, le=10)]
Year = Annotated[StrictInt, Field(ge=1900, le=2100)]
Code = Annotated[str, Field(pattern=r"^\d{6}(\d{6})?$")]


def _unit(v: str | None) -> str | None:
    if v is not None and normalise_unit(v) is None:
        raise ValueError(f"unknown unit {v!r}; use persons (人), 10k_persons (万人) or pct (%)")
    return v


class ColumnEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    measure: Measure
    unit: str | None = None
    decimals: Decimals | None = None

    _check_unit = field_validator("unit")(_unit)


class SkipRule(BaseModel):
    """Rows to leave out, by the text of one column: `values` (e.g. "NA", the code of rows that are no unit), or
    `empty = true` (rows without a code that hold figures). Every row left out is counted in the report."""

    model_config = ConfigDict(extra="forbid")
    column: str = Field(min_length=1)
    values: list[str] = []
    empty: bool = False
    reason: str = ""

    @model_validator(mode="after")
    def _says_what(self) -> SkipRule:
        if not self.values and not self.empty:
            raise ValueError("a skip rule needs values = [...] or empty = true")
        return self


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    layout: Literal["years", "measures"] = Field(description="years: a column per year; measures: a column per measure")
    region_column: str = Field(min_length=1)
    published: str
    series: str = Field(min_length=1)
    source: str = Field(min_length=1)
    unit: str | None = None
    header_row: Row | None = None
    header_rows: Row | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    region_by: Literal["name", "code"] = "name"
    parent: str | None = None
    names_as_of: dt.date | None = None
    measure: Measure | None = None
    year: Year | None = None
    reference_date: dt.date | None = None
    definition: str | None = None
    seen_at: str | None = None
    note: str | None = None
    decimals: Decimals | None = None
    columns: dict[str, ColumnEntry] = {}
    years: dict[str, Year] = {}
    aliases: dict[str, Code] = {}
    skip: list[SkipRule] = []
    name_column: str | None = None
    coverage: str | None = None

    _check_unit = field_validator("unit")(_unit)

    @field_validator("published", mode="before")
    @classmethod
    def _published(cls, v: object) -> object:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v  # published = 2020

    @field_validator("sheet", mode="before")
    @classmethod
    def _sheet(cls, v: object) -> object:
        if v is None or isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool) and v >= 0):
            return v
        raise ValueError("sheet must be a sheet name or a 0-based sheet number")

    @field_validator("columns", mode="before")
    @classmethod
    def _columns(cls, v: object) -> object:
        """header = measure, or header = { measure, unit, decimals }."""
        if isinstance(v, dict):
            return {h: {"measure": c} if isinstance(c, str) else c for h, c in v.items()}
        return v

    @model_validator(mode="after")
    def _layout_needs(self) -> SpecModel:
        if self.layout == "years" and self.measure is None:
            raise ValueError('layout "years" needs measure = one of the measures (a column per year of one measure)')
        if self.layout == "measures" and self.year is None:
            raise ValueError('layout "measures" needs year = YYYY')
        if self.layout == "measures" and not self.columns:
            raise ValueError('layout "measures" needs a [columns] table: header = measure')
        for header, c in self.columns.items():
            if "非农业" in header and str(c.measure).startswith("hukou_"):
                raise ValueError(
                    f"column {header!r}: a share or count of 非农业户口 (residents holding a non-agricultural hukou) is "
                    f"not {c.measure} (whose denominator is the hukou population); use resident_nonagri_hukou_share_pct "
                    "or resident_nonagri_hukou"
                )
        return self


@dataclass
class ColumnSpec:
    header: str
    measure: str | None = None
    year: int | None = None
    unit: str | None = None
    decimals: int | None = None


@dataclass
class Spec:
    path: Path
    layout: str
    region_column: str
    unit: str | None
    published: str
    series: str
    source: str
    header_row: int | None = None  # None: the first row holding region_column
    header_rows: int | None = None  # lines of the header; None: detected
    encoding: str | None = None  # CSV only; None: detected (UTF-8 +-BOM, GBK/GB18030)
    sheet: str | int | None = None
    region_by: str = "name"
    parent: str | None = None
    names_as_of: dt.date | None = None
    measure: str | None = None
    year: int | None = None
    reference_date: dt.date | None = None
    definition: str | None = None
    seen_at: str | None = None
    note: str | None = None
    decimals: int | None = None
    columns: list[ColumnSpec] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    skip: list[SkipRule] = field(default_factory=list)
    name_column: str | None = None  # region_by = "code": the column holding the name as published
    coverage: str | None = None  # of every figure of the table (data/reference/coverage.csv); None: the region's own


def load_spec(path: Path, label: str | None = None) -> Spec:
    """Read and check a spec; ConfigInvalid (exit 2) lists every broken rule with its key."""
    label = label or str(path)
    m, issues = validate(SpecModel, read_toml(path, label), label)
    if m is None:
        raise ConfigInvalid(file=label, issues=issues)
    columns = (
        [ColumnSpec(header=h, year=y) for h, y in m.years.items()]
        if m.layout == "years"
        else [ColumnSpec(h, c.measure, None, c.unit, c.decimals) for h, c in m.columns.items()]
    )
    return Spec(
        path=path,
        layout=m.layout,
        region_column=m.region_column,
        unit=m.unit,
        published=str(m.published),
        series=m.series,
        source=m.source,
        header_row=m.header_row,
        header_rows=m.header_rows,
        encoding=m.encoding,
        sheet=m.sheet,
        region_by=m.region_by,
        parent=m.parent,
        names_as_of=m.names_as_of,
        measure=m.measure,
        year=m.year,
        reference_date=m.reference_date,
        definition=m.definition,
        seen_at=m.seen_at,
        note=m.note,
        decimals=m.decimals,
        columns=columns,
        aliases=dict(m.aliases),
        skip=list(m.skip),
        name_column=m.name_column,
        coverage=m.coverage,
    )
