"""The evaluation report (中期评估 / 总结评估): `hukou-stats evaluate --region R --as-of YEAR`.

Writes out/evaluation/<region>/<as_of>/evaluation.md, evaluation.html and one PNG chart per assessable
target (observed path against the straight path required to reach the target). Chart text is ASCII
only (no CJK font is assumed); the Chinese wording is in the Markdown and HTML.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from hukou_stats.analysis.gate import format_figure
from hukou_stats.analysis.targets import assess, observed_path, release_sensitivity
from hukou_stats.core.atomic import atomic_path, write_text
from hukou_stats.core.errors import UsageError
from hukou_stats.core.numbers import format_half_up
from hukou_stats.core.project import Project
from hukou_stats.publish.folder import staged_folder
from hukou_stats.reference.registry import load_registry
from hukou_stats.reference.releases import Release, parse_release
from hukou_stats.warehouse.connection import connect


def required_path(row) -> list[tuple[int, float]]:
    """(year, value) of the straight path from the base to the target, in the indicator's own terms."""
    b, v0, T, tv = row["base_year_used"], row["base_value"], row["target_year"], row["target_value"]
    if pd.isna(b) or pd.isna(v0):
        return []
    b, T = int(b), int(T)
    if row["kind"] == "level":
        end = tv
    elif row["kind"] == "change_vs_base":
        end = v0 + (tv if row["direction"] == "increase" else -tv)
    else:  # pace: target_value per year
        end = v0 + (tv if row["direction"] == "increase" else -tv) * (T - b)
    return [(b, v0), (T, end)]


def _chart(con, row, path: Path, release_label: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    obs = observed_path(con, row["target_id"], int(row["as_of_year"]))
    req = required_path(row)
    fig, ax = plt.subplots(figsize=(6, 3.4), dpi=100)
    if len(obs):
        ax.plot(obs["year"], obs["value"], marker="o", label="observed")
    if req:
        ax.plot([p[0] for p in req], [p[1] for p in req], linestyle="--", color="grey", label="required path")
    if row["kind"] == "level" and pd.notna(row["tolerance"]):
        ax.axhspan(
            row["target_value"] - row["tolerance"],
            row["target_value"] + row["tolerance"],
            color="green",
            alpha=0.12,
            label=f"target band +/-{row['tolerance']:g}",
        )
    unit = {"pct": "percent", "pp": "points", "pp_per_year": "percent", "10k_persons": "10k persons"}.get(
        row["unit"], ""
    )
    ax.set_title(
        f"{row['region_code']} {row['indicator']} ({row['target_id']})\n{release_label}, data up to "
        f"{int(row['as_of_year'])}",
        fontsize=9,
    )
    ax.set_ylabel("gap, points" if row["indicator"] == "gap_pp" else unit)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=7)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


