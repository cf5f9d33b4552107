-- urbanization: the headline, one row per region and year: both rates and the gap.
-- Which basis is the headline (documented precedence): the series with the lowest
-- precedence number in table series (census_revised, post_census_estimate, census_2020,
-- pre_census2020_revision, first_release, hukou_register, sample_survey_2015, microdata,
-- approx_statement); then the latest release; then published before computed, derived, aggregated.
-- With pick = 'first' the earliest release comes before the series precedence: the headline is the
-- figure as first published (Guangzhou 2019: the first release 86.46, not the census revision 85.13).
-- The headline value is the published rate where one exists, else the rate computed from counts.
-- urbanization_as_of(date[, pick := 'first']): the headline as it was known on a date.
-- Only figures on the region's own coverage are headlines (China: the 31 provinces and the active military); a figure
-- of another coverage (the sum of the provinces) and a second publication that differs (view second_publications)
-- never take their place. Names and parent are those of the year's list (else the code's latest).
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
    FROM rates_for(as_of, pick := pick) r
    JOIN series s ON s.series = r.series
    WHERE r.coverage IS NULL
),
second AS (
    SELECT region_code, year, string_agg(DISTINCT measure || ' ' || CAST(value AS VARCHAR) || ' (' || source || ')', '; ')
           AS figures
    FROM publications_as_of(as_of)
    WHERE second_publication AND coverage IS NULL
    GROUP BY ALL
),
res AS (SELECT * FROM ranked WHERE indicator = 'resident_rate_pct' AND rk = 1),
huk AS (SELECT * FROM ranked WHERE indicator = 'hukou_rate_pct' AND rk = 1)
SELECT
    coalesce(res.region_code, huk.region_code) AS region_code,
    coalesce(g.name_zh, l.name_zh, coalesce(res.region_code, huk.region_code)) AS region_name,
    coalesce(g.name_en, l.name_en) AS region_name_en,
    coalesce(g.level, l.level) AS region_level,
    coalesce(g.parent_code, l.parent_code) AS parent_code,
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
             THEN 'published rate differs from counts' END,
        CASE WHEN g.code IS NULL AND l.level IS NULL
             THEN 'a figure of no unit: the code is in no list of the code history, never a child in a sum' END,
        CASE WHEN g.code IS NULL AND l.level IS NOT NULL
             THEN 'the code is not in the list of ' || coalesce(res.year, huk.year) || ': a figure on other boundaries' END,
        CASE WHEN sp.figures IS NOT NULL
             THEN 'another publication differs, not used (view second_publications): ' || sp.figures END), '') AS flags
FROM res
FULL OUTER JOIN huk ON huk.region_code = res.region_code AND huk.year = res.year
LEFT JOIN region_units g ON g.code = coalesce(res.region_code, huk.region_code) AND g.year = coalesce(res.year, huk.year)
LEFT JOIN region_labels l ON l.code = coalesce(res.region_code, huk.region_code)
LEFT JOIN second sp ON sp.region_code = coalesce(res.region_code, huk.region_code) AND sp.year = coalesce(res.year, huk.year);

CREATE OR REPLACE VIEW urbanization AS
SELECT * FROM urbanization_as_of(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'));
