"""hukou-stats command line: a thin layer over functions the tests call directly.

Exit codes: 0 ok, 1 validation failed (verify: drift found), 2 usage or configuration, 3 input/output,
4 internal error (a bug). No traceback unless --debug.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hukou_stats import __version__
from hukou_stats.core.errors import HukouStatsError, InputOutputError, InternalError, UsageError, ValidationFailed
from hukou_stats.core.project import Project
from hukou_stats.reference.releases import parse_release

app = typer.Typer(
    name="hukou-stats",
    help="Resident and hukou urbanization rates (常住人口城镇化率, 户籍人口城镇化率) from published figures.\n\n"
    "Typical run: hukou-stats ingest && hukou-stats build && hukou-stats bulletin --region guangzhou",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
STATE = {"root": Path("."), "debug": False}
BOUNDARIES_HELP = (
    "Boundaries of the views comparable_counts and comparable_rates: current (today's regions, "
    "through the crosswalk) or as-published."
)
RELEASE_HELP = "Vintage of the figures: latest, first, or YYYY-MM-DD (as known on that date)."


def project() -> Project:
    return Project.at(STATE["root"])


try:  # typer before 0.20 re-exports click's exceptions; later versions have their own
    from typer.exceptions import TyperException as _TyperException

    _PASS_THROUGH: tuple = (_TyperException,)
except ImportError:  # pragma: no cover
    _PASS_THROUGH = ()


def handled(fn):
    """Turn errors into a clear message and an exit code (a traceback only with --debug): HukouStatsError
    with its own code, any other OSError 3 (input/output), anything else 4 (internal error, a bug)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, *_PASS_THROUGH):
            raise
        except HukouStatsError as e:
            if STATE["debug"]:
                raise
            err.print(f"[bold red]错误 error:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
            raise typer.Exit(e.exit_code) from None
        except OSError as e:
            if STATE["debug"]:
                raise
            where = f"{e.filename}: " if e.filename else ""
            err.print(
                f"[bold red]无法读写文件 input/output error:[/] {escape(where + str(e.strerror or e))}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(InputOutputError.exit_code) from None
        except Exception as e:
            if STATE["debug"]:
                raise
            err.print(
                f"[bold red]内部错误 internal error[/] (a bug in hukou-stats, not in your input): "
                f"{type(e).__name__}: {escape(str(e))}. Run again with --debug for the traceback, and report it.",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(InternalError.exit_code) from None

    return wrapper


def _version(value: bool):
    if value:
        out.print(f"hukou-stats {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    root: Annotated[Path, typer.Option(help="Project folder holding data/ and schemas/.")] = Path("."),
    debug: Annotated[bool, typer.Option(help="Show Python tracebacks.")] = False,
    lock_timeout: Annotated[
        float | None,
        typer.Option(
            "--lock-timeout",
            help="Seconds to wait while another run writes data/processed/ (default 60, or "
            "HUKOU_STATS_LOCK_TIMEOUT); then exit 3.",
        ),
    ] = None,
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
):
    STATE["root"] = root
    STATE["debug"] = debug
    if lock_timeout is not None:
        os.environ["HUKOU_STATS_LOCK_TIMEOUT"] = str(lock_timeout)


def _progress(total: int):
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _run_checks(paths: list[Path] | None, store: bool):
    from hukou_stats.ingest import discover
    from hukou_stats.store.commit import check_inputs, ingest

    p = project()
    n = len(discover(paths or [p.raw]))
    with _progress(n) as prog:
        task = prog.add_task("reading", total=n)
        step = lambda label: prog.update(task, advance=1, description=f"read {label}")  # noqa: E731
        return (ingest if store else check_inputs)(p, paths, progress=step)


@app.command("ingest")
@handled
def ingest_cmd(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: data/raw).")] = None,
):
    """Read, validate and store input tables as Parquet (append-only by release).

    Any error stops the run and leaves data/processed/ as it was; the validation report lists every failed check.

    Example: hukou-stats ingest data/raw/guangzhou
    """
    try:
        checked = _run_checks(paths, store=True)
    except ValidationFailed as e:
        err.print(f"[bold red]校验未通过 validation failed:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
        err.print(f"report: {project().out / 'validation' / 'validation_report.md'}")
        raise typer.Exit(1) from None
    s = checked.stored
    warn = len(checked.issues) - len(checked.errors)
    out.print(
        f"{len(checked.files)} file(s), {len(checked.frame)} figures: {s['new']} new, "
        f"{s['skipped']} already stored; {warn} warning(s). Report: {checked.report[0]}"
    )


@app.command("validate")
@handled
def validate_cmd(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: data/raw).")] = None,
):
    """Check input tables without storing anything; write the validation report.

    Exit code 1 if any check fails with an error.

    Example: hukou-stats validate data/raw/zhejiang/observations.csv
    """
    checked = _run_checks(paths, store=False)
    for i in checked.issues:
        style = "red" if i.severity == "error" else "yellow"
        err.print(f"[{style}]{i.severity}[/]: {escape(str(i))}", highlight=False, soft_wrap=True)
    out.print(
        f"{len(checked.files)} file(s), {len(checked.frame)} figures, {len(checked.errors)} error(s), "
        f"{len(checked.issues) - len(checked.errors)} warning(s). Report: {checked.report[0]}"
    )
    if checked.errors:
        raise typer.Exit(1)


@app.command("build")
@handled
def build_cmd():
    """Build data/processed/hukou.duckdb (tables and views) from the Parquet store.

    Example: hukou-stats build && hukou-stats query "select * from urbanization where region_code = '440100'"
    """
    from hukou_stats.validate.report import write_reconciliation
    from hukou_stats.warehouse.build import build
    from hukou_stats.warehouse.connection import connect

    with err.status("building the database", spinner="dots"):
        path = build(project())
    out.print(f"database: {path}")
    con = connect(project())
    try:
        md, _ = write_reconciliation(con, project().out / "validation")
    finally:
        con.close()
    out.print(f"reconciliation: {md}")


@app.command("bulletin")
@handled
def bulletin_cmd(
    region: Annotated[
        str, typer.Option("--region", "-r", help="Code, Chinese or pinyin name: 440100, 广州市, guangzhou.")
    ] = "440100",
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="Reference year (default: latest with both rates).")
    ] = None,
    release: Annotated[str, typer.Option(help=RELEASE_HELP)] = "latest",
    lang: Annotated[str, typer.Option("--lang", help="Language of text and headers: zh, en or both.")] = "both",
    formats: Annotated[
        str,
        typer.Option(
            "--formats", help="Comma-separated: xlsx,html,md,csv (default: all). Charts (PNG, SVG) are always written."
        ),
    ] = "xlsx,html,md,csv",
):
    """Write the bulletin to out/bulletin/<region_code>/<year>/: workbook (bulletin.xlsx), page (bulletin.html),
    Markdown (bulletin.md), one CSV per table with datapackage.json, and the charts (PNG, SVG).

    The folder is written aside and swapped in at the end: a failure leaves the previous bulletin as it was.

    Example: hukou-stats bulletin --region guangzhou --year 2021 --lang zh --formats xlsx,html
    """
    from hukou_stats.publish.bulletin import make_bulletin
    from hukou_stats.publish.bulletin.make import parse_formats, parse_lang

    path = make_bulletin(
        project(), region, year, release=parse_release(release), lang=parse_lang(lang), formats=parse_formats(formats)
    )
    out.print(f"bulletin: {path}")


