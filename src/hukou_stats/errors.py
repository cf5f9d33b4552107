"""One error hierarchy; every error knows its exit code.

Exit codes (documented in the README):
  0 ok, 1 validation failed, 2 usage or configuration, 3 input/output.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class HukouStatsError(Exception):
    """Base class: a message for a statistician, and the CLI exit code."""

    exit_code = 2


class UsageError(HukouStatsError):
    """Wrong arguments or configuration (unknown region, bad spec...)."""

    exit_code = 2


class InputOutputError(HukouStatsError):
    """A file could not be read or written."""

    exit_code = 3


@dataclass(frozen=True)
class Issue:
    """One failed check, located in its input file.

    severity is "error" (stops ingestion) or "warning" (reported only).
    row is the 1-based line of the file (header = line 1) or None for
    checks that span several rows (then `rows` names them).
    """

    severity: str
    check: str
    message: str
    file: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    rows: str = ""
    row_ids: tuple = field(default=(), compare=False, repr=False)  # figures involved (for filtering)

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.rows:
            parts.append(f"rows {self.rows}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        val = f" (value: {self.value!r})" if self.value != "" else ""
        return f"{self.location()}: {self.message}{val} [rule: {self.check}]"


@dataclass
class ValidationFailed(HukouStatsError):
    """Input broke one or more rules; nothing was written."""

    issues: list[Issue] = field(default_factory=list)
    exit_code = 1

    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def __str__(self) -> str:
        errs = self.errors()
        head = f"{len(errs)} error(s) in the input; nothing was written to the store."
        shown = "\n".join(f"  - {e}" for e in errs[:20])
        more = f"\n  ... and {len(errs) - 20} more (see the validation report)" if len(errs) > 20 else ""
        return f"{head}\n{shown}{more}"
