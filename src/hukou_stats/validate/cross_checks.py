"""Cross-table checks: rules that involve more than one row.

Each rule returns Issues. A contradiction inside one publication (same
source) is an error; between different publications it is a warning, since
sources do disagree (reported, not fatal). Two releases of one source are not
compared with each other: the later revises the earlier.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from hukou_stats.core.errors import Issue
from hukou_stats.core.vocabulary import RATES
from hukou_stats.reference.coverage import coverage_rows
from hukou_stats.reference.registry import Registry

PAIRS = [("resident_urban", "resident_total"), ("hukou_urban", "hukou_total"), ("hukou_rural", "hukou_total")]
KEY = ["region_code", "year", "reference_date", "series", "coverage"]
# what makes two rows the same figure (as the views partition them)
FIGURE = ["region_code", "year", "reference_date", "measure", "series", "definition", "coverage"]
# what the parent-children check reads of a figure (the rest of the row is left out of its copies)
SUMMED = [*FIGURE, "value", "precision", "source", "release_date", "value_published", "source_file", "source_row",
          "row_id"]  # fmt: skip


def _loc(r) -> tuple[str, int]:
    return r["source_file"], int(r["source_row"])


def _comparable(m: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Pairs of figures that may be compared: from other sources, or from the same release of one source (a later
    release of the same source is a revision of the earlier one, not a figure to check it against)."""
    return m[(m[f"source{a}"] != m[f"source{b}"]) | (m[f"published{a}"] == m[f"published{b}"])]


def urban_not_above_total(df: pd.DataFrame) -> list[Issue]:
    issues = []
    for part, whole in PAIRS:
        a = df[df.measure == part]
        b = df[df.measure == whole]
        if a.empty or b.empty:
            continue
        m = _comparable(a.merge(b, on=KEY, suffixes=("", "_t")), "", "_t")
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
    for rate_m, (num_m, den_m) in RATES.items():
        rates = df[df.measure == rate_m]
        num = df[df.measure == num_m]
        den = df[df.measure == den_m]
        if rates.empty or num.empty or den.empty:
            continue
        nd = _comparable(num.merge(den, on=KEY, suffixes=("_n", "_d")), "_n", "_d")
        nd = nd[nd.definition_d.isna() | (nd.definition_n == nd.definition_d)]
        m = _comparable(rates.merge(nd, on=KEY), "", "_n")
        m = m[m.definition.isna() | (m.definition == m.definition_n)]
        m = m[m.value_d > 0]
        computed = 100 * m.value_n / m.value_d
        # rounding of the rate itself, plus what the count precision allows
        tol = (
            5 * 10.0 ** -(m.decimals.astype("float64") + 1)
            + computed * (m.precision_n / m.value_n.clip(lower=1) + m.precision_d / m.value_d)
            + 1e-9
        )
        off = (computed - m.value).abs() > tol
        m = m.assign(computed=computed, tol=tol)[off]
        for r in m.to_dict("records"):
            same = r["source"] == r["source_n"] == r["source_d"]
            f, row = _loc(r)
            issues.append(
                Issue(
                    "error" if same else "warning",
                    "rate_matches_counts",
                    f"published {rate_m} {r['value_published']} differs from {r['computed']:.4f} computed from "
                    f"{num_m} / {den_m} of the same series ({r['source_file_n']} row {r['source_row_n']}, "
                    f"{r['source_file_d']} row {r['source_row_d']}) by more than rounding allows (±{r['tol']:.4f})",
                    file=f,
                    row=row,
                    column="value",
                    value=r["value_published"],
                    row_ids=(r["row_id"], r["row_id_n"], r["row_id_d"]),
                )
            )
    return issues


def chosen_publication(counts: pd.DataFrame) -> pd.DataFrame:
    """One value per figure, as the view latest_observations chooses it: the most precise, then one from the source
    that published the figure first, then the latest release."""
    parts = counts[FIGURE].astype("string").fillna("\x00")  # a missing definition or date is a value of the key
    key = parts.groupby([parts[c] for c in FIGURE], sort=False).ngroup().to_numpy()
    several = pd.Series(key).duplicated(keep=False).to_numpy()
    if not several.any():  # one publication of each figure: nothing to choose
        return counts
    keyed = counts[several].assign(_key=key[several])
    first = keyed.sort_values(["release_date", "precision", "source"], na_position="first").drop_duplicates("_key")
    keyed["_later_source"] = keyed.source != keyed._key.map(first.set_index("_key").source)
    keyed = keyed.sort_values(
        ["precision", "_later_source", "release_date", "source"],
        ascending=[True, True, False, True],
        na_position="last",
    )
    chosen = keyed.drop_duplicates("_key").drop(columns=["_key", "_later_source"])
    return pd.concat([counts[~several], chosen])


