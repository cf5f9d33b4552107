"""Test fixtures: hostile and damaged input files, made small and on the spot (nothing large is committed).

Every file is SYNTHETIC: a two-row yearbook table (地区 | 2019; 全市 | 86.46) written in the layout an attack
needs (a declared used range of the whole sheet, a value in its last cell, a zip bomb, a line of megabytes...).
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET = f"{REL}/worksheet"
CHARTSHEET = f"{REL}/chartsheet"

# the spec of the two-row table: a years layout, the rate of Guangzhou
SPEC = (
    'layout = "years"\nregion_column = "地区"\nparent = "440100"\nmeasure = "resident_urban_rate_pct"\n'
    'unit = "pct"\npublished = "2020"\nseries = "first_release"\nsource = "SYNTHETIC hostile table"\n'
    '[aliases]\n"全市" = "440100"\n'
)
TABLE = [["地区", "2019"], ["全市", "86.46"]]


def cell(ref: str, text: str | None = None, number: str | None = None, style: int | None = None, xml: str = "") -> str:
    """One <c>: an inline string, a number, or an empty (styled) cell."""
    s = f' s="{style}"' if style is not None else ""
    if text is not None:
        return f'<c r="{ref}" t="inlineStr"{s}><is><t>{escape(text)}</t></is></c>'
    if number is not None:
        return f'<c r="{ref}"{s}><v>{number}</v></c>'
    return f'<c r="{ref}"{s}>{xml}</c>'


def table_rows(extra: dict[int, list[str]] | None = None) -> dict[int, list[str]]:
    """The cells of the two-row table by row number, plus `extra` cells."""
    rows = {1: [cell("A1", "地区"), cell("B1", "2019")], 2: [cell("A2", "全市"), cell("B2", number="86.46")]}
    for r, cells in (extra or {}).items():
        rows.setdefault(r, []).extend(cells)
    return rows


def sheet_xml(rows: dict[int, list[str]], dimension: str | None = None, merges: list[str] = (), head: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    data = "".join(f'<row r="{r}">{"".join(cells)}</row>' for r, cells in sorted(rows.items()))
    merged = (
        f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{head}<worksheet xmlns="{MAIN}">{dim}'
        f"<sheetData>{data}</sheetData>{merged if merges else ''}</worksheet>"
    )


def write_xlsx(
    path: Path,
    sheet: str | bytes,
    shared: list[str] | None = None,
    sheet_type: str = WORKSHEET,
    parts: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A workbook of one sheet `Sheet1` (its XML given), optional shared strings and extra or replaced parts."""
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{sheet_type}" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    files: dict[str, bytes] = {
        "_rels/.rels": root_rels.encode(),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": rels.encode(),
        "xl/worksheets/sheet1.xml": sheet if isinstance(sheet, bytes) else sheet.encode("utf-8"),
    }
    if shared is not None:
        sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
        files["xl/sharedStrings.xml"] = f'<?xml version="1.0"?><sst xmlns="{MAIN}">{sst}</sst>'.encode()
    files.update(parts or {})
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def write_zip_bomb_xlsx(path: Path, inflated_bytes: int) -> Path:
    """A workbook whose shared strings inflate to `inflated_bytes` (one string of 'A's), streamed into the zip."""
    head = f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>'.encode()
    tail = b"</t></si></sst>"
    write_xlsx(path, sheet_xml(table_rows()))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/sharedStrings.xml", "w") as f:
        f.write(head)
        block = b"A" * (1 << 20)
        left = inflated_bytes - len(head) - len(tail)
        while left > 0:
            f.write(block[: min(left, len(block))])
            left -= len(block)
        f.write(tail)
    return path


def write_lying_xlsx(path: Path, declared: int = 1024, real: int = 8 * 2**20) -> Path:
    """A workbook whose shared strings part is `real` bytes but whose zip directory says `declared`."""
    write_zip_bomb_xlsx(path, real)
    data = bytearray(path.read_bytes())
    name = b"xl/sharedStrings.xml"
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        i = data.find(sig + b"")
        while i >= 0:
            name_len = struct.unpack_from("<H", data, i + (26 if sig == b"PK\x03\x04" else 28))[0]
            start = i + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(data[start : start + name_len]) == name:
                struct.pack_into("<I", data, i + size_at, declared)
            i = data.find(sig, i + 4)
    path.write_bytes(bytes(data))
    return path


def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    for r in rows:
        buf.write(",".join(r) + "\n")
    return buf.getvalue().encode("utf-8")
