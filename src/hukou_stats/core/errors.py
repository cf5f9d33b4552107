"""One error hierarchy; every error knows its exit code.

Exit codes (documented once, in docs/reference/exit-codes.md):
  0 ok, 1 validation failed, 2 usage or configuration, 3 input/output,
  4 internal error (a bug: the CLI says so and shows the traceback with --debug).

Messages are for statisticians, in Chinese and English: each Issue names file, sheet, row, column,
the value and the rule broken (RULES_ZH gives the Chinese wording of each rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hukou_stats.core.text import escaped

MAX_QUOTED = 300  # characters of a value quoted in a message or a report
MAX_MESSAGE = 2_000


def clip(text: str, limit: int = MAX_QUOTED) -> str:
    """At most `limit` characters of a text quoted from input, with the length of the whole."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


class HukouStatsError(Exception):
    """Base class: a message for a statistician, and the CLI exit code."""

    exit_code = 2


class UsageError(HukouStatsError):
    """Wrong arguments or configuration (unknown region, bad spec...)."""

    exit_code = 2


class InputOutputError(HukouStatsError):
    """A file could not be read or written (missing, unreadable, disk full, locked by another run)."""

    exit_code = 3


class InternalError(HukouStatsError):
    """An unexpected exception: a bug in hukou-stats, not in the input."""

    exit_code = 4


# the Chinese wording of each rule (check), shown beside the English message
RULES_ZH = {
    "file_readable": "文件无法读取（编码或格式不对）",
    "spec_required": "该文件需要同名 .toml 说明文件",
    "long_columns": "缺少标准长表的必需列",
    "sheet_exists": "找不到说明文件指定的工作表",
    "header_row": "找不到表头行",
    "region_column": "表头中没有地区列",
    "column_exists": "表头中没有说明文件指定的列",
    "value_columns": "找不到数值列（年份或指标）",
    "unit_known": "没有计量单位",
    "unit_line_matches_spec": "表中的计量单位与说明文件不一致",
    "region_known": "地区名称无法识别",
    "region_code_format": "地区代码应为6位（村级12位）数字",
    "region_code_known": "地区代码不在区划代码历史中或当年不存在（作为无所属单位的数据保存，不参与汇总）",
    "region_name_matches_code": "地区名称与代码不符",
    "sub_item_skipped": "“其中”/“#”分项行不是地区，未读取",
    "year_integer": "年份应为整数",
    "measure_allowed": "指标名称不在允许范围内",
    "unit_allowed": "计量单位不在允许范围内（人、万人、%）",
    "unit_matches_measure": "计量单位与指标不符（比率用%，人数用人或万人）",
    "series_allowed": "口径（系列）不在允许范围内",
    "source_required": "每个数据须注明资料来源",
    "release_date_format": "发布日期格式应为 YYYY、YYYY-MM 或 YYYY-MM-DD",
    "value_numeric": "此处应为数字",
    "formula_value": "公式没有保存计算结果，请在Excel中打开并保存后再读",
    "value_present": "数值为空，该行不入库",
    "file_has_figures": "文件中没有数据",
    "urban_le_total": "城镇人口不能大于总人口",
    "rate_matches_counts": "公布的比率与人数计算结果不符",
    "children_sum_to_parent": "下级地区合计与上级不符（差额为不属于任何下级单位的人口等）",
    "duplicate_row": "同一来源的同一数据重复出现",
    "second_publication_differs": "另一出版物的同一数据不同（非修订），不替代原数据",
    "rows_skipped": "按说明文件规则跳过的行",
    "coverage_known": "数据覆盖范围不在 coverage.csv 中",
    "definition_of_measure": "该指标只有一种口径定义",
    "share_is_not_rate": "比重的分母不是该比率的分母",
    "contradiction": "同一发布中同一数据有两个不同的数值",
    "input_too_large": "文件超出读取上限",
    "duplicate_column": "表头中同一列名出现多次",
    "row_fields": "该行字段数多于表头",
    "year_header_range": "年份列标题超出1900-2100",
    "control_character": "含有控制字符",
    "text_length": "文字过长",
    "required": "缺少必填项",
    "known_key": "不认识的配置项",
    "allowed_value": "取值不在允许范围内",
    "type": "类型不对（应为文字、整数或日期等）",
    "format": "格式不对",
    "range": "数值超出允许范围",
    "value_error": "取值不符合规则",
    "toml_encoding": "配置文件须为UTF-8编码",
    "toml_syntax": "配置文件不是合法的TOML",
}


def rule_zh(check: str) -> str:
    if check in RULES_ZH:
        return RULES_ZH[check]
    if "in_range" in check or "greater_than" in check or "less_than" in check:
        return "数值超出允许范围（比率0-100，人数非负）"
    return "不符合数据规则"


@dataclass(frozen=True)
class Issue:
    """One failed check, located in its input file.

    severity is "error" (stops ingestion) or "warning" (reported only).
    row is the 1-based line of the file (header = line 1) or None for
    checks that span several rows (then `rows` names them).
    """

    severity: str
    check: str
    message: str
    file: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    rows: str = ""
    row_ids: tuple = field(default=(), compare=False, repr=False)  # figures involved (for filtering)
    sheet: str = ""
    key: str = ""  # for configuration files: the key (dotted path) the rule is about

    def __post_init__(self) -> None:
        """What an issue quotes from input is at most a few hundred characters (the value, the message), and
        carries no control characters where it is printed as it is (the value is shown quoted)."""
        for name, limit in (("value", MAX_QUOTED), ("message", MAX_MESSAGE), ("column", MAX_QUOTED)):
            text = getattr(self, name)
            if isinstance(text, str) and len(text) > limit:
                object.__setattr__(self, name, clip(text, limit))
        for name in ("message", "file", "sheet", "column", "key", "rows"):
            text = getattr(self, name)
            if isinstance(text, str):
                object.__setattr__(self, name, escaped(text))

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.rows:
            parts.append(f"rows {self.rows}")
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.key:
            parts.append(f"key '{self.key}'")
        return ", ".join(parts)

    def location_zh(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.rows:
            parts.append(f"第{self.rows}行")
        if self.column:
            parts.append(f"“{self.column}”列")
        if self.key:
            parts.append(f"“{self.key}”项")
        return "".join(parts)

    def __str__(self) -> str:
        val = f" (value 值: {self.value!r})" if self.value != "" else ""
        where_zh = self.location_zh()
        zh = f"{where_zh}：{rule_zh(self.check)}" if where_zh else rule_zh(self.check)
        return f"{self.location()}: {self.message} / {zh}{val} [rule 规则: {self.check}]"


@dataclass
class ValidationFailed(HukouStatsError):
    """Input broke one or more rules; nothing was written."""

    issues: list[Issue] = field(default_factory=list)
    exit_code = 1

    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def __str__(self) -> str:
        errs = self.errors()
        head = f"{len(errs)} error(s) in the input; nothing was written to the store. / 输入有{len(errs)}处错误，未写入任何数据。"
        shown = "\n".join(f"  - {e}" for e in errs[:20])
        more = f"\n  ... and {len(errs) - 20} more (see the validation report)" if len(errs) > 20 else ""
        return f"{head}\n{shown}{more}"
