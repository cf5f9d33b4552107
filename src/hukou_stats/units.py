"""Published numbers: parsing text, keeping precision, converting units.

A figure published as "1530.59" in 万人 is 15,305,900 persons known to
±50 persons; we keep the text, its number of decimals and that half-unit.
Rounding for publication (half-up, 四舍五入) happens only at output, with
`decimal`, never with binary floats.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# published unit -> (canonical unit, factor)
UNITS: dict[str, tuple[str, int]] = {
    "persons": ("persons", 1),
    "10k_persons": ("persons", 10_000),
    "pct": ("pct", 1),
}
UNIT_ALIASES = {
    "persons": "persons", "person": "persons", "人": "persons",
    "10k_persons": "10k_persons", "万人": "10k_persons", "万": "10k_persons",
    "pct": "pct", "%": "pct", "percent": "pct", "％": "pct",
}
# text that means "not available" in published tables
MISSING_MARKERS = {"", "—", "-", "–", "…", "...", "x", "X", "[x]", "..", "NA", "n/a"}


def normalise_unit(unit: str) -> str | None:
    return UNIT_ALIASES.get(str(unit).strip())


def parse_number(text: str) -> tuple[Decimal, int] | None:
    """Return (value, decimals) for a published number, None for a missing marker.

    Raises ValueError for text that is not a number.
    """
    s = str(text).strip().replace(",", "").replace("，", "")
    if s in MISSING_MARKERS:
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not d.is_finite():
        raise ValueError(f"not a number: {text!r}")
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

