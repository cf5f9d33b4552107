-- comparable_rates: both rates on the boundaries chosen by hukou_boundaries (see comparable_counts):
-- computed from comparable counts of one basis and one point date (summed counts, never averaged
-- rates); a published rate is kept only where the region's territory is the one it was published for
-- (not crosswalked), since rates of pieces cannot be added.
CREATE OR REPLACE VIEW comparable_rates AS
WITH computed AS (
    SELECT n.region_code, n.year, n.reference_date, m.indicator, n.series, n.definition,
           100 * n.value / d.value AS value,
           CASE WHEN 'not available' IN (n.boundary_status, d.boundary_status) THEN 'not available'
                WHEN 'crosswalked' IN (n.boundary_status, d.boundary_status) THEN 'crosswalked'
                ELSE 'as published' END AS boundary_status,
           nullif(concat_ws('; ', n.boundary_note, CASE WHEN d.boundary_note IS DISTINCT FROM n.boundary_note
                                                        THEN d.boundary_note END), '') AS boundary_note,
           'computed' AS rate_from
    FROM measures m
    JOIN comparable_counts n ON n.measure = m.numerator
    JOIN comparable_counts d
      ON d.region_code = n.region_code AND d.year = n.year AND d.reference_date = n.reference_date
     AND d.series = n.series AND d.measure = m.denominator
    WHERE m.indicator IS NOT NULL
),
published AS (
    -- a published rate moves only as a whole unit that is the only piece of its new region (rename, upgrade)
    SELECT coalesce(b.to_code, p.region_code) AS region_code, p.year, p.reference_date, m.indicator,
           p.series, p.definition, p.value,
           CASE WHEN b.to_code IS NULL OR b.to_code = p.region_code THEN 'as published' ELSE 'crosswalked' END AS boundary_status,
           CASE WHEN b.to_code <> p.region_code THEN 'published for ' || p.region_code || ', the same territory' END AS boundary_note,
           'published' AS rate_from
    FROM latest_observations p
    JOIN measures m ON m.measure = p.measure AND m.indicator IS NOT NULL
    LEFT JOIN boundary_map b
      ON coalesce(getvariable('hukou_boundaries'), 'current') = 'current'
     AND b.from_code = p.region_code
     AND (b.period_start IS NULL OR p.reference_date >= b.period_start) AND p.reference_date < b.period_end
    WHERE p.unit = 'pct' AND p.coverage IS NULL
      AND (b.from_code IS NULL
           OR (b.weight = 1 AND NOT EXISTS (SELECT 1 FROM boundary_map o WHERE o.to_code = b.to_code
                                             AND o.period_end = b.period_end AND o.from_code <> b.from_code)))
)
SELECT * FROM published
UNION ALL
SELECT * FROM computed c
WHERE NOT EXISTS (SELECT 1 FROM published p WHERE p.region_code = c.region_code AND p.year = c.year
                    AND p.indicator = c.indicator AND p.series = c.series
                    AND p.definition IS NOT DISTINCT FROM c.definition AND p.reference_date = c.reference_date);
