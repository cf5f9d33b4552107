"""Parents of any region of China: from the registry, else from the GB/T 2260 code structure.

GB/T 2260 codes are `PPCCXX`: province `PP0000`, prefecture `PPCC00`, county `PPCCXX`. The structure
gives the parent of a code outside the registry, with these exceptions:

- municipalities (北京 11, 天津 12, 上海 31, 重庆 50): their districts and counties (`PP01XX` 市辖区,
  `PP02XX` 县) sit directly under the province; `PP0100` and `PP0200` are not units;
- county-level units directly under a province (省直辖县级行政区划, `PP90XX`: 429004 仙桃市, 469005 文昌市,
  419001 济源市, 659001 石河子市 …): parent is the province; `PP9000` is not a unit;
- `PPCC01` (市辖区 of a prefecture city, e.g. 330101, 440101) is the sum of its districts, not a unit
  (except in the municipalities, where 110101 is 东城区, and under PP90, where 419001 is 济源市);
- a code that is not a unit (the cases above) is never a region: a figure published
  under it is stored but is nobody's child (summing it with the counties would count them twice).

`derived_regions` lists the regions a set of stored codes adds to the registry (with the prefectures
their codes imply), so that a county table for a whole province or the whole country aggregates
county -> prefecture -> province -> nation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
NATION = "000000"
_CODE = re.compile(r"^\d{6}$")


def level_of(code: str) -> int:
    """0 nation, 1 province, 2 prefecture, 3 county (by the code alone)."""
    if code == NATION:
        return 0
    if code[2:] == "0000":
        return 1
    if code[4:] == "00":
        return 2
    return 3


def is_unit(code: str) -> bool:
    """False for codes that name no administrative unit: 市辖区/县 groupings of the municipalities
    (`110100`, `500200`) and the 省直辖 grouping `PP9000`."""
    if not _CODE.match(code):
        return False
    if level_of(code) == 2 and (code[:2] in MUNICIPALITIES or code[2:4] == "90"):
        return False
    if code[4:] == "01" and code[:2] not in MUNICIPALITIES and code[2:4] != "90":
        return False  # PPCC01 = 市辖区 of a prefecture city: the sum of its districts, not a unit
    return True


def structural_parent(code: str) -> str | None:
    """Parent by the GB/T 2260 structure, with the exceptions above; None for the nation or a non-unit."""
    if not is_unit(code) or code == NATION:
        return None
    lvl = level_of(code)
    if lvl == 1:
        return NATION
    if lvl == 2:
        return code[:2] + "0000"
    if code[:2] in MUNICIPALITIES or code[2:4] == "90":
        return code[:2] + "0000"
    return code[:4] + "00"


@dataclass(frozen=True)
class DerivedRegion:
    code: str
    name_zh: str | None
    level: int
    parent_code: str


def nearest_known(code: str, known: set[str]) -> str | None:
    """The nearest structural ancestor of a code that is in `known` (the registry)."""
    anc = structural_parent(code)
    while anc is not None and anc not in known:
        anc = structural_parent(anc)
    return anc


def derived_regions(
    codes_with_names: dict[str, str | None], known: set[str], closed: set[str] = frozenset()
) -> list[DerivedRegion]:
    """Regions (and their implied prefectures) for codes that are not in the registry (`known`).

    Names come from the table the code was published in (None when the table gave only the code).
    Walks up until a registry code (or the nation) is reached. A code whose nearest registry
    ancestor is in `closed` (the registry lists all its children) is left out: it is doubtful
    (reported on ingestion), not a new child."""
    out: dict[str, DerivedRegion] = {}
    for code, name in sorted(codes_with_names.items()):
        if nearest_known(code, known) in closed:
            continue
        cur, cur_name = code, name
        while cur not in known and cur not in out and is_unit(cur) and cur != NATION:
            parent = structural_parent(cur)
            if parent is None:
                break
            out[cur] = DerivedRegion(
                cur, cur_name if cur_name and not _CODE.match(cur_name) else None, level_of(cur), parent
            )
            cur, cur_name = parent, codes_with_names.get(parent)
    return list(out.values())


def complete_from_data(
    parents: dict[str, str | None], candidates: set[str], published_by_source: dict[str, set[str]]
) -> set[str]:
    """Which candidate regions (whose children the registry does not list in full) can be taken as
    complete: those for which one source publishes, for every child (registry or derived), the child
    itself or something below it. A county table for a whole province covers every prefecture of it;
    a table for one city's districts does not complete the province (the other cities are not in it).

    `parents`: code -> parent code, for every region (registry and derived)."""
    children: dict[str, set[str]] = {}
    for code, parent in parents.items():
        if parent:
            children.setdefault(parent, set()).add(code)

    def ancestors(code: str) -> set[str]:
        out, cur, seen = set(), code, set()
        while cur in parents and cur not in seen:
            seen.add(cur)
            out.add(cur)
            cur = parents[cur]
            if cur is None:
                break
        return out

    covered_by_source = {
        src: set().union(*(ancestors(c) for c in codes)) if codes else set()
        for src, codes in published_by_source.items()
    }
    return {p for p in candidates if children.get(p) and any(children[p] <= cov for cov in covered_by_source.values())}
