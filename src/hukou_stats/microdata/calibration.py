"""Targets for the synthetic generator, taken from the real published figures in data/raw.

For a region R, every child region the registry knows gets a resident size, a resident urbanization
rate and a hukou size and rate: the latest published figure where one exists (any series), otherwise a
stated fallback. Each target records where it came from, so the synthetic data's metadata can say which
parts are calibrated to a publication and which are assumptions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from hukou_stats.core.errors import UsageError
from hukou_stats.core.project import Project
from hukou_stats.ingest import discover, read_file
from hukou_stats.reference.registry import load_registry


@dataclass
class Target:
    code: str
    name: str
    level: int
    resident_share: float  # share of the region's residents
    resident_rate: float  # 0-1
    hukou_share: float  # share of the region's hukou population
    hukou_rate: float  # 0-1
    notes: list[str] = field(default_factory=list)


@dataclass
class Calibration:
    region: str
    name: str
    resident_total: float | None  # published, persons
    hukou_total: float | None
    resident_rate: float  # 0-1
    hukou_rate: float
    children: list[Target]
    notes: list[str]

    @property
    def hukou_per_resident(self) -> float:
        if self.resident_total and self.hukou_total:
            return self.hukou_total / self.resident_total
        return 1.0


# used only where nothing is published for the region or any ancestor (stated in the metadata)
NATIONAL_FALLBACK_RESIDENT_RATE = 0.6472  # China 2021 (data/raw/national: 91425万 of 141260万)
NATIONAL_FALLBACK_HUKOU_RATE = 0.467  # China 2021 (data/raw/national)


def published_frame(project: Project) -> pd.DataFrame:
    """Every figure of data/raw as canonical rows (read only; nothing is written)."""
    reg = load_registry(project)
    frames = [read_file(f, reg, project.reference, project.label(f))[0] for f in discover([project.raw])]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


class Figures:
    """Latest published figure per region and measure (ties: any; every pick names its source)."""

    def __init__(self, df: pd.DataFrame):
        self.df = df.sort_values(["year", "release_date"], na_position="first") if not df.empty else df

    def latest(self, code: str, measure: str) -> tuple[float, str] | None:
        if self.df.empty:
            return None
        hit = self.df[(self.df.region_code == code) & (self.df.measure == measure)]
        if hit.empty:
            return None
        row = hit.iloc[-1]
        return float(row.value), f"{measure} {row.year} ({row.series}): {row.source}"

    def rate(self, code: str, kind: str) -> tuple[float, str] | None:
        """Latest rate (0-1): published, or urban/total of one year and series."""
        best = self.latest(code, f"{kind}_urban_rate_pct")
        found = (best[0] / 100, best[1]) if best else None
        if self.df.empty:
            return found
        d = self.df[self.df.region_code == code]
        u = d[d.measure == f"{kind}_urban"][["year", "series", "value", "source"]]
        t = d[d.measure == f"{kind}_total"][["year", "series", "value"]]
        m = u.merge(t, on=["year", "series"], suffixes=("_u", "_t"))
        if not m.empty:
            row = m.sort_values("year").iloc[-1]
            best_year = int(best[1].split()[1]) if best else -1
            if row.year > best_year:
                found = (
                    row.value_u / row.value_t,
                    f"{kind}_urban / {kind}_total {row.year} ({row.series}): {row.source}",
                )
        return found


def _child_target(k, figs: Figures, res_rate: float, huk_rate: float) -> Target:
    """A child region's calibration target: its published size and rates, else stated fallbacks."""
    t = Target(k.code, k.name_zh, k.level, 0.0, res_rate, 0.0, huk_rate)
    size = figs.latest(k.code, "resident_total")
    t.resident_share = size[0] if size else float("nan")
    t.notes.append(f"residents {size[0]:,.0f} from {size[1]}" if size else "residents: not published")
    r = figs.rate(k.code, "resident")
    if r:
        t.resident_rate = r[0]
        t.notes.append(f"resident rate {r[0] * 100:.2f}% from {r[1]}")
    else:
        t.notes.append(f"resident rate: not published; the parent's {res_rate * 100:.2f}% used")
    h = figs.rate(k.code, "hukou")
    if h:
        t.hukou_rate = h[0]
        t.notes.append(f"hukou rate {h[0] * 100:.2f}% from {h[1]}")
    else:
        # the parent's hukou rate, scaled by how urban the child is among residents (capped at 100%)
        t.hukou_rate = min(1.0, huk_rate * t.resident_rate / res_rate) if res_rate else huk_rate
        t.notes.append("hukou rate: not published; parent hukou rate x (child / parent resident rate)")
    hs = figs.latest(k.code, "hukou_total")
    t.hukou_share = hs[0] if hs else float("nan")
    t.notes.append(f"hukou {hs[0]:,.0f} from {hs[1]}" if hs else "hukou: not published")
    return t


