-- comparability: the definition breaks (table definition_breaks) for every region with rates they apply to (the
-- region itself and, where descendants = yes, every region below it in the code history: the break of 000000
-- applies nationwide), the region's own declaration before an ancestor's, with the bridge
-- where one exists: a year measured under both definitions (supplied as data: figures of that year
-- under each definition), giving the level shift between the two.
-- A comparison of an indicator of a region between years y1 < y2 crosses a break when
-- y1 < break_year <= y2. Rule:
-- no bridge -> not compared; bridge -> compared on the new definition, the old value shifted by
-- bridge_shift_pp, and flagged.
CREATE OR REPLACE VIEW comparability AS
WITH RECURSIVE tree AS (SELECT DISTINCT code, parent_code FROM regions),
scope(region_code, break_region, depth) AS (
    SELECT b.region_code, b.region_code, 0 FROM definition_breaks b
    UNION
    SELECT r.code, s.break_region, s.depth + 1
    FROM scope s
    JOIN tree r ON r.parent_code = s.region_code
    JOIN definition_breaks b ON b.region_code = s.break_region AND b.descendants
),
rv AS (
    SELECT region_code, year, indicator, definition, coalesce(published_value, value) AS v
    FROM rates
    QUALIFY row_number() OVER (PARTITION BY region_code, year, indicator, definition
                               ORDER BY release_date DESC NULLS LAST, series) = 1
),
expanded AS (  -- the nearest declaration for each region and indicator: its own, else its nearest ancestor's
    SELECT s.region_code, b.region_code AS declared_for, b.indicator, b.break_year,
           b.definition_before, b.definition_after, b.note
    FROM scope s JOIN definition_breaks b ON b.region_code = s.break_region
    WHERE s.region_code IN (SELECT region_code FROM rv)
    QUALIFY rank() OVER (PARTITION BY s.region_code, b.indicator ORDER BY s.depth) = 1
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
