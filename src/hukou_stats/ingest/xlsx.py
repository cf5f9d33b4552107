"""XLSX workbooks as the grid of text their reader sees: numbers with the decimals of their number format,
merged ranges, and formulas whose value was never saved (marked, so they are an error, not a blank).

The workbook is read in one streaming pass within limits (ingest.limits), so a hostile or damaged file is refused
before it takes memory or time:
  1. the zip directory: file size, number of parts, each part's uncompressed size, their total, the compression
     ratio, encrypted parts (Python's zipfile never inflates a part past the size its directory declares: a part
     that lies fails its CRC check);
  2. the sheet XML, streamed (expat): cells are turned into text as they end, and the real used range is the
     cells that hold a value (a sheet that declares A1:XFD1048576, or styles an empty cell there, is as small as
     its values); rows, columns, cells, characters per cell and merged ranges are counted as they come;
  3. the grid of the used range, built once its size is known to be within the limits.
Documents with a DTD (entity declarations) are refused. Values are read as openpyxl reads them (shared and inline
strings, booleans, errors, dates from number formats).
"""

from __future__ import annotations

import functools
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from hukou_stats.ingest.limits import InputTooLarge, Limits, in_force, too_large

UNSAVED_FORMULA = "\x00formula without a saved value"
CHUNK = 1 << 20
_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
WORKSHEET, CHARTSHEET = "/worksheet", "/chartsheet"


class SheetNotFound(ValueError):
    pass


class NotAWorkbook(ValueError):
    """The file is not an XLSX workbook that can be read."""


@functools.lru_cache(maxsize=1024)
def _decimals_of(number_format: str) -> int | None:
    """Decimals shown by an Excel number format such as 0.00, #,##0.0 or 0.00%; None for General."""
    fmt = number_format.split(";")[0]
    if "." not in fmt or fmt == "General":
        return 0 if re.fullmatch(r"[#,0]+", fmt or "") else None
    m = re.match(r"[0#]*", fmt.split(".", 1)[1])
    return len(m.group(0)) if m else 0


def number_text(v: int | float, number_format: str) -> str:
    """A number as the reader of the sheet sees it: with the decimals of its number format."""
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    fmt = number_format or "General"
    d = _decimals_of(fmt)
    if "%" in fmt:
        v = v * 100
    if d is None:
        return str(int(v)) if float(v).is_integer() else format(Decimal(repr(float(v))), "f")
    return f"{v:.{d}f}"


def read_xlsx(
    path: Path, sheet, limits: Limits | None = None
) -> tuple[list[list[str]], str, list[tuple[int, int, int, int]]]:
    """(rows of cell text from A1, sheet name, merged ranges as 0-based (row0, col0, row1, col1)), within the
    limits (default: those in force). NotAWorkbook, SheetNotFound, InputTooLarge."""
    limits = limits or in_force()
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise too_large("bytes of the file", size, limits.file_bytes)
    try:
        with zipfile.ZipFile(path) as z:
            _preflight(z, limits)
            book = _Book(z, limits)
            name, part = book.sheet(sheet)
            cells = _SheetReader(book, limits).read(z, part)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, EOFError, RuntimeError) as e:
        raise NotAWorkbook(f"not a readable XLSX workbook (zip): {e}") from e  # incl. Bad CRC-32: a part that lies
    except expat.ExpatError as e:
        raise NotAWorkbook(f"the workbook's XML is broken: {e}") from e
    return cells.grid(limits), name, cells.merged_in_range()


def _preflight(z: zipfile.ZipFile, limits: Limits) -> None:
    """The zip directory within the limits, before any part is inflated."""
    infos = z.infolist()
    if len(infos) > limits.parts:
        raise too_large("parts in the workbook", len(infos), limits.parts)
    total = 0
    for i in infos:
        if i.flag_bits & 0x1:
            raise NotAWorkbook(f"part {i.filename} is encrypted: save the workbook without a password")
        if i.file_size > limits.part_bytes:
            raise too_large(f"uncompressed bytes of part {i.filename}", i.file_size, limits.part_bytes)
        if i.file_size > 2**20 and i.file_size > limits.ratio * max(i.compress_size, 1):
            raise InputTooLarge(
                f"part {i.filename} inflates {i.file_size / max(i.compress_size, 1):,.0f} times "
                f"({i.compress_size:,} -> {i.file_size:,} bytes): a zip bomb, not a table. / 文件超出读取上限。"
            )
        total += i.file_size
    if total > limits.total_bytes:
        raise too_large("uncompressed bytes of the workbook", total, limits.total_bytes)