def children_sum_to_parent(df: pd.DataFrame, registry: Registry, reference_dir: Path | None = None) -> list[Issue]:
    """A published parent against the sum of its children's published figures (of the same year, basis and point
    date), where the registry says every child of that year's list is there. A difference is a residual: reported,
    never fatal (the view reconciliation shows it after the build)."""
    counts = df.loc[(df.unit == "persons") & df.coverage.isna(), SUMMED]
    if counts.empty:
        return []
    keyed = chosen_publication(counts)
    keyed = keyed.assign(definition=keyed.definition.fillna("").astype(str))
    h = registry.hierarchy
    rows = coverage_rows(reference_dir) if reference_dir is not None else ()
    beyond = {r["region_code"]: r["beyond_children_en"] for r in rows if not r["coverage"]}
    key = ["year", "reference_date", "measure", "series", "definition"]
    issues = []
    for year, g in keyed.groupby("year"):
        parents = h.parents_in(int(year))
        kids = g.assign(parent=g.region_code.map(parents)).dropna(subset=["parent"])
        kids = pd.concat([kids, _pieces(g, h, int(year), parents)], ignore_index=True)
        if kids.empty:
            continue
        sums = kids.groupby(["parent", *key], dropna=False).agg(
            total=("value", "sum"), tol=("precision", "sum"), n=("region_code", "nunique")
        )
        sums = sums.reset_index()
        sums["expected"] = sums.parent.map(Counter(parents.values()))
        sums = sums[sums.n == sums.expected]
        own = g.rename(columns={"region_code": "parent"})
        m = sums.merge(own, on=["parent", *key], how="inner")
        for r in m[(m.total - m.value).abs() > m.tol + m.precision].to_dict("records"):
            why = (
                f"the published figure also counts {beyond[r['parent']]}"
                if r["parent"] in beyond
                else "published for the region but for none of its units, e.g. areas that belong to no lower unit "
                "(development zones)"
                if r["value"] > r["total"]
                else "the units sum to more than the published figure"
            )
            basis = r["series"] + (f"/{r['definition']}" if r["definition"] else "")
            issues.append(
                Issue(
                    "warning",
                    "children_sum_to_parent",
                    f"{r['measure']} {year} ({basis}): the {r['n']} units under {r['parent']} {registry.name(r['parent'], int(year))} "
                    f"sum to {r['total']:,.0f}, the published figure is {r['value']:,.0f} (difference "
                    f"{r['total'] - r['value']:+,.0f}): a residual, {why}",
                    file=r["source_file"],
                    row=int(r["source_row"]),
                    column="value",
                    value=r["value_published"],
                    row_ids=(r["row_id"],),
                )
            )
    return issues


def _pieces(g: pd.DataFrame, h, year: int, parents: dict[str, str]) -> pd.DataFrame:
    """Figures under a code that ended the year before, all of whose territory went to one unit of the year's list,
    counted with that unit where the same source publishes it too (320611 港闸区 beside 320613 崇川区 in 2020)."""
    rows = []
    have = set(zip(g.region_code, g.source))
    for r in g[~g.region_code.isin(parents) & (g.region_code.str.len() == 6)].to_dict("records"):
        to = h.whole_successor(r["region_code"], year)
        if to and to in parents and (to, r["source"]) in have:
            rows.append({**r, "region_code": to, "parent": parents[to]})
    return pd.DataFrame(rows)


def second_publications(df: pd.DataFrame) -> list[Issue]:
    """Two publications of one figure (region, year, point date, measure, basis, coverage) from different sources that
    differ by more than the rounding of both: the later one is a second publication, not a revision; the first stays
    the figure used (the views left it out: second_publications). A warning naming both sources."""
    # unknown release dates count as the earliest (as the view publications_as_of orders them)
    first = df.sort_values(["release_date", "precision", "source"], na_position="first").drop_duplicates(FIGURE)
    m = df.merge(first, on=FIGURE, suffixes=("", "_first"))
    bad = m[(m.source != m.source_first) & ((m.value - m.value_first).abs() > m.precision + m.precision_first + 1e-9)]
    issues = []
    for r in bad.to_dict("records"):
        cov = f", coverage {r['coverage']}" if isinstance(r["coverage"], str) else ""
        issues.append(
            Issue(
                "warning",
                "second_publication_differs",
                f"{r['region_code']} {r['year']} {r['measure']} ({r['series']}{cov}): {r['source']!r} gives "
                f"{r['value_published']} {r['unit_published']}, {r['source_first']!r} "
                f"({r['source_file_first']} row {r['source_row_first']}) gave {r['value_published_first']} "
                f"{r['unit_published_first']} first: a second publication that differs by more than rounding, not a "
                "revision; the first stays the figure used. If the two count different populations, give the second "
                "its coverage (column coverage, spec key coverage; data/reference/coverage.csv)",
                file=r["source_file"],
                row=int(r["source_row"]),
                column="value",
                value=r["value_published"],
                row_ids=(r["row_id"], r["row_id_first"]),
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


def cross_checks(
    new: pd.DataFrame, registry: Registry, stored: pd.DataFrame | None = None, reference_dir: Path | None = None
) -> list[Issue]:
    """Rules across rows, over the new rows together with those already stored.

    Only issues that involve at least one new row are returned: a new urban count is checked
    against a total ingested last year, but old disagreements are not reported again.
    """
    df = new
    if stored is not None and not stored.empty:
        old = stored[~stored.row_id.isin(new.row_id)]
        df = pd.concat([old.astype({"year": "int64"}), new], ignore_index=True)
    issues = (
        urban_not_above_total(df)
        + rate_matches_counts(df)
        + children_sum_to_parent(df, registry, reference_dir)
        + second_publications(df)
        + duplicate_rows(new)
    )
    fresh = set(new.row_id)
    return [i for i in issues if not i.row_ids or fresh.intersection(i.row_ids)]
