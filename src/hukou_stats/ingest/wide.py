"""Wide tables (regions as rows; years or measures as columns), CSV or XLSX, read through a spec."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hukou_stats.core.errors import Issue, UsageError
from hukou_stats.core.numbers import ascii_text, normalise_unit, parse_number
from hukou_stats.ingest import textfile
from hukou_stats.ingest.canonical import RowBuilder, empty_frame
from hukou_stats.ingest.spec import ColumnSpec, SkipRule, Spec, load_spec
from hukou_stats.ingest.xlsx import UNSAVED_FORMULA, SheetNotFound, read_xlsx
from hukou_stats.reference.registry import Registry, norm_zh
from hukou_stats.reference.releases import release_date

# a year header: 2019, 2019年, 2019年末, 2019年底, "2019 Year" (after norm_header: no spaces)
# "2019年2019" (a bilingual header in one cell) too. A header of that shape with a year outside 1900-2100
# (YEAR_SHAPED_RE: 1899年, 2101) is an error, not a column silently left out.
YEAR_RE = re.compile(r"^((?:19[0-9][0-9]|20[0-9][0-9]|2100))(?:年(?:末|底|度)?)?(?:year|end)?(?:\1)?$", re.IGNORECASE)
YEAR_SHAPED_RE = re.compile(r"^([0-9]{4})(?:年(?:末|底|度)?)?(?:year|end)?(?:\1)?$", re.IGNORECASE)
FIRST_YEAR, LAST_YEAR = 1900, 2100
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
UNIT_LINE_RE = re.compile(r"(?:计量)?单位\s*[:：]\s*([^\s,;，；)）]+)|\bunit\s*[:：]\s*([^,;)]+)", re.IGNORECASE)
UNIT_WORDS = {"10,000 persons": "10k_persons", "10000 persons": "10k_persons", "persons": "persons", "%": "pct"}
# footnotes end the table: 注：…, 资料来源：…, 数据来源…, 说明：…, Note: …, Source: …
NOTE_RE = re.compile(
    r"^(?:注|附注|备注|资料来源|数据来源|来源|说明|notes?|sources?)\s*(?:\d+\s*)?[:：.、]", re.IGNORECASE
)
# sub-item rows: "#城镇", "  其中：市辖区", "内：" (a part of the row above)
SUB_ITEM_RE = re.compile(r"^(?:[#＃]+|其中\s*[:：]?|内\s*[:：])\s*")
# "荔湾区 Liwan District": the English name after the Chinese one
BILINGUAL_TAIL_RE = re.compile(r"\s+[A-Za-z][A-Za-z .,'()\-]*$")
MAX_TITLE_ROWS = 30


def _read_grid(path: Path, spec: Spec) -> tuple[pd.DataFrame, str, list, str | None]:
    """All cells as text, rows as in the file (blank and short rows kept, so row numbers are true);
    the sheet name ("" for CSV), the merged ranges and the text encoding (None for XLSX)."""
    encoding = None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows, sheet, merged = read_xlsx(path, spec.sheet)
    else:
        rows, _, encoding = textfile.read_rows(path, spec.encoding)
        sheet, merged = "", []
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str), sheet, merged, encoding


def header_forms(text) -> set[str]:
    """A header cell as matched: whole, and without an English tail ("地区 Region" -> 地区)."""
    t = ascii_text(text)
    forms = {norm_header(t)}
    if _has_cjk(t):
        forms.add(norm_header(BILINGUAL_TAIL_RE.sub("", t)))
    return forms - {""}


def norm_header(text) -> str:
    """A header cell for matching: full-width as ASCII, no spaces or line breaks, traditional as simplified."""
    return norm_zh(str(text))


def _has_cjk(text: str) -> bool:
    return bool(CJK_RE.search(text))


def _is_number(text: str) -> bool:
    try:
        return parse_number(text) is not None
    except ValueError:
        return False


def _unit_in(text: str) -> str | None:
    """The unit a cell announces: "单位：万人", "计量单位: %", "(%)", "（万人）", "Unit: 10,000 persons"."""
    t = ascii_text(text)
    m = UNIT_LINE_RE.search(t)
    if m:
        u = (m.group(1) or m.group(2) or "").strip()
        return normalise_unit(u) or UNIT_WORDS.get(u.lower())
    m = re.fullmatch(r"[(]\s*([^()]+?)\s*[)]", t)
    return normalise_unit(m.group(1)) if m else None


def _header_unit(text: str) -> tuple[str, str | None]:
    """("2019年", "pct") for a header "2019年(%)": the header without a trailing unit, and that unit."""
    t = ascii_text(text)
    m = re.fullmatch(r"(.*?)\s*[(]\s*([^()]+?)\s*[)]", t)
    if m and normalise_unit(m.group(2)):
        return m.group(1), normalise_unit(m.group(2))
    return t, None


def find_header(grid: pd.DataFrame, spec: Spec) -> int | None:
    """0-based index of the header row: from the spec, or the first row with the region column in it."""
    if spec.header_row is not None:
        return spec.header_row - 1 if spec.header_row <= len(grid) else None
    want = norm_header(spec.region_column)
    for i in range(min(len(grid), MAX_TITLE_ROWS)):
        if any(want in header_forms(_header_unit(c)[0]) for c in grid.iloc[i]):
            return i
    return None


def header_lines(grid: pd.DataFrame, top: int, region_idx: int, spec: Spec) -> int:
    """How many lines the header has: the spec's header_rows, or the header row plus the lines under it that
    are still header (an English line, a line of units, continuation of merged cells): a line whose region cell
    is blank, Latin text or a unit, and that holds no figure other than a year."""
    if spec.header_rows is not None:
        return spec.header_rows
    want = norm_header(spec.region_column)
    n = 1
    while top + n < len(grid) and n < 4:
        cells = [str(c) for c in grid.iloc[top + n]]
        region = ascii_text(cells[region_idx])
        region_is_header = (
            region == ""
            or _unit_in(region) is not None
            or want in header_forms(region)
            or (not _has_cjk(region) and not re.search(r"\d", region))
        )
        if not region_is_header or not any(c.strip() for c in cells):
            break
        figures = [
            c for j, c in enumerate(cells) if j != region_idx and _is_number(c) and not YEAR_RE.match(ascii_text(c))
        ]
        if figures:
            break
        n += 1
    return n


class LayoutError(Exception):
    """The table cannot be read as the spec describes it: one located error, nothing read."""

    def __init__(self, issue: Issue):
        super().__init__(issue.message)
        self.issue = issue


@dataclass
class Layout:
    """Where the figures of a wide table are: the header, the region column and the value columns."""

    grid: pd.DataFrame
    sheet: str
    top: int  # 0-based row of the header
    lines: int  # lines of the header
    region: int  # 0-based column of the region names
    columns: list[tuple[int, ColumnSpec]]
    units: dict[int, str]
    skip: list[tuple[int, SkipRule]] = field(default_factory=list)  # (column, rule) of the spec's [[skip]]
    name: int | None = None  # column of the name as published (spec name_column)


def read_wide(path: Path, spec_path: Path, registry: Registry, reference_dir: Path, label: str):
    """The figures of a wide table (regions as rows; years or measures as columns), read through its spec."""
    spec = load_spec(spec_path, str(Path(label).with_suffix(spec_path.suffix)))
    try:
        layout = find_layout(path, spec, label)
    except SheetNotFound as e:
        return empty_frame(), [Issue("error", "sheet_exists", f"spec {spec_path.name}: {e}", file=label)]
    except LayoutError as e:
        return empty_frame(), [e.issue]
    b = RowBuilder(label, reference_dir, registry, sheet=layout.sheet)
    read_rows(layout, spec, registry, b)
    return b.result()


def find_layout(path: Path, spec: Spec, label: str) -> Layout:
    """Read the grid and find the header, the region column, the value columns and their units."""
    grid, sheet, merged, encoding = _read_grid(path, spec)

    def fail(check: str, message: str, **where) -> LayoutError:
        return LayoutError(Issue("error", check, message, file=label, sheet=sheet, **where))

    top = find_header(grid, spec)
    if top is None:
        where = (
            f"the file has no row {spec.header_row} for the header"
            if spec.header_row is not None
            else f"no row among the first {MAX_TITLE_ROWS} holds the region column {spec.region_column!r} (the header)"
        )
        if encoding not in (None, "utf-8", "utf-8-sig"):
            where += (
                f" (the file was read as {encoding}; if it is in another encoding, e.g. Big5, "
                'name it in the spec: encoding = "big5")'
            )
        raise fail("header_row", where)
    spread_merged_header(grid, merged, top)
    first = [_header_unit(c)[0] for c in grid.iloc[top]]
    want = norm_header(spec.region_column)
    region = next((j for j, h in enumerate(first) if want in header_forms(h)), None)
    if region is None:
        found = ", ".join(h for h in first if h.strip())
        raise fail(
            "region_column", f"header row {top + 1} has no column {spec.region_column!r} (found: {found})", row=top + 1
        )
    lines = header_lines(grid, top, region, spec)

    def column(header: str, key: str) -> int:
        want = norm_header(header)
        j = next((j for j, h in enumerate(first) if want in header_forms(h)), None)
        if j is None:
            raise fail("column_exists", f"spec {key} names column {header!r}, which is not in the header", row=top + 1)
        return j

    skip = [(column(r.column, "[[skip]]"), r) for r in spec.skip]
    name = column(spec.name_column, "name_column") if spec.name_column else None
    if top + lines > len(grid):
        raise fail("header_row", f"the header of {lines} lines from row {top + 1} runs past the end of the table")
    unit = table_unit(grid, top, lines, spec, fail)
    candidates, col_units = column_headers(grid, top, lines, region, bool(merged))
    columns = value_columns(grid, top, region, spec, candidates, fail)
    units = column_units(columns, col_units, unit, top, fail)
    return Layout(grid, sheet, top, lines, region, columns, units, skip, name)


def spread_merged_header(grid: pd.DataFrame, merged: list, top: int) -> None:
    """Every cell of a merged range in the header carries the text of its top-left cell (spread in an array:
    however many ranges a sheet declares, each is one slice)."""
    ranges = [m for m in merged if m[0] <= top + 4]
    if not ranges:
        return
    rows = min(len(grid), top + 5)
    head = grid.iloc[:rows].to_numpy(dtype=object, copy=True)
    for r0, c0, r1, c1 in ranges:
        head[r0 : min(r1, top + 4) + 1, c0 : c1 + 1] = head[r0, c0]
    for j in range(min(m[1] for m in ranges), max(m[3] for m in ranges) + 1):
        grid.iloc[:rows, j] = head[:, j]


def table_unit(grid: pd.DataFrame, top: int, lines: int, spec: Spec, fail) -> str | None:
    """The unit of the table: the spec's, or a unit line above or in the header ("单位：万人", "(%)"); the two
    must agree."""
    found, row = None, None
    for i in range(0, top + lines):
        for c in grid.iloc[i]:
            u = _unit_in(c) if str(c).strip() else None
            if u and found is None:
                found, row = u, i + 1
    if found and spec.unit and normalise_unit(spec.unit) != found:
        raise fail(
            "unit_line_matches_spec",
            f"the table says its unit is {found} but the spec says unit = {spec.unit!r}",
            row=row,
            value=found,
        )
    return spec.unit or found


def column_headers(
    grid: pd.DataFrame, top: int, lines: int, region: int, merged: bool
) -> tuple[list[list[str]], list[str | None]]:
    """Each column's header as the forms it may be matched by (every header line alone, and the lines joined:
    "常住人口" + "城镇化率" in a two-line merged header), and the unit its header names."""
    candidates: list[list[str]] = []
    col_units: list[str | None] = []
    for j in range(grid.shape[1]):
        parts: list[str] = []
        cu, prev = None, ""
        for i in range(top, top + lines):
            text, u = _header_unit(grid.iat[i, j])
            if not text and lines > 1 and i < top + lines - 1 and j > 0 and not merged:
                text = _header_unit(grid.iat[i, j - 1])[0] if j - 1 != region else ""  # CSV export of a merged cell
            cu = cu or u
            if text and text != prev:
                parts.append(text)
            prev = text
        cands = [f for t in parts for f in sorted(header_forms(t))]
        cands += [norm_header("".join(parts))] if len(parts) > 1 else []
        candidates.append([c for c in cands if c])
        col_units.append(cu)
    return candidates, col_units


def value_columns(
    grid: pd.DataFrame, top: int, region: int, spec: Spec, candidates: list[list[str]], fail
) -> list[tuple[int, ColumnSpec]]:
    """The columns holding figures: years (declared in [years], or recognised from the header) or the
    measures of [columns]."""
    columns: list[tuple[int, ColumnSpec]] = []
    if spec.layout == "years":
        declared = {norm_header(c.header): c for c in spec.columns}
        for j, cands in enumerate(candidates):
            if j == region:
                continue
            hit = next((declared[c] for c in cands if c in declared), None)
            if hit is not None:
                columns.append((j, hit))
            elif not declared and (
                m := next((YEAR_SHAPED_RE.match(c) for c in cands if YEAR_SHAPED_RE.match(c)), None)
            ):
                header = str(grid.iat[top, j]).strip() or m.group(1)
                if not YEAR_RE.match(m.group(0)):
                    raise fail(
                        "year_header_range",
                        f"the header {header[:40]!r} reads as the year {m.group(1)}, outside {FIRST_YEAR}-{LAST_YEAR}: "
                        "correct it, or list the value columns in the spec's [years]",
                        row=top + 1,
                        column=header[:40],
                        value=header,
                    )
                columns.append((j, ColumnSpec(header=header, year=int(m.group(1)))))
    else:
        for c in spec.columns:
            found = next((j for j, cands in enumerate(candidates) if norm_header(c.header) in cands), None)
            if found is None:
                raise fail("column_exists", f"spec names column {c.header!r}, which is not in the header", row=top + 1)
            columns.append((found, c))
    if not columns:
        raise fail(
            "value_columns",
            "no value columns found (year headers such as 2019 or 2019年, or the [columns]/[years] of the spec)",
            row=top + 1,
        )
    return columns


def column_units(
    columns: list[tuple[int, ColumnSpec]], col_units: list[str | None], unit: str | None, top: int, fail
) -> dict[int, str]:
    """The unit of each value column: the spec's for that column, the header's, or the table's."""
    units = {}
    for j, col in columns:
        u = normalise_unit(col.unit) if col.unit else (col_units[j] or (normalise_unit(unit) if unit else None))
        if col.unit and col_units[j] and normalise_unit(col.unit) != col_units[j]:
            raise fail(
                "unit_line_matches_spec",
                f"the header of column {col.header!r} says {col_units[j]} but the spec says unit = {col.unit!r}",
                row=top + 1,
                column=col.header,
                value=col_units[j] or "",
            )
        if u is None:
            raise fail(
                "unit_known",
                f"no unit for column {col.header!r}: give unit in the spec, "
                "or the table needs a unit line such as 单位：万人 or (%)",
                column=col.header,
            )
        units[j] = u
    return units