def _parent_rate(reg, figs: Figures, code: str, kind: str, fallback: float, notes: list[str]) -> float:
    """The region's published rate, else its nearest ancestor's, else the fallback (noted)."""
    c = code
    while c:
        r = figs.rate(c, kind)
        if r:
            notes.append(f"{c} {kind} rate {r[0] * 100:.2f}% from {r[1]}")
            return r[0]
        region = reg.get(c)
        c = region.parent_code if region and region.parent_code else ""
    notes.append(f"{kind} rate: nothing published for {code} or above; assumed {fallback * 100:.2f}% (China 2021)")
    return fallback


def calibrate(project: Project, region: str, year: int) -> Calibration:
    reg = load_registry(project)
    code = reg.resolve(region)
    figs = Figures(published_frame(project))
    on = dt.date(year, 12, 31)
    kids = reg.children(code, on)
    if not kids:
        raise UsageError(
            f"region {code} {reg.name(code)}: the registry lists no child regions; "
            "choose a region whose districts, cities or provinces are listed (e.g. 440100, 330000, 000000)"
        )
    notes: list[str] = []
    res_rate = _parent_rate(reg, figs, code, "resident", NATIONAL_FALLBACK_RESIDENT_RATE, notes)
    huk_rate = _parent_rate(reg, figs, code, "hukou", NATIONAL_FALLBACK_HUKOU_RATE, notes)
    res_total = figs.latest(code, "resident_total")
    huk_total = figs.latest(code, "hukou_total")
    for label, f in (("resident total", res_total), ("hukou total", huk_total)):
        notes.append(f"{code} {label}: {f[0]:,.0f} from {f[1]}" if f else f"{code} {label}: not published")

    targets = [_child_target(k, figs, res_rate, huk_rate) for k in kids]

    _fill(targets, "resident_share", res_total[0] if res_total else None)
    ratio = huk_total[0] / res_total[0] if (res_total and huk_total) else 1.0
    if not (res_total and huk_total):
        notes.append("hukou/resident ratio: not computable from published totals; 1 assumed")
    for t in targets:  # no published hukou size: the child's residents x the region's hukou/resident ratio
        if t.hukou_share != t.hukou_share:
            t.hukou_share = t.resident_share * ratio
    for attr in ("resident_share", "hukou_share"):
        total = sum(getattr(t, attr) for t in targets)
        for t in targets:
            setattr(t, attr, getattr(t, attr) / total)
    return Calibration(
        code,
        reg.name(code),
        res_total[0] if res_total else None,
        huk_total[0] if huk_total else None,
        res_rate,
        huk_rate,
        targets,
        notes,
    )


def _fill(targets: list[Target], attr: str, parent_total: float | None) -> None:
    """Published sizes stay as published; unknown ones share the rest of the parent total equally
    (with no parent total or no rest, each takes the mean published size, or 1 when none is published)."""
    known = [getattr(t, attr) for t in targets if getattr(t, attr) == getattr(t, attr)]
    unknown = [t for t in targets if getattr(t, attr) != getattr(t, attr)]
    if unknown:
        rest = (parent_total - sum(known)) if parent_total else 0
        each = rest / len(unknown) if rest > 0 else (sum(known) / len(known) if known else 1.0)
        for t in unknown:
            setattr(t, attr, each)
            t.notes.append(f"{attr.split('_')[0]} size: not published; {each:,.0f} assumed (rest of the parent / mean)")
