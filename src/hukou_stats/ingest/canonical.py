"""The canonical observation row, and the code that builds it from a published cell."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pandas as pd

from hukou_stats.core.errors import Issue
from hukou_stats.core.numbers import normalise_unit, parse_number, to_canonical
from hukou_stats.core.text import control_character
from hukou_stats.core.vocabulary import FIXED_DEFINITION, MEASURES, RATE_MEASURES
from hukou_stats.reference.coverage import coverages
from hukou_stats.reference.releases import release_date
from hukou_stats.reference.series import reference_date, series_table

CANONICAL_COLUMNS = [
    "region_code",
    "region_name",
    "year",
    "reference_date",
    "measure",
    "value",
    "unit",
    "value_published",
    "unit_published",
    "decimals",
    "precision",
    "source",
    "published",
    "release_date",
    "release_precision",
    "seen_at",
    "series",
    "definition",
    "note",
    "source_file",
    "source_row",
    "row_id",
    "coverage",
]
# the texts every figure has (never empty or None)
TEXTS_OF_EVERY_ROW = ("region_code", "measure", "unit", "value_published", "unit_published", "source", "published",
                      "release_precision", "series", "source_file", "row_id")  # fmt: skip
# what makes a figure the same figure: editing where it was seen, or a note, does not make a new one
IDENTITY = [
    "region_code",
    "year",
    "measure",
    "value_published",
    "unit_published",
    "source",
    "published",
    "series",
    "definition",
]


# the text fields of a figure: no control characters (a note or a name as printed in a cell may hold line breaks
# and tabs), and a length limit
SPACED_FIELDS = {"note", "region_name_zh"}
TEXT_LIMITS = {"source": 1_000, "note": 2_000, "seen_at": 1_000, "region_name_zh": 200, "definition": 200}
MAX_FIELD_CHARS = 200
MEMO_SIZE = 100_000  # distinct texts whose checks are remembered while one table is read
ASCII_CODE = re.compile(r"[0-9]{6}(?:[0-9]{6})?")
RELEASE_RE = re.compile(r"(19[0-9]{2}|20[0-9]{2}|2100)(?:-(?:0?[1-9]|1[0-2])(?:-[0-9]{1,2})?)?")


def release_of(published) -> tuple[dt.date | None, str]:
    """(release date, precision) of a release given as YYYY, YYYY-MM or YYYY-MM-DD (the end of a month or year
    when only that is known); ("", unknown) for none. ValueError for anything else (2020-13, 2020-02-30)."""
    text = str(published or "").strip()
    if text and not RELEASE_RE.fullmatch(text):
        raise ValueError(f"{text[:40]!r} is not a release date YYYY, YYYY-MM or YYYY-MM-DD (1900-2100)")
    return release_date(text)


def empty_frame() -> pd.DataFrame:
    return frame([])


def frame(rows: list[dict] | list[tuple]) -> pd.DataFrame:
    """The canonical table of `rows`. The texts every row has are held as Arrow strings (a million rows take a
    fraction of the memory of Python strings); the others, and the dates, as Python objects with None for none."""
    df = pd.DataFrame(rows, columns=CANONICAL_COLUMNS)
    df = df.astype(
        {"year": "int64", "value": "float64", "decimals": "int64", "precision": "float64", "source_row": "int64"}
    )
    for c in CANONICAL_COLUMNS:
        if c in TEXTS_OF_EVERY_ROW:
            df[c] = df[c].astype("str")
        elif c not in ("year", "value", "decimals", "precision", "source_row"):
            df[c] = df[c].astype("object").where(df[c].notna(), None)
    return df


def row_id(fields: dict) -> str:
    key = "\x1f".join([str(fields[k] or "") for k in IDENTITY])
    if fields.get("coverage"):  # a coverage other than the region's own makes another figure (ids of others unchanged)
        key += "\x1f" + str(fields["coverage"])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


class RowBuilder:
    """Turns one published cell into a canonical row, or into an Issue."""

    def __init__(self, label: str, reference_dir: Path, registry=None, sheet: str = ""):
        self.label = label
        self.sheet = sheet
        self.reference_dir = reference_dir
        self.known_series = set(series_table(reference_dir).series)
        self.issues: list[Issue] = []
        self.rows: list[tuple] = []  # in the order of CANONICAL_COLUMNS (a tuple a row, not a dict)
        self.missing_cells = 0
        self.registry = registry
        self.coverages = coverages(reference_dir)
        # the same lookups recur on every row of a table: asked once each
        self._ref_days: dict[tuple[int, str], dt.date] = {}
        self._releases: dict[str, tuple] = {}
        self._doubts: dict[tuple[str, dt.date | None], tuple[str, str] | None] = {}
        self._warned: set[tuple[int, str]] = set()
        self._text_doubts: dict[tuple[str, str], tuple[str, str] | None] = {}
        self._label_doubts: dict[tuple, tuple[str | None, list[tuple[str, str, str, str]]]] = {}

    def err(self, row: int, column: str, value, rule: str, message: str) -> None:
        self.issues.append(
            Issue(
                "error",
                rule,
                message,
                file=self.label,
                row=row,
                sheet=self.sheet,
                column=column,
                value="" if value is None else str(value),
            )
        )

    def warn(self, row: int, column: str, value, rule: str, message: str) -> None:
        self.issues.append(
            Issue("warning", rule, message, file=self.label, row=row, sheet=self.sheet, column=column,
                  value="" if value is None else str(value))
        )  # fmt: skip

    def add(
        self,
        *,
        row: int,
        region_code: str,
        region_name: str | None,
        year,
        measure: str,
        value_text,
        unit: str,
        source: str,
        published: str,
        series: str,
        definition: str | None = None,
        seen_at: str | None = None,
        note: str | None = None,
        decimals_override: int | None = None,
        value_column: str = "value",
        reference_day: dt.date | None = None,
        empty_is_missing: bool = True,
        region_column: str = "region_code",
        coverage: str | None = None,
    ) -> None:
        n_before = len(self.issues)
        texts = {
            region_column: region_code,
            "region_name_zh": region_name,
            "measure": measure,
            "unit": unit,
            "source": source,
            "published": published,
            "series": series,
            "definition": definition,
            "seen_at": seen_at,
            "note": note,
            "coverage": coverage,
        }
        if not self._texts_ok(row, texts) or not self._code_ok(row, region_column, region_code):
            return
        year_i = self._year(row, year)
        if year_i is None:
            return
        unit_n = self._labels(row, measure, unit, series, source)
        rel, rel_prec = self._release(published or "")
        if rel_prec is None:
            self.err(
                row, "published", published, "release_date_format", "release date must be YYYY, YYYY-MM or YYYY-MM-DD"
            )
            rel, rel_prec = None, "unknown"
        definition = self._definition(row, measure, definition)
        if coverage and coverage not in self.coverages.get(region_code, ()):
            known = ", ".join(sorted(self.coverages.get(region_code, ()))) or "none"
            self.err(row, "coverage", coverage, "coverage_known",
                     f"unknown coverage for {region_code}; data/reference/coverage.csv lists: {known}")  # fmt: skip
        parsed = self._value(row, value_text, value_column, empty_is_missing)
        if parsed is None:
            return
        ref_day = reference_day or (self._ref_day(year_i, series) if series in self.known_series else None)
        self._check_code(row, region_code, ref_day, region_column)
        if any(i.severity == "error" for i in self.issues[n_before:]):
            return
        dec, decimals = parsed
        assert unit_n is not None  # an unknown unit is an error above
        if decimals_override is not None:
            decimals = decimals_override
        value, canon_unit, precision = to_canonical(dec, decimals, unit_n)
        fields = dict(  # in the order of CANONICAL_COLUMNS
            region_code=region_code,
            region_name=region_name or None,
            year=year_i,
            reference_date=ref_day,
            measure=measure,
            value=value,
            unit=canon_unit,
            value_published=str(value_text).strip(),
            unit_published=unit_n,
            decimals=decimals,
            precision=precision,
            source=str(source).strip(),
            published=str(published or "").strip(),
            release_date=rel,
            release_precision=rel_prec,
            seen_at=(seen_at or None),
            series=series,
            definition=(definition or None),
            note=(note or None),
            source_file=self.label,
            source_row=row,
            row_id="",
            coverage=coverage or None,
        )
        fields["row_id"] = row_id(fields)
        self.rows.append(tuple(fields.values()))

    def _texts_ok(self, row: int, texts: dict) -> bool:
        """No control character in a field (line breaks and tabs allowed in a note), no field over its length."""
        ok = True
        for column, value in texts.items():
            text = "" if value is None else str(value)
            key = (column, text)
            if key in self._text_doubts:
                doubt = self._text_doubts[key]
            else:
                doubt = self._text_doubt(column, text)
                if len(self._text_doubts) < MEMO_SIZE:
                    self._text_doubts[key] = doubt
            if doubt is not None:
                self.err(row, column, text, *doubt)
                ok = False
        return ok

    @staticmethod
    def _text_doubt(column: str, text: str) -> tuple[str, str] | None:
        bad = control_character(text, spacing_allowed=column in SPACED_FIELDS)
        if bad:
            return "control_character", f"holds {bad}: a damaged or hostile cell"
        limit = TEXT_LIMITS.get(column, MAX_FIELD_CHARS)
        if len(text) > limit:
            return "text_length", f"{len(text):,} characters; at most {limit:,} are stored"
        return None

    def _code_ok(self, row: int, column: str, code: str) -> bool:
        if ASCII_CODE.fullmatch(str(code)):
            return True
        self.err(row, column, code, "region_code_format", "a region code has 6 digits 0-9 (12 for villages)")
        return False

    def _year(self, row: int, year) -> int | None:
        text = str(year).strip()
        year_i = int(text) if re.fullmatch(r"[0-9]{4}", text) else None
        if year_i is None or not 1900 <= year_i <= 2100:
            self.err(row, "year", year, "year_integer", "the year must be a whole number such as 2019 (1900-2100)")
            return None
        return year_i

    def _labels(self, row: int, measure: str, unit: str, series: str, source: str) -> str | None:
        """The canonical unit; errors for an unknown measure, unit or series, a unit that does not fit the
        measure, and a missing source (worked out once for each combination, reported on every row)."""
        key = (measure, unit, series, source)
        found = self._label_doubts.get(key)
        if found is None:
            found = self._label_doubt(measure, unit, series, source)
            if len(self._label_doubts) < MEMO_SIZE:
                self._label_doubts[key] = found
        unit_n, doubts = found
        for column, value, rule, message in doubts:
            self.err(row, column, value, rule, message)
        return unit_n

    def _label_doubt(
        self, measure: str, unit: str, series: str, source: str
    ) -> tuple[str | None, list[tuple[str, str, str, str]]]:
        doubts = []
        if measure not in MEASURES:
            doubts.append(("measure", measure, "measure_allowed",
                           f"unknown measure; allowed: {', '.join(sorted(MEASURES))}"))  # fmt: skip
        unit_n = normalise_unit(unit)
        if unit_n is None:
            doubts.append(
                ("unit", unit, "unit_allowed", "unknown unit; allowed: persons (人), 10k_persons (万人), pct (%)")
            )
        elif measure in RATE_MEASURES and unit_n != "pct":
            doubts.append(("unit", unit, "unit_matches_measure", f"{measure} is a rate and must be in pct"))
        elif measure in MEASURES and measure not in RATE_MEASURES and unit_n == "pct":
            doubts.append(("unit", unit, "unit_matches_measure", f"{measure} is a count and cannot be in pct"))
        if series not in self.known_series:
            doubts.append(("series", series, "series_allowed",
                           f"unknown series (basis); allowed: {', '.join(sorted(self.known_series))}"))  # fmt: skip
        if not str(source or "").strip():
            doubts.append(("source", source, "source_required", "every figure must name its source publication"))
        return unit_n, doubts

    def _check_code(self, row: int, region_code: str, ref_day: dt.date | None, region_column: str) -> None:
        """What the registry says of a code not in the list of its figure's year (once a row, not once a cell)."""
        if self.registry is None:
            return
        key = (region_code, ref_day)
        if key not in self._doubts:
            self._doubts[key] = self.registry.check_code(region_code, ref_day)
        doubt = self._doubts[key]
        if doubt and (row, region_code) not in self._warned:
            self._warned.add((row, region_code))
            self.issues.append(
                Issue(
                    doubt[0],
                    "region_code_known",
                    doubt[1],
                    file=self.label,
                    sheet=self.sheet,
                    row=row,
                    column=region_column,
                    value=region_code,
                )
            )

    def _ref_day(self, year: int, series: str) -> dt.date:
        key = (year, series)
        if key not in self._ref_days:
            self._ref_days[key] = reference_date(year, series, self.reference_dir)
        return self._ref_days[key]

    def _release(self, published: str) -> tuple:
        """(release date, precision); precision None when the text is no release date."""
        if published not in self._releases:
            try:
                self._releases[published] = release_of(published)
            except ValueError:
                self._releases[published] = (None, None)
        return self._releases[published]

    def _definition(self, row: int, measure: str, definition: str | None) -> str | None:
        """The definition of the figure: a measure that exists under one definition only carries it."""
        fixed = FIXED_DEFINITION.get(measure)
        if fixed is None or not definition or definition == fixed:
            return fixed or definition
        self.err(row, "definition", definition, "definition_of_measure",
                 f"{measure} exists under the definition {fixed} only (a share of the resident population holding a "
                 "non-agricultural hukou, 非农业户口人口比重, not an urbanization rate)")  # fmt: skip
        return definition

    def _value(self, row: int, value_text, column: str, empty_is_missing: bool):
        """(Decimal, decimals) of a published cell; None for an empty cell or text (reported)."""
        try:
            parsed = parse_number(value_text)
        except ValueError:
            self.err(row, column, value_text, "value_numeric", "a number is expected here (text found)")
            return None
        if parsed is None:
            self.missing_cells += 1  # a published "not available": no observation
            if not empty_is_missing:
                self.warn(row, column, value_text, "value_present", "no value: the row is not stored")
        return parsed

    def result(self) -> tuple[pd.DataFrame, list[Issue]]:
        if not self.rows and not any(i.severity == "error" for i in self.issues):
            self.issues.append(
                Issue("warning", "file_has_figures", "no figures in this file", file=self.label, sheet=self.sheet)
            )
        return frame(self.rows), self.issues