def _rows_md(t: pd.DataFrame) -> list[str]:
    lines = [
        "| 目标 Target | 原文 Wording | 指标 Indicator | 目标值 Target | 基期 Base | 观测 Observed | 差额/比率 Margin/ratio | 结论 Verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, r in t.iterrows():
        base = "n/a" if pd.isna(r["base_value"]) else f"{int(r['base_year_used'])}: {format_figure(r['base_value'])}"
        obs = (
            "n/a"
            if pd.isna(r["observed_value"])
            else f"{int(r['observed_year'])}: {format_figure(r['observed_value'])}"
        )
        if pd.notna(r["margin"]):
            mr = f"margin {format_half_up(r['margin'], 2, sign=True)}"
        elif pd.notna(r["progress_ratio"]):
            mr = f"ratio {format_half_up(r['progress_ratio'], 2)}"
        else:
            mr = "—"
        tol = f" ±{r['tolerance']:g}" if pd.notna(r["tolerance"]) else ""
        lines.append(
            f"| {r['target_id']} | {r['wording_zh']} | {r['indicator']} ({r['kind']}) | "
            f"{r['comparison']} {r['target_value']:g}{tol} {r['unit']} | {base} | {obs} | {mr} | "
            f"{r['verdict_zh']} {r['verdict'].replace('_', ' ')} |"
        )
    return lines


def evaluate(
    project: Project, region: str, as_of: int, release: Release | str | None = None, out_dir: Path | None = None
) -> Path:
    """Write the evaluation report for one region at evaluation year `as_of` (all or nothing: the folder is
    staged and swapped in whole); returns the Markdown path."""
    r = release if isinstance(release, Release) else parse_release(release)
    reg = load_registry(project)
    code = reg.resolve(region)
    out_dir = out_dir or project.out / "evaluation" / code / str(as_of)
    with staged_folder(project, out_dir, r.label) as staging:
        con = connect(project, release=r)
        try:
            t = assess(con, region=code, as_of=as_of)
            if t.empty:
                raise UsageError(f"no target for region {code} ({reg.name(code)}) in data/reference/targets.toml")
            charts = {}
            for _, row in t.iterrows():
                if row["verdict"] != "cannot_assess":
                    png = staging / f"{row['target_id']}.png"
                    _chart(con, row, png, r.label)
                    charts[row["target_id"]] = png.name
            sens = release_sensitivity(con, region=code, as_of=as_of)
        finally:
            con.close()
        title, text = _markdown(reg.name(code), code, as_of, r, t, charts, sens)
        write_text(staging / "evaluation.md", text)
        write_text(staging / "evaluation.html", _html(title, t, charts, r, sens))
    return out_dir / "evaluation.md"


def _markdown(
    name: str, code: str, as_of: int, r: Release, t: pd.DataFrame, charts: dict, sens: pd.DataFrame
) -> tuple[str, str]:
    """(title, the report in Markdown)."""
    kind_zh = "中期评估 mid-term evaluation" if as_of < int(t["target_year"].max()) else "总结评估 final evaluation"
    title = f"{name} 目标完成情况评估 Target evaluation — {kind_zh}, data up to {as_of}"
    md = [f"# {title}", "", f"Release (vintage) used: **{r.label}** ({r.label_zh}). Region {code}.", ""]
    md += _rows_md(t)
    md += ["", "## Details", ""]
    for _, row in t.iterrows():
        md += [
            f"### {row['target_id']}: {row['verdict_zh']} {row['verdict'].replace('_', ' ')}",
            "",
            f"- Target: {row['wording_zh']} — {row['source_document']}",
            f"- Method: {row['method']}",
            f"- Reason: {row['reason']}",
        ]
        if isinstance(row["annual_changes"], str):
            md.append(f"- Changes between years with data: {row['annual_changes']}")
        if pd.notna(row["projected_value"]):
            md.append(
                f"- Projected {int(row['target_year'])} value (from the trend): {format_figure(row['projected_value'])}"
            )
        if isinstance(row["notes"], str) and row["notes"]:
            md.append(f"- Notes: {row['notes']}")
        md.append(f"- Figures: {row['release_used']}; observed value from {row['observed_source'] or 'n/a'}")
        if row["target_id"] in charts:
            md += ["", f"![{row['target_id']}: observed path and required path]({charts[row['target_id']]})"]
        md.append("")
    md += [
        "## 数据版本敏感性 Does the verdict depend on the release?",
        "",
        "Verdicts of the same evaluation on other releases (vintages): latest, first, and as known the day before "
        "each benchmark revision (e.g. the 2020 census results). The outcome depends on the release when the "
        "target passes (achieved, exceeded, on track) on one and not on another, or when it does not pass "
        "everywhere and the verdicts differ.",
        "",
    ]
    cols = [c for c in sens.columns if c not in ("target_id", "differs")]
    md += ["| Target | " + " | ".join(cols) + " | outcome depends on release |", "|---" * (len(cols) + 2) + "|"]
    for _, x in sens.iterrows():
        md.append(
            f"| {x['target_id']} | "
            + " | ".join(str(x[c]).replace("_", " ") for c in cols)
            + f" | {'**yes**' if x['differs'] else 'no'} |"
        )
    md.append("")
    md += ["Figures are unrounded in the comparison and rounded half-up to 2 decimals for display. Missing = n/a.", ""]
    return title, "\n".join(md)


def _html(title: str, t: pd.DataFrame, charts: dict, r: Release, sens: pd.DataFrame | None = None) -> str:
    e = html.escape
    rows = []
    for _, x in t.iterrows():
        img = (
            f'<img src="{e(charts[x["target_id"]])}" alt="{e(x["target_id"])} observed and required path">'
            if x["target_id"] in charts
            else ""
        )
        val = (
            "n/a"
            if pd.isna(x["observed_value"])
            else f"{int(x['observed_year'])}: {format_figure(x['observed_value'])}"
        )
        rows.append(
            f"<tr><td>{e(x['target_id'])}</td><td>{e(x['wording_zh'])}</td><td>{e(x['comparison'])} "
            f"{x['target_value']:g} {e(x['unit'])}</td><td>{e(val)}</td><td><b>{e(x['verdict_zh'])}</b> "
            f"{e(x['verdict'].replace('_', ' '))}</td><td>{e(x['method'])}<br>{e(x['reason'])}"
            f"{'<br><i>' + e(x['notes']) + '</i>' if isinstance(x['notes'], str) and x['notes'] else ''}"
            f"</td><td>{img}</td></tr>"
        )
    return (
        f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{e(title)}</title>'
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:4px;vertical-align:top}img{max-width:420px}</style></head><body>"
        f"<h1>{e(title)}</h1><p>Release used: <b>{e(r.label)}</b> ({e(r.label_zh)})</p><table>"
        "<tr><th>Target</th><th>原文 Wording</th><th>Target value</th><th>Observed</th><th>Verdict</th>"
        "<th>Method and reason</th><th>Chart</th></tr>"
        + "".join(rows)
        + "</table>"
        + _sens_html(sens)
        + "</body></html>\n"
    )


def _sens_html(sens: pd.DataFrame | None) -> str:
    if sens is None or sens.empty:
        return ""
    e = html.escape
    cols = [c for c in sens.columns if c not in ("target_id", "differs")]
    head = "".join(f"<th>{e(c)}</th>" for c in cols)
    body = "".join(
        "<tr><td>"
        + e(x["target_id"])
        + "</td>"
        + "".join(f"<td>{e(str(x[c]).replace('_', ' '))}</td>" for c in cols)
        + f"<td>{'<b>yes</b>' if x['differs'] else 'no'}</td></tr>"
        for _, x in sens.iterrows()
    )
    return (
        "<h2>数据版本敏感性 Does the verdict depend on the release?</h2><table><tr><th>Target</th>"
        + head
        + "<th>outcome depends on release</th></tr>"
        + body
        + "</table>"
    )
