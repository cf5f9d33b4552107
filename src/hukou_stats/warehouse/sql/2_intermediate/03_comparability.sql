-- comparability: the definition breaks (table definition_breaks) for every region they apply to (the
-- region itself and, where descendants = yes, every region below it in the registry), with the bridge
-- where one exists: a year measured under both definitions (supplied as data: figures of that year
-- under each definition), giving the level shift between the two.
-- A comparison of an indicator of a region between years y1 < y2 crosses a break when
-- y1 < break_year <= y2. Rule (also hukou_stats.comparability.breaks_between, for other modules):
-- no bridge -> not compared; bridge -> compared on the new definition, the old value shifted by
-- bridge_shift_pp, and flagged.
CREATE OR REPLACE VIEW comparability AS
WITH RECURSIVE scope(region_code, break_region) AS (
    SELECT b.region_code, b.region_code FROM definition_breaks b
    UNION
    SELECT r.code, s.break_region
    FROM scope s
    JOIN regions r ON r.parent_code = s.region_code
    JOIN definition_breaks b ON b.region_code = s.break_region AND b.descendants
),
rv AS (
    SELECT region_code, year, indicator, definition, coalesce(published_value, value) AS v
    FROM rates
    QUALIFY row_number() OVER (PARTITION BY region_code, year, indicator, definition
                               ORDER BY release_date DESC NULLS LAST, series) = 1
),
expanded AS (
    SELECT s.region_code, b.region_code AS declared_for, b.indicator, b.break_year,
           b.definition_before, b.definition_after, b.note
    FROM scope s JOIN definition_breaks b ON b.region_code = s.break_region
),
bridged AS (
    SELECT e.*, o.year AS bridge_year, n.v - o.v AS bridge_shift_pp
    FROM expanded e
    LEFT JOIN rv o ON o.region_code = e.region_code AND o.indicator = e.indicator AND o.definition = e.definition_before
    LEFT JOIN rv n ON n.region_code = e.region_code AND n.indicator = e.indicator AND n.definition = e.definition_after
                  AND n.year = o.year
    QUALIFY row_number() OVER (PARTITION BY e.region_code, e.indicator, e.break_year
                               ORDER BY (n.v IS NOT NULL) DESC, abs(o.year - e.break_year)) = 1
)
SELECT region_code, declared_for, indicator, break_year, definition_before, definition_after,
       CASE WHEN bridge_shift_pp IS NOT NULL THEN bridge_year END AS bridge_year,
       bridge_shift_pp, note
FROM bridged;

COMMENT ON VIEW comparability IS 'Definition breaks per region (from table definition_breaks, spread to descendants), with the bridge year and level shift where the same year was measured under both definitions. A change between y1 < y2 crosses a break when y1 < break_year <= y2: not compared without a bridge; with one, compared on the new definition and flagged. Used by urbanization_changes; for Python, hukou_stats.comparability.breaks_between.';
COMMENT ON COLUMN comparability.region_code IS 'Region the break applies to.';
COMMENT ON COLUMN comparability.declared_for IS 'Region the break is declared for in definition_breaks (an ancestor, or the region itself).';
COMMENT ON COLUMN comparability.indicator IS 'Indicator affected (hukou_rate_pct, resident_rate_pct); the gap is affected by either.';
COMMENT ON COLUMN comparability.break_year IS 'First year under the new definition.';
COMMENT ON COLUMN comparability.definition_before IS 'Definition up to break_year - 1.';
COMMENT ON COLUMN comparability.definition_after IS 'Definition from break_year.';
COMMENT ON COLUMN comparability.bridge_year IS 'A year with figures under both definitions (NULL: no bridge, changes across the break are not computed).';
COMMENT ON COLUMN comparability.bridge_shift_pp IS 'Rate under the new definition minus the rate under the old one in the bridge year, points.';
COMMENT ON COLUMN comparability.note IS 'Description of the break (definition_breaks.note).';
