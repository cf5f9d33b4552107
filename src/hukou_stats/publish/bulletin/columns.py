"""The columns of the bulletin tables T1-T5: Chinese and English headings (a Chinese name and its unit on two
lines), type, unit and description, which the workbook, the page, the Markdown and datapackage.json all read;
columns not shown are in the CSV only (codes, dates, sources, the English of a text)."""

from __future__ import annotations

from hukou_stats.core.vocabulary import BASE_YEAR
from hukou_stats.publish.table import Column


def _c(name, zh, en, type="string", unit="", description="", shown=True) -> Column:
    return Column(name, zh, en, type, unit, description, shown)


def _n(name, zh, en, unit, description, shown=True) -> Column:
    return Column(name, zh, en, "number", unit, description, shown)


UNITS = {"10k persons": ("万人", "10k"), "%": ("%", "%"), "pp": ("个百分点", "pp"), "persons": ("人", "persons")}


def _measure(name, zh, en, unit, description, shown=True) -> Column:
    """A numeric column whose header carries its unit: 常住人口（万人） / Resident population (10k)."""
    uz, ue = UNITS[unit]
    return Column(
        name, f"{zh}\n（{uz}）", f"{en} ({ue})", "integer" if unit == "persons" else "number", unit, description, shown
    )


CODE = _c("region_code", "代码", "Code", description="GB/T 2260 region code (000000 = China)")
NAME = _c("region_name", "地区", "Region", description="Region name in Chinese")
NAME_EN = _c("region_name_en", "地区（英文）", "Region (English)", description="Region name in English", shown=False)
POINT = _c("point", "时点", "Point date", description="Point date of the figures (year-end, or a census date)")
POINT_EN = _c("point_en", "时点（英文）", "Point date (English)", shown=False)
NOTES = _c("notes", "注释", "Notes", description="Numbers of the notes (notes.csv) that apply to the row", shown=False)


def _hidden(side: str) -> list[Column]:
    zh = "常住" if side == "resident" else "户籍"
    cols = [
        _c(
            f"{side}_series",
            f"{zh}数据系列",
            f"{side.title()} series",
            description="Series code (series.csv)",
            shown=False,
        ),
        _c(
            f"{side}_reference_date", f"{zh}数据时点", f"{side.title()} point date", description="ISO date", shown=False
        ),
        _c(f"{side}_source", f"{zh}来源", f"{side.title()} source", description="Publication", shown=False),
        _c(
            f"{side}_release",
            f"{zh}发布日期",
            f"{side.title()} release",
            description="Release as published",
            shown=False,
        ),
    ]
    if side == "hukou":
        cols.insert(
            1, _c("hukou_definition", "户籍城镇口径", "Hukou definition", description="definitions.csv", shown=False)
        )
    return cols


RESIDENT_TOTAL = _measure(
    "resident_total_10k", "常住人口", "Resident population", "10k persons", "Resident population (常住人口)"
)
RESIDENT_URBAN = _measure(
    "resident_urban_10k",
    "城镇常住人口",
    "Urban resident population",
    "10k persons",
    "Urban resident population (城镇常住人口)",
)
RESIDENT_RATE = _measure(
    "resident_rate_pct",
    "常住人口城镇化率",
    "Resident urbanization rate",
    "%",
    "Urban resident / resident population x 100",
)
HUKOU_TOTAL = _measure(
    "hukou_total_10k", "户籍人口", "Hukou population", "10k persons", "Registered population (户籍人口)"
)
HUKOU_URBAN = _measure(
    "hukou_urban_10k",
    "城镇户籍人口",
    "Urban hukou population",
    "10k persons",
    "Urban registered population (城镇户籍人口)",
)
HUKOU_RATE = _measure(
    "hukou_rate_pct", "户籍人口城镇化率", "Hukou urbanization rate", "%", "Urban hukou / hukou population x 100"
)
GAP = _measure("gap_pp", "两率差距", "Gap between the rates", "pp", "Resident rate minus hukou rate, percentage points")

T1_COLUMNS = [
    CODE,
    NAME,
    NAME_EN,
    POINT,
    POINT_EN,
    RESIDENT_TOTAL,
    RESIDENT_URBAN,
    RESIDENT_RATE,
    HUKOU_TOTAL,
    HUKOU_URBAN,
    HUKOU_RATE,
    GAP,
    *_hidden("resident"),
    *_hidden("hukou"),
    NOTES,
]

