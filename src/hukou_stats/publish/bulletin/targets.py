"""T5 rows: each target as a statistician reads it, from the assessment (analysis.targets, view target_status):
the base and the latest value, the change between them, the target, the margin against it, and the verdict
with its caveats in words (approximate base, comparison across the census revision, base year substituted...).

The margin is always against what the target measures: a level target against the level, a change target
against the change since the base (the gap target "缩小2个百分点以上": a widening of 0.76 points is 2.76 short),
a pace target against the average annual change. It does not apply ([z]) to an interim assessment, which is
judged on the projected value instead.
"""

from __future__ import annotations

from decimal import Decimal

from hukou_stats.core.numbers import round_half_up
from hukou_stats.publish.bulletin.figures import none
from hukou_stats.publish.notes import Worded
from hukou_stats.publish.table import NA
from hukou_stats.publish.wording import TargetPhrases, people_en

INDICATORS = {
    "resident_urban_rate_pct": ("常住人口城镇化率", "resident urbanization rate"),
    "hukou_urban_rate_pct": ("户籍人口城镇化率", "hukou urbanization rate"),
    "gap_pp": ("两率差距", "gap between the two rates"),
    "hukou_total": ("户籍人口", "hukou population"),
    "hukou_transfers": ("农业转移人口落户", "agricultural migrants registered"),
    "agricultural_migrants_settled": ("农业转移人口落户", "agricultural migrants settled"),
    "non_hukou_settled": ("非户籍人口落户", "non-hukou residents settled"),
}
# unit -> (Chinese after a number, English after a number, decimals shown)
UNITS = {
    "pct": ("%", "%", 2),
    "pp": ("个百分点", " points", 2),
    "pp_per_year": ("个百分点", " points", 2),
    "10k_persons": ("万人", " ten-thousand persons", 2),
    "10k_persons_per_year": ("万人", " ten-thousand persons", 2),
}
VERDICT_EN = {
    "achieved": "achieved",
    "exceeded": "exceeded",
    "not_achieved": "not achieved",
    "on_track": "on track",
    "acceleration_needed": "acceleration needed",
    "limited_progress": "limited progress",
    "moving_away": "moving away from the target",
    "cannot_assess": "cannot be assessed",
}


def _name(indicator: str) -> tuple[str, str]:
    return INDICATORS.get(indicator, ("该指标", "this indicator"))


def _num(x, decimals: int) -> str:
    d = round_half_up(x, decimals)
    return f"{abs(d):f}" if d is not None else ""


def _lower(s: str) -> str:
    return s[0].lower() + s[1:] if s and not s[:2].isupper() else s


def _points(d: str, unit_en: str) -> str:
    """1 point, 2 points."""
    return unit_en.replace("points", "point") if d in ("1", "1.0", "1.00") else unit_en


def target_value_text(r: dict) -> tuple[str, str]:
    """79.8%左右（±0.5） / about 79.8% (±0.5)."""
    uz, ue, _ = UNITS.get(r["unit"], ("", "", 2))
    value = Decimal(repr(float(r["target_value"]))).normalize()
    v = f"{value:f}"
    tol = none(r.get("tolerance"))
    tolerance = None if tol is None else Decimal(repr(float(tol))).normalize()
    tol_zh = f"（±{tolerance:f}）" if tolerance is not None else ""
    if r["unit"].startswith("10k_persons"):  # English counts in millions or persons, as in the text
        ve, te = people_en(value), (f" (±{people_en(tolerance)})" if tolerance is not None else "")
        ue = ""
    else:
        ve, te, ue = v, tol_zh.replace("（", " (").replace("）", ")"), _points(v, ue)
    zh = {"≈": f"{v}{uz}左右{tol_zh}", ">=": f"{v}{uz}以上", "<=": f"{v}{uz}以下"}.get(r["comparison"], f"{v}{uz}")
    en = {"≈": f"about {ve}{ue}{te}", ">=": f"at least {ve}{ue}", "<=": f"at most {ve}{ue}"}.get(
        r["comparison"], f"{ve}{ue}"
    )
    return zh, en


