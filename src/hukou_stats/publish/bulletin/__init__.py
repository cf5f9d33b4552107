"""The statistical bulletin: tables T1-T5 from the DuckDB views, text (zh/en), charts, and one writer per
format (workbook, HTML, Markdown, CSV + datapackage.json)."""

from hukou_stats.publish.bulletin.make import collect, default_year, make_bulletin

__all__ = ["collect", "default_year", "make_bulletin"]
