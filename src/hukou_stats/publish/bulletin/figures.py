"""The figures of the bulletin, read from the database views: one record per region and year with both sides
(resident, hukou), each from the headline rate where there is one (view urbanization, with its changes from
urbanization_changes) and otherwise from the counts alone (view counts, series precedence as for the headline):
a region with a published population but no rate keeps its population.

Values are rounded half-up here, at output, to their published precision: rates and points to the decimals the
headline carries, counts of persons to the 万人 decimals their precision allows. A figure that does not exist is
None (never 0).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, localcontext

import duckdb
import pandas as pd

from hukou_stats.core.numbers import round_half_up
from hukou_stats.core.vocabulary import BASE_YEAR
from hukou_stats.publish.wording import Vocab, as_date, is_year_end

SIDES = ("resident", "hukou")


def none(x):
    """None for every flavour of missing (None, NA, NaT, NaN)."""
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float) and pd.isna(x):
        return None
    return x


def dec(x) -> Decimal | None:
    x = none(x)
    return None if x is None else (x if isinstance(x, Decimal) else Decimal(repr(float(x))))


def exact_rate(num, den) -> Decimal | None:
    """100 x num / den in decimal arithmetic, so that half-up rounding is exact."""
    num, den = none(num), none(den)
    if num is None or not den:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return Decimal(repr(float(num))) * 100 / Decimal(repr(float(den)))


def count_decimals(precision) -> int:
    """Decimals in 万人 a count can carry: its precision (± persons) at most half a unit of the last place."""
    p = none(precision)
    if p is None or p <= 50:
        return 2
    return 1 if p <= 500 else 0


def to_10k(row: dict | None) -> Decimal | None:
    if row is None:
        return None
    v = dec(row["value"])
    return None if v is None else round_half_up(v / 10000, count_decimals(row["precision"]))


def change_10k(cur: dict | None, prev: dict | None) -> Decimal | None:
    if cur is None or prev is None:
        return None
    a, b = dec(cur["value"]), dec(prev["value"])
    if a is None or b is None:
        return None
    decimals = min(count_decimals(cur["precision"]), count_decimals(prev["precision"]))
    return round_half_up((a - b) / 10000, decimals)


COUNTS = """
SELECT region_code, year, reference_date, measure, series, coalesce(definition, '') AS definition,
       value, precision, status, source, published
FROM counts
WHERE region_code IN (SELECT unnest(?::VARCHAR[])) AND year BETWEEN ? AND ?
  AND measure IN ('resident_total', 'resident_urban', 'hukou_total', 'hukou_urban')
ORDER BY status = 'published' DESC, release_date DESC NULLS LAST, precision, series
"""


def month_day(date) -> tuple[int, int]:
    d = as_date(date)
    return (12, 31) if d is None else (d.month, d.day)


class Counts:
    """Counts of persons by region, year, measure, series, point date and definition (the first of each key is
    the one shown: published before derived and aggregated, then the latest release, then the most precise)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, codes: list[str], y1: int, y2: int, vocab: Vocab):
        self.rows: dict[tuple, dict] = {}
        self.by_measure: dict[tuple, list[dict]] = {}
        for r in con.execute(COUNTS, [codes, y1, y2]).df().to_dict("records"):
            d = as_date(r["reference_date"])
            r["date"] = d
            key = (r["region_code"], int(r["year"]), r["measure"], r["series"], month_day(d), r["definition"])
            if key not in self.rows:
                self.rows[key] = r
                self.by_measure.setdefault((r["region_code"], int(r["year"]), r["measure"]), []).append(r)
        for rows in self.by_measure.values():  # series precedence first, as for the headline
            rows.sort(key=lambda r: vocab.precedence.get(r["series"], 99))

    def pick(self, code, year, measure, series, date, definition="") -> dict | None:
        if series is None or date is None:
            return None
        key = (code, year, measure, series, month_day(date))
        r = self.rows.get((*key, definition or ""))
        if r is None and definition:
            r = self.rows.get((*key, ""))
        return r

    def best(self, code, year, measure) -> dict | None:
        rows = self.by_measure.get((code, year, measure))
        return rows[0] if rows else None

    def at_date(self, code, year, measure, date) -> dict | None:
        """The best count of a measure at a point date, whatever its series (precedence order)."""
        d = as_date(date)
        return next((r for r in self.by_measure.get((code, year, measure), []) if r["date"] == d), None)

    def year_end(self, code, year, measure) -> dict | None:
        return next((r for r in self.by_measure.get((code, year, measure), []) if is_year_end(r["date"])), None)


@dataclass
class Side:
    """One side (resident or hukou) of a region-year: the basis and the figures on it."""

    rate: Decimal | None = None  # unrounded
    decimals: int = 2
    series: str | None = None
    definition: str | None = None
    date: dt.date | None = None
    source: str = ""
    published: str = ""
    total: dict | None = None
    urban: dict | None = None
    prev_total: dict | None = None
    total_series: str | None = None  # the total's series where it is not the rate's (none in that series)

    @property
    def empty(self) -> bool:
        return self.rate is None and self.total is None and self.urban is None


