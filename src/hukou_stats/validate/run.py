"""Validation of figures: the schemas, then the rules across rows (with the figures already stored), and the
report. `check_inputs` reads input files first; `validate_figures` checks figures made by any stage
(the readers, the microdata counts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hukou_stats.core.errors import InputOutputError, Issue
from hukou_stats.core.project import Project
from hukou_stats.ingest import discover, read_file
from hukou_stats.ingest.canonical import empty_frame
from hukou_stats.ingest.limits import limits_of, load_limits
from hukou_stats.reference.registry import Registry, load_registry
from hukou_stats.validate.contradictions import contradictions
from hukou_stats.validate.cross_checks import cross_checks
from hukou_stats.validate.report import write_report
from hukou_stats.validate.schemas import validate_frame


@dataclass
class Checked:
    frame: pd.DataFrame
    issues: list[Issue]
    files: list[str]
    report: tuple[Path, Path] | None = None
    stored: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def validate_figures(
    frame: pd.DataFrame, project: Project, registry: Registry, stored: pd.DataFrame | None
) -> list[Issue]:
    """Schema checks of every row, then the rules across rows, over the new figures together with those
    already stored (`stored`; only issues involving a new figure are returned): contradictions inside one
    publication (errors), then the cross-checks."""
    if frame.empty:
        return []
    return (
        validate_frame(frame, project.schemas)
        + contradictions(frame, stored)
        + cross_checks(frame, registry, stored, project.reference)
    )


def check_inputs(
    project: Project,
    paths: list[Path] | None = None,
    progress: Callable[[str], None] | None = None,
    stored: pd.DataFrame | Callable[[set[int]], pd.DataFrame] | None = None,
) -> Checked:
    """Read and validate every input file; nothing is written except the validation report. `stored` is the
    figures already stored, or a function that reads those of the given years (every rule across rows compares
    figures of one year, so the rest of the store is never read)."""
    files = discover(paths or [project.raw])
    reg = load_registry(project)
    frames, issues = [], []
    with limits_of(load_limits(project)):  # the reading limits, raised where hukou-stats.toml says [limits]
        for f in files:
            label = project.label(f)
            try:
                df, found = read_file(f, reg, project.reference, label)
            except OSError as e:
                raise InputOutputError(f"cannot read {label}: {e}") from e
            frames.append(df)
            issues += found
            if progress:
                progress(label)
    frames = [f for f in frames if not f.empty]
    frame = pd.concat(frames, ignore_index=True) if frames else empty_frame()
    if callable(stored):
        stored = stored({int(y) for y in frame.year.unique()})
    issues += validate_figures(frame, project, reg, stored)
    labels = [project.label(f) for f in files]
    checked = Checked(frame, issues, labels)
    checked.report = write_report(issues, project.out / "validation", labels)
    return checked
