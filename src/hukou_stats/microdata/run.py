"""microdata → counts → observations in the store: the function behind `hukou-stats microdata aggregate`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from hukou_stats.core.atomic import write_text
from hukou_stats.core.errors import InputOutputError, Issue, UsageError, ValidationFailed
from hukou_stats.core.locks import write_lock
from hukou_stats.core.project import Project
from hukou_stats.core.vocabulary import SYNTHETIC, is_synthetic
from hukou_stats.microdata.aggregate import DEFAULT_MEMORY_LIMIT, Inputs, aggregate, connect, long_counts
from hukou_stats.microdata.observations import source_text, store_counts
from hukou_stats.microdata.quality import QualityReport, check_quality
from hukou_stats.microdata.schemas import validate_input
from hukou_stats.store.parquet import Store


@dataclass
class MicrodataRun:
    counts: pd.DataFrame  # long: region_code, level, measure, value
    quality: QualityReport
    source: str
    scope: str
    report: tuple[Path, Path] | None = None
    counts_csv: Path | None = None
    stored: dict = field(default_factory=dict)


def inputs_from_dir(folder: Path) -> Inputs:
    """The three files of a `hukou-stats synth` folder."""
    from hukou_stats.microdata.synth import FILES

    folder = Path(folder)
    return Inputs(folder / FILES["codes"], folder / FILES["register"], folder / FILES["residents"])


def refuse_mixing(project: Project, source: str, allow: bool) -> None:
    """SYNTHETIC figures go into a store of their own unless explicitly allowed: stored beside real
    figures they would fill the gaps of real tables (marked, but easy to overlook)."""
    if allow or not source.startswith(SYNTHETIC):
        return
    stored = Store(project.processed).read(columns=["source"])
    real = stored[~stored.source.map(is_synthetic)] if not stored.empty else stored
    if not real.empty:
        raise UsageError(
            f"the store under {project.root} holds {len(real)} real figures; SYNTHETIC microdata "
            "would mix with them. Use a separate project (--root DIR) or --mix-synthetic"
        )


def run(
    project: Project,
    inputs: Inputs,
    year: int,
    release: str = "",
    source: str | None = None,
    store: bool = True,
    accept_defects: bool = False,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    temp_directory: Path | None = None,
    check_ids: bool = True,
    mix_synthetic: bool = False,
    lock_timeout: float | None = None,
) -> MicrodataRun:
    """Validate (pandera on samples), check quality (DuckDB, every row), count, and store as observations.

    Any schema error, or any quality defect without accept_defects, raises ValidationFailed and stores
    nothing; the quality report is written in every case (out/microdata/<year>/)."""
    inputs.check()
    src = source_text(inputs, source, year)
    if store:
        refuse_mixing(project, src, mix_synthetic)
    issues: list[Issue] = []
    for kind, path in (("codes", inputs.codes), ("register", inputs.register), ("residents", inputs.residents)):
        issues += validate_input(path, kind, project.schemas)
    if issues:
        raise ValidationFailed(issues)
    con = connect(memory_limit, temp_directory)
    try:
        wide = aggregate(con, inputs, year)
        quality = check_quality(con, inputs, year, with_ids=check_ids)
    except duckdb.Error as e:  # e.g. a value beyond the validated sample that is not a number
        raise InputOutputError(f"the microdata inputs could not be read to the end: {e}") from e
    finally:
        con.close()
    counts = long_counts(wide)
    result = MicrodataRun(counts, quality, src, wide.attrs["scope"])
    folder = project.out / "microdata" / str(year)
    title = "Microdata quality report" + (" (SYNTHETIC data)" if src.startswith("SYNTHETIC") else "")
    result.report = quality.write(folder, title)
    csv = counts.assign(year=year, series="microdata", source=src, release=release or None)
    result.counts_csv = folder / "counts.csv"
    write_text(result.counts_csv, csv.to_csv(index=False, lineterminator="\n"))
    if quality.defects and not accept_defects:
        raise ValidationFailed(
            [
                Issue(
                    "error",
                    f"microdata quality: {c.name}",
                    f"{c.name}: {c.count:,} {c.unit} (rule: {c.rule}; examples in {result.report[0]}; "
                    "fix the input or accept with --accept-defects)",
                    file=c.file,
                    column=c.column,
                )
                for c in quality.defects
            ]
        )
    if store:
        label = f"{project.label(Path(inputs.register))} + {Path(inputs.residents).name}"
        files = [Path(inputs.codes), Path(inputs.register), Path(inputs.residents)]
        with write_lock(project.processed, lock_timeout):  # the same lock as ingest and build
            refuse_mixing(project, src, mix_synthetic)  # again, under the lock
            result.stored = store_counts(project, counts, year, release, src, files, label)
    return result
