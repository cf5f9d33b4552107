"""The region registry: the complete code history of China (data/reference/areacodes/result.csv), with English names
and pinyin (data/reference/region_names.csv) and the units outside their parent's totals
(data/reference/region_scope.csv). Every code resolves to a name, a level, a parent and a validity by year
(hukou_stats.reference.code_history); the children of each year's list are in hukou_stats.reference.hierarchy.

A region may be named by its 6-digit code, its Chinese name (inner spaces and the suffix 省/市/区/县 optional:
"荔 湾 区", "荔湾"; traditional characters: "荔灣區"), or its pinyin/English name ("guangzhou", "Liwan District").
Where a name fits several regions, the one valid on the given date and under the given parent wins; if that still
leaves more than one, resolution fails and names the candidates.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import zhconv

from hukou_stats.core.errors import InputOutputError, UsageError
from hukou_stats.core.numbers import ascii_text
from hukou_stats.core.project import Project
from hukou_stats.reference.code_history import NATION, Period, read_code_history
from hukou_stats.reference.hierarchy import Hierarchy

CODE_RE = re.compile(r"^\d{6}(\d{6})?$")
HISTORY = Path("areacodes") / "result.csv"
NAMES = "region_names.csv"
SCOPE = "region_scope.csv"
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "省", "市", "区", "县", "旗")
_SPACES = re.compile(r"[\s\u3000]+")


@functools.lru_cache(maxsize=16384)
def norm_zh(name: str) -> str:
    """A Chinese name for matching: no spaces, full-width letters as ASCII, traditional characters
    as simplified (廣州市 -> 广州市, 荔灣區 -> 荔湾区; zhconv)."""
    s = _SPACES.sub("", ascii_text(name))
    return zhconv.convert(s, "zh-cn") if s and not s.isascii() else s


def strip_suffix(name: str) -> str:
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def _norm_latin(name: str) -> str:
    s = re.sub(r"[\s\-_'’()]+", "", str(name).lower())
    for suffix in ("district", "city", "province", "county"):
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    return s


def year_of(on: dt.date | int | None, default: int) -> int:
    """The year whose list applies to a date (a figure dated in a year uses that year's list)."""
    if on is None:
        return default
    return on if isinstance(on, int) else on.year


@dataclass(frozen=True)
class Region(Period):
    """One period of a code (code_history.Period) with its English name, pinyin and scope."""

    name_en: str = ""
    pinyin: str = ""
    in_parent_totals: bool = True
    note: str = ""

    def valid_on(self, day: dt.date | int | None) -> bool:
        return day is None or self.valid_in(year_of(day, 0))


class Registry:
    def __init__(self, regions: list[Region], path: Path | None = None):
        self.path = path
        self.by_code: dict[str, list[Region]] = {}
        for r in sorted(regions, key=lambda r: (r.code, r.valid_from_year)):
            self.by_code.setdefault(r.code, []).append(r)
        self.hierarchy = Hierarchy(regions)
        self.last_year = max((r.valid_from_year for r in regions), default=dt.date.today().year)
        self.province_prefixes = {r.code[:2] for r in regions if r.level == 1}
        self.content_key: str | None = None  # hash of the files it was loaded from (Registry.load)

    @classmethod
    def load(cls, reference_dir: Path) -> Registry:
        """The registry of a project's data/reference/ (cached while its files are unchanged)."""
        files = [reference_dir / HISTORY, reference_dir / NAMES, reference_dir / SCOPE]
        key = hashlib.sha256(b"\x00".join(_bytes(f) for f in files)).hexdigest()
        if key not in _LOADED:
            if len(_LOADED) >= 8:
                _LOADED.clear()
            _LOADED[key] = _load(*files)
            _LOADED[key].content_key = key
        return _LOADED[key]

    @functools.cached_property
    def _index(self) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for rows in self.by_code.values():
            for r in rows:
                zh = norm_zh(r.name_zh)
                for key in {zh, strip_suffix(zh), _norm_latin(r.name_en), _norm_latin(r.pinyin)}:
                    if key:
                        index.setdefault(key, set()).add(r.code)
        return index

    def get(self, code: str, year: int | dt.date | None = None) -> Region | None:
        """The period of `code` in the list of `year`; without a year, or when the code is not in that list, the
        nearest period (the last one before the year, else the first after). None for a code in no list."""
        rows = self.by_code.get(code)
        if not rows:
            return None
        if year is None:
            return rows[-1]
        y = year_of(year, self.last_year)
        valid = [r for r in rows if r.valid_in(y)]
        if valid:
            return valid[0]
        before = [r for r in rows if r.valid_from_year <= y]
        return before[-1] if before else rows[0]

    def unit(self, code: str, year: int | dt.date | None) -> Region | None:
        """The period of `code` in the list of `year` (None if the code is not a unit that year)."""
        u = self.hierarchy.unit(code, year_of(year, self.last_year))
        return u if isinstance(u, Region) else None

    def name(self, code: str, year: int | dt.date | None = None) -> str:
        r = self.get(code, year)
        return r.name_zh if r else code

    def children(self, code: str, on: dt.date | int | None = None, counted_only: bool = True) -> list[Region]:
        """The units of the list of the year of `on` (default: the latest list) under `code`, counted in its
        totals unless counted_only=False (金门县 under 泉州市)."""
        kids = self.hierarchy.children(code, year_of(on, self.last_year), counted_only)
        return [k for k in kids if isinstance(k, Region)]

    def is_under(self, code: str, ancestor: str, year: int | dt.date | None = None) -> bool:
        seen = set()
        cur = self.get(code, year)
        while cur and cur.code not in seen:
            if cur.parent_code == ancestor:
                return True
            seen.add(cur.code)
            cur = self.get(cur.parent_code, year) if cur.parent_code else None
        return False

    def check_code(self, code: str, on: dt.date | None = None) -> tuple[str, str] | None:
        """(severity, message) when a well-formed code is not a unit of the list of its figure's year, else None.

        Never an error: a code outside the history (an NBS statistical code of a development zone, a 市辖区 row, a
        malformed code) is stored as a figure of no unit, and a code of another year's list is stored as published;
        neither is a child in any sum."""
        county = code[:6]
        rows = self.by_code.get(county)
        if not rows:
            what = f"village code {code}: its county part {county}" if len(code) == 12 else f"code {code}"
            why = (
                f"; its province part {code[:2]} names no province (a malformed code?)"
                if code[:2] not in self.province_prefixes and county != NATION
                else " (e.g. a 市辖区/县 grouping row, or an NBS statistical code of a development zone)"
            )
            return "warning", (
                f"{what} is in no list of the code history {self._span()}{why}: stored as a figure of no unit, "
                "never a child in any sum"
            )
        if len(code) == 12 or on is None or any(r.valid_in(on.year) for r in rows):
            return None
        r = self.get(county, on)
        assert r is not None
        span = f"{r.valid_from_year}–{r.valid_to_year if r.valid_to_year is not None else ''}"
        into = self.hierarchy.whole_successor(county, on.year)
        moved = (
            f"; its whole territory went to {into} {self.name(into, on)} in {on.year}: counted there where the same "
            "source publishes both"
            if into
            else ""
        )
        return "warning", (
            f"code {county} ({r.name_zh}) is in the lists of {span}, not in the list of {on.year}{moved}; stored as "
            "published (a figure on other boundaries than its date, e.g. a yearbook's comparable series, or a wrong "
            "code), not a child of any sum of that year"
        )

    def _span(self) -> str:
        first = min((r.valid_from_year for rows in self.by_code.values() for r in rows), default=self.last_year)
        return f"({first}–{self.last_year})"

    def candidates(self, text: str) -> set[str]:
        s = str(text).strip()
        if CODE_RE.match(s):
            return {s[:6]} if s[:6] in self.by_code else set()
        zh = norm_zh(s)
        found = set(self._index.get(zh, set()))
        if not found:
            found = set(self._index.get(strip_suffix(zh), set()))
        if not found:
            found = set(self._index.get(_norm_latin(s), set()))
        return found

    def resolve(self, text: str, on: dt.date | None = None, parent: str | None = None) -> str:
        """The code for a code or a name; UsageError if unknown or ambiguous."""
        s = str(text).strip()
        if CODE_RE.match(s):
            return s  # any well-formed code is accepted; check_code says what it is
        found = self.candidates(s)
        if not found:
            raise UsageError(f"unknown region {text!r}: not a 6-digit code and not a name in the region registry")
        if len(found) > 1 and parent:
            under = {c for c in found if c == parent or self.is_under(c, parent, on)}
            found = under or found
        if len(found) > 1 and on is not None:
            valid = {c for c in found if any(r.valid_on(on) for r in self.by_code[c])}
            found = valid or found
        if len(found) > 1:
            names = ", ".join(f"{c} {self.name(c)}" for c in sorted(found))
            raise UsageError(f"region name {text!r} is ambiguous: {names}; give the code")
        return found.pop()


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""
    except OSError as e:
        raise InputOutputError(f"cannot read {path}: {e}") from e


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputOutputError(f"cannot read {path}: {e}") from e


_LOADED: dict[str, Registry] = {}  # by the content of the three files: the same data is parsed once a process


def _load(history: Path, names_path: Path, scope_path: Path) -> Registry:
    names = {(r["code"], r["name_zh"]): r for r in _read_csv(names_path)}
    scope = {r["code"]: r for r in _read_csv(scope_path)}
    regions = []
    for p in read_code_history(history):
        n = names.get((p.code, p.name_zh), {})
        s = scope.get(p.code, {})
        regions.append(
            Region(
                **{f: getattr(p, f) for f in Period.__dataclass_fields__},
                name_en=n.get("name_en", ""),
                pinyin=n.get("pinyin", ""),
                in_parent_totals=s.get("in_parent_totals", "yes").strip().lower() != "no",
                note=s.get("note", ""),
            )
        )
    return Registry(regions, history)


def require_project(project: Project) -> None:
    """UsageError unless `project` is a hukou-stats project (its code history is there): checked before anything is
    locked or written under it."""
    path = project.reference / HISTORY
    if not path.exists():
        raise UsageError(
            f"{project.root} is not a hukou-stats project: {path} is missing (give the project folder with "
            "`hukou-stats --root DIR <command>`)"
        )


def load_registry(project: Project) -> Registry:
    """The project's region registry, with a clear error where the code history is missing."""
    require_project(project)
    return Registry.load(project.reference)