T2_COLUMNS = [
    CODE,
    NAME,
    NAME_EN,
    _measure(
        "resident_total_change_10k",
        "常住人口比上年末增减",
        "Resident population, change on previous year-end",
        "10k persons",
        "Same series and point date",
    ),
    _measure(
        "resident_change_prev_pp",
        "常住人口城镇化率比上年",
        "Resident rate, change on previous year",
        "pp",
        "Same series, definition and point date",
    ),
    _measure(
        f"resident_change_{BASE_YEAR}_pp",
        f"常住人口城镇化率比{BASE_YEAR}年",
        f"Resident rate, change on {BASE_YEAR}",
        "pp",
        "Same series, definition and point date",
    ),
    _measure(
        "hukou_total_change_10k",
        "户籍人口比上年末增减",
        "Hukou population, change on previous year-end",
        "10k persons",
        "Same series",
    ),
    _measure(
        "hukou_change_prev_pp",
        "户籍人口城镇化率比上年",
        "Hukou rate, change on previous year",
        "pp",
        "Same series and definition",
    ),
    _measure(
        f"hukou_change_{BASE_YEAR}_pp",
        f"户籍人口城镇化率比{BASE_YEAR}年",
        f"Hukou rate, change on {BASE_YEAR}",
        "pp",
        "Same series and definition",
    ),
    _measure("gap_change_prev_pp", "两率差距比上年变化", "Gap, change on previous year", "pp", "Negative = narrowed"),
    _measure(
        f"gap_change_{BASE_YEAR}_pp",
        f"两率差距比{BASE_YEAR}年变化",
        f"Gap, change on {BASE_YEAR}",
        "pp",
        "Negative = narrowed",
    ),
    NOTES,
]

T3_COLUMNS = [
    _c(
        "period",
        "时期",
        "Period",
        description="The year (year-end figures) or the ISO point date of a census",
        shown=False,
    ),
    _c("period_label", "年份", "Year", description="Year, with the point date where it is not the year-end"),
    _c("period_label_en", "年份（英文）", "Year (English)", shown=False),
    _c("year", "参考年份", "Reference year", "integer", shown=False),
    RESIDENT_TOTAL,
    RESIDENT_RATE,
    HUKOU_TOTAL,
    HUKOU_RATE,
    GAP,
    _c("resident_basis", "常住人口数据口径", "Resident figures: series", description="Series name"),
    _c("resident_basis_en", "常住人口数据口径（英文）", "Resident series (English)", shown=False),
    _c(
        "hukou_basis",
        "户籍人口数据口径",
        "Hukou figures: series and definition",
        description="Series and definition names",
    ),
    _c("hukou_basis_en", "户籍人口数据口径（英文）", "Hukou series (English)", shown=False),
    *_hidden("resident"),
    *_hidden("hukou"),
    NOTES,
]

FLOW_COLUMNS = [
    _measure("hukou_births", "户籍出生人口", "Hukou births", "persons", "Births registered in the year"),
    _measure("hukou_deaths", "户籍死亡人口", "Hukou deaths", "persons", "Deaths registered in the year"),
    _measure("hukou_in_migration", "户籍迁入人口", "Hukou in-migration", "persons", "Registrations moved in"),
    _measure("hukou_out_migration", "户籍迁出人口", "Hukou out-migration", "persons", "Registrations moved out"),
    _measure("flow_balance", "出生−死亡+迁入−迁出", "Births − deaths + in − out", "persons", "Sum of the four flows"),
    _measure(
        "stock_change",
        "年末户籍人口增减",
        "Change of the year-end hukou population",
        "persons",
        "Stock change, same series",
    ),
    _measure("residual", "其他变动（差额）", "Other changes (residual)", "persons", "Stock change minus the flows"),
]
T4_COLUMNS = [
    CODE,
    NAME,
    NAME_EN,
    *FLOW_COLUMNS,
    _measure(
        "rounding_band", "舍入误差范围", "Rounding band", "persons", "± persons the published rounding allows", False
    ),
    _c("flows_source", "来源", "Source", description="Publications of the flows (release)", shown=False),
    NOTES,
]

T5_COLUMNS = [
    _c("target_id", "目标编号", "Target id", description="Id in the targets file", shown=False),
    _c("target", "目标", "Target", description="The target in the plan's words"),
    _c("target_en", "目标（英文）", "Target (English)", shown=False),
    _c("base_year", "基期", "Base year", "integer", description="Year of the base value used"),
    _n("base_value", "基期值", "Base value", "", "Indicator in the base year (unit of the target)"),
    _c("latest_year", "最新年份", "Latest year", "integer", description="Year of the latest value assessed"),
    _n("latest_value", "最新值", "Latest value", "", "Indicator in the latest year"),
    _n("change", "变化", "Change", "", "Latest minus base value"),
    _n("target_value", "目标值", "Target value", "", "Target value (for a pace target: per year)"),
    _n("margin", "差额", "Margin", "", "Final assessment: what is compared with the target minus the target"),
    _c("verdict", "评估结果及说明", "Verdict and caveats", description="Verdict with its caveats, in words"),
    _c("verdict_en", "评估结果（英文）", "Verdict (English)", shown=False),
    _c(
        "verdict_code",
        "评估结果代码",
        "Verdict code",
        description="achieved, exceeded, ..., cannot_assess",
        shown=False,
    ),
    _c("source_document", "目标出处", "Target source", shown=False),
    _c("region_code", "代码", "Code", shown=False),
    NOTES,
]
