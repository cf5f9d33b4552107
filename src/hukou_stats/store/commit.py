"""ingest -> validate -> store, as functions the CLI and the tests call directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hukou_stats.validate.cross_checks import cross_checks
from hukou_stats.core import provenance
from hukou_stats.core.errors import HukouStatsError, InputOutputError, Issue, UsageError, ValidationFailed
from hukou_stats.ingest import discover, read_file, spec_for
from hukou_stats.ingest.canonical import empty_frame
from hukou_stats.core.locks import write_lock
from hukou_stats.core.project import Project
from hukou_stats.reference.registry import Registry
from hukou_stats.validate.report import write_report
from hukou_stats.validate.schemas import validate_frame
from hukou_stats.store.parquet import Store


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


def registry(project: Project) -> Registry:
    path = project.reference / "regions.csv"
    if not path.exists():
        raise UsageError(f"{project.root} is not a hukou-stats project: {path} is missing (use --root)")
    return Registry.load(path)


def check_inputs(project: Project, paths: list[Path] | None = None, progress=None) -> Checked:
    """Read and validate every input; nothing is written except the validation report."""
    files = discover(paths or [project.raw])
    reg = registry(project)
    frames, issues = [], []
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
    if not frame.empty:
        issues += validate_frame(frame, project.schemas)
        issues += cross_checks(frame, reg, Store(project.processed).read())
    labels = [project.label(f) for f in files]
    checked = Checked(frame, issues, labels)
    checked.report = write_report(issues, project.out / "validation", labels)
    return checked


def ingest(
    project: Project, paths: list[Path] | None = None, progress=None, lock_timeout: float | None = None
) -> Checked:
    """Validate, then append to the store; on any error nothing is stored (ValidationFailed).

    Holds the write lock of data/processed/ throughout (the checks read the store); the store's
    provenance manifest (observations/manifest.json) is written after the commit."""
    with write_lock(project.processed, lock_timeout):
        checked = check_inputs(project, paths, progress)
        if checked.errors:
            raise ValidationFailed(checked.issues)
        store = Store(project.processed)
        checked.stored = store.append(checked.frame)
        write_store_manifest(project, store, discover(paths or [project.raw]))
    return checked


def reference_inputs(project: Project) -> list[Path]:
    """Reference data and schemas: inputs of every output besides the raw files."""
    return [f for f in (project.reference, project.schemas) if f.exists()]


def write_store_manifest(project: Project, store: Store, files: list[Path]) -> Path:
    """observations/manifest.json: the raw files of every ingestion so far (the latest hash of each path),
    the reference data and schemas, and the committed parts."""
    old = store.root / provenance.MANIFEST
    earlier = []
    if old.is_file():
        try:
            earlier = provenance.read_manifest(old)["inputs"]
        except HukouStatsError:
            earlier = []
    files = [*files, *(spec for f in files if (spec := spec_for(f)) is not None)]  # a spec is an input too
    now = {project.label(f) for f in files}
    raw_dir = project.label(project.raw)
    earlier = [e for e in earlier if e["path"] not in now and e["path"].startswith(raw_dir + "/")]
    outputs = store.part_paths() + ([store.manifest_path] if store.manifest_path.exists() else [])
    return provenance.write_manifest(
        store.root,
        [*earlier, *files, *reference_inputs(project)],
        release="all (append-only store)",
        root=project.root,
        outputs=outputs,
    )