@app.command("query")
@handled
def query_cmd(
    sql: Annotated[str, typer.Argument(help="SQL to run against the database (read-only).")],
    csv: Annotated[bool, typer.Option("--csv", help="Write CSV to standard output instead of a table.")] = False,
    release: Annotated[str, typer.Option(help=RELEASE_HELP)] = "latest",
    boundaries: Annotated[str, typer.Option(help=BOUNDARIES_HELP)] = "current",
):
    """Run SQL on the database and show the result.

    Example: hukou-stats query "select year, resident_rate_pct, hukou_rate_pct, gap_pp from urbanization where region_code = '000000'"
    """
    import duckdb

    from hukou_stats.warehouse.connection import connect

    con = connect(project(), release=parse_release(release), boundaries=boundaries)
    try:
        try:
            df = con.execute(sql).df()
        except duckdb.Error as e:
            raise UsageError(f"the query failed: {e}") from e
    finally:
        con.close()
    if csv:
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    table = Table(show_lines=False)
    for c in df.columns:
        table.add_column(str(c))
    for row in df.itertuples(index=False):
        table.add_row(*["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row])
    out.print(table)
    out.print(f"{len(df)} row(s)")


@app.command("revisions")
@handled
def revisions_cmd(
    region: Annotated[
        str, typer.Option("--region", "-r", help="Code, Chinese or pinyin name: 440100, 广州市, guangzhou.")
    ] = "440100",
    measure: Annotated[
        str,
        typer.Option(
            "--measure",
            "-m",
            help="Measure as published: resident_urban_rate_pct (or resident_rate), resident_total, hukou_total, ...",
        ),
    ] = "resident_urban_rate_pct",
    release: Annotated[
        str, typer.Option(help=RELEASE_HELP + " A date draws the triangle as it stood then.")
    ] = "latest",
):
    """Revision triangle (reference year x release) and the mean and mean absolute revision (latest minus first).

    Example: hukou-stats revisions --region guangzhou --measure resident_rate
    """
    from hukou_stats.analysis.revisions import revision_triangle
    from hukou_stats.core.numbers import round_half_up
    from hukou_stats.reference.registry import load_registry
    from hukou_stats.warehouse.connection import connect

    code = load_registry(project()).resolve(region)
    con = connect(project(), release=parse_release(release))
    try:
        t = revision_triangle(con, code, measure)
    finally:
        con.close()
    table = Table(title=f"{t.region_code} {t.region_name}: {t.measure} ({t.unit}) by release", show_lines=False)
    table.add_column("year")
    for c in t.cells.columns:
        table.add_column(str(c))
    for year, row in t.cells.iterrows():
        table.add_row(
            year, *["—" if not isinstance(v, str) else f"{v} {t.series.loc[year, c]}" for c, v in row.items()]
        )
    out.print(table)
    unit = "pp" if t.unit == "pct" else t.unit
    fmt = lambda x: "—" if x is None else str(round_half_up(x, t.decimals))  # noqa: E731
    out.print(
        f"figures revised: {t.n_years}; mean revision (latest - first): {fmt(t.mean_revision)} {unit}; "
        f"mean absolute revision: {fmt(t.mean_abs_revision)} {unit}"
    )


# --- microdata (issue 6): person-level records counted in DuckDB, and the synthetic generator -------------------
microdata_app = typer.Typer(
    help="Person-level microdata (register and resident extracts) counted into the store.", no_args_is_help=True
)
app.add_typer(microdata_app, name="microdata")


def _microdata_inputs(folder: Path | None, codes: Path | None, register: Path | None, residents: Path | None):
    from hukou_stats.microdata.aggregate import Inputs
    from hukou_stats.microdata.run import inputs_from_dir

    base = inputs_from_dir(folder) if folder else None
    picked = [
        codes or (base and base.codes),
        register or (base and base.register),
        residents or (base and base.residents),
    ]
    if not all(picked):
        raise UsageError("give a folder written by `hukou-stats synth`, or all of --codes, --register and --residents")
    return Inputs(*picked)


@microdata_app.command("aggregate")
@handled
def microdata_aggregate_cmd(
    folder: Annotated[
        Path | None, typer.Argument(help="Folder written by `hukou-stats synth` (or give the three files).")
    ] = None,
    year: Annotated[
        int, typer.Option("--year", "-y", help="Reference year: the code list of this year classifies villages.")
    ] = ...,
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
        f"{len(r.counts)} figures; {stored}. Source: {r.source}\nquality report: {r.report[0]}\ncounts: {r.counts_csv}"
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


@app.command("verify")
@handled
def verify_cmd(
    path: Annotated[
        Path,
        typer.Argument(help="An output folder, an output file or a manifest.json (a folder: every manifest under it)."),
    ],
):
    """Re-hash the inputs and outputs recorded in manifest.json and report any drift.

    Exit 0 if nothing changed, 1 if an input or output changed, is missing, or (in a folder whose manifest
    lists every file) was added; 2 if there is no manifest.

    Example: hukou-stats verify data/processed
    """
    from hukou_stats.core.provenance import verify

    drifted = 0
    for v in verify(path):
        m = v.data
        head = (
            f"{v.manifest}: release {m.get('release')}, {m.get('tool')} {m.get('version')}, "
            f"created {m.get('created')}; {len(m.get('inputs', []))} input(s), {len(m.get('outputs', []))} output(s)"
        )
        if v.drift:
            drifted += 1
            out.print(f"[red]DRIFT 不一致[/] {head}", highlight=False)
            for d in v.drift:
                out.print(f"  - {d}", highlight=False)
        else:
            out.print(f"[green]OK 一致[/] {head}", highlight=False)
    if drifted:
        raise typer.Exit(1)


# --- targets (issue 4): evaluation report and the CI gate -------------------------------------------------------
targets_app = typer.Typer(help="Targets (规划目标): the CI gate on target attainment.", no_args_is_help=True)
app.add_typer(targets_app, name="targets")


@app.command("evaluate")
@handled
def evaluate_cmd(
    region: Annotated[str, typer.Option("--region", "-r", help="Code, Chinese or pinyin name.")] = "440100",
    as_of: Annotated[int, typer.Option("--as-of", help="Evaluation year: 2018 = mid-term, 2020 = final.")] = 2020,
    release: Annotated[str, typer.Option(help=RELEASE_HELP)] = "latest",
):
    """Write the target evaluation report (Markdown, HTML, charts) to out/evaluation/<region>/<as-of>/.

    Example: hukou-stats evaluate --region guangzhou --as-of 2018
    """
    from hukou_stats.publish.evaluation import evaluate

    path = evaluate(project(), region, as_of, release=parse_release(release))
    out.print(f"evaluation: {path}")


@targets_app.command("check")
@handled
def targets_check_cmd(
    region: Annotated[str | None, typer.Option("--region", "-r", help="Only this region's targets.")] = None,
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="Evaluation year (default: each target's year).")
    ] = None,
    release: Annotated[str, typer.Option(help=RELEASE_HELP)] = "latest",
    junit: Annotated[Path | None, typer.Option("--junit", help="Write a JUnit XML report here.")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write a JSON report here.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="A target that cannot be assessed fails the gate.")] = False,
):
    """Assess the targets; exit 0 if all achieved or on track, 1 if any is not, 2 on invalid input.

    "cannot assess" is a warning (an error with --strict).

    Example: hukou-stats targets check --junit out/targets/junit.xml --json out/targets/targets.json
    """
    from hukou_stats.analysis.gate import message, run_check, write_reports

    result = run_check(project(), region, year, release=parse_release(release), strict=strict)
    write_reports(result, junit, json_path)
    style = {"pass": "green", "fail": "red", "warning": "yellow"}
    for _, row in result.table.iterrows():
        out.print(
            f"[{style[row['gate']]}]{row['gate'].upper():7}[/] {row['target_id']}: {message(row)}", highlight=False
        )
    n = result.table["gate"].value_counts()
    out.print(
        f"{len(result.table)} target(s): {n.get('pass', 0)} pass, {n.get('fail', 0)} fail, "
        f"{n.get('warning', 0)} cannot assess{' (errors under --strict)' if strict else ' (warnings)'}; "
        f"release: {result.release.label}"
    )
    raise typer.Exit(result.exit_code)


if __name__ == "__main__":
    app()
