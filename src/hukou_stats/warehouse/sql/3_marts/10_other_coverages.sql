-- other_coverages: figures of another coverage than the region's own (table coverage), published or summed, beside
-- the headline figure of the same region, year, point date, measure and basis: China's sum of the 31 provinces
-- (coverage provinces_31) beside the national figure, which also counts the active military. Different figures, not
-- revisions: the difference is what one coverage counts and the other does not.
CREATE OR REPLACE VIEW other_coverages AS
WITH pop AS MATERIALIZED (
    SELECT * FROM population_for(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'))
),
r AS MATERIALIZED (
    SELECT * FROM rates_for(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'))
),
x AS (
    SELECT o.region_code, o.year, o.reference_date, o.measure, o.series, o.definition, o.coverage, o.value,
           o.status, o.source, h.value AS headline_value, h.source AS headline_source
    FROM pop o
    LEFT JOIN pop h ON h.region_code = o.region_code AND h.year = o.year AND h.reference_date = o.reference_date
                   AND h.measure = o.measure AND h.series = o.series AND h.definition IS NOT DISTINCT FROM o.definition
                   AND h.coverage IS NULL
    WHERE o.coverage IS NOT NULL
    UNION ALL
    SELECT o.region_code, o.year, o.reference_date, o.indicator, o.series, o.definition, o.coverage,
           coalesce(o.published_value, o.value), o.status, o.source, coalesce(h.published_value, h.value), h.source
    FROM r o
    LEFT JOIN r h ON h.region_code = o.region_code AND h.year = o.year AND h.reference_date = o.reference_date
                 AND h.indicator = o.indicator AND h.series = o.series AND h.definition IS NOT DISTINCT FROM o.definition
                 AND h.coverage IS NULL
    WHERE o.coverage IS NOT NULL
)
SELECT x.region_code, l.name_zh AS region_name, x.year, x.reference_date, x.measure, x.series, x.definition,
       x.coverage, c.name_zh AS coverage_name_zh, c.name_en AS coverage_name_en, x.value, x.status, x.source,
       x.headline_value, x.value - x.headline_value AS difference, x.headline_source,
       h.beyond_children_zh, h.beyond_children_en
FROM x
LEFT JOIN coverage c ON c.region_code = x.region_code AND c.coverage = x.coverage
LEFT JOIN coverage h ON h.region_code = x.region_code AND h.coverage IS NULL
LEFT JOIN region_labels l ON l.code = x.region_code;
