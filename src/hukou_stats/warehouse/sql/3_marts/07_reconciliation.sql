-- reconciliation: a published parent figure against the sum of its children, per region, year,
-- point date, measure and basis (counts), and the published parent rate against the rate from the
-- children's summed counts. Children are the regions whose parent is the region (registry, or the
-- GB/T 2260 structure for codes outside it) valid on the point date; a sum over an incomplete set of
-- children is shown with a note, never as a disagreement.
CREATE OR REPLACE VIEW reconciliation AS
WITH kids AS (
    SELECT k.code, k.parent_code, k.valid_from, k.valid_to FROM regions k WHERE k.parent_code IS NOT NULL
),
child_counts AS (
    SELECT c.*, k.parent_code
    FROM counts c
    JOIN kids k ON k.code = c.region_code
     AND (k.valid_from IS NULL OR k.valid_from <= c.reference_date)
     AND (k.valid_to IS NULL OR k.valid_to >= c.reference_date)
),
sums AS (
    SELECT parent_code AS region_code, year, reference_date, measure, series, definition,
           sum(value) AS children_sum, sum(precision) AS children_precision, count(DISTINCT region_code) AS n_children
    FROM child_counts GROUP BY ALL
),
expected AS (
    SELECT p.code AS region_code, d.reference_date, p.children_complete,
           count(k.code) FILTER (WHERE (k.valid_from IS NULL OR k.valid_from <= d.reference_date)
                                   AND (k.valid_to IS NULL OR k.valid_to >= d.reference_date)) AS n_expected
    FROM regions p
    CROSS JOIN (SELECT DISTINCT reference_date FROM counts) d
    LEFT JOIN kids k ON k.parent_code = p.code
    GROUP BY ALL
),
count_rows AS (
    SELECT p.region_code, p.year, p.reference_date, p.measure, p.series, p.definition,
           p.value AS published_value, s.children_sum, s.n_children, e.n_expected,
           p.precision + s.children_precision AS tolerance, e.children_complete, p.source
    FROM latest_observations p
    JOIN sums s ON s.region_code = p.region_code AND s.year = p.year AND s.reference_date = p.reference_date
               AND s.measure = p.measure AND s.series = p.series AND s.definition IS NOT DISTINCT FROM p.definition
    JOIN expected e ON e.region_code = p.region_code AND e.reference_date = p.reference_date
    WHERE p.unit = 'persons'
),
rate_rows AS (
    SELECT p.region_code, p.year, p.reference_date, p.measure, p.series, p.definition,
           p.value AS published_value, 100 * n.children_sum / d.children_sum AS children_sum,
           least(n.n_children, d.n_children) AS n_children, e.n_expected,
           0.5 * pow(10, -p.decimals)
             + 100 * n.children_sum / d.children_sum * (n.children_precision / greatest(n.children_sum, 1)
                                                        + d.children_precision / d.children_sum) AS tolerance,
           e.children_complete, p.source
    FROM latest_observations p
    JOIN sums n ON n.region_code = p.region_code AND n.year = p.year AND n.reference_date = p.reference_date
               AND n.series = p.series AND n.measure = replace(p.measure, '_rate_pct', '')
               AND n.definition IS NOT DISTINCT FROM p.definition
    JOIN sums d ON d.region_code = p.region_code AND d.year = p.year AND d.reference_date = p.reference_date
               AND d.series = p.series AND d.measure = replace(p.measure, '_urban_rate_pct', '_total')
    JOIN expected e ON e.region_code = p.region_code AND e.reference_date = p.reference_date
    WHERE p.unit = 'pct' AND n.n_children = d.n_children
)
SELECT x.region_code, g.name_zh AS region_name, x.year, x.reference_date, x.measure, x.series, x.definition,
       x.published_value, x.children_sum, x.published_value - x.children_sum AS difference,
       100 * (x.published_value - x.children_sum) / nullif(x.published_value, 0) AS difference_pct,
       x.tolerance, x.n_children, x.n_expected,
       CASE WHEN NOT x.children_complete THEN 'the registry does not list every child: the sum covers ' || x.n_children || ' known children'
            WHEN x.n_children < x.n_expected THEN 'incomplete: ' || x.n_children || ' of ' || x.n_expected || ' children'
            WHEN abs(x.published_value - x.children_sum) <= x.tolerance THEN 'agrees within rounding'
            ELSE 'differs by more than rounding' END AS note,
       x.source
FROM (SELECT * FROM count_rows UNION ALL SELECT * FROM rate_rows) x
LEFT JOIN regions g ON g.code = x.region_code;
