"""The digit layout of statistical village codes as the microdata counts roll them up (XXYYZZ county, XXYY00
prefecture, XX0000 province), and the codes of that roll-up that are no unit: the 市辖区/县 groupings of the
municipalities (`110100`, `500200`), the 省直辖 grouping `PP9000` and `PPCC01` under a prefecture. Used only for
person-level records (SYNTHETIC or real), whose villages carry such codes; the region registry
(hukou_stats.reference.registry) knows the units of every other figure from the code history."""

from __future__ import annotations

import re

MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
NATION = "000000"
_CODE = re.compile(r"^\d{6}$")


def level_of(code: str) -> int:
    """0 nation, 1 province, 2 prefecture, 3 county, by the digit layout of the roll-up."""
    if code == NATION:
        return 0
    if code[2:] == "0000":
        return 1
    return 2 if code[4:] == "00" else 3


def is_rollup_unit(code: str) -> bool:
    """False for the groupings of the digit roll-up that name no unit (see the module doc)."""
    if not _CODE.match(code):
        return False
    if code[2:] != "0000" and code[4:] == "00" and (code[:2] in MUNICIPALITIES or code[2:4] == "90"):
        return False
    if code[4:] == "01" and code[:2] not in MUNICIPALITIES and code[2:4] != "90":
        return False
    return True
