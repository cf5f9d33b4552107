-- urbanization: the headline, one row per region and year: both rates and the gap.
-- Which basis is the headline (documented precedence): the series with the lowest
-- precedence number in table series (census_revised, post_census_estimate, census_2020,
-- pre_census2020_revision, first_release, hukou_register, sample_survey_2015, microdata,
-- approx_statement); then the latest release; then published before computed, derived, aggregated.
-- With pick = 'first' the earliest release comes before the series precedence: the headline is the
-- figure as first published (Guangzhou 2019: the first release 86.46, not the census revision 85.13).
-- The headline value is the published rate where one exists, else the rate computed from counts.
-- urbanization_as_of(date[, pick := 'first']): the headline as it was known on a date.
CREATE OR REPLACE MACRO urbanization_as_of(as_of, pick := 'latest') AS TABLE
WITH ranked AS (
    SELECT r.*,
           coalesce(r.published_value, r.value) AS headline,
           coalesce(r.published_decimals, 2) AS headline_decimals,
           row_number() OVER (
               PARTITION BY r.region_code, r.year, r.indicator
               ORDER BY CASE WHEN pick = 'first' THEN epoch(r.release_date) END NULLS LAST,
                        s.precedence, r.release_date DESC NULLS LAST,
                        CASE r.status WHEN 'published' THEN 0 WHEN 'computed' THEN 1 WHEN 'derived' THEN 2 ELSE 3 END,
                        r.basis) AS rk
    FROM rates_as_of(as_of, pick := pick) r
    JOIN series s ON s.series = r.series
),
res AS (SELECT * FROM ranked WHERE indicator = 'resident_rate_pct' AND rk = 1),
huk AS (SELECT * FROM ranked WHERE indicator = 'hukou_rate_pct' AND rk = 1)
SELECT
    coalesce(res.region_code, huk.region_code) AS region_code,
    coalesce(g.name_zh, coalesce(res.region_code, huk.region_code)) AS region_name,
    g.name_en AS region_name_en,
    g.level AS region_level,
    g.parent_code,
    coalesce(res.year, huk.year) AS year,
    res.headline AS resident_rate_pct,
    res.headline_decimals AS resident_decimals,
    res.series AS resident_series,
    res.status AS resident_status,
    res.reference_date AS resident_reference_date,
    res.release_date AS resident_release_date,
    res.published AS resident_published,
    res.source AS resident_source,
    CASE WHEN res.published_value IS NULL THEN res.numerator END AS resident_numerator,
    CASE WHEN res.published_value IS NULL THEN res.denominator END AS resident_denominator,
    huk.headline AS hukou_rate_pct,
    huk.headline_decimals AS hukou_decimals,
    huk.series AS hukou_series,
    huk.definition AS hukou_definition,
    huk.status AS hukou_status,
    huk.reference_date AS hukou_reference_date,
    huk.release_date AS hukou_release_date,
    huk.published AS hukou_published,
    huk.source AS hukou_source,
    CASE WHEN huk.published_value IS NULL THEN huk.numerator END AS hukou_numerator,
    CASE WHEN huk.published_value IS NULL THEN huk.denominator END AS hukou_denominator,
    res.headline - huk.headline AS gap_pp,
    nullif(concat_ws('; ',
        CASE WHEN res.reference_date <> huk.reference_date THEN 'rates refer to different dates' END,
        CASE WHEN 'approx_statement' IN (res.series, huk.series) THEN 'approximate figure (左右)' END,
        CASE WHEN 'aggregated' IN (res.status, huk.status) THEN 'aggregated from children' END,
        CASE WHEN 'derived' IN (res.status, huk.status) THEN 'from a derived count' END,
        CASE WHEN res.matches_published = false OR huk.matches_published = false
             THEN 'published rate differs from counts' END), '') AS flags
FROM res
FULL OUTER JOIN huk ON huk.region_code = res.region_code AND huk.year = res.year
LEFT JOIN regions g ON g.code = coalesce(res.region_code, huk.region_code);

