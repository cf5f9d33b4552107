"""The TOML spec that describes a wide table (see data/raw/guangzhou/*.toml), as a declarative schema: every
key, its type and its allowed values; every broken rule is reported as file, key and rule (core.config)."""

from __future__ import annotations

import codecs
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from hukou_stats.core.config import ConfigInvalid, read_toml, validate
from hukou_stats.core.numbers import normalise_unit
from hukou_stats.core.text import plain
from hukou_stats.core.vocabulary import MEASURES
from hukou_stats.ingest.canonical import TEXT_LIMITS, release_of


def _measure(v: str | None) -> str | None:
    if v is not None and v not in MEASURES:
        raise ValueError(f"unknown measure {v!r}; the measures: {', '.join(sorted(MEASURES))}")
    return v


def _encoding(v: str | None) -> str | None:
    """A text encoding Python knows (not a bytes-to-bytes codec such as base64)."""
    if v is None:
        return v
    try:
        info = codecs.lookup(v)
    except LookupError:
        raise ValueError(f"unknown encoding {v!r}; e.g. gb18030, big5, utf-8, utf-16") from None
    if not getattr(info, "_is_text_encoding", True) or info.name == "undefined":
        raise ValueError(f"{v!r} is not a text encoding; e.g. gb18030, big5, utf-8, utf-16")
    return v


def _release(v: str) -> str:
    release_of(v)  # ValueError: not YYYY, YYYY-MM or YYYY-MM-DD, or no such day
    return v


def Text(max_length: int = 200, min_length: int = 0):
    """A string with no control characters, within a length."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(plain)]


Measure = Annotated[str, AfterValidator(_measure)]
Row = Annotated[StrictInt, Field(ge=1, le=1_000_000)]
Decimals = Annotated[StrictInt, Field(ge=0, le=10)]
Year = Annotated[StrictInt, Field(ge=1900, le=2100)]
Code = Annotated[str, Field(pattern=r"^[0-9]{6}([0-9]{6})?$")]
# strings with no control characters, within a length
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(plain)]
Short = Annotated[str, Field(max_length=200), AfterValidator(plain)]
Source = Annotated[str, Field(min_length=1, max_length=TEXT_LIMITS["source"]), AfterValidator(plain)]
Long = Annotated[str, Field(max_length=TEXT_LIMITS["seen_at"]), AfterValidator(plain)]


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


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    layout: Literal["years", "measures"] = Field(description="years: a column per year; measures: a column per measure")
    region_column: Name
    published: Annotated[str, AfterValidator(_release)]
    series: Name
    source: Source
    unit: str | None = None
    header_row: Row | None = None
    header_rows: Annotated[StrictInt, Field(ge=1, le=10)] | None = None
    encoding: Annotated[str, AfterValidator(_encoding)] | None = None
    sheet: str | int | None = None
    region_by: Literal["name", "code"] = "name"
    parent: Short | None = None
    names_as_of: dt.date | None = None
    measure: Measure | None = None
    year: Year | None = None
    reference_date: dt.date | None = None
    definition: Short | None = None
    seen_at: Long | None = None
    note: Annotated[str, Field(max_length=TEXT_LIMITS["note"])] | None = None
    decimals: Decimals | None = None
    columns: dict[Name, ColumnEntry] = {}
    years: dict[Name, Year] = {}
    aliases: dict[Name, Code] = {}

    _check_unit = field_validator("unit")(_unit)

    @field_validator("published", mode="before")
    @classmethod
    def _published(cls, v: object) -> object:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v  # published = 2020

    @field_validator("sheet", mode="before")
    @classmethod
    def _sheet(cls, v: object) -> object:
        if (
            v is None
            or (isinstance(v, str) and len(v) <= 200)
            or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 100_000)
        ):
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
    )
