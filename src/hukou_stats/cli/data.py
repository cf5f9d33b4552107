"""Commands that read, check, store and build: ingest, validate, build, query, revisions, verify."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hukou_stats.cli.app import BOUNDARIES_HELP, RELEASE_HELP, app, err, handled, out, progress, project
from hukou_stats.core.errors import ValidationFailed
from hukou_stats.reference.releases import parse_release


def _run_checks(paths: list[Path] | None, store: bool):
    from hukou_stats.ingest import discover
    from hukou_stats.reference.registry import require_project
    from hukou_stats.store.commit import ingest
    from hukou_stats.validate.run import check_inputs

    p = project()
    require_project(p)
    n = len(discover(paths or [p.raw]))
    with progress() as prog:
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
def build_cmd(
    force: Annotated[bool, typer.Option("--force", help="Build the database even when it is up to date.")] = False,
):
    """Build data/processed/hukou.duckdb (tables and views) from the Parquet store; nothing when it is up to date.

    Example: hukou-stats build && hukou-stats query "select * from urbanization where region_code = '440100'"
    """
    from hukou_stats.validate.report import write_reconciliation
    from hukou_stats.warehouse.build import build_database
    from hukou_stats.warehouse.connection import connect

    with err.status("building the database", spinner="dots"):
        path, built = build_database(project(), force=force)
    if not built:
        out.print(f"database: {path} (up to date: built from the same inputs by this program; --force builds it again)")
        return
    out.print(f"database: {path}")
    con = connect(project())
    try:
        md, _ = write_reconciliation(con, project().out / "validation")
    finally:
        con.close()
    out.print(f"reconciliation: {md}")


@app.command("query")
@handled
def query_cmd(
    sql: Annotated[str, typer.Argument(help="One SELECT to run on the database (read-only; no other file).")],
    csv: Annotated[bool, typer.Option("--csv", help="Write CSV to standard output instead of a table.")] = False,
    release: Annotated[str, typer.Option(help=RELEASE_HELP)] = "latest",
    boundaries: Annotated[str, typer.Option(help=BOUNDARIES_HELP)] = "current",
    max_rows: Annotated[int, typer.Option("--max-rows", help="Show at most this many rows.")] = 100_000,
    timeout: Annotated[float, typer.Option("--timeout", help="Stop the query after this many seconds.")] = 60.0,
):
    """Run one SELECT on the database and show the result.

    The query reads the database only: one statement, SELECT, no other file or network (COPY, ATTACH, INSTALL,
    read_csv... are refused with exit code 2). Analysts who want files open the database with DuckDB.

    Example: hukou-stats query "select year, resident_rate_pct, hukou_rate_pct, gap_pp from urbanization where region_code = '000000'"
    """
    from hukou_stats.warehouse.sandbox import run_query

    result = run_query(
        project(), sql, release=parse_release(release), boundaries=boundaries, max_rows=max_rows, timeout=timeout
    )
    df = result.frame
    if result.truncated:
        err.print(f"[yellow]showing the first {len(df):,} rows only[/] (--max-rows)", highlight=False)
    if csv:
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    table = Table(show_lines=False)
    for c in df.columns:
        table.add_column(escape(str(c)))
    for row in df.itertuples(index=False):
        table.add_row(*[escape(_shown(v)) for v in row])
    out.print(table)
    out.print(f"{len(df)} row(s)" + (" (more not shown)" if result.truncated else ""))


def _shown(v) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


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
