"""Region registry (data/reference/regions.csv) and name resolution.

A region may be named by its 6-digit code, its Chinese name (inner spaces
and the suffix 省/市/区/县 optional: "荔 湾 区", "荔湾"; traditional characters: "荔灣區"), or its pinyin/English
name ("guangzhou", "Liwan District"). Where a name fits several regions,
the one valid on the given date and under the given parent wins; if that
still leaves more than one, resolution fails and names the candidates.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import zhconv

from hukou_stats.core.errors import InputOutputError, UsageError
from hukou_stats.core.numbers import ascii_text
from hukou_stats.core.project import Project
from hukou_stats.reference.hierarchy import is_unit, structural_parent

CODE_RE = re.compile(r"^\d{6}(\d{6})?$")
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "省", "市", "区", "县", "旗")
_SPACES = re.compile(r"[\s\u3000]+")


@functools.lru_cache(maxsize=4096)
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


@dataclass(frozen=True)
class Region:
    code: str
    name_zh: str
    name_en: str
    pinyin: str
    level: int
    parent_code: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    children_complete: bool = False

    def valid_on(self, day: dt.date | None) -> bool:
        if day is None:
            return True
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_to and day > self.valid_to:
            return False
        return True


def _date(s) -> dt.date | None:
    if s is None or (isinstance(s, float) and pd.isna(s)) or str(s).strip() == "":
        return None
    return dt.date.fromisoformat(str(s).strip())


class Registry:
    def __init__(self, regions: list[Region], path: Path | None = None):
        self.path = path
        self.by_code: dict[str, list[Region]] = {}
        for r in regions:
            self.by_code.setdefault(r.code, []).append(r)
        self.province_prefixes = {r.code[:2] for r in regions if r.level == 1}
        self._index: dict[str, set[str]] = {}
        for r in regions:
            zh = norm_zh(r.name_zh)
            for key in {zh, strip_suffix(zh), _norm_latin(r.name_en), _norm_latin(r.pinyin)}:
                if key:
                    self._index.setdefault(key, set()).add(r.code)

    @classmethod
    def load(cls, path: Path) -> Registry:
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except OSError as e:
            raise InputOutputError(f"cannot read the region registry {path}: {e}") from e
        regions = [
            Region(
                code=row.code,
                name_zh=row.name_zh,
                name_en=row.name_en,
                pinyin=row.pinyin,
                level=int(row.level),
                parent_code=row.parent_code,
                valid_from=_date(row.valid_from),
                valid_to=_date(row.valid_to),
                children_complete=row.children_complete == "yes",
            )
            for row in df.itertuples(index=False)
        ]
        return cls(regions, path)

    def get(self, code: str) -> Region | None:
        versions = self.by_code.get(code)
        return versions[-1] if versions else None

    def name(self, code: str) -> str:
        r = self.get(code)
        return r.name_zh if r else code

    def children(self, code: str, on: dt.date | None = None, complete_only: bool = True) -> list[Region]:
        """Children valid on a date. With complete_only (for sums), empty unless the registry lists all
        of them (children_complete); without, the children the registry knows."""
        parent = self.get(code)
        if complete_only and (parent is None or not parent.children_complete):
            return []
        return sorted(
            (r for rs in self.by_code.values() for r in rs if r.parent_code == code and r.valid_on(on)),
            key=lambda r: r.code,
        )

    def is_under(self, code: str, ancestor: str) -> bool:
        seen = set()
        cur = self.get(code)
        while cur and cur.code not in seen:
            if cur.parent_code == ancestor:
                return True
            seen.add(cur.code)
            cur = self.get(cur.parent_code) if cur.parent_code else None
        return False

    def check_code(self, code: str, on: dt.date | None = None) -> tuple[str, str] | None:
        """(severity, message) when a well-formed code is doubtful, else None.

        A code whose province does not exist is an error; a code outside the registry, or not
        valid on the date, is a warning (it is stored, but not named or aggregated).
        """
        if code[:6] != "000000" and code[:2] not in self.province_prefixes:
            return "error", f"no province has the code prefix {code[:2]} (GB/T 2260)"
        versions = self.by_code.get(code[:6]) if len(code) == 6 else None
        if len(code) == 6 and not versions:
            if not is_unit(code):
                return "warning", (
                    "code names no unit (a 市辖区/县 grouping of a municipality or 省直辖县级行政区划): "
                    "stored, but nobody's child and never summed"
                )
            anc = structural_parent(code)
            while anc is not None and anc not in self.by_code:
                anc = structural_parent(anc)
            if anc is not None and self.get(anc).children_complete:
                return "warning", (
                    f"code not in the region registry, which lists every child of {anc} "
                    f"{self.name(anc)}: stored, but not named or aggregated"
                )
            return None  # parent from the GB/T 2260 structure (hukou_stats.reference.hierarchy)
        if versions and on is not None and not any(r.valid_on(on) for r in versions):
            r = versions[-1]
            span = f"{r.valid_from or '…'} to {r.valid_to or '…'}"
            return "warning", (
                f"code {code} ({r.name_zh}) is valid {span}, not on {on}: the figure is on other "
                "boundaries than its date (e.g. a yearbook's comparable series), or the code is wrong"
            )
        return None

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
            return s  # any well-formed code is accepted, even outside the registry
        found = self.candidates(s)
        if not found:
            raise UsageError(f"unknown region {text!r}: not a 6-digit code and not a name in the region registry")
        if len(found) > 1 and parent:
            under = {c for c in found if c == parent or self.is_under(c, parent)}
            found = under or found
        if len(found) > 1 and on is not None:
            valid = {c for c in found if any(r.valid_on(on) for r in self.by_code[c])}
            found = valid or found
        if len(found) > 1:
            names = ", ".join(f"{c} {self.name(c)}" for c in sorted(found))
            raise UsageError(f"region name {text!r} is ambiguous: {names}; give the code")
        return found.pop()


def load_registry(project: Project) -> Registry:
    """The project's region registry (data/reference/regions.csv), with a clear error where it is missing."""
    path = project.reference / "regions.csv"
    if not path.exists():
        raise UsageError(f"{project.root} is not a hukou-stats project: {path} is missing (use --root)")
    return Registry.load(path)
