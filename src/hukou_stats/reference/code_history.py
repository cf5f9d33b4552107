"""The code history of China's administrative divisions (data/reference/areacodes/result.csv, yescallop/areacodes,
CC0): one period per row (a code, its name, level and parent while they held), with the codes that took over its
territory.

Years are year-end lists: a period with 启用时间 S and 变更/弃用时间 E is in the lists of 31 December S … E−1
(`valid_from_year` = S, `valid_to_year` = E − 1, None while in use). A figure dated in year Y is read against
the list of Y.

Parents come from the column 二级行政区, never from the digits of a code: `直辖` means directly under the province
(the districts of the municipalities, the 省直辖县级行政区划 such as 429004 仙桃市); any other value is the name of
the prefecture, resolved within the province code to the one prefecture of that name whose validity overlaps the
period (prefecture names recur over time and across provinces: 伊犁哈萨克自治州 652400 until 1983 and 654000 from
1984; 三亚市 under 广东 before 海南 became a province). A name that resolves to no prefecture or to several is an
error of the file, reported with its line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from hukou_stats.core.errors import InputOutputError

NATION = "000000"
NATION_NAME = "全国"
LEVELS = {"省级": 1, "地级": 2, "县级": 3}
STATUS = {"在用": "in use", "弃用": "abolished", "变更": "changed"}
DIRECT = "直辖"
COLUMNS = ["代码", "一级行政区", "二级行政区", "名称", "级别", "状态", "启用时间", "变更/弃用时间", "新代码"]
_SUCCESSOR = re.compile(r"^(\d{6})(?:\[(\d{4})\])?$")


@dataclass(frozen=True)
class Period:
    """One row of the code history: a code with one name, level and parent over a run of year-end lists."""

    code: str
    name_zh: str
    level: int  # 0 nation, 1 province, 2 prefecture, 3 county
    parent_code: str | None
    valid_from_year: int
    valid_to_year: int | None  # inclusive; None while in use
    status: str  # in use / abolished / changed
    successors: tuple[tuple[str, int], ...] = ()  # (code, first list that shows the move)
    line: int = 0  # line in result.csv (0: the nation, which the file does not list)

    def valid_in(self, year: int) -> bool:
        return self.valid_from_year <= year and (self.valid_to_year is None or year <= self.valid_to_year)

    @property
    def end_year(self) -> int | None:
        """First list without this period (变更/弃用时间), None while in use."""
        return None if self.valid_to_year is None else self.valid_to_year + 1


def parse_successors(text: str, end_year: int | None, where: str) -> tuple[tuple[str, int], ...]:
    """'130404[2014];130402' ended 2016 -> (('130404', 2014), ('130402', 2016)): a bracketed year is when that
    part moved; an unbracketed code took over at the end of the period."""
    out = []
    for part in filter(None, (p.strip() for p in (text or "").split(";"))):
        m = _SUCCESSOR.match(part)
        year = int(m.group(2)) if m and m.group(2) else end_year
        if m is None or year is None:
            raise InputOutputError(f"{where}: successor {part!r} is not CODE or CODE[YEAR] (新代码)")
        out.append((m.group(1), year))
    return tuple(out)


def read_code_history(path: Path) -> list[Period]:
    """Every period of result.csv, with the nation (000000, which the file does not list) first."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as e:
        raise InputOutputError(f"cannot read the code history {path}: {e}") from e
    if not rows or rows[0][: len(COLUMNS)] != COLUMNS:
        raise InputOutputError(f"{path}: not the areacodes result.csv (expected the columns {', '.join(COLUMNS)})")
    raw = []
    for i, r in enumerate(rows[1:], start=2):
        where = f"{path.name} line {i}"
        if len(r) < len(COLUMNS) or r[4] not in LEVELS or r[5] not in STATUS:
            raise InputOutputError(f"{where}: expected {len(COLUMNS)} columns with 级别 in {', '.join(LEVELS)}")
        try:
            start, end = int(r[6]), int(r[7]) if r[7] else None
        except ValueError as e:
            raise InputOutputError(f"{where}: 启用时间 and 变更/弃用时间 must be years") from e
        raw.append((i, r, start, end))
    prefectures: dict[tuple[str, str], list[tuple[str, int, int | None]]] = {}
    for _, r, start, end in raw:
        if LEVELS[r[4]] == 2:
            prefectures.setdefault((r[0][:2], r[3]), []).append((r[0], start, end))
    first = min((s for _, _, s, _ in raw), default=1981)
    periods = [Period(NATION, NATION_NAME, 0, None, first, None, "in use")]
    for i, r, start, end in raw:
        code, level = r[0], LEVELS[r[4]]
        where = f"{path.name} line {i}"
        periods.append(
            Period(
                code=code,
                name_zh=r[3],
                level=level,
                parent_code=_parent(code, level, r[2], start, end, prefectures, where),
                valid_from_year=start,
                valid_to_year=None if end is None else end - 1,
                status=STATUS[r[5]],
                successors=parse_successors(r[8], end, where),
                line=i,
            )
        )
    return periods


def _parent(code, level, parent_name, start, end, prefectures, where) -> str:
    if level == 1:
        return NATION
    province = code[:2] + "0000"
    if level == 2 or parent_name == DIRECT:
        return province
    hits = {
        c for c, s, e in prefectures.get((code[:2], parent_name), []) if s < (end or 10**6) and start < (e or 10**6)
    }
    if len(hits) != 1:
        found = f"several prefectures ({', '.join(sorted(hits))})" if hits else "no prefecture"
        raise InputOutputError(
            f"{where}: 二级行政区 {parent_name!r} of {code} names {found} of province {province} in {start}–{end or ''}"
        )
    return hits.pop()
