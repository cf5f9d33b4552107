"""CSV text as statistics offices save it: UTF-8 with or without BOM, or GBK/GB18030 (Excel on Chinese Windows).

The encoding is decided, never guessed silently:
  1. the spec's `encoding` wins;
  2. a byte-order mark decides (UTF-8, UTF-16, UTF-32);
  3. bytes that are valid UTF-8 (ASCII included) are UTF-8;
  4. otherwise GB18030 (a superset of GBK and GB2312), but only when the evidence is clear: the bytes decode
     strictly, the text holds no private-use character (where Big5 bytes land when read as GB18030) nor U+FFFD,
     and charset-normalizer, asked to choose between GB18030 and Big5 alone, finds GB18030 clean and Big5
     clearly worse;
  5. anything else (Big5, Latin-1, a file too short to tell) is refused with the likeliest encoding named: the
     spec's `encoding` (or saving the file as UTF-8) settles it.
Files are opened for reading only, and read within limits (ingest.limits): the file size is checked before it
is read, the length of every line on the bytes before they are decoded, fields per line and lines as they are
parsed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from hukou_stats.ingest.limits import InputTooLarge, Limits, in_force, too_large


class UndecodableText(ValueError):
    """The bytes are not text in any encoding we accept, or not clearly in one."""


# UTF-32 first: its little-endian mark begins with UTF-16's
BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
MOJIBAKE = re.compile("[\ue000-\uf8ff\ufffd]")  # Big5 read as GB18030 lands in the private use area
GB_CLEAN, BIG5_MARGIN = 0.1, 0.05
SPEC_HINT = 'name its encoding in the spec, e.g. encoding = "big5" (Traditional Chinese) or encoding = "gb18030"'
LONG_HINT = "save it as UTF-8 (a canonical long CSV has no spec to name an encoding in)"


def decode(data: bytes, encoding: str | None = None, hint: str = SPEC_HINT) -> tuple[str, str]:
    """(text, encoding used); UndecodableText says why not and what to do (`hint`)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise UndecodableText(f"unknown encoding {encoding!r} in the spec") from None
        except UnicodeDecodeError as e:
            raise UndecodableText(f"not {encoding} text (byte {e.start}) as the spec says") from None
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise UndecodableText(
                    f"starts with a {enc} byte-order mark but is not {enc} (byte {e.start})"
                ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        first_bad = e.start
    return _gb18030_or_refuse(data, first_bad, hint)


def _gb18030_or_refuse(data: bytes, first_bad: int, hint: str) -> tuple[str, str]:
    import charset_normalizer

    try:
        text: str | None = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    found = charset_normalizer.from_bytes(data, cp_isolation=["gb18030", "big5"])
    mess = {m.encoding: m.chaos for m in found}
    gb, big5 = mess.get("gb18030"), mess.get("big5")
    clean = text is not None and not MOJIBAKE.search(text)
    if clean and gb is not None and gb < GB_CLEAN and (big5 is None or big5 - gb >= BIG5_MARGIN):
        assert text is not None
        return text, "gb18030"
    best = found.best() or charset_normalizer.from_bytes(data).best()
    guess = f"; it looks most like {best.encoding} (mess {best.chaos:.2f})" if best is not None else ""
    raise UndecodableText(
        f"the file is neither UTF-8 (byte {first_bad}) nor clearly GBK/GB18030{guess}: {hint}, or save it as "
        "UTF-8. / 无法确定文件编码：请在说明文件中写明 encoding，或另存为 UTF-8。"
    )


def read_text(path: Path, encoding: str | None = None, limits: Limits | None = None, hint: str = SPEC_HINT):
    """(text, encoding) of a text file within the limits (default: those in force): its size, and the bytes of
    every line."""
    limits = limits or in_force()
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise too_large("bytes of the file", size, limits.file_bytes)
    with open(path, "rb") as f:
        data = f.read(limits.file_bytes + 1)
    if len(data) > limits.file_bytes:  # grew while being read
        raise too_large("bytes of the file", len(data), limits.file_bytes)
    _check_lines(data, limits)
    text, enc = decode(data, encoding, hint)
    if "\x00" in text:
        raise UndecodableText("holds NUL bytes: a binary file, not CSV text")
    return text, enc


def _check_lines(data: bytes, limits: Limits) -> None:
    """Every line within the limit of bytes, and not too many lines (measured on the bytes: nothing copied)."""
    start, line = 0, 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        line += 1
        if end - start > limits.line_bytes:
            raise too_large(f"bytes of line {line}", end - start, limits.line_bytes)
        start = end + 1
    if line > limits.rows + 1:
        raise too_large("lines of the file", line, limits.rows + 1)


def read_rows(
    path: Path, encoding: str | None = None, limits: Limits | None = None, hint: str = SPEC_HINT
) -> tuple[list[list[str]], list[int], str]:
    """The CSV records of a file within the limits (default: those in force): (records, the line each starts on,
    encoding). A field over the cell limit, a record with too many fields or a table too big to hold are
    InputTooLarge."""
    limits = limits or in_force()
    text, enc = read_text(path, encoding, limits, hint)
    csv.field_size_limit(limits.cell_chars)  # process-wide: set every time, to the limit wanted here
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    rows: list[list[str]] = []
    lines: list[int] = []
    width, last = 0, 0  # last: the line the previous record ended on
    try:
        for row in reader:
            lines.append(last + 1)
            last = reader.line_num
            if len(row) > limits.columns:
                raise too_large(f"fields in line {lines[-1]}", len(row), limits.columns)
            width = max(width, len(row))
            rows.append(row)
            if len(rows) * width > limits.grid:
                raise too_large("cells of the table (lines x fields)", len(rows) * width, limits.grid)
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise InputTooLarge(
                f"a field from line {last + 1} is longer than {limits.cell_chars:,} characters (the most a cell "
                "holds). / 文件超出读取上限。"
            ) from None
        raise CsvMalformed(f"line {last + 1}: {e}") from None
    return rows, lines, enc


class CsvMalformed(ValueError):
    """The text is not CSV the reader can split into fields."""


def delimiter(text: str) -> str:
    """ "," unless more of the first lines hold tabs (Excel's "Unicode text" export: UTF-16, tab-separated) or
    only semicolons (CSV saved in some locales)."""
    head = [line for line in text.splitlines()[:10] if line.strip()]
    count = {d: sum(d in line for line in head) for d in (",", "\t", ";")}
    if count["\t"] and count["\t"] >= count[","]:
        return "\t"
    if count[";"] and not count[","]:
        return ";"
    return ","
