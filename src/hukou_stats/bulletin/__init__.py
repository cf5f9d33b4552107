"""The first bulletin: Markdown and one CSV per table, from the DuckDB views."""
from .make import default_year, make_bulletin

__all__ = ["default_year", "make_bulletin"]
