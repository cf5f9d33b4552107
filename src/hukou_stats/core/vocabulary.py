"""The words of the domain, each defined once: measures, the base year, the SYNTHETIC mark.

Measures are what a figure counts or rates; the rate of a measure is defined by its numerator and its
denominator (RATES), so that a share with another denominator is never taken for it.
"""

from __future__ import annotations

COUNT_MEASURES = frozenset(
    {
        "resident_total",
        "resident_urban",
        "hukou_total",
        "hukou_urban",
        "hukou_rural",
        "hukou_births",
        "hukou_deaths",
        "hukou_in_migration",
        "hukou_out_migration",
        "separated_within_county",  # 人户分离, from microdata (by residence area)
        "separated_across_counties",
        "resident_nonagri_hukou",  # residents holding a non-agricultural hukou (非农业户口), census 2010 and before
    }
)
# rate measure -> (numerator, denominator). A share is the rate its denominator makes it: 非农业户口人口比重 of the
# 2010 census divides residents holding a non-agricultural hukou by the resident population, so it is its own
# measure and never a 户籍人口城镇化率 (whose denominator is the hukou population) nor an urban hukou count.
RATES = {
    "resident_urban_rate_pct": ("resident_urban", "resident_total"),
    "hukou_urban_rate_pct": ("hukou_urban", "hukou_total"),
    "resident_nonagri_hukou_share_pct": ("resident_nonagri_hukou", "resident_total"),
}
RATE_MEASURES = frozenset(RATES)
# the two urbanization rates (the indicators of the views rates and urbanization) and the rate measure of each
URBANIZATION_RATES = {"resident_rate_pct": "resident_urban_rate_pct", "hukou_rate_pct": "hukou_urban_rate_pct"}
# measures that exist under one definition only: a figure of them carries it (given or not), never another
FIXED_DEFINITION = {
    "resident_nonagri_hukou": "nonagri_2003_rule",
    "resident_nonagri_hukou_share_pct": "nonagri_2003_rule",
}
MEASURES = COUNT_MEASURES | RATE_MEASURES
FLOW_MEASURES = ("hukou_births", "hukou_deaths", "hukou_in_migration", "hukou_out_migration")

# the base year of the plans (changes "since 2013"; the gap target is against 2013)
BASE_YEAR = 2013

# figures that are not real carry this word in their source, everywhere they appear
SYNTHETIC = "SYNTHETIC"
SYNTHETIC_BANNER_ZH = "合成数据，非官方统计"
SYNTHETIC_BANNER_EN = "SYNTHETIC DATA: some figures come from a source labelled SYNTHETIC, not from official statistics"
SYNTHETIC_BANNER = f"{SYNTHETIC} — {SYNTHETIC_BANNER_ZH}. {SYNTHETIC_BANNER_EN}."
SYNTHETIC_TITLE_PREFIX = f"{SYNTHETIC} 合成数据 — "


def is_synthetic(text: object) -> bool:
    """True when a source, series or name is labelled SYNTHETIC (any case)."""
    return isinstance(text, str) and SYNTHETIC in text.upper()
