"""How much an input file may hold before it is refused: far above any yearbook table, far below what would take
the machine's memory or minutes to read. Each limit is checked before the memory it bounds is used (the zip
directory before a part is inflated, the bytes of a line before it is decoded, the cells of a sheet as they are
streamed), and a file over one is one located error (InputTooLarge: exit 1, nothing stored), never a crash."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from pydantic import BaseModel, ConfigDict, Field

from hukou_stats.core.config import ConfigInvalid, read_toml, validate
from hukou_stats.core.errors import Issue
from hukou_stats.core.project import Project

EXCEL_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 50 * 2**20  # the file on disk (XLSX or CSV)
    part_bytes: int = 100 * 2**20  # one part of an XLSX (a sheet, the shared strings), uncompressed
    total_bytes: int = 300 * 2**20  # all parts of an XLSX together, uncompressed
    ratio: float = 100.0  # uncompressed / compressed size of a part over 1 MiB (a zip bomb above)
    parts: int = 5_000  # parts of an XLSX
    rows: int = 200_000  # last row holding a value (a CSV: lines)
    columns: int = 2_000  # last column holding a value (a CSV: fields of a line)
    cells: int = 2_000_000  # cells holding a value (and shared strings)
    grid: int = 5_000_000  # rows x columns of the table read (its used range)
    cell_chars: int = EXCEL_CELL_CHARS  # characters of one cell
    merged: int = 50_000  # merged ranges of a sheet
    line_bytes: int = 1_000_000  # one line of a CSV


LIMITS = Limits()
_IN_FORCE: ContextVar[Limits] = ContextVar("limits", default=LIMITS)


def in_force() -> Limits:
    """The limits files are read within now: the defaults, or a project's own (`limits_of`)."""
    return _IN_FORCE.get()


@contextmanager
def limits_of(limits: Limits) -> Iterator[Limits]:
    """Read files within `limits` inside the block."""
    token = _IN_FORCE.set(limits)
    try:
        yield limits
    finally:
        _IN_FORCE.reset(token)


class LimitsEntry(BaseModel):
    """The [limits] table of hukou-stats.toml: a project that reads bigger tables than a yearbook's (a bureau's own
    national long table, say) raises these two limits deliberately (the cells a table may hold grow with its rows);
    the others stay as they are."""

    model_config = ConfigDict(extra="forbid")
    rows: int = Field(default=LIMITS.rows, ge=1, le=50_000_000, description="rows (lines of a CSV) of one file")
    file_mib: int = Field(
        default=LIMITS.file_bytes // 2**20, ge=1, le=8_192, description="size of one file on disk, in MiB"
    )


def load_limits(project: Project) -> Limits:
    """The limits of `project`: the defaults, with the [limits] table of hukou-stats.toml where there is one."""
    path = project.settings_file
    if not path.is_file():
        return LIMITS
    label = project.label(path)
    raw = read_toml(path, label).get("limits")
    if raw is None:
        return LIMITS
    if not isinstance(raw, dict):
        raise ConfigInvalid(file=label, issues=[Issue("error", "type", "[limits] must be a table", file=label,
                                                      key="limits")])  # fmt: skip
    entry, issues = validate(LimitsEntry, raw, label, prefix="limits")
    if issues or entry is None:
        raise ConfigInvalid(file=label, issues=issues)
    scale = max(1.0, entry.rows / LIMITS.rows)  # more rows hold more cells: those limits grow in proportion
    return replace(
        LIMITS,
        rows=entry.rows,
        file_bytes=entry.file_mib * 2**20,
        cells=int(LIMITS.cells * scale),
        grid=int(LIMITS.grid * scale),
    )


class InputTooLarge(ValueError):
    """The file is over a reading limit; the message says which and by how much."""


def too_large(what: str, value: int, limit: int) -> InputTooLarge:
    return InputTooLarge(
        f"{what}: {value:,} is over the limit of {limit:,}. This is not a yearbook-sized table (a damaged or "
        "hostile file?); if it really is one, split it into smaller tables, or raise the limits of rows and file "
        "size in hukou-stats.toml ([limits] rows, file_mib). / 文件超出读取上限。"
    )
