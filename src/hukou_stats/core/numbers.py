"""Published numbers: parsing text, keeping precision, converting units.

A figure published as "1530.59" in 万人 is 15,305,900 persons known to
±50 persons; we keep the text, its number of decimals and that half-unit.
Rounding for publication (half-up, 四舍五入) happens only at output, with
`decimal`, never with binary floats.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

# published unit -> (canonical unit, factor)
UNITS: dict[str, tuple[str, int]] = {
    "persons": ("persons", 1),
    "10k_persons": ("persons", 10_000),
    "pct": ("pct", 1),
}
UNIT_ALIASES = {
    "persons": "persons",
    "person": "persons",
    "人": "persons",
    "10k_persons": "10k_persons",
    "万人": "10k_persons",
    "万": "10k_persons",
    "pct": "pct",
    "%": "pct",
    "percent": "pct",
    "％": "pct",
}
# text that means "not available" in published tables (after full-width characters are made ASCII)
MISSING_MARKERS = {"", "—", "——", "-", "--", "–", "…", "……", "...", "x", "X", "[x]", "..", "NA", "n/a", "N/A"}
# full-width ASCII (０-９, ．, ，, －, ％, ...) and the ideographic space -> ASCII
FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20}
# a plain decimal, optionally with thousands separators: 1530.59, 1,530.59, -3, 12,345
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
# persons on Earth, in any unit, stay far below this: a bigger number is a typing or export error
MAX_ABS = Decimal("1e12")


def ascii_text(text) -> str:
    """Full-width digits, punctuation and spaces as ASCII; surrounding spaces removed."""
    return str(text).translate(FULLWIDTH).strip()


def normalise_unit(unit: str) -> str | None:
    u = ascii_text(unit)
    u = re.sub(r"^[(]\s*(.*?)\s*[)]$", r"\1", u)  # "(%)", "（万人）"
    return UNIT_ALIASES.get(u)


def parse_number(text: str) -> tuple[Decimal, int] | None:
    """Return (value, decimals) for a published number, None for a missing marker.

    Published text is taken as a reader sees it: full-width digits and punctuation ("１，５３０．５９"),
    thousands separators ("1,530.59") and surrounding spaces are accepted; "—", "…", "-", "x" and
    blanks are missing. Raises ValueError for anything else (text, "1e5", "1,5", "86.46*").
    """
    s = ascii_text(text)
    if s in MISSING_MARKERS:
        return None
    if not PLAIN_NUMBER.match(s):
        raise ValueError(f"not a number: {text!r}")
    d = Decimal(s.replace(",", ""))
    if abs(d) >= MAX_ABS:
        raise ValueError(f"implausibly large number: {text!r}")
    exp = d.as_tuple().exponent
    decimals = -exp if isinstance(exp, int) and exp < 0 else 0
    return d, decimals


def to_canonical(value: Decimal, decimals: int, unit: str) -> tuple[float, str, float]:
    """(canonical value, canonical unit, precision as ± half a published unit)."""
    canon, factor = UNITS[unit]
    v = value * factor
    half = Decimal(5) * Decimal(10) ** (-(decimals + 1)) * factor
    return float(v), canon, float(half)


def round_half_up(x: float | Decimal | None, decimals: int) -> Decimal | None:
    """四舍五入 to `decimals` places. Floats are read through repr, so 79.905 -> 79.91."""
    if x is None:
        return None
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    q = Decimal(1).scaleb(-decimals)
    return d.quantize(q, rounding=ROUND_HALF_UP)


def format_half_up(x, decimals: int, sign: bool = False) -> str:
    """A figure as text, rounded half-up to `decimals` places (with its sign when `sign`)."""
    d = round_half_up(x, decimals)
    return f"{d:+f}" if sign else f"{d:f}"
