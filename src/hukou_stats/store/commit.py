"""The one way figures enter the store: validated figures are appended under the write lock of
data/processed/, then the store's provenance manifest is written. Used by `ingest` (input files) and by
the microdata counts alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from hukou_stats.core import provenance
from hukou_stats.core.errors import HukouStatsError, Issue, ValidationFailed
from hukou_stats.core.locks import write_lock
from hukou_stats.core.project import Project
from hukou_stats.ingest import discover, spec_for
from hukou_stats.reference.registry import require_project
from hukou_stats.store.parquet import Store
from hukou_stats.validate.run import Checked, check_inputs


def commit(project: Project, frame: pd.DataFrame, issues: list[Issue], inputs: list[Path]) -> dict:
    """Append validated figures (call while holding the write lock). Any error among `issues` stores
    nothing (ValidationFailed); `inputs` are the files the figures came from, recorded in the manifest.
    Returns {'new': n, 'skipped': n, 'parts': [...]}."""
    if any(i.severity == "error" for i in issues):
        raise ValidationFailed(issues)
    store = Store(project.processed)
    stored = store.append(frame)
    write_store_manifest(project, store, inputs)
    return stored


def ingest(
    project: Project,
    paths: list[Path] | None = None,
    progress: Callable[[str], None] | None = None,
    lock_timeout: float | None = None,
) -> Checked:
    """Read and validate the input files, then store their figures; on any error nothing is stored
    (ValidationFailed). Holds the write lock throughout (the checks compare with what is stored)."""
    require_project(project)  # before the lock: nothing is made under a folder that is no project
    with write_lock(project.processed, lock_timeout):
        store = Store(project.processed)
        checked = check_inputs(project, paths, progress, lambda years: store.read(years=years))
        checked.stored = commit(project, checked.frame, checked.issues, discover(paths or [project.raw]))
    return checked


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
        [*earlier, *files, *project.reference_inputs()],
        release="all (append-only store)",
        root=project.root,
        outputs=outputs,
    )
