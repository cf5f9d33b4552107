"""SQL text from values, for the few statements DuckDB cannot prepare (COMMENT ON, CREATE VIEW). Everything
else binds its values as parameters (`con.execute(sql, [values])`); nothing from data or users is pasted
into SQL text except through these two functions."""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def literal(text: str) -> str:
    """A string literal: 'text' with every quote doubled."""
    return "'" + str(text).replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A table, view or column name: plain names as they are, anything else double-quoted."""
    return name if _IDENTIFIER.match(name) else '"' + name.replace('"', '""') + '"'
