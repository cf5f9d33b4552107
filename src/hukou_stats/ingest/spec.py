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
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    measure: Measure
    """The measure of the column's figures."""
    unit: str | None = None
    """Unit of this column, where it differs from the table's unit."""
    decimals: Decimals | None = None
    """Decimals of this column's figures (XLSX cells under the General number format)."""

    _check_unit = field_validator("unit")(_unit)


class SkipRule(BaseModel):
    """Rows to leave out, by the text of one column: `values` (e.g. "NA", the code of rows that are no unit), or
    `empty = true` (rows without a code that hold figures). Every row left out is counted in the report."""

    model_config = ConfigDict(extra="forbid")
    column: str = Field(min_length=1)
    """Header of the column whose text decides."""
    values: list[str] = []
    """Texts that leave a row out (e.g. "NA")."""
    empty: bool = False
    """true: rows with nothing in the column (but figures elsewhere) are left out."""
    reason: str = ""
    """Why the rows are left out, said in the validation report."""

    @model_validator(mode="after")
    def _says_what(self) -> SkipRule:
        if not self.values and not self.empty:
            raise ValueError("a skip rule needs values = [...] or empty = true")
        return self


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    layout: Literal["years", "measures"]
    """years: a column per year (one measure); measures: a column per measure (one year)."""
    region_column: Name
    """Header of the column naming the regions (spaces, full-width and traditional characters are ignored: `地  区` and `地區` match `地区`)."""
    published: Annotated[str, AfterValidator(_release)]
    """Release of the publication: YYYY, YYYY-MM or YYYY-MM-DD (a year or a month is dated at its end)."""
    series: Name
    """Statistical series of every figure in the table (reference table series), e.g. first_release or census_2020."""
    source: Source
    """The publication the figures come from, e.g. a yearbook and its table number."""
    unit: str | None = None
    """Unit of the figures: persons (人), 10k_persons (万人) or pct (%). May be left out when the table has a unit line (`单位：万人`) or units in its headers (`城镇化率(%)`); a unit line that contradicts it is an error."""
    header_row: Row | None = None
    """1-based row holding the column headers. Default: the first of the first 30 rows that holds region_column (title rows above it are skipped)."""
    header_rows: Annotated[StrictInt, Field(ge=1, le=10)] | None = None
    """Number of lines of the header. Default: detected (an English line, a line of units, the second line of a merged header)."""
    encoding: Annotated[str, AfterValidator(_encoding)] | None = None
    """Encoding of a CSV file. Default: detected (a byte-order mark decides between UTF-8 and UTF-16; else UTF-8; else GB18030, which covers GBK and GB2312, where the bytes clearly are); give it for anything else, e.g. big5."""
    sheet: str | int | None = None
    """Sheet of an XLSX workbook: its name or its 0-based number. Default: the first sheet."""
    region_by: Literal["name", "code"] = "name"
    """name: the rows name their regions (Chinese, pinyin or English, resolved through the region registry); code: the rows give GB/T 2260 codes (the name is then not read)."""
    parent: Short | None = None
    """Code of the region under which names are resolved (district names such as 荔湾区 under 440100)."""
    names_as_of: dt.date | None = None
    """Names are those valid on this date. Default: the release date given by published."""
    measure: Measure | None = None
    """Layout years: the measure of every figure."""
    year: Year | None = None
    """Layout measures: the reference year of every figure."""
    reference_date: dt.date | None = None
    """Point date of every figure. Default: the point date of the series in that year (31 December; 1 November for census and sample-survey series)."""
    definition: Short | None = None
    """Definition of urban for hukou figures (reference table definitions), e.g. urban_rural_area_2015_rule."""
    seen_at: Long | None = None
    """Where the figures were seen: the official page, or a reprint."""
    note: Annotated[str, Field(max_length=TEXT_LIMITS["note"])] | None = None
    """A note stored with every figure of the table."""
    decimals: Decimals | None = None
    """Decimals of every figure, for XLSX cells under the General number format. Default: the decimals of the cell's number format (0.00 gives 2), or of the text in a CSV."""
    columns: dict[Name, ColumnEntry] = {}
    """Layout measures: header = measure, or header = { measure, unit, decimals } for a column with its own unit or decimals."""
    years: dict[Name, Year] = {}
    """Layout years: header = year, for year columns whose header is not a plain year (2019 and 2019年 are recognised without it). When given, only these columns are read."""
    aliases: dict[Name, Code] = {}
    """Row names that are not region names, each mapped to a code: "全市" = "440100"."""
    skip: list[SkipRule] = []
    """[[skip]] tables: rows left out by the text of one column (`column`, `values = [...]` or `empty = true`, `reason`), e.g. the rows whose code is "NA"; every row left out is counted in the validation report."""
    name_column: Short | None = None
    """With region_by = "code": the column holding the region's name as published (kept with each figure)."""
    coverage: Short | None = None
    """Coverage of every figure of the table (reference table coverage), when it is not the region's own, e.g. provinces_31 for a sum of the 31 provinces."""

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
    """Layout years: the measure of every figure."""
    year: int | None = None
    """Layout measures: the reference year of every figure."""
    unit: str | None = None
    """Unit of the figures: persons (人), 10k_persons (万人) or pct (%). May be left out when the table has a unit line (`单位：万人`) or units in its headers (`城镇化率(%)`); a unit line that contradicts it is an error."""
    decimals: int | None = None
    """Decimals of every figure, for XLSX cells under the General number format. Default: the decimals of the cell's number format (0.00 gives 2), or of the text in a CSV."""


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
