"""Text from input that must stay plain text: no control characters (a name or a note printed in a cell may
hold line breaks and tabs; a code, a source or a key may not)."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_BUT_SPACING = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def control_character(text: str, spacing_allowed: bool = False) -> str | None:
    """A description of the first control character in `text` (None if there is none)."""
    m = (CONTROL_BUT_SPACING if spacing_allowed else CONTROL).search(text)
    return None if m is None else f"the control character U+{ord(m.group()):04X} at position {m.start() + 1}"


def plain(text: str) -> str:
    """`text` unchanged; ValueError if it holds a control character (for pydantic validators)."""
    found = control_character(text)
    if found:
        raise ValueError(f"holds {found}: a damaged or hostile file")
    return text


def escaped(text: str) -> str:
    """Control characters written as \\uXXXX: a message quoting input never carries them (no line breaks,
    terminal escapes or NULs in what is printed)."""
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# what a spreadsheet program takes for the start of a formula in a CSV cell (OWASP, CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text) -> str:
    """A text cell as written to a CSV that people open in a spreadsheet program: prefixed with an apostrophe when
    it would start a formula, so that it is never run as one."""
    s = str(text)
    return "'" + s if s.startswith(FORMULA_START) else s
