"""Microdata counts become canonical observations (series `microdata`) and go into the store.

Every figure names its source (the user's text; for synthetic inputs it always contains SYNTHETIC), its
release (given by the user) and the files it was computed from; hukou urban counts carry the definition
urban_rural_area_2015_rule (urban by the class of the registration area).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hukou_stats.core.errors import Issue, UsageError
from hukou_stats.core.project import Project
from hukou_stats.core.vocabulary import SYNTHETIC
from hukou_stats.ingest.canonical import RowBuilder
from hukou_stats.microdata.aggregate import Inputs
from hukou_stats.microdata.synth import is_synthetic_file
from hukou_stats.reference.registry import load_registry
from hukou_stats.store.commit import commit
from hukou_stats.store.parquet import Store
from hukou_stats.validate.run import validate_figures

DEFINITIONS = {"hukou_urban": "urban_rural_area_2015_rule"}


def source_text(inputs: Inputs, source: str | None, year: int) -> str:
    synthetic = any(is_synthetic_file(p) for p in (inputs.codes, inputs.register, inputs.residents))
    text = (source or "").strip() or (
        f"hukou-stats microdata count, register {Path(inputs.register).name} and "
        f"residents {Path(inputs.residents).name}, code list {year}"
    )
    if synthetic and not text.upper().startswith(SYNTHETIC):
        text = f"{SYNTHETIC} data (hukou-stats synth), not real figures: {text}"
    return text


def to_observations(
    project: Project, long: pd.DataFrame, year: int, release: str, source: str, label: str
) -> tuple[pd.DataFrame, list[Issue]]:
    b = RowBuilder(label, project.reference, load_registry(project))
    for i, r in enumerate(long.itertuples(index=False), start=1):
        b.add(
            row=i,
            region_code=r.region_code,
            region_name=None,
            year=year,
            measure=r.measure,
            value_text=str(int(r.value)),
            unit="persons",
            source=source,
            published=release,
            series="microdata",
            definition=DEFINITIONS.get(r.measure),
        )
    return b.result()


def store_counts(
    project: Project, long: pd.DataFrame, year: int, release: str, source: str, inputs: list[Path], label: str
) -> dict:
    """Validate the counts like any input (schemas, cross-checks with the store) and commit them; call while
    holding the write lock."""
    if not str(release).strip():
        raise UsageError("a release date is required (--release YYYY-MM-DD): the day these figures are published")
    frame, issues = to_observations(project, long, year, release, source, label)
    stored = Store(project.processed).read(years={int(y) for y in frame.year.unique()})
    issues += validate_figures(frame, project, load_registry(project), stored)
    stored = commit(project, frame, issues, inputs)
    stored["warnings"] = [i for i in issues if i.severity != "error"]
    return stored
