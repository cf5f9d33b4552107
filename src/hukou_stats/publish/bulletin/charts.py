"""Charts (PNG and SVG) from the bulletin tables: both rates over time, and the child regions compared.

The rates chart never joins points the tables refuse to compare: `rate_segments` cuts a line at every change of
series, definition or point date, at every missing year, and wherever the change on the previous year is not
computed (a benchmark revision between the two releases). A census or sample-survey point (1 November) stands on
its own, drawn hollow at its date, and the caption says so. The gap is drawn as a labelled line between the two
rates in the years that have both.

Text from the data is never interpreted (mathtext is off). Chinese text is set in Noto Sans CJK SC, which the project brings through the pip package `mplfonts` (no system
font needed); SVG text is written as paths, so the SVG renders anywhere.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from hukou_stats.publish.wording import as_date, is_year_end, pick

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FONT_NAME = "Noto Sans CJK SC"
RESIDENT_COLOR, HUKOU_COLOR, GAP_COLOR = "#1f5fa8", "#c0392b", "#8a6d00"


def cjk_font_path() -> Path:
    """The CJK font file shipped by the mplfonts package."""
    return Path(str(resources.files("mplfonts") / "fonts" / FONT_FILE))


def pyplot():
    """matplotlib's pyplot on the Agg backend, with the CJK font registered."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    path = cjk_font_path()
    if FONT_NAME not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return plt


RC = {
    "text.parse_math": False,  # text is text: a name with $...$ is not typeset as mathematics
    "font.family": [FONT_NAME, "DejaVu Sans"],
    "axes.unicode_minus": False,
    "svg.hashsalt": "hukou-stats",
    "svg.fonttype": "path",
    "font.size": 10,
}


def save(fig) -> dict[str, bytes]:
    """PNG and SVG bytes, without dates or versions in their metadata (the same data gives the same files)."""
    out = {}
    for fmt, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=150, metadata=meta, bbox_inches="tight")
        out[fmt] = buf.getvalue()
    return out


@dataclass(frozen=True)
class Point:
    x: float  # the year, or a fraction of it for a point date before the year-end (2020-11-01: 2019.83)
    year: int
    value: Decimal
    census: bool  # not a year-end figure (census or sample survey)


@dataclass
class Segment:
    """A run of points that may be joined: one series, definition and point date, consecutive years, each
    change on the previous year computed."""

    side: str  # resident | hukou
    series: str
    definition: str
    point: str  # MM-DD
    points: list[Point] = field(default_factory=list)


def x_of(year: int, date) -> float:
    d = as_date(date)
    if d is None or is_year_end(d):
        return float(year)
    return year - (dt.date(year, 12, 31) - d).days / 365.0


def rate_segments(rows: list[dict]) -> dict[str, list[Segment]]:
    """T3 records (in period order) -> the segments of each rate's line."""
    out: dict[str, list[Segment]] = {"resident": [], "hukou": []}
    for side in out:
        for r in rows:
            v = r.get(f"{side}_rate_pct")
            if not isinstance(v, Decimal):
                continue
            date = r.get(f"{side}_reference_date")
            d = as_date(date)
            point = f"{d.month:02d}-{d.day:02d}" if d else "12-31"
            basis = (r.get(f"{side}_series") or "", r.get("hukou_definition") or "" if side == "hukou" else "", point)
            p = Point(x_of(r["year"], date), r["year"], v, point != "12-31")
            segs = out[side]
            last = segs[-1] if segs else None
            joined = (
                last is not None
                and (last.series, last.definition, last.point) == basis
                and r["year"] == last.points[-1].year + 1
                and r.get(f"{side}_change_prev_pp") is not None
            )
            if last is not None and joined:
                last.points.append(p)
            else:
                segs.append(Segment(side, *basis, points=[p]))
    return out


def gap_marks(rows: list[dict]) -> list[tuple[float, Decimal, Decimal, Decimal]]:
    """(x, resident, hukou, gap) of each year with both rates, at the resident rate's date."""
    out = []
    for r in rows:
        res, huk, gap = r.get("resident_rate_pct"), r.get("hukou_rate_pct"), r.get("gap_pp")
        if isinstance(res, Decimal) and isinstance(huk, Decimal) and isinstance(gap, Decimal):
            out.append((x_of(r["year"], r.get("resident_reference_date")), res, huk, gap))
    return out


def _legend_and_source(ax, source: str, handles) -> None:
    """Legend in one row under the title, the source line under the x axis (neither covers the data)."""
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize=8, frameon=False)
    ax.annotate(
        source,
        (0, 0),
        xycoords="axes fraction",
        xytext=(0, -36),
        textcoords="offset points",
        va="top",
        fontsize=7,
        color="#555555",
    )


