"""python -m hukou_stats.cli: the command line."""

from hukou_stats.cli import app

app(prog_name="hukou-stats")