def _parse(stream: IO[bytes], start: Callable, end: Callable | None = None, text: Callable | None = None) -> None:
    """Stream XML through expat (names as 'namespace local'); a DTD or an entity declaration is refused."""
    p = expat.ParserCreate(namespace_separator=" ")
    p.buffer_text = True
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_):
        raise NotAWorkbook("the workbook's XML declares a DTD or entities (not written by a spreadsheet program)")

    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.StartElementHandler = start
    if end is not None:
        p.EndElementHandler = end
    if text is not None:
        p.CharacterDataHandler = text
    while block := stream.read(CHUNK):
        p.Parse(block, False)
    p.Parse(b"", True)


class _Local(dict):
    """XML name -> local name ('namespace c' and 'x:c' -> 'c'), computed once per name."""

    def __missing__(self, name: str) -> str:
        local = self[name] = name.rpartition(" ")[2].rpartition(":")[2]
        return local


_LOCAL = _Local()
_COLUMNS: dict[str, int] = {}
_DIGITS = "0123456789"


def _cell_ref(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of a reference such as B12."""
    letters = ref.rstrip(_DIGITS)
    col = _COLUMNS.get(letters)
    if col is None:
        m = _REF_RE.fullmatch(ref.strip())
        if not m:
            raise NotAWorkbook(f"bad cell reference {ref[:40]!r} in the sheet")
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + ord(ch) - 64
        if letters == m.group(1):
            _COLUMNS[letters] = col
        return int(m.group(2)), col
    try:
        return int(ref[len(letters) :]), col
    except ValueError:
        raise NotAWorkbook(f"bad cell reference {ref[:40]!r} in the sheet") from None


def _attr(attrs: dict, local: str) -> str | None:
    """An attribute by its local name, with or without a namespace."""
    if local in attrs:
        return attrs[local]
    return next((v for k, v in attrs.items() if _LOCAL[k] == local), None)


class _Book:
    """What the sheets need from the rest of the workbook: the sheet list, the shared strings, the number format
    of each cell style, the date system."""

    def __init__(self, z: zipfile.ZipFile, limits: Limits):
        self.z = z
        names = set(z.namelist())
        workbook = self._office_document(names)
        rels = self._rels(workbook, names)
        self.sheets: list[tuple[str, str, str]] = []  # (name, part, relationship type)
        self.date1904 = False

        def start(name, attrs):
            local = _LOCAL[name]
            if local == "sheet":
                target = rels.get(_attr(attrs, "id") or "")
                self.sheets.append((attrs.get("name", ""), *(target or ("", ""))))
            elif local == "workbookPr":
                self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")

        if workbook not in names:
            raise NotAWorkbook("the file is a zip without a workbook in it (xl/workbook.xml)")
        with z.open(workbook) as f:
            _parse(f, start)
        if not self.sheets:
            raise NotAWorkbook("the workbook has no sheets")
        by_type = {kind.rsplit("/", 1)[-1]: part for part, kind in rels.values()}
        self.strings = self._shared_strings(by_type.get("sharedStrings"), names, limits)
        self.formats = self._styles(by_type.get("styles"), names)
        self.epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900

    def sheet(self, sheet) -> tuple[str, str]:
        """(name, part) of the sheet asked for: None the first, a number (0-based) or a name."""
        names = [s[0] for s in self.sheets]
        if sheet is None:
            chosen = self.sheets[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise SheetNotFound(f"there is no sheet number {sheet}; sheets: {', '.join(names)}")
            chosen = self.sheets[sheet]
        elif sheet in names:
            chosen = self.sheets[names.index(sheet)]
        else:
            raise SheetNotFound(f"no sheet {sheet!r}; sheets: {', '.join(names)}")
        name, part, kind = chosen
        if kind.endswith(CHARTSHEET):
            raise NotAWorkbook(f"sheet {name!r} is a chart sheet, not a table")
        if not kind.endswith(WORKSHEET) or part not in self.z.namelist():
            raise NotAWorkbook(f"sheet {name!r} is not a worksheet that can be read")
        return name, part

    def _office_document(self, names: set[str]) -> str:
        found = "xl/workbook.xml"
        if "_rels/.rels" in names:

            def start(name, attrs):
                nonlocal found
                if _LOCAL[name] == "Relationship" and attrs.get("Type", "").endswith("/officeDocument"):
                    found = attrs.get("Target", found).lstrip("/")

            with self.z.open("_rels/.rels") as f:
                _parse(f, start)
        return found

    def _rels(self, workbook: str, names: set[str]) -> dict[str, tuple[str, str]]:
        """Relationship id -> (part, type) of the workbook part."""
        folder, base = posixpath.split(workbook)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        rels: dict[str, tuple[str, str]] = {}

        def start(name, attrs):
            if _LOCAL[name] == "Relationship" and "Id" in attrs:
                target = attrs.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"{folder}/{target}")
                rels[attrs["Id"]] = (part, attrs.get("Type", ""))

        if rels_part in names:
            with self.z.open(rels_part) as f:
                _parse(f, start)
        return rels

    def _shared_strings(self, part: str | None, names: set[str], limits: Limits) -> list[str]:
        part = part or "xl/sharedStrings.xml"
        if part not in names:
            return []
        reader = _SharedStrings(limits)
        with self.z.open(part) as f:
            _parse(f, reader.start, reader.end, reader.text)
        return reader.strings

    def _styles(self, part: str | None, names: set[str]) -> list[tuple[str, bool, bool]]:
        """(number format, is a date, is a duration) of each cell style (cellXfs), as openpyxl resolves them."""
        part = part or "xl/styles.xml"
        if part not in names:
            return []
        custom: dict[int, str] = {}
        ids: list[int] = []
        inside = {"cellXfs": False}

        def start(name, attrs):
            local = _LOCAL[name]
            if local == "numFmt":
                try:
                    custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "General")
                except ValueError:
                    pass
            elif local == "cellXfs":
                inside["cellXfs"] = True
            elif local == "xf" and inside["cellXfs"]:
                try:
                    ids.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    ids.append(0)

        def end(name):
            if _LOCAL[name] == "cellXfs":
                inside["cellXfs"] = False

        with self.z.open(part) as f:
            _parse(f, start, end)
        out = []
        for i in ids:
            fmt = custom.get(i) or BUILTIN_FORMATS.get(i, "General")
            out.append((fmt, is_date_format(fmt), is_timedelta_format(fmt)))
        return out


@dataclass
class _Cells:
    """The text of the cells that hold something, by row, and the merged ranges as declared (1-based)."""

    rows: dict[int, dict[int, str]] = field(default_factory=dict)
    used_rows: int = 0
    used_cols: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def grid(self, limits: Limits) -> list[list[str]]:
        size = self.used_rows * self.used_cols
        if size > limits.grid:
            raise too_large(
                f"cells of the used range A1:{_column_letters(self.used_cols)}{self.used_rows}", size, limits.grid
            )
        out = []
        for r in range(1, self.used_rows + 1):
            line = [""] * self.used_cols
            for c, text in self.rows.get(r, {}).items():
                if c <= self.used_cols:
                    line[c - 1] = text
            out.append(line)
        return out

    def merged_in_range(self) -> list[tuple[int, int, int, int]]:
        """Merged ranges as 0-based (row0, col0, row1, col1), clipped to the used range (a range that starts
        outside it holds nothing that is read)."""
        return [
            (r0 - 1, c0 - 1, min(r1, self.used_rows) - 1, min(c1, self.used_cols) - 1)
            for r0, c0, r1, c1 in self.merged
            if r0 <= self.used_rows and c0 <= self.used_cols
        ]


def _column_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s or "A"


class _SharedStrings:
    """Each <si> as its text (runs joined, phonetic runs left out), as openpyxl reads it."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.strings: list[str] = []
        self.buf: list[str] = []
        self.rph = 0
        self.in_t = False
        self.chars = 0

    def start(self, name, attrs):
        local = _LOCAL[name]
        if local == "si":
            self.buf, self.chars = [], 0
        elif local == "rPh":
            self.rph += 1
        elif local == "t" and not self.rph:
            self.in_t = True

    def end(self, name):
        local = _LOCAL[name]
        if local == "si":
            self.strings.append("".join(self.buf).replace("x005F_", ""))
            if len(self.strings) > self.limits.cells:
                raise too_large("shared strings of the workbook", len(self.strings), self.limits.cells)
        elif local == "rPh":
            self.rph -= 1
        elif local == "t":
            self.in_t = False

    def text(self, data):
        if self.in_t:
            self.chars += len(data)
            if self.chars > self.limits.cell_chars:
                n = len(self.strings) + 1
                raise too_large(f"characters of shared string {n}", self.chars, self.limits.cell_chars)
            self.buf.append(data)


class _SheetReader:
    """One streaming pass over a sheet's XML: each cell becomes its text when it ends (the hot path of reading a
    workbook: kept to plain attribute access)."""

    def __init__(self, book: _Book, limits: Limits):
        self.book = book
        self.limits = limits
        self.cells = _Cells()
        self.n_cells = 0
        self.row = 0
        self.col = 0
        self.in_cell = False
        self.t = "n"
        self.s: str | None = None
        self.v: list[str] | None = None
        self.f = False
        self.inline: list[str] | None = None
        self.capture: list[str] | None = None
        self.chars = 0
        self.rph = 0

    def read(self, z: zipfile.ZipFile, part: str) -> _Cells:
        with z.open(part) as f:
            _parse(f, self.start, self.end, self.text)
        return self.cells

    def start(self, name, attrs):
        local = _LOCAL[name]
        if local == "v":
            if self.in_cell:
                self.v = self.capture = []
        elif local == "c":
            ref = attrs.get("r")
            if ref:
                self.row, self.col = _cell_ref(ref)
            else:
                self.col += 1
            self.in_cell = True
            self.t = attrs.get("t", "n")
            self.s = attrs.get("s")
            self.v = self.inline = None
            self.f = False
        elif local == "row":
            self._row(attrs.get("r"))
        elif self.in_cell:
            self._in_cell(local)
        elif local == "mergeCell":
            self._merge(attrs.get("ref") or "")

    def _row(self, r: str | None) -> None:
        try:
            self.row = int(float(r)) if r else self.row + 1
        except ValueError:
            raise NotAWorkbook(f"bad row number {str(r)[:40]!r} in the sheet") from None
        self.col = 0

    def _in_cell(self, local: str) -> None:
        if local == "f":
            self.f = True
        elif local == "is":
            self.inline = []
        elif local == "rPh":
            self.rph += 1
        elif local == "t" and self.inline is not None and not self.rph:
            self.capture = self.inline

    def _merge(self, ref: str) -> None:
        a, _, b = ref.partition(":")
        (r0, c0), (r1, c1) = _cell_ref(a), _cell_ref(b or a)
        self.cells.merged.append((min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)))
        if len(self.cells.merged) > self.limits.merged:
            raise too_large("merged ranges of the sheet", len(self.cells.merged), self.limits.merged)

    def text(self, data):
        if self.capture is not None:
            self.chars += len(data)
            if self.chars > self.limits.cell_chars:
                raise too_large(
                    f"characters of the cell in row {self.row}, column {self.col}", self.chars, self.limits.cell_chars
                )
            self.capture.append(data)

    def end(self, name):
        local = _LOCAL[name]
        if local == "c":
            text = self._text()
            self.in_cell, self.capture, self.chars = False, None, 0
            if text:
                self._add(text)
        elif local == "v" or local == "t":
            self.capture = None
        elif local == "rPh":
            self.rph -= 1

    def _add(self, text: str) -> None:
        limits, cells, row, col = self.limits, self.cells, self.row, self.col
        if len(text) > limits.cell_chars:  # a shared string or a number format that makes it long
            raise too_large(f"characters of the cell in row {row}, column {col}", len(text), limits.cell_chars)
        self.n_cells += 1
        if row > limits.rows:
            raise too_large(f"rows (a value in row {row})", row, limits.rows)
        if col > limits.columns:
            raise too_large(f"columns (a value in column {col})", col, limits.columns)
        if self.n_cells > limits.cells:
            raise too_large("cells holding a value", self.n_cells, limits.cells)
        line = cells.rows.get(row)
        if line is None:
            line = cells.rows[row] = {}
            if row > cells.used_rows:
                cells.used_rows = row
        line[col] = text
        if col > cells.used_cols:
            cells.used_cols = col

    def _text(self) -> str:
        """The cell's text as read by openpyxl (data_only) and shown with its number format; the mark of an
        unsaved formula where a formula has no saved value."""
        if self.t == "inlineStr":
            text = "".join(self.inline or ())
        elif self.v:
            v = self.v[0] if len(self.v) == 1 else "".join(self.v)
            text = self._value_text(self.t, v, self.s) if v else ""
        else:
            text = ""
        if self.f and text == "":
            return UNSAVED_FORMULA
        return text

    def _value_text(self, t: str, v: str, style: str | None) -> str:
        where = f"the cell in row {self.row}, column {self.col}"
        try:
            if t == "n":
                number: int | float = float(v) if ("." in v or "e" in v or "E" in v) else int(v)
                fmt, is_date, is_duration = self._style(style)
                if is_date:
                    try:
                        return str(from_excel(number, self.book.epoch, timedelta=is_duration))
                    except (OverflowError, ValueError):
                        return "#VALUE!"
                return number_text(number, fmt)
            if t == "s":
                return self.book.strings[int(v)]
            if t == "b":
                return str(bool(int(v)))
            if t == "d":
                return str(from_ISO8601(v))
        except IndexError:
            raise NotAWorkbook(f"{where} refers to shared string {v[:20]}, which the workbook does not have") from None
        except (ValueError, TypeError):
            raise NotAWorkbook(f"{where} holds {v[:40]!r}, which is not a value of its type ({t})") from None
        return v  # str, e (an error such as #N/A), and types unknown to openpyxl: the text as saved

    def _style(self, style: str | None) -> tuple[str, bool, bool]:
        i = int(style) if style else 0
        formats = self.book.formats
        if not formats and i == 0:
            return "General", False, False
        if not 0 <= i < len(formats):
            raise NotAWorkbook(
                f"the cell in row {self.row}, column {self.col} refers to style {i}, which is not defined"
            )
        return formats[i]
