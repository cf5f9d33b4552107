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
