"""The TOML spec that describes a wide table (see data/raw/guangzhou/*.toml)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from hukou_stats.core.errors import UsageError
from hukou_stats.core.numbers import normalise_unit
from hukou_stats.core.vocabulary import MEASURES


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


def _fail(path: Path, msg: str) -> UsageError:
    return UsageError(f"{path}: {msg}")


def load_spec(path: Path) -> Spec:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise _fail(path, f"not valid TOML: {e}") from e
    except OSError as e:
        from hukou_stats.core.errors import InputOutputError

        raise InputOutputError(f"cannot read spec {path}: {e}") from e
    known = {
        "layout",
        "header_row",
        "header_rows",
        "encoding",
        "sheet",
        "region_column",
        "region_by",
        "parent",
        "names_as_of",
        "measure",
        "year",
        "unit",
        "reference_date",
        "published",
        "series",
        "definition",
        "seen_at",
        "source",
        "note",
        "decimals",
        "columns",
        "years",
        "aliases",
    }
    unknown = set(raw) - known
    if unknown:
        raise _fail(path, f"unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(known))}")
    for key in ("layout", "region_column", "published", "series", "source"):
        if key not in raw:
            raise _fail(path, f"missing required key '{key}'")
    layout = raw["layout"]
    if layout not in ("years", "measures"):
        raise _fail(path, 'layout must be "years" (a column per year) or "measures" (a column per measure)')
    if "unit" in raw and normalise_unit(raw["unit"]) is None:
        raise _fail(path, f"unknown unit {raw['unit']!r}; use persons, 10k_persons (万人) or pct (%)")
    if not isinstance(raw.get("sheet", ""), (str, int)) or isinstance(raw.get("sheet"), bool):
        raise _fail(path, "sheet must be a sheet name or a 0-based sheet number")
    if not isinstance(raw.get("aliases", {}), dict):
        raise _fail(path, "[aliases] must be a table: name = code")
    if raw.get("decimals") is not None and (
        isinstance(raw["decimals"], bool) or not isinstance(raw["decimals"], int) or not 0 <= raw["decimals"] <= 10
    ):
        raise _fail(path, "decimals must be a whole number from 0 to 10")
    if raw.get("region_by", "name") not in ("name", "code"):
        raise _fail(path, 'region_by must be "name" or "code"')

    def date_or_none(key):
        v = raw.get(key)
        if v is None or isinstance(v, dt.date):
            return v
        try:
            return dt.date.fromisoformat(str(v))
        except ValueError:
            raise _fail(path, f"{key} must be a date YYYY-MM-DD, got {v!r}") from None

    def int_or_none(key, least):
        v = raw.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < least:
            raise _fail(path, f"{key} must be a whole number of at least {least} (1-based rows), got {v!r}")
        return v

    spec = Spec(
        path=path,
        layout=layout,
        region_column=str(raw["region_column"]),
        unit=raw.get("unit"),
        published=str(raw["published"]),
        series=raw["series"],
        source=raw["source"],
        header_row=int_or_none("header_row", 1),
        header_rows=int_or_none("header_rows", 1),
        encoding=raw.get("encoding"),
        sheet=raw.get("sheet"),
        region_by=raw.get("region_by", "name"),
        parent=raw.get("parent"),
        names_as_of=date_or_none("names_as_of"),
        measure=raw.get("measure"),
        year=raw.get("year"),
        reference_date=date_or_none("reference_date"),
        definition=raw.get("definition"),
        seen_at=raw.get("seen_at"),
        note=raw.get("note"),
        decimals=raw.get("decimals"),
        aliases={str(k): str(v) for k, v in raw.get("aliases", {}).items()},
    )
    if layout == "years":
        if spec.measure not in MEASURES:
            raise _fail(path, f'layout "years" needs measure = one of {", ".join(sorted(MEASURES))}')
        years = raw.get("years", {})
        if not isinstance(years, dict):
            raise _fail(path, "[years] must be a table: header = year")
        for header, year in years.items():
            if isinstance(year, bool) or not isinstance(year, int):
                raise _fail(path, f"[years] {header!r}: the year must be a whole number such as 2019, got {year!r}")
            spec.columns.append(ColumnSpec(header=str(header), year=year))
    else:
        if spec.year is None:
            raise _fail(path, 'layout "measures" needs year = YYYY')
        if spec.year is not None and (isinstance(spec.year, bool) or not isinstance(spec.year, int)):
            raise _fail(path, f"year must be a whole number such as 2019, got {spec.year!r}")
        cols = raw.get("columns") or {}
        if not isinstance(cols, dict) or any(not isinstance(v, (str, dict)) for v in cols.values()):
            raise _fail(path, "[columns] must be a table: header = measure, or header = { measure, unit, decimals }")
        if not cols:
            raise _fail(path, 'layout "measures" needs a [columns] table: header = measure')
        for header, v in cols.items():
            c = (
                ColumnSpec(header=str(header))
                if isinstance(v, str)
                else ColumnSpec(header=str(header), unit=v.get("unit"), decimals=v.get("decimals"))
            )
            c.measure = v if isinstance(v, str) else v.get("measure")
            if c.measure not in MEASURES:
                raise _fail(path, f"column {header!r}: unknown measure {c.measure!r}")
            if c.unit is not None and normalise_unit(c.unit) is None:
                raise _fail(path, f"column {header!r}: unknown unit {c.unit!r}")
            spec.columns.append(c)
    return spec