CREATE OR REPLACE VIEW urbanization AS
SELECT * FROM urbanization_as_of(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'));

COMMENT ON VIEW urbanization IS 'Headline: one row per region and year with the resident rate (常住人口城镇化率), the hukou rate (户籍人口城镇化率) and the gap, each from the basis chosen by the documented precedence (series precedence, then latest release, then published before computed).';
COMMENT ON COLUMN urbanization.region_code IS 'GB/T 2260 region code.';
COMMENT ON COLUMN urbanization.region_name IS 'Chinese name (registry).';
COMMENT ON COLUMN urbanization.region_name_en IS 'English/pinyin name (registry).';
COMMENT ON COLUMN urbanization.region_level IS '0 nation, 1 province, 2 prefecture, 3 county/district.';
COMMENT ON COLUMN urbanization.parent_code IS 'Code of the parent region (registry).';
COMMENT ON COLUMN urbanization.year IS 'Reference year.';
COMMENT ON COLUMN urbanization.resident_rate_pct IS 'Resident urbanization rate, percent, unrounded (round half-up to resident_decimals for publication).';
COMMENT ON COLUMN urbanization.resident_decimals IS 'Decimals to publish the resident rate with (published precision, 2 for computed rates).';
COMMENT ON COLUMN urbanization.resident_series IS 'Series the resident rate comes from.';
COMMENT ON COLUMN urbanization.resident_status IS 'computed, derived, aggregated or published (see view rates).';
COMMENT ON COLUMN urbanization.resident_reference_date IS 'Point date of the resident rate.';
COMMENT ON COLUMN urbanization.resident_release_date IS 'Release date of the resident rate.';
COMMENT ON COLUMN urbanization.resident_published IS 'Release of the resident rate as given by the source (YYYY, YYYY-MM or YYYY-MM-DD).';
COMMENT ON COLUMN urbanization.resident_source IS 'Source publication of the resident rate.';
COMMENT ON COLUMN urbanization.resident_numerator IS 'Urban resident population (persons) the resident rate was computed from; NULL when the rate is the published one.';
COMMENT ON COLUMN urbanization.resident_denominator IS 'Resident population (persons) the resident rate was computed from; NULL when the rate is the published one.';
COMMENT ON COLUMN urbanization.hukou_numerator IS 'Urban hukou population (persons) the hukou rate was computed from; NULL when the rate is the published one.';
COMMENT ON COLUMN urbanization.hukou_denominator IS 'Hukou population (persons) the hukou rate was computed from; NULL when the rate is the published one.';
COMMENT ON COLUMN urbanization.hukou_rate_pct IS 'Hukou urbanization rate, percent, unrounded.';
COMMENT ON COLUMN urbanization.hukou_decimals IS 'Decimals to publish the hukou rate with.';
COMMENT ON COLUMN urbanization.hukou_series IS 'Series the hukou rate comes from.';
COMMENT ON COLUMN urbanization.hukou_definition IS 'Definition of urban hukou population (e.g. urban_rural_area_2015_rule).';
COMMENT ON COLUMN urbanization.hukou_status IS 'computed, derived, aggregated or published.';
COMMENT ON COLUMN urbanization.hukou_reference_date IS 'Point date of the hukou rate.';
COMMENT ON COLUMN urbanization.hukou_release_date IS 'Release date of the hukou rate.';
COMMENT ON COLUMN urbanization.hukou_published IS 'Release of the hukou rate as given by the source (YYYY, YYYY-MM or YYYY-MM-DD).';
COMMENT ON COLUMN urbanization.hukou_source IS 'Source publication of the hukou rate.';
COMMENT ON COLUMN urbanization.gap_pp IS 'Resident rate minus hukou rate, percentage points (个百分点); NULL unless both are known.';
COMMENT ON COLUMN urbanization.flags IS 'Warnings: different reference dates, approximate figure, aggregated or derived inputs, published rate differing from counts.';