def target_label_en(r: dict) -> str:
    name = _name(r["indicator"])[1]
    _, en = target_value_text(r)
    if r["kind"] == "change_vs_base":
        way = "down" if r["direction"] == "decrease" else "up"
        return f"{name.capitalize()} {way} by {en} on {int(r['base_year'])}, by {int(r['target_year'])}"
    if r["kind"] == "pace":
        return f"{name.capitalize()} up by {en} a year, {int(r['base_year']) + 1}-{int(r['target_year'])}"
    return f"{name.capitalize()} {en} by {int(r['target_year'])}"


def _verdict_zh(r: dict, d: int) -> str:
    v, unit = r["verdict"], r["unit"]
    name, _ = _name(r["indicator"])
    uz = UNITS.get(unit, ("", "", 2))[0]
    goal, _ = target_value_text(r)
    head = r["verdict_zh"]
    if v == "cannot_assess":
        return head
    ly, base = int(r["observed_year"]), int(r["base_year_used"]) if none(r["base_year_used"]) is not None else None
    if r["assessment"] == "interim":
        return (
            f"{head}：按{base}—{ly}年的进度推算，{int(r['target_year'])}年{name}为{_num(r['projected_value'], 2)}{uz}"
            f"，目标为{goal}（进度比{round_half_up(r['progress_ratio'], 2):f}）"
        )
    if r["kind"] == "change_vs_base":
        ch = r["observed_value"] - r["base_value"]
        word = ("扩大" if ch > 0 else "缩小") if r["indicator"] == "gap_pp" else ("提高" if ch > 0 else "下降")
        aim = "缩小" if r["direction"] == "decrease" else "提高"
        return f"{head}：{name}比{base}年{word}{_num(ch, d)}{uz}，目标为{aim}{goal}"
    if r["kind"] == "pace":
        word = "提高" if r["assessed_value"] >= 0 else "下降"
        return f"{head}：{base}—{ly}年{name}年均{word}{_num(r['assessed_value'], d)}{uz}，目标为年均提高{goal}"
    return f"{head}：{ly}年{name}为{_num(r['observed_value'], d)}{uz}，目标为{goal}"


def _num_en(x, d: int, unit: str) -> str:
    """A figure in an English verdict: counts (万人) in millions or persons, the rest with its unit."""
    if unit.startswith("10k_persons"):
        return people_en(abs(round_half_up(x, d) or Decimal(0)))
    n = _num(x, d)
    return n + _points(n, UNITS.get(unit, ("", "", 2))[1])


def _verdict_en(r: dict, d: int) -> str:
    v, unit = r["verdict"], r["unit"]
    _, name = _name(r["indicator"])
    _, goal = target_value_text(r)
    head = VERDICT_EN.get(v, v).capitalize()
    if v == "cannot_assess":
        return head
    ly, base = int(r["observed_year"]), int(r["base_year_used"]) if none(r["base_year_used"]) is not None else None
    if r["assessment"] == "interim":
        return (
            f"{head}: at the pace of {base}-{ly}, the {name} would be {_num_en(r['projected_value'], 2, unit)} in "
            f"{int(r['target_year'])}, against a target of {goal} (progress ratio {round_half_up(r['progress_ratio'], 2):f})"
        )
    if r["kind"] == "change_vs_base":
        ch = r["observed_value"] - r["base_value"]
        word = ("widened" if ch > 0 else "narrowed") if r["indicator"] == "gap_pp" else ("rose" if ch > 0 else "fell")
        aim = "narrow" if r["direction"] == "decrease" else "rise"
        return f"{head}: the {name} {word} by {_num_en(ch, d, unit)} on {base}; the target was to {aim} by {goal}"
    if r["kind"] == "pace":
        return f"{head}: the {name} changed by {_num_en(r['assessed_value'], d, unit)} a year in {base}-{ly}; target {goal} a year"
    return f"{head}: the {name} was {_num_en(r['observed_value'], d, unit)} in {ly}; target {goal}"


