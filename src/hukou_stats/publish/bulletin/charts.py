"""Charts (PNG and SVG) from the bulletin tables: both rates over time with the gap shaded, and the child
regions compared. Chinese text is set in Noto Sans CJK SC, which the project brings through the pip package
`mplfonts` (no system font needed); SVG text is written as paths, so the SVG renders anywhere.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

from hukou_stats.publish.bulletin.tables import Table

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FONT_NAME = "Noto Sans CJK SC"
RESIDENT_COLOR, HUKOU_COLOR, GAP_COLOR = "#1f5fa8", "#c0392b", "#f2c94c"


def cjk_font_path() -> Path:
    """The CJK font file shipped by the mplfonts package."""
    return Path(str(resources.files("mplfonts") / "fonts" / FONT_FILE))


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    path = cjk_font_path()
    if FONT_NAME not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return plt


RC = {
    "font.family": [FONT_NAME, "DejaVu Sans"],
    "axes.unicode_minus": False,
    "svg.hashsalt": "hukou-stats",
    "svg.fonttype": "path",
    "font.size": 10,
}


def _save(fig, stem: Path) -> dict[str, bytes]:
    out = {}
    for fmt, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=150, metadata=meta, bbox_inches="tight")
        out[fmt] = buf.getvalue()
    return out


def _label(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en if lang == "en" else f"{zh} {en}"


def _legend_and_source(ax, source: str, handles=None) -> None:
    """Legend in one row under the title, the source line under the x axis (neither covers the data)."""
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
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


def rates_chart(t3: Table, title_zh: str, title_en: str, lang: str) -> dict[str, bytes] | None:
    """Both rates by year, the gap between them shaded where both are given. None if no rate at all."""
    rows = t3.records()
    res = [(r["year"], float(r["resident_rate_pct"])) for r in rows if r["resident_rate_pct"] is not None]
    huk = [(r["year"], float(r["hukou_rate_pct"])) for r in rows if r["hukou_rate_pct"] is not None]
    if not res and not huk:
        return None
    plt = _plt()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        years = [r["year"] for r in rows]
        nan = float("nan")
        rv = [float(r["resident_rate_pct"]) if r["resident_rate_pct"] is not None else nan for r in rows]
        hv = [float(r["hukou_rate_pct"]) if r["hukou_rate_pct"] is not None else nan for r in rows]
        both = [r for r in rows if r["resident_rate_pct"] is not None and r["hukou_rate_pct"] is not None]
        # the gap is shaded only over runs of consecutive years with both rates (never across a missing year)
        ok = [a == a and b == b for a, b in zip(rv, hv)]
        if both:
            ax.fill_between(
                years,
                hv,
                rv,
                where=ok,
                color=GAP_COLOR,
                alpha=0.45,
                interpolate=False,
                label=_label("两率差距", "gap", lang),
            )
        for vals, color, zh, en, marker in (
            (rv, RESIDENT_COLOR, "常住人口城镇化率", "resident rate", "o"),
            (hv, HUKOU_COLOR, "户籍人口城镇化率", "hukou rate", "s"),
        ):
            if any(v == v for v in vals):  # a missing year breaks the line
                ax.plot(years, vals, color=color, marker=marker, markersize=4, label=_label(zh, en, lang))
        for r in both:
            mid = (float(r["resident_rate_pct"]) + float(r["hukou_rate_pct"])) / 2
            ax.annotate(f"{r['gap_pp']:f}", (r["year"], mid), ha="center", va="center", fontsize=7)
        ax.set_xticks(years)
        ax.set_xlim(min(years) - 0.5, max(years) + 0.5)
        ax.set_ylabel("%")
        ax.set_title(
            title_zh if lang == "zh" else title_en if lang == "en" else f"{title_zh}\n{title_en}", fontsize=11, pad=22
        )
        ax.grid(axis="y", color="#dddddd")
        ax.spines[["top", "right"]].set_visible(False)
        _legend_and_source(
            ax,
            _label("资料来源：见表3；年份间断处无数据", "Source: see Table 3; a break in a line = not available", lang),
        )
        out = _save(fig, Path("rates"))
        plt.close(fig)
    return out


def regions_chart(t1: Table, title_zh: str, title_en: str, lang: str) -> dict[str, bytes] | None:
    """Child regions side by side: both rates as horizontal bars. None if no child has a rate."""
    rows = [r for r in t1.records()[1:] if r["resident_rate_pct"] is not None or r["hukou_rate_pct"] is not None]
    if not rows:
        return None
    rows = [t1.records()[0]] + rows  # the region itself first, as the reference
    plt = _plt()
    from matplotlib.patches import Patch

    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.42 * len(rows)))
        names = [r["region_name"] if lang != "en" else (r["region_name_en"] or r["region_name"]) for r in rows]
        ys = list(range(len(rows)))
        h = 0.38
        handles = []
        for off, col, color, zh, en in (
            (-h / 2, "resident_rate_pct", RESIDENT_COLOR, "常住人口城镇化率", "resident rate"),
            (h / 2, "hukou_rate_pct", HUKOU_COLOR, "户籍人口城镇化率", "hukou rate"),
        ):
            vals = [r[col] for r in rows]
            present = [(y, float(v)) for y, v in zip(ys, vals) if v is not None]
            ax.barh([y + off for y, _ in present], [v for _, v in present], height=h, color=color)
            handles.append(Patch(color=color, label=_label(zh, en, lang)))
            for (y, v), raw in zip(present, [v for v in vals if v is not None]):
                ax.text(v + 0.5, y + off, f"{raw:f}", va="center", fontsize=7)
            for y, v in zip(ys, vals):
                if v is None:
                    ax.text(0.5, y + off, "[x]", va="center", fontsize=7, color="#777777")
        ax.set_yticks(ys, names)
        ax.invert_yaxis()
        ax.set_xlim(0, 110)
        ax.set_xlabel("%")
        ax.set_title(
            title_zh if lang == "zh" else title_en if lang == "en" else f"{title_zh}\n{title_en}", fontsize=11, pad=22
        )
        ax.spines[["top", "right"]].set_visible(False)
        _legend_and_source(
            ax,
            handles=handles,
            source=_label(
                "[x] 无数据；无任何数据的地区从略；资料来源：见表1",
                "[x] not available; regions without any figure left out; source: see Table 1",
                lang,
            ),
        )
        out = _save(fig, Path("regions"))
        plt.close(fig)
    return out
