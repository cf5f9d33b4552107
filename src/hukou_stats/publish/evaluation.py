"""The evaluation report (中期评估 / 总结评估): `hukou-stats evaluate --region R --as-of YEAR`.

Writes out/evaluation/<region>/<as_of>/: evaluation.md and evaluation.html (the same document, through the same
writers and escaping as the bulletin), one chart per assessable target (PNG, the observed path against the
straight path required to reach the target, the target and its tolerance at the target year), and the
methodology note; the folder is written all or nothing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hukou_stats.analysis.targets import assess, observed_path, release_sensitivity
from hukou_stats.core.errors import UsageError
from hukou_stats.core.project import Project
from hukou_stats.publish import html, markdown
from hukou_stats.publish.bulletin.charts import RC, pyplot, save
from hukou_stats.publish.bulletin.figures import none
from hukou_stats.publish.bulletin.tables import Builder
from hukou_stats.publish.bulletin.targets import (
    INDICATORS,
    headline_precision,
    target_label_en,
    target_rows,
    target_value_text,
)
from hukou_stats.publish.document import Document, Figure, Heading, Para, TableBlock, legend, methodology_text
from hukou_stats.publish.folder import staged_folder
from hukou_stats.publish.notes import NoteBook
from hukou_stats.publish.table import Column, Table
from hukou_stats.publish.wording import Vocab, pick
from hukou_stats.reference.registry import load_registry
from hukou_stats.reference.releases import Release, parse_release
from hukou_stats.warehouse.connection import connect

VERDICTS = {
    "achieved": ("已实现", "achieved"),
    "exceeded": ("超额实现", "exceeded"),
    "not_achieved": ("未实现", "not achieved"),
    "on_track": ("进展顺利", "on track"),
    "acceleration_needed": ("需加快进度", "acceleration needed"),
    "limited_progress": ("进展有限", "limited progress"),
    "moving_away": ("偏离目标", "moving away"),
    "cannot_assess": ("无法评估", "cannot be assessed"),
    "not assessed": ("未评估", "not assessed"),
}
UNIT_AXIS = {"pct": "%", "pp": "个百分点 points", "pp_per_year": "%", "10k_persons": "万人 10k persons"}


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


def chart(con, row, region_name: tuple[str, str], release_label: str) -> dict[str, bytes]:
    """The observed path, the required path, and the target (with its tolerance) at the target year; titled by
    the region and the indicator in words."""
    obs = observed_path(con, row["target_id"], int(row["as_of_year"]))
    series = dict(
        con.execute(
            "SELECT DISTINCT observed_year, observed_series FROM target_status WHERE target_id = ? AND as_of_year <= ?",
            [row["target_id"], int(row["as_of_year"])],
        ).fetchall()
    )
    req = required_path(row)
    name_zh = INDICATORS.get(row["indicator"], ("该指标", "this indicator"))[0]
    plt = pyplot()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(6.4, 3.8))
        if len(obs):
            ys, vs = list(obs["year"]), list(obs["value"])
            ax.plot(ys, vs, marker="o", color="#1f5fa8", linestyle="none", label="实际 observed")
            for (y0, v0), (y1, v1) in zip(zip(ys, vs), zip(ys[1:], vs[1:])):
                # solid between consecutive years of one series; dotted across a gap or a change of series
                same = y1 == y0 + 1 and series.get(y0) == series.get(y1)
                ax.plot([y0, y1], [v0, v1], color="#1f5fa8", linestyle="-" if same else ":")
        if req:
            ax.plot(
                [p[0] for p in req], [p[1] for p in req], linestyle="--", color="grey", label="所需路径 required path"
            )
        tol = none(row.get("tolerance"))
        T = int(row["target_year"])
        end = req[-1][1] if req else row["target_value"]
        if tol is not None:
            ax.errorbar(
                [T], [end], yerr=[[tol], [tol]], fmt="D", color="#2e7d32", capsize=5, label=f"目标 target ±{tol:g}"
            )
        else:
            ax.plot([T], [end], marker="D", color="#2e7d32", linestyle="none", label="目标 target")
        ax.set_title(f"{region_name[0]} {name_zh}：{aim_zh(row)}\n{region_name[1]}: {target_label_en(row)}", fontsize=9)
        ax.set_ylabel(UNIT_AXIS.get(row["unit"], ""))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.margins(y=0.25)
        ax.grid(axis="y", color="#dddddd")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=7, frameon=False)
        ax.annotate(
            f"数据版本 release: {release_label}; 数据截至 data up to {int(row['as_of_year'])}",
            (0, 0),
            xycoords="axes fraction",
            xytext=(0, -28),
            textcoords="offset points",
            fontsize=7,
            color="#555555",
        )
        out = save(fig)
        plt.close(fig)
    return out


def aim_zh(r) -> str:
    """目标：比2013年缩小2个百分点以上（2020年） / 年均提高1个百分点以上（2016—2020年） / 79.8%左右（2020年）."""
    goal, _ = target_value_text(r)
    T, b = int(r["target_year"]), int(r["base_year"])
    if r["kind"] == "change_vs_base":
        return f"目标为比{b}年{'缩小' if r['direction'] == 'decrease' else '提高'}{goal}（{T}年）"
    if r["kind"] == "pace":
        return f"目标为年均提高{goal}（{b + 1}—{T}年）"
    return f"目标为{goal}（{T}年）"


def method_text(r: dict) -> tuple[str, str]:
    """How the verdict was reached, in words."""
    if r["verdict"] == "cannot_assess":
        return "无法评估，原因见结论。", "Not assessed; the verdict says why."
    if r["assessment"] == "final":
        return (
            f"最终评估：以{int(r['target_year'])}年的数据与目标比较。",
            f"Final assessment: the {int(r['target_year'])} figure against the target.",
        )
    return (
        f"中期评估：按{int(r['base_year_used'])}年以来的进度推算{int(r['target_year'])}年的数值，以进度比（实际进度÷所需进度）判断。",
        f"Interim assessment: the {int(r['target_year'])} value is projected from the progress since "
        f"{int(r['base_year_used'])} and judged by the progress ratio (observed ÷ required progress).",
    )


def sensitivity_table(sens: pd.DataFrame, labels: dict[str, tuple[str, str]]) -> Table:
    """Verdicts of the same evaluation on other releases, one column per release."""
    releases = [c for c in sens.columns if c not in ("target_id", "differs")]
    cols = [
        Column("target_id", "目标编号", "Target id", shown=False),
        Column("target", "目标", "Target"),
        Column("target_en", "目标（英文）", "Target (English)", shown=False),
    ]
    for i, rel in enumerate(releases):
        cols += [Column(f"r{i}", rel, rel), Column(f"r{i}_en", rel, rel, shown=False)]
    cols += [
        Column("differs", "结论是否随数据版本变化", "Outcome depends on the release"),
        Column("differs_en", "结论是否随数据版本变化（英文）", "Outcome depends on the release (English)", shown=False),
    ]
    rows = []
    for _, x in sens.iterrows():
        tid = x["target_id"]
        r = {"target_id": tid, "target": labels.get(tid, (tid, tid))[0], "target_en": labels.get(tid, (tid, tid))[1]}
        for i, rel in enumerate(releases):
            r[f"r{i}"], r[f"r{i}_en"] = VERDICTS.get(str(x[rel]), (str(x[rel]), str(x[rel])))
        r["differs"], r["differs_en"] = ("是", "yes") if x["differs"] else ("否", "no")
        rows.append(r)
    frame = pd.DataFrame({c.name: pd.Series([r.get(c.name, "") for r in rows], dtype=object) for c in cols})
    return Table(
        "release_sensitivity",
        "T2",
        "数据版本敏感性：同一评估在不同数据版本下的结论",
        "Does the verdict depend on the release? The same evaluation on other releases",
        cols,
        frame,
        key="target_id",
        label="target",
    )


def evaluate(
    project: Project, region: str, as_of: int, release: Release | str | None = None, out_dir: Path | None = None
) -> Path:
    """Write the evaluation report for one region at evaluation year `as_of` (all or nothing: the folder is
    staged and swapped in whole); returns the Markdown path."""
    r = release if isinstance(release, Release) else parse_release(release)
    reg = load_registry(project)
    code = reg.resolve(region)
    me = reg.get(code)
    names = (me.name_zh if me else reg.name(code), (me.name_en if me else "") or code)
    out_dir = out_dir or project.out / "evaluation" / code / str(as_of)
    with staged_folder(project, out_dir, r.label) as staging:
        con = connect(project, release=r)
        try:
            t = assess(con, region=code, as_of=as_of)
            if t.empty:
                raise UsageError(f"no target for region {code} ({reg.name(code)}) in the targets file")
            vocab = Vocab.load(con)
            builder = Builder(vocab, NoteBook(), as_of)
            assessed = t.to_dict("records")
            rows = target_rows(assessed, builder.targets, headline_precision(con, code))
            table = builder.target_table(rows, keep_empty=True)
            charts = {}
            for row in assessed:
                if row["verdict"] != "cannot_assess":
                    data = chart(con, row, names, r.label)
                    (staging / f"{row['target_id']}.png").write_bytes(data["png"])
                    charts[row["target_id"]] = f"{row['target_id']}.png"
            sens = release_sensitivity(con, region=code, as_of=as_of)
        finally:
            con.close()
        labels = {x["target_id"]: (x["target"], x["target_en"]) for x in rows}
        final = as_of >= int(t["target_year"].max())
        doc = _document(
            names, code, as_of, r, final, table, rows, assessed, charts, sensitivity_table(sens, labels), builder
        )
        (staging / "evaluation.md").write_text(markdown.render(doc), encoding="utf-8")
        (staging / "evaluation.html").write_text(html.render(doc), encoding="utf-8")
        method = methodology_text()
        (staging / "methodology.md").write_text(method, encoding="utf-8")
        (staging / "methodology.html").write_text(
            html.render_markdown_page(method, "方法说明 Methodology note"), encoding="utf-8"
        )
    return out_dir / "evaluation.md"


def _document(
    names, code, as_of, r: Release, final: bool, table, rows, assessed, charts, sens_table, builder
) -> Document:
    kind_zh, kind_en = ("总结评估", "final evaluation") if final else ("中期评估", "mid-term evaluation")
    title = f"{names[0]}规划目标完成情况{kind_zh}（数据截至{as_of}年） / {names[1]}: targets, {kind_en} (data up to {as_of})"
    book = builder.book
    doc = Document("both", title, notes={n.number: n for n in book.notes})
    doc.add(
        Heading(f"{names[0]}规划目标完成情况{kind_zh}（数据截至{as_of}年）", 1),
        Para([f"{names[1]}: targets, {kind_en} (data up to {as_of})"], kind="meta"),
        Para(
            [f"地区 Region: {names[0]} {names[1]} ({code}); 数据版本 Release used: {r.label_zh} / {r.label}"],
            kind="meta",
        ),
        Heading("结论 Verdicts"),
        Para([legend("both")], kind="note"),
        TableBlock(table, 1),
        Heading("各项目标 Each target"),
    )
    by_id = {a["target_id"]: a for a in assessed}
    for x in rows:
        a = by_id[x["target_id"]]
        mz, me = method_text(a)
        doc.add(Heading(f"{x['target']} / {x['target_en']}", 3))
        doc.add(Para([f"出处 Source: {a['source_document']}"], kind="src"))
        doc.add(Para([f"{mz} {me}"]))
        doc.add(Para([x["verdict"]], lang="zh"), Para([x["verdict_en"]], lang="en"))
        if isinstance(a.get("annual_changes"), str) and a["annual_changes"]:
            doc.add(Para([f"各年变化 Changes between years with data: {a['annual_changes']}"], kind="note"))
        if x["target_id"] in charts:
            doc.add(
                Figure(
                    charts[x["target_id"]],
                    None,
                    pick(f"{x['target']}：实际路径与所需路径", f"{x['target_en']}: observed and required path", "both"),
                    f"{x['target_en']}: observed path and required path",
                )
            )
    doc.add(
        Heading("数据版本敏感性 Does the verdict depend on the release?"),
        Para(
            [
                "同一评估在最新数据、首次发布数据以及每次基准修订（如第七次全国人口普查结果发布）前一天已知数据下的结论。"
                "结论在一个版本下通过（已实现、超额实现、进展顺利）而在另一版本下不通过，或各版本都不通过但结论不同，即为随数据版本变化。 "
                "Verdicts of the same evaluation on other releases: latest, first, and as known the day before each "
                "benchmark revision (such as the 2020 census results). The outcome depends on the release when the "
                "target passes on one and not on another, or when it passes on none and the verdicts differ."
            ],
            kind="note",
        ),
        TableBlock(sens_table, 2),
        Para(["方法说明见 methodology.html。 The methodology note is methodology.html."], kind="note"),
    )
    return doc
