"""The command line `hukou-stats`: a thin layer over the functions of the stages."""

from hukou_stats.cli import data, microdata, publish, targets  # noqa: F401  (each registers its commands)
from hukou_stats.cli.app import app

__all__ = ["app"]
