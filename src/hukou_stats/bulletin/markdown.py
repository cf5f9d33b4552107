"""bulletin.md: Chinese first, English alongside; "—" for a figure that is not available."""
from __future__ import annotations

from .. import __version__
from .tables import LABELS, VALUE_COLUMNS, Table

MISSING = "—"
MD_COLUMNS = ["region_name", "year", *VALUE_COLUMNS, "resident_basis", "hukou_basis"]


def _cell(v) -> str:
    if v is None or v == "":
        return MISSING
    return str(v).replace("|", "\\|")


def _table_md(t: Table, columns: list[str]) -> list[str]:
    head = "| " + " | ".join(f"{LABELS[c][0]}<br>{LABELS[c][1]}" for c in columns) + " |"
    lines = [head, "|" + "|".join("---" if c in ("region_name", "resident_basis", "hukou_basis") else "---:"
                                  for c in columns) + "|"]
    for r in t.frame.to_dict("records"):
        lines.append("| " + " | ".join(_cell(r[c]) for c in columns) + " |")
    notes = [(r["region_name"], r["year"], r["note"]) for r in t.frame.to_dict("records") if r["note"]]
    lines.append("")
    if t.sources:
        lines.append("资料来源 Sources (release date / 发布日期):")
        lines.append("")
        for i, (src, rel) in enumerate(t.sources, 1):
            lines.append(f"{i}. {src} — {rel or 'release date unknown / 发布日期不详'}")
        lines.append("")
    if notes:
        lines.append("说明 Notes:")
        lines.append("")
        for name, year, note in notes:
            lines.append(f"- {name} {year}: {note}")
        lines.append("")
    return lines


def render(region, code: str, year: int, tables: list[Table]) -> str:
    name_zh = region.name_zh if region else code
    name_en = region.name_en if region else code
    lines = [
        f"# {name_zh}{year}年常住人口城镇化率和户籍人口城镇化率",
        f"## {name_en} {year}: resident and hukou urbanization rates", "",
        "常住人口城镇化率 = 城镇常住人口 ÷ 常住人口 × 100；户籍人口城镇化率 = 城镇户籍人口 ÷ 户籍人口 × 100；"
        "差距 = 常住人口城镇化率 − 户籍人口城镇化率（个百分点）。",
        "Resident rate = urban resident population / resident population × 100; hukou rate = urban hukou "
        "population / hukou population × 100; gap = resident rate − hukou rate, in percentage points (pp).", "",
        f"“{MISSING}” 表示无数据（not available），从不以 0 代替。Rates computed from counts are rounded half-up "
        "(四舍五入) to 2 decimals; published rates keep their published precision. Changes are computed only "
        "between figures of the same series, definition and point date.", "",
    ]
    for n, t in enumerate(tables, 1):
        lines += [f"### 表{n} {t.title_zh}", f"Table {n}. {t.title_en}", ""]
        lines += _table_md(t, MD_COLUMNS)
    lines += ["---", f"Produced by hukou-stats {__version__} from data/processed/hukou.duckdb "
              "(views urbanization and urbanization_changes). Machine-readable tables: "
              + ", ".join(f"`{t.name}.csv`" for t in tables) + "."]
    return "\n".join(lines) + "\n"