def _rate_side(u: dict, side: str, counts: Counts, code: str, year: int) -> Side:
    series, date = none(u[f"{side}_series"]), none(u[f"{side}_reference_date"])
    definition = none(u["hukou_definition"]) if side == "hukou" else None
    rate = exact_rate(u[f"{side}_numerator"], u[f"{side}_denominator"]) or dec(u[f"{side}_rate_pct"])
    decimals = none(u[f"{side}_decimals"])
    sd = Side(
        rate=rate,
        decimals=2 if decimals is None else int(decimals),
        series=series,
        definition=definition,
        date=as_date(date),
        source=none(u[f"{side}_source"]) or "",
        published=none(u[f"{side}_published"]) or "",
        total=counts.pick(code, year, f"{side}_total", series, date),
        urban=counts.pick(code, year, f"{side}_urban", series, date, definition or ""),
        prev_total=counts.pick(code, year - 1, f"{side}_total", series, date),
    )
    if sd.total is None:  # a total of another series at the same date is still shown, and said to be so
        other = counts.at_date(code, year, f"{side}_total", date)
        if other is not None:
            sd.total, sd.total_series = other, other["series"]
            sd.prev_total = counts.pick(code, year - 1, f"{side}_total", other["series"], date)
    return sd


def _count_side(side: str, counts: Counts, code: str, year: int) -> Side:
    """A side without a rate: the best total (or urban) count of the year, by series precedence."""
    first = counts.best(code, year, f"{side}_total") or counts.best(code, year, f"{side}_urban")
    if first is None:
        return Side()
    series, date, definition = first["series"], first["date"], first["definition"] or None
    return Side(
        series=series,
        definition=definition if first["measure"].endswith("_urban") else None,
        date=date,
        source=first["source"],
        published=none(first["published"]) or "",
        total=counts.pick(code, year, f"{side}_total", series, date),
        urban=counts.pick(code, year, f"{side}_urban", series, date, definition or ""),
        prev_total=counts.pick(code, year - 1, f"{side}_total", series, date),
    )


def _pp(x, decimals: int) -> Decimal | None:
    return round_half_up(none(x), decimals)


def region_year(code: str, name: str, name_en: str, year: int, u: dict | None, counts: Counts) -> dict | None:
    """The record of one region-year (None when there is no figure at all)."""
    sides = {
        s: _rate_side(u, s, counts, code, year)
        if u is not None and none(u[f"{s}_rate_pct"]) is not None
        else _count_side(s, counts, code, year)
        for s in SIDES
    }
    res, huk = sides["resident"], sides["hukou"]
    if res.empty and huk.empty:
        return None
    gd = min(res.decimals, huk.decimals)
    rec = {
        "region_code": code,
        "region_name": name or code,
        "region_name_en": name_en or "",
        "year": year,
        "gap_pp": None if res.rate is None or huk.rate is None else round_half_up(res.rate - huk.rate, gd),
        "flags": none(u["flags"]) if u is not None else None,
        "comparability": none(u.get("comparability_note")) if u is not None else None,
        "_sides": sides,
    }
    for s, sd in sides.items():
        rec |= {
            f"{s}_total_10k": to_10k(sd.total),
            f"{s}_urban_10k": to_10k(sd.urban),
            f"{s}_rate_pct": round_half_up(sd.rate, sd.decimals),
            f"{s}_total_change_10k": change_10k(sd.total, sd.prev_total),
            f"{s}_series": sd.series or "",
            f"{s}_reference_date": sd.date.isoformat() if sd.date else "",
            f"{s}_source": sd.source,
            f"{s}_release": sd.published,
            f"{s}_urban_derived": sd.urban is not None and sd.urban["status"] == "derived",
            f"{s}_total_series": sd.total_series or "",
        }
        ch = u if u is not None and sd.rate is not None else {}
        rec[f"{s}_change_prev_pp"] = _pp(ch.get(f"{s}_change_prev_pp"), sd.decimals)
        rec[f"{s}_change_2013_pp"] = _pp(ch.get(f"{s}_change_2013_pp"), sd.decimals)
    rec["hukou_definition"] = huk.definition or ""
    rec["gap_change_prev_pp"] = _pp(u.get("gap_change_prev_pp"), gd) if u is not None else None
    rec["gap_change_2013_pp"] = _pp(u.get("gap_change_2013_pp"), gd) if u is not None else None
    rec["_count_sources"] = [
        (c["source"], none(c["published"]) or "")
        for sd in sides.values()
        for c in (sd.total, sd.urban)
        if c is not None
    ]
    return rec


