"""The digit layout of statistical village codes as the microdata counts roll them up (XXYYZZ county, XXYY00
prefecture, XX0000 province), and the codes of that roll-up that are no unit: the 市辖区/县 groupings of the
municipalities (`110100`, `500200`), the 省直辖 grouping `PP9000` and `PPCC01` under a prefecture. Used only for
person-level records (SYNTHETIC or real), whose villages carry such codes; the region registry
(hukou_stats.reference.registry) knows the units of every other figure from the code history."""

from __future__ import annotations

import re

MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
_CODE = re.compile(r"^\d{6}$")


def is_rollup_unit(code: str) -> bool:
    """False for the groupings of the digit roll-up that name no unit (see the module doc)."""
    if not _CODE.match(code):
        return False
    if code[2:] != "0000" and code[4:] == "00" and (code[:2] in MUNICIPALITIES or code[2:4] == "90"):
        return False
    if code[4:] == "01" and code[:2] not in MUNICIPALITIES and code[2:4] != "90":
        return False
    return True
