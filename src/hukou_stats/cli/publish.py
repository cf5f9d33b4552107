"""Commands that publish: the bulletin and the target evaluation reports."""

from __future__ import annotations

from typing import Annotated

import typer

from hukou_stats.cli.app import RELEASE_HELP, app, handled, out, project
from hukou_stats.reference.releases import parse_release


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
    force: Annotated[bool, typer.Option("--force", help="Write the bulletin even when it is up to date.")] = False,
):
    """Write the bulletin to out/bulletin/<region_code>/<year>/<lang>/: workbook (bulletin.xlsx), page
    (bulletin.html), Markdown (bulletin.md), one CSV per table with notes.csv and datapackage.json, the charts
    (PNG, SVG) and the methodology note (methodology.html, methodology.md).

    The folder is written aside and swapped in at the end: a failure leaves the previous bulletin as it was. When
    nothing changed since the last run (same options, same database, same program, outputs intact) nothing is
    rewritten; the publisher's name, contact and release date come from the publisher table of hukou-stats.toml.

    Example: hukou-stats bulletin --region guangzhou --year 2021 --lang zh --formats xlsx,html
    """
    from hukou_stats.publish.bulletin.make import make_bulletin, parse_formats, parse_lang

    path = make_bulletin(
        project(),
        region,
        year,
        release=parse_release(release),
        lang=parse_lang(lang),
        formats=parse_formats(formats),
        force=force,
    )
    out.print(f"bulletin: {path}")


@app.command("evaluate")
@handled
def evaluate_cmd(
    region: Annotated[str, typer.Option("--region", "-r", help="Code, Chinese or pinyin name.")] = "440100",
    as_of: Annotated[int, typer.Option("--as-of", help="Evaluation year: 2018 = mid-term, 2020 = final.")] = 2020,
    release: Annotated[str, typer.Option(help=RELEASE_HELP)] = "latest",
):
    """Write the target evaluation report (Markdown, HTML, charts, methodology note) to
    out/evaluation/<region>/<as-of>/.

    Example: hukou-stats evaluate --region guangzhou --as-of 2018
    """
    from hukou_stats.publish.evaluation import evaluate

    path = evaluate(project(), region, as_of, release=parse_release(release))
    out.print(f"evaluation: {path}")
