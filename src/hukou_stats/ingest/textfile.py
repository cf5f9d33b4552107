"""CSV text as statistics offices save it: UTF-8 with or without BOM, or GBK/GB18030 (Excel on Chinese Windows).

The encoding is detected: a BOM decides; else UTF-8 if the bytes are valid UTF-8 (ASCII included); else
GB18030, a superset of GBK and GB2312. A spec may name the encoding (`encoding = "big5"`) for anything else.
Files are opened for reading only.
"""

from __future__ import annotations

import codecs
from pathlib import Path


class UndecodableText(ValueError):
    """The bytes are not text in any encoding we accept."""


BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used)."""
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
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise UndecodableText(
            f"neither UTF-8 (byte {first_bad}) nor GBK/GB18030 text; save it as UTF-8, "
            'or name the encoding in the spec (encoding = "...")'
        ) from None


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    with open(path, "rb") as f:
        data = f.read()
    text, enc = decode(data, encoding)
    if "\x00" in text:
        raise UndecodableText("holds NUL bytes: a binary file, not CSV text")
    return text, enc


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
