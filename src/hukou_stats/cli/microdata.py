"""Person-level microdata: `hukou-stats microdata aggregate` and the SYNTHETIC generator `hukou-stats synth`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from hukou_stats.cli.app import app, err, handled, microdata_app, out, project
from hukou_stats.core.errors import UsageError, ValidationFailed


def _microdata_inputs(folder: Path | None, codes: Path | None, register: Path | None, residents: Path | None):
    from hukou_stats.microdata.aggregate import Inputs
    from hukou_stats.microdata.run import inputs_from_dir

    base = inputs_from_dir(folder) if folder else None
    picked = [
        codes or (base and base.codes),
        register or (base and base.register),
        residents or (base and base.residents),
    ]
    if not all(isinstance(p, Path) for p in picked):
        raise UsageError("give a folder written by `hukou-stats synth`, or all of --codes, --register and --residents")
    return Inputs(*(Path(p) for p in picked if isinstance(p, Path)))


@microdata_app.command("aggregate")
@handled
def microdata_aggregate_cmd(
    year: Annotated[
        int, typer.Option("--year", "-y", help="Reference year: the code list of this year classifies villages.")
    ],
    folder: Annotated[
        Path | None, typer.Argument(help="Folder written by `hukou-stats synth` (or give the three files).")
    ] = None,
    release: Annotated[str, typer.Option(help="Release date of the figures (YYYY-MM-DD), stored with each one.")] = "",
    source: Annotated[
        str | None, typer.Option(help="Source text stored with each figure (synthetic inputs always get SYNTHETIC).")
    ] = None,
    codes: Annotated[
        Path | None, typer.Option(help="Urban-rural code list (Parquet or CSV: year, code, name, class).")
    ] = None,
    register: Annotated[
        Path | None, typer.Option(help="Hukou register extract (person_id, reg_code[, sex, birth_year]).")
    ] = None,
    residents: Annotated[
        Path | None,
        typer.Option(help="Resident extract (person_id, res_code, reg_code; 0 = registered outside the region)."),
    ] = None,
    memory_limit: Annotated[
        str, typer.Option(help="DuckDB memory limit; beyond it DuckDB spills to --temp-dir.")
    ] = "2GB",
    temp_dir: Annotated[
        Path | None, typer.Option(help="Spill folder for DuckDB (default: the system temp folder).")
    ] = None,
    accept_defects: Annotated[
        bool, typer.Option(help="Store the counts even when the quality report lists defects.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count and report only; store nothing.")] = False,
    mix_synthetic: Annotated[
        bool, typer.Option(help="Allow SYNTHETIC figures into a store that holds real ones.")
    ] = False,
    id_checks: Annotated[
        bool,
        typer.Option(
            help="Check duplicate ids and persons registered twice (a GROUP BY over every id: the slow part at national scale)."
        ),
    ] = True,
):
    """Count hukou and resident totals, urban counts and 人户分离 by county, prefecture and province; store them.

    Writes out/microdata/<year>/quality_report.md, .json and counts.csv. Exit 1 when a schema rule fails or the
    quality report lists a defect (nothing stored unless --accept-defects).

    Example: hukou-stats microdata aggregate bench/data/guangzhou-1M --year 2021 --release 2022-03-31
    """
    from hukou_stats.microdata.run import run

    inputs = _microdata_inputs(folder, codes, register, residents)
    if not dry_run and not release:
        raise UsageError("--release YYYY-MM-DD is required to store the figures (or use --dry-run)")
    if release and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", release):
        raise UsageError(
            f"--release {release!r}: a release date YYYY-MM-DD is needed (the day the figures "
            "were released), e.g. 2022-03-31"
        )
    try:
        r = run(
            project(),
            inputs,
            year,
            release,
            source,
            store=not dry_run,
            accept_defects=accept_defects,
            memory_limit=memory_limit,
            temp_directory=temp_dir,
            mix_synthetic=mix_synthetic,
            check_ids=id_checks,
        )
    except ValidationFailed as e:
        err.print(f"[bold red]microdata rejected:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
        err.print(f"quality report: {project().out / 'microdata' / str(year) / 'quality_report.md'}")
        raise typer.Exit(1) from None
    for c in r.quality.defects:
        err.print(f"[yellow]accepted defect[/]: {c.file} {c.column}: {c.name}, {c.count:,} {c.unit}", highlight=False)
    q = r.quality.rows
    stored = (
        f"{r.stored['new']} new figures, {r.stored['skipped']} already stored"
        if r.stored
        else "nothing stored (dry run)"
    )
    out.print(
        f"{q['register']:,} registered and {q['residents']:,} residents counted for {r.scope} and below: "
        f"{len(r.counts)} figures; {stored}. Source: {r.source}\nquality report: {r.report[0] if r.report else ''}\ncounts: {r.counts_csv}"
    )


@app.command("synth")
@handled
def synth_cmd(
    persons: Annotated[int, typer.Option("--persons", "-n", help="Number of usual residents to generate.")] = 1_000_000,
    region: Annotated[
        str,
        typer.Option(
            "--region",
            "-r",
            help="Region whose districts/cities/provinces are modelled: 440100, guangzhou, 330000, 000000.",
        ),
    ] = "440100",
    seed: Annotated[int, typer.Option("--seed", "-s", help="Random seed: the same seed gives the same files.")] = 1,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write SYNTHETIC_*.parquet and SYNTHETIC_metadata.json.")
    ] = Path("bench/data/synthetic"),
    year: Annotated[int, typer.Option("--year", "-y", help="Year of the synthetic code list.")] = 2021,
):
    """Write SYNTHETIC person-level data (code list, register, residents) calibrated to the published figures.

    Example: hukou-stats synth --persons 1000000 --region guangzhou --seed 1 --out bench/data/guangzhou-1M
    """
    from hukou_stats.microdata.synth import synthesize

    r = synthesize(project(), persons, region, seed, out_dir, year)
    out.print(
        f"SYNTHETIC data: {r.persons:,} residents, {r.registered:,} registered, {r.villages:,} villages in "
        f"{r.counties} counties, seed {seed}: {r.out}"
    )
