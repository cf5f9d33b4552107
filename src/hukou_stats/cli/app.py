"""The `hukou-stats` application: options shared by every command, and errors turned into messages and exit
codes. The commands live beside it (data, publish, targets, microdata), each a thin layer over functions of
the stages that the tests call directly.

Exit codes: 0 ok, 1 validation failed (verify: drift found), 2 usage or configuration, 3 input/output,
4 internal error (a bug). No traceback unless --debug.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from hukou_stats import __version__
from hukou_stats.core.errors import HukouStatsError, InputOutputError, InternalError
from hukou_stats.core.project import Project

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
STATE: dict = {"root": Path("."), "debug": False}
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


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


microdata_app = typer.Typer(
    help="Person-level microdata (register and resident extracts) counted into the store.", no_args_is_help=True
)
app.add_typer(microdata_app, name="microdata")
targets_app = typer.Typer(help="Targets (规划目标): the CI gate on target attainment.", no_args_is_help=True)
app.add_typer(targets_app, name="targets")