Precision = dict[tuple[str, int], tuple[int, bool]]  # (indicator, year) -> (decimals published, approximate)


def headline_precision(con, region: str) -> Precision:
    """Decimals (and whether the figure is an approximate statement) of the region's headline figures, per
    indicator and year: a figure published as 45.4% is shown as 45.4, not 45.40, and 36%左右 as 36."""
    out: Precision = {}
    rows = con.execute(
        "SELECT year, resident_decimals, resident_series, hukou_decimals, hukou_series FROM urbanization "
        "WHERE region_code = ?",
        [region],
    ).fetchall()
    for year, rd, rs, hd, hs in rows:
        res = (2 if rd is None else int(rd), rs == "approx_statement")
        huk = (2 if hd is None else int(hd), hs == "approx_statement")
        out[("resident_urban_rate_pct", year)] = res
        out[("hukou_urban_rate_pct", year)] = huk
        out[("gap_pp", year)] = (min(res[0], huk[0]), res[1] or huk[1])
    return out


def target_rows(assessed: list[dict], phrases: TargetPhrases, precision: Precision) -> list[dict]:
    """One T5 record per target, with the verdict and its caveats in words (zh, en). Base, change and margin
    carry no more decimals than their least precise figure (an approximate base 36%左右 has none)."""
    rows = []
    for r in assessed:
        unit = r["unit"]
        decimals = UNITS.get(unit, ("", "", 2))[2]
        by, ly = none(r["base_year_used"]), none(r["observed_year"])
        bd, approx = precision.get((r["indicator"], by), (decimals, False)) if by is not None else (decimals, False)
        ld, _ = precision.get((r["indicator"], ly), (decimals, False)) if ly is not None else (decimals, False)
        if approx:
            bd = 0
        caveats: list[Worded] = phrases.word(r.get("reason"), r) + phrases.word(r.get("notes"), r)
        if approx and not any(w.key == "approxbase" for w in caveats):
            caveats.append(phrases.approximate_base(r, bd))
        if by is not None and int(by) != int(r["base_year"]) and not any(w.key.startswith("basesub") for w in caveats):
            caveats += phrases.word(f"no {int(r['base_year'])} value: first available year {int(by)} used as base", r)
        base, latest = none(r["base_value"]), none(r["observed_value"])
        final = r["assessment"] == "final"
        least = min(bd, ld) if r["kind"] != "level" else ld
        margin = round_half_up(none(r["margin"]), least) if final else (NA if r["assessment"] == "interim" else None)
        cannot = r["verdict"] == "cannot_assess"
        zh = _verdict_zh(r, least) + ("：" if cannot else "；") + "；".join(w.zh.rstrip("。") for w in caveats)
        en = _verdict_en(r, least) + (": " if cannot else "; ") + "; ".join(_lower(w.en.rstrip(".")) for w in caveats)
        zh, en = zh.rstrip("：；") + "。", en.rstrip(":; ") + "."
        rows.append(
            {
                "target_id": r["target_id"],
                "region_code": r["region_code"],
                "target": r["wording_zh"],
                "target_en": target_label_en(r),
                "base_year": None if by is None else int(by),
                "base_value": round_half_up(base, bd),
                "latest_year": None if ly is None else int(ly),
                "latest_value": round_half_up(latest, ld),
                # a target that cannot be assessed (the figures are not comparable) has no change either
                "change": None
                if cannot or base is None or latest is None
                else round_half_up(latest - base, min(bd, ld)),
                "target_value": Decimal(repr(float(r["target_value"]))).normalize(),
                "margin": margin,
                "verdict": zh,
                "verdict_en": en,
                "verdict_code": r["verdict"],
                "source_document": none(r["source_document"]) or "",
                "caveats": caveats,
            }
        )
    return rows
