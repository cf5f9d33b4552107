-- incomplete_sums: where a region's children do not all have a figure of one year, basis, point date and measure,
-- so that no sum is made (a parent is the sum of its children only when every child the registry has under it that
-- year is present): which children are missing, and whether the region has a published figure of its own.
CREATE OR REPLACE VIEW incomplete_sums AS
WITH s AS (
    SELECT * FROM child_sums_as_of(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'))
    WHERE NOT complete
)
SELECT s.region_code, l.name_zh AS region_name, s.year, s.reference_date, s.measure, s.series, s.definition,
       s.n_children, s.n_expected,
       (SELECT string_agg(c || ' ' || coalesce(u.name_zh, ''), ', ' ORDER BY c)
        FROM unnest(s.missing) AS t(c) LEFT JOIN region_units u ON u.code = t.c AND u.year = s.year) AS missing_children,
       EXISTS (SELECT 1 FROM latest_observations o WHERE o.region_code = s.region_code AND o.year = s.year
                 AND o.reference_date = s.reference_date AND o.measure = s.measure AND o.series = s.series
                 AND o.definition IS NOT DISTINCT FROM s.definition AND o.coverage IS NULL) AS parent_published
FROM s
LEFT JOIN region_labels l ON l.code = s.region_code;
