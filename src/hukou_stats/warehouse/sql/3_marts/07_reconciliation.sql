-- reconciliation: a published parent figure (on its own coverage) against the sum of its children, per region, year,
-- point date, measure and basis (counts), and the published parent rate against the rate from the children's summed
-- counts. The children are those the registry has under the region in the figure's year (child_sums_as_of: a
-- prefecture's published figure stands for it in its province's sum). Over an incomplete set of children there is no
-- sum and no difference: the note lists the missing children. A difference is a finding, never a correction: the
-- published figure stays; `explanation` says what the published figure counts that its children do not (China: the
-- active military, table coverage) or that the rest belongs to no child (areas in no county, e.g. development zones).
CREATE OR REPLACE VIEW reconciliation AS
WITH s AS MATERIALIZED (
    SELECT * FROM child_sums_as_of(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'))
),
p AS MATERIALIZED (
    SELECT * FROM latest_observations WHERE coverage IS NULL
),
count_rows AS (
    SELECT p.region_code, p.year, p.reference_date, p.measure, p.series, p.definition,
           p.value AS published_value, CASE WHEN s.complete THEN s.value END AS children_sum,
           s.n_children, s.n_expected, s.missing, p.precision + s.precision AS tolerance, s.coverage AS children_coverage,
           p.source
    FROM p
    JOIN s ON s.region_code = p.region_code AND s.year = p.year AND s.reference_date = p.reference_date
          AND s.measure = p.measure AND s.series = p.series AND s.definition IS NOT DISTINCT FROM p.definition
    WHERE p.unit = 'persons'
),
rate_rows AS (
    SELECT p.region_code, p.year, p.reference_date, p.measure, p.series, p.definition,
           p.value AS published_value,
           CASE WHEN n.complete AND d.complete THEN 100 * n.value / d.value END AS children_sum,
           least(n.n_children, d.n_children) AS n_children, n.n_expected,
           CASE WHEN n.complete THEN d.missing ELSE n.missing END AS missing,
           0.5 * pow(10, -p.decimals)
             + 100 * n.value / d.value * (n.precision / greatest(n.value, 1) + d.precision / d.value) AS tolerance,
           n.coverage AS children_coverage, p.source
    FROM p
    JOIN measures m ON m.measure = p.measure AND m.indicator IS NOT NULL
    JOIN s n ON n.region_code = p.region_code AND n.year = p.year AND n.reference_date = p.reference_date
            AND n.series = p.series AND n.measure = m.numerator AND n.definition IS NOT DISTINCT FROM p.definition
    JOIN s d ON d.region_code = p.region_code AND d.year = p.year AND d.reference_date = p.reference_date
            AND d.series = p.series AND d.measure = m.denominator AND d.definition IS NULL
    WHERE p.unit = 'pct' AND d.value > 0
),
x AS (SELECT * FROM count_rows UNION ALL SELECT * FROM rate_rows),
named AS (
    SELECT x.*,
           (SELECT string_agg(c || ' ' || coalesce(u.name_zh, ''), ', ' ORDER BY c)
            FROM unnest(x.missing) AS t(c) LEFT JOIN region_units u ON u.code = t.c AND u.year = x.year) AS missing_children
    FROM x
)
SELECT x.region_code, coalesce(g.name_zh, l.name_zh) AS region_name, x.year, x.reference_date, x.measure, x.series,
       x.definition, x.published_value, x.children_sum, x.published_value - x.children_sum AS difference,
       100 * (x.published_value - x.children_sum) / nullif(x.published_value, 0) AS difference_pct,
       x.tolerance, x.n_children, x.n_expected, x.missing_children,
       CASE WHEN x.children_sum IS NULL
            THEN 'incomplete: ' || x.n_children || ' of ' || x.n_expected || ' children; missing ' || x.missing_children
            WHEN abs(x.published_value - x.children_sum) <= x.tolerance THEN 'agrees within rounding'
            ELSE 'differs by more than rounding' END AS note,
       CASE WHEN x.children_sum IS NULL OR abs(x.published_value - x.children_sum) <= x.tolerance THEN NULL
            WHEN x.published_value < x.children_sum
            THEN 'the children sum to more than the published figure: check both'
            WHEN v.beyond_children_en IS NOT NULL
            THEN 'the published figure also counts ' || v.beyond_children_en || ' (coverage of ' || v.name_en || ')'
            ELSE 'published for the region but for none of its children (e.g. areas that belong to no lower unit, '
                 || 'such as development zones)' END AS explanation,
       x.children_coverage, x.source
FROM named x
LEFT JOIN region_units g ON g.code = x.region_code AND g.year = x.year
LEFT JOIN region_labels l ON l.code = x.region_code
LEFT JOIN coverage v ON v.region_code = x.region_code AND v.coverage IS NULL;