HEADLINE = """
SELECT u.*, c.resident_change_prev_pp, c.resident_change_2013_pp, c.hukou_change_prev_pp,
       c.hukou_change_2013_pp, c.gap_change_prev_pp, c.gap_change_2013_pp, c.comparability_note
FROM urbanization u
JOIN urbanization_changes c USING (region_code, year)
WHERE u.region_code IN (SELECT unnest(?::VARCHAR[])) AND u.year BETWEEN ? AND ?
"""


def _headline(con, codes: list[str], y1: int, y2: int) -> dict[tuple[str, int], dict]:
    return {
        (r["region_code"], int(r["year"])): r for r in con.execute(HEADLINE, [codes, y1, y2]).df().to_dict("records")
    }


def region_rows(con, listed: list[tuple[str, str, str]], year: int, vocab: Vocab) -> list[dict]:
    """The region and its children in one year (given as (code, name, English name)), those with any figure."""
    codes = [c[0] for c in listed]
    found = _headline(con, codes, year, year)
    counts = Counts(con, codes, year - 1, year, vocab)
    rows = [region_year(code, name, en, year, found.get((code, year)), counts) for code, name, en in listed]
    return [r for r in rows if r is not None]


def series_rows(con, code: str, name: str, name_en: str, year: int, vocab: Vocab) -> tuple[list[dict], list[int]]:
    """The region from the base year to `year`: one record per year with any figure, keyed by its period (the
    year, or the point date of a census-type headline), plus the year-end population of a year whose headline is
    a census or survey; and the years without any figure."""
    found = _headline(con, [code], BASE_YEAR, year)
    counts = Counts(con, [code], BASE_YEAR - 1, year, vocab)
    rows, missing = [], []
    for y in range(BASE_YEAR, year + 1):
        r = region_year(code, name, name_en, y, found.get((code, y)), counts)
        if r is None:
            missing.append(y)
            continue
        res = r["_sides"]["resident"]
        r["period"] = str(y) if res.date is None or is_year_end(res.date) else res.date.isoformat()
        rows.append(r)
        end = None if r["period"] == str(y) else counts.year_end(code, y, "resident_total")
        if end is not None:  # after the census row: 1 November comes before the year-end
            rows.append(year_end_row(code, name, name_en, y, end, counts))
    return rows, missing


def year_end_row(code: str, name: str, name_en: str, year: int, total: dict, counts: Counts) -> dict:
    """The year-end resident population of a year whose headline is at another point date (a census year)."""
    urban = counts.pick(code, year, "resident_urban", total["series"], total["date"])
    prev = counts.pick(code, year - 1, "resident_total", total["series"], total["date"])
    rec = {k: None for k in ("hukou_total_10k", "hukou_urban_10k", "hukou_rate_pct", "resident_rate_pct", "gap_pp")}
    return rec | {
        "region_code": code,
        "region_name": name,
        "region_name_en": name_en,
        "year": year,
        "period": str(year),
        "resident_total_10k": to_10k(total),
        "resident_urban_10k": to_10k(urban),
        "resident_total_change_10k": change_10k(total, prev),
        "resident_series": total["series"],
        "resident_reference_date": total["date"].isoformat(),
        "resident_source": total["source"],
        "resident_release": none(total["published"]) or "",
        "resident_urban_derived": urban is not None and urban["status"] == "derived",
        "hukou_series": "",
        "hukou_definition": "",
        "hukou_reference_date": "",
        "hukou_source": "",
        "hukou_release": "",
        "flags": None,
        "comparability": None,
        "_count_sources": [(total["source"], none(total["published"]) or "")],
        "year_end_only": True,
    }


BALANCE = """
SELECT * FROM hukou_balance WHERE year = ? AND region_code IN (SELECT unnest(?::VARCHAR[]))
"""


def balance_rows(con, listed: list[tuple[str, str, str]], year: int) -> list[dict]:
    """T4: hukou flows and the balancing identity of the region and its children, those with a flow."""
    found = {r["region_code"]: r for r in con.execute(BALANCE, [year, [c[0] for c in listed]]).df().to_dict("records")}
    rows = []
    for code, name, en in listed:
        r = found.get(code)
        if r is None:
            continue
        rec: dict[str, object] = {"region_code": code, "region_name": name or code, "region_name_en": en or ""}
        for k in (
            "hukou_births",
            "hukou_deaths",
            "hukou_in_migration",
            "hukou_out_migration",
            "flow_balance",
            "stock_change",
            "residual",
            "rounding_band",
        ):
            v = round_half_up(none(r[k]), 0)
            rec[k] = None if v is None else int(v)
        pairs = [
            (x["source"], none(x["published"]) or "")
            for x in (r["flows_sources"] if r["flows_sources"] is not None else [])
        ]
        rec["flows_sources"] = pairs
        rec["flows_source"] = "; ".join(f"{s} ({p})" if p else s for s, p in pairs)
        rows.append(rec)
    return rows