def row_region(name: str, spec: Spec, registry: Registry, aliases: dict[str, str], names_on) -> str:
    """The region code a row names: an alias of the spec, a code (region_by = "code") or a registry name.
    UsageError when it names no region."""
    key = norm_header(name)
    if key in aliases:
        return aliases[key]
    if spec.region_by == "code":
        code = name.split(".")[0].strip().zfill(6)
        if not re.fullmatch(r"[0-9]{6}(?:[0-9]{6})?", code):
            raise UsageError(f"{name!r} is not a region code")
        return code
    return registry.resolve(name, on=names_on, parent=spec.parent)


def read_rows(layout: Layout, spec: Spec, registry: Registry, b: RowBuilder) -> None:
    """Every row under the header: footnotes, unit lines and headings skipped; sub-items read when they name a
    region; each value cell a figure (or a located error)."""
    grid, columns = layout.grid, layout.columns
    names_on = spec.names_as_of or release_date(spec.published)[0]
    aliases = {norm_header(a): v for a, v in spec.aliases.items()}
    in_notes = False
    skipped: dict[int, list[int]] = {k: [] for k in range(len(layout.skip))}
    # the cells of the columns read, as lists (a pandas row per line is slow on a wide sheet)
    needed = sorted({layout.region, *(j for j, _ in columns), *(j for j, _ in layout.skip)} | (
        {layout.name} if layout.name is not None else set()))  # fmt: skip
    first = layout.top + layout.lines
    body = grid.iloc[first:, needed].to_numpy(dtype=object).tolist()
    at = {j: k for k, j in enumerate(needed)}
    for i, row in enumerate(body, start=first):
        line = i + 1
        cells = [row[at[j]] if j in at else "" for j in range(max(needed) + 1)]
        raw_name = str(cells[layout.region])
        name = ascii_text(raw_name)
        values = [str(cells[j]) for j, _ in columns]
        has_values = any(v.strip() for v in values)
        rule = next((k for k, (j, r) in enumerate(layout.skip) if _skips(r, cells[j], has_values)), None)
        if rule is not None:
            skipped[rule].append(line)
            continue
        if not name:
            continue
        if NOTE_RE.match(name):
            in_notes = True  # 注：/资料来源：... and the lines of the note after it
            continue
        if (in_notes and not any(_is_number(v) for v in values)) or (_unit_in(name) is not None and not has_values):
            continue
        sub_item = SUB_ITEM_RE.match(name)
        name = SUB_ITEM_RE.sub("", name).strip() if sub_item else name
        name = BILINGUAL_TAIL_RE.sub("", name) if _has_cjk(name) else name
        try:
            code = row_region(name, spec, registry, aliases, names_on)
        except UsageError as e:
            if sub_item:
                b.warn(line, spec.region_column, raw_name.strip(), "sub_item_skipped",
                       "sub-item row (# / 其中) that is not a region of the registry: not read")  # fmt: skip
            elif has_values:
                b.err(line, spec.region_column, raw_name.strip(), "region_known", str(e))
            continue  # a line without figures (a heading such as "按区分") is not a region
        published_name = ascii_text(cells[layout.name]).strip() if layout.name is not None else name
        for j, col in columns:
            if cells[j] == UNSAVED_FORMULA:
                b.err(line, col.header, "", "formula_value", "a formula whose value was never saved (the workbook "
                      "was written by a program): open it in Excel or LibreOffice, save, and read it again")  # fmt: skip
                continue
            b.add(
                row=line,
                region_code=code,
                region_name=published_name,
                year=col.year if col.year is not None else spec.year,
                measure=col.measure or spec.measure or "",
                value_text=cells[j],
                unit=layout.units[j],
                source=spec.source,
                published=spec.published,
                series=spec.series,
                definition=spec.definition,
                seen_at=spec.seen_at,
                note=spec.note,
                decimals_override=col.decimals if col.decimals is not None else spec.decimals,
                value_column=col.header,
                reference_day=spec.reference_date,
                region_column=spec.region_column,
                coverage=spec.coverage,
            )
    _report_skipped(layout, skipped, b)


def _report_skipped(layout: Layout, skipped: dict[int, list[int]], b: RowBuilder) -> None:
    """One warning per skip rule of the spec that left rows out: how many, why, and which rows."""
    for k, lines in skipped.items():
        if not lines:
            continue
        _, r = layout.skip[k]
        what = " or ".join([*(repr(v) for v in r.values), *(["empty"] if r.empty else [])])
        b.issues.append(
            Issue("warning", "rows_skipped",
                  f"{len(lines)} row(s) skipped by the spec rule {r.column} = {what}" + (f": {r.reason}" if r.reason else ""),
                  file=b.label, sheet=b.sheet, column=r.column, value=str(len(lines)), rows=", ".join(map(str, lines)))
        )  # fmt: skip


def _skips(rule: SkipRule, cell, has_values: bool) -> bool:
    text = ascii_text(cell).strip()
    return text in rule.values or (rule.empty and text == "" and has_values)
