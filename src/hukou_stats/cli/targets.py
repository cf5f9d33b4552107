"""The CI gate on target attainment: `hukou-stats targets check`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hukou_stats.cli.app import RELEASE_HELP, handled, out, project, targets_app
from hukou_stats.reference.releases import parse_release


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
