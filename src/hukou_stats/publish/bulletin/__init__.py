"""The statistical bulletin: tables T1-T5 from the DuckDB views, text (zh/en), charts, and one writer per
format (workbook, HTML, Markdown, CSV + datapackage.json)."""

from __future__ import annotations

__all__ = ["collect", "default_year", "make_bulletin"]


def __getattr__(name: str):  # imported on first use: the modules below import the writers, which import these
    if name in __all__:
        from hukou_stats.publish.bulletin import make

        return getattr(make, name)
    raise AttributeError(name)