def rates_chart(
    rows: list[dict], years: tuple[int, int], title: str, lang: str, table: int = 3
) -> dict[str, bytes] | None:
    """Both rates by year, broken where the series break, census points hollow; None if no rate at all."""
    segs = rate_segments(rows)
    if not segs["resident"] and not segs["hukou"]:
        return None
    plt = pyplot()
    from matplotlib.lines import Line2D

    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 4.4))
        for side, color, marker in (("resident", RESIDENT_COLOR, "o"), ("hukou", HUKOU_COLOR, "s")):
            for seg in segs[side]:
                xs, vs = [p.x for p in seg.points], [float(p.value) for p in seg.points]
                census = seg.points[0].census
                ax.plot(
                    xs,
                    vs,
                    color=color,
                    marker=marker,
                    markersize=6 if census else 4,
                    markerfacecolor="white" if census else color,
                    linewidth=1.6,
                )
        for x, res, huk, gap in gap_marks(rows):
            ax.plot([x, x], [float(huk), float(res)], color=GAP_COLOR, linewidth=0.8, linestyle=":")
            ax.annotate(
                f"{gap:f}",
                (x, (float(res) + float(huk)) / 2),
                ha="left",
                va="center",
                fontsize=7,
                xytext=(3, 0),
                textcoords="offset points",
                color=GAP_COLOR,
            )
        census = any(s.points[0].census for side in segs.values() for s in side)
        hollow = {"marker": "o", "markersize": 6, "markerfacecolor": "white", "linestyle": "none"}
        candidates: list[tuple[object, dict, str, str]] = [
            (
                segs["resident"],
                {"color": RESIDENT_COLOR, "marker": "o", "markersize": 4},
                "常住人口城镇化率",
                "resident rate",
            ),
            (segs["hukou"], {"color": HUKOU_COLOR, "marker": "s", "markersize": 4}, "户籍人口城镇化率", "hukou rate"),
            (census, {"color": "#555555", **hollow}, "普查、抽样调查时点", "census or survey date"),
            (gap_marks(rows), {"color": GAP_COLOR, "linestyle": ":"}, "两率差距（个百分点）", "gap (points)"),
        ]
        # the legend names what the chart shows, and only that
        handles = [
            Line2D([], [], label=pick(zh, en, lang), **style) for present, style, zh, en in candidates if present
        ]
        lo, hi = years
        ax.set_xticks(list(range(lo, hi + 1)))
        ax.set_xlim(lo - 0.6, hi + 0.5)
        ax.set_ylabel("%")
        ax.set_title(title, fontsize=11, pad=24)
        ax.grid(axis="y", color="#dddddd")
        ax.spines[["top", "right"]].set_visible(False)
        _legend_and_source(
            ax,
            pick(
                f"折线只连接同一数据系列、同一口径、同一时点且可比的相邻年份；资料来源：见表{table}",
                f"Lines join only consecutive comparable years of one series, definition and point date; source: Table {table}",
                lang,
                "\n",
            ),
            handles,
        )
        out = save(fig)
        plt.close(fig)
    return out


def regions_chart(rows: list[dict], title: str, lang: str) -> dict[str, bytes] | None:
    """The region and its children with a rate, both rates as horizontal bars. None if no child has a rate."""
    kids = [
        r
        for r in rows[1:]
        if isinstance(r.get("resident_rate_pct"), Decimal) or isinstance(r.get("hukou_rate_pct"), Decimal)
    ]
    if not kids:
        return None
    rows = [rows[0], *kids]
    plt = pyplot()
    from matplotlib.patches import Patch

    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.42 * len(rows)))
        names = [r["region_name"] if lang != "en" else (r["region_name_en"] or r["region_name"]) for r in rows]
        ys = list(range(len(rows)))
        h = 0.38
        handles = []
        for off, col, color, zh, en in (
            (-h / 2, "resident_rate_pct", RESIDENT_COLOR, "常住人口城镇化率", "resident rate"),
            (h / 2, "hukou_rate_pct", HUKOU_COLOR, "户籍人口城镇化率", "hukou rate"),
        ):
            vals = [r.get(col) if isinstance(r.get(col), Decimal) else None for r in rows]
            present = [(y, v) for y, v in zip(ys, vals) if v is not None]
            ax.barh([y + off for y, _ in present], [float(v) for _, v in present], height=h, color=color)
            handles.append(Patch(color=color, label=pick(zh, en, lang)))
            for y, v in present:
                ax.text(float(v) + 0.5, y + off, f"{v:f}", va="center", fontsize=7)
            for y, v in zip(ys, vals):
                if v is None:
                    ax.text(0.5, y + off, "[x]", va="center", fontsize=7, color="#777777")
        ax.set_yticks(ys, names)
        ax.invert_yaxis()
        ax.set_xlim(0, 110)
        ax.set_xlabel("%")
        ax.set_title(title, fontsize=11, pad=24)
        ax.spines[["top", "right"]].set_visible(False)
        _legend_and_source(
            ax,
            pick(
                "[x] 无数据；没有城镇化率的地区从略；资料来源：见表1",
                "[x] not available; regions without a rate left out; source: Table 1",
                lang,
                "\n",
            ),
            handles,
        )
        out = save(fig)
        plt.close(fig)
    return out
