"""Cross-table checks: rules that involve more than one row.

Each rule returns Issues. A contradiction inside one publication (same
source) is an error; between different publications it is a warning, since
sources do disagree (reported, not fatal).
"""

from __future__ import annotations

import pandas as pd

from hukou_stats.core.errors import Issue
from hukou_stats.reference.registry import Registry

PAIRS = [("resident_urban", "resident_total"), ("hukou_urban", "hukou_total"), ("hukou_rural", "hukou_total")]
RATE_OF = {
    "resident_urban_rate_pct": ("resident_urban", "resident_total"),
    "hukou_urban_rate_pct": ("hukou_urban", "hukou_total"),
}
KEY = ["region_code", "year", "reference_date", "series"]


def _loc(r) -> tuple[str, int]:
    return r["source_file"], int(r["source_row"])


def urban_not_above_total(df: pd.DataFrame) -> list[Issue]:
    issues = []
    for part, whole in PAIRS:
        a = df[df.measure == part]
        b = df[df.measure == whole]
        if a.empty or b.empty:
            continue
        m = a.merge(b, on=KEY, suffixes=("", "_t"))
        m = m[(m.definition_t.isna()) | (m.definition == m.definition_t)]
        bad = m[m.value > m.value_t + m.precision + m.precision_t]
        for r in bad.to_dict("records"):
            same = r["source"] == r["source_t"]
            f, row = _loc(r)
            issues.append(
                Issue(
                    "error" if same else "warning",
                    "urban_le_total",
                    f"{part} ({r['value_published']} {r['unit_published']}) is above {whole} "
                    f"({r['value_published_t']} {r['unit_published_t']}, {r['source_file_t']} row {r['source_row_t']}) "
                    f"for {r['region_code']} {r['year']} ({r['series']})" + ("" if same else "; different sources"),
                    file=f,
                    row=row,
                    column="value",
                    value=r["value_published"],
                    row_ids=(r["row_id"], r["row_id_t"]),
                )
            )
    return issues


def rate_matches_counts(df: pd.DataFrame) -> list[Issue]:
    """A published rate against the rate recomputed from counts of the same basis and date."""
    issues = []
    for rate_m, (num_m, den_m) in RATE_OF.items():
        rates = df[df.measure == rate_m]
        num = df[df.measure == num_m]
        den = df[df.measure == den_m]
        if rates.empty or num.empty or den.empty:
            continue
        nd = num.merge(den, on=KEY, suffixes=("_n", "_d"))
        nd = nd[nd.definition_d.isna() | (nd.definition_n == nd.definition_d)]
        m = rates.merge(nd, on=KEY)
        m = m[m.definition.isna() | (m.definition == m.definition_n)]
        for r in m[m.value_d > 0].to_dict("records"):
            computed = 100 * r["value_n"] / r["value_d"]
            # rounding of the rate itself, plus what the count precision allows
            tol = (
                5 * 10 ** -(r["decimals"] + 1)
                + computed * (r["precision_n"] / max(r["value_n"], 1) + r["precision_d"] / r["value_d"])
                + 1e-9
            )
            if abs(computed - r["value"]) > tol:
                same = r["source"] == r["source_n"] == r["source_d"]
                f, row = _loc(r)
                issues.append(
                    Issue(
                        "error" if same else "warning",
                        "rate_matches_counts",
                        f"published {rate_m} {r['value_published']} differs from {computed:.4f} computed from "
                        f"{num_m} / {den_m} of the same series ({r['source_file_n']} row {r['source_row_n']}, "
                        f"{r['source_file_d']} row {r['source_row_d']}) by more than rounding allows (±{tol:.4f})",
                        file=f,
                        row=row,
                        column="value",
                        value=r["value_published"],
                        row_ids=(r["row_id"], r["row_id_n"], r["row_id_d"]),
                    )
                )
    return issues


def children_sum_to_parent(df: pd.DataFrame, registry: Registry) -> list[Issue]:
    """Districts against the city total, where every district is present. Reported, never fatal."""
    issues = []
    counts = df[df.unit == "persons"]
    # one value per region/key: the latest release, then the most precise
    counts = counts.sort_values(["release_date", "precision"], ascending=[False, True], na_position="last")
    keyed = counts.drop_duplicates(["region_code", "year", "reference_date", "measure", "series", "definition"])
    for (year, ref, measure, series, definition), g in keyed.groupby(
        ["year", "reference_date", "measure", "series", "definition"], dropna=False
    ):
        for parent in g.region_code.unique():
            kids = [r.code for r in registry.children(parent, ref)]
            if not kids:
                continue
            have = g[g.region_code.isin(kids)]
            if set(have.region_code) != set(kids):
                continue
            p = g[g.region_code == parent].iloc[0]
            total = have.value.sum()
            tol = have.precision.sum() + p.precision
            if abs(total - p.value) > tol:
                f, row = _loc(p)
                issues.append(
                    Issue(
                        "warning",
                        "children_sum_to_parent",
                        f"{measure} {year} ({series}): the {len(kids)} districts sum to {total:,.0f}, "
                        f"the published total is {p.value:,.0f} (difference {total - p.value:+,.0f})",
                        file=f,
                        row=row,
                        column="value",
                        value=p["value_published"],
                        rows="; ".join(f"{r.source_file}:{r.source_row}" for r in have.itertuples()),
                        row_ids=(p.row_id, *have.row_id),
                    )
                )
    return issues


def duplicate_rows(df: pd.DataFrame) -> list[Issue]:
    dup = df[df.duplicated("row_id", keep="first")]
    return [
        Issue(
            "warning",
            "duplicate_row",
            "the same figure from the same source appears twice; kept once",
            file=r.source_file,
            row=int(r.source_row),
            row_ids=(r.row_id,),
        )
        for r in dup.itertuples()
    ]


def cross_checks(new: pd.DataFrame, registry: Registry, stored: pd.DataFrame | None = None) -> list[Issue]:
    """Rules across rows, over the new rows together with those already stored.

    Only issues that involve at least one new row are returned: a new urban count is checked
    against a total ingested last year, but old disagreements are not reported again.
    """
    df = new
    if stored is not None and not stored.empty:
        old = stored[~stored.row_id.isin(new.row_id)]
        df = pd.concat([old.astype({"year": "int64"}), new], ignore_index=True)
    issues = (
        urban_not_above_total(df) + rate_matches_counts(df) + children_sum_to_parent(df, registry) + duplicate_rows(new)
    )
    fresh = set(new.row_id)
    return [i for i in issues if not i.row_ids or fresh.intersection(i.row_ids)]
