-- counts: one value per region, year, reference date, measure and basis, from the latest release;
-- completed by derived counts and by sums of children where every child is present.
-- population_as_of(date[, pick := 'first']) is this view as it was known on a date (release dates up to it);
-- the view counts follows the release chosen by the variables (see latest_observations).
CREATE OR REPLACE MACRO population_as_of(as_of, pick := 'latest') AS TABLE
WITH published AS (
    SELECT region_code, year, reference_date, measure, series, definition, value, precision,
           'published' AS status, CAST(NULL AS VARCHAR) AS derived_from, 0 AS n_children,
           release_date, published, source
    FROM latest_observations_as_of(as_of, pick := pick)
    WHERE unit = 'persons'
),
published_rates AS (
    SELECT * FROM latest_observations_as_of(as_of, pick := pick) WHERE unit = 'pct'
),
-- urban = rate x total, where a source published only the rate and the total
urban_from_rate AS (
    SELECT t.region_code, t.year, t.reference_date,
           replace(r.measure, '_rate_pct', '') AS measure, t.series, r.definition,
           r.value * t.value / 100 AS value,
           t.value * 0.5 * pow(10, -r.decimals) / 100 + r.value / 100 * t.precision AS precision,
           'derived' AS status, 'rate x total' AS derived_from, 0 AS n_children,
           greatest(t.release_date, r.release_date) AS release_date,
           CASE WHEN r.release_date >= t.release_date OR t.release_date IS NULL THEN r.published ELSE t.published END AS published,
           r.source AS source
    FROM published_rates r
    JOIN published t
      ON t.region_code = r.region_code AND t.year = r.year AND t.reference_date = r.reference_date
     AND t.series = r.series AND t.definition IS NULL
     AND t.measure = replace(r.measure, '_urban_rate_pct', '_total')
    WHERE NOT EXISTS (
        SELECT 1 FROM published u
        WHERE u.region_code = r.region_code AND u.year = r.year AND u.reference_date = r.reference_date
          AND u.series = r.series AND u.measure = replace(r.measure, '_rate_pct', '')
          AND u.definition IS NOT DISTINCT FROM r.definition)
),
-- hukou total = urban + rural, where the total itself was not published
total_from_parts AS (
    SELECT u.region_code, u.year, u.reference_date, 'hukou_total' AS measure, u.series,
           CAST(NULL AS VARCHAR) AS definition, u.value + r.value AS value, u.precision + r.precision AS precision,
           'derived' AS status, 'urban + rural' AS derived_from, 0 AS n_children,
           greatest(u.release_date, r.release_date) AS release_date,
           CASE WHEN u.release_date >= r.release_date OR r.release_date IS NULL THEN u.published ELSE r.published END AS published,
           u.source
    FROM published u
    JOIN published r
      ON r.region_code = u.region_code AND r.year = u.year AND r.reference_date = u.reference_date
     AND r.series = u.series AND r.definition IS NOT DISTINCT FROM u.definition AND r.measure = 'hukou_rural'
    WHERE u.measure = 'hukou_urban'
      AND NOT EXISTS (
        SELECT 1 FROM published t
        WHERE t.region_code = u.region_code AND t.year = u.year AND t.reference_date = u.reference_date
          AND t.series = u.series AND t.measure = 'hukou_total')
),
base AS (
    SELECT * FROM published
    UNION ALL SELECT * FROM urban_from_rate
    UNION ALL SELECT * FROM total_from_parts
),
-- children expected under each ancestor at each depth, on each reference date
expected AS (
    SELECT k.ancestor_code, k.depth, k.reference_date, count(*) AS n_expected
    FROM (SELECT DISTINCT t.ancestor_code, t.depth, b.reference_date
          FROM base b JOIN region_tree t ON t.descendant_code = b.region_code) k
    JOIN region_tree t2
      ON t2.ancestor_code = k.ancestor_code AND t2.depth = k.depth
     AND (t2.valid_from IS NULL OR t2.valid_from <= k.reference_date)
     AND (t2.valid_to IS NULL OR t2.valid_to >= k.reference_date)
    GROUP BY ALL
),
sums AS (
    SELECT t.ancestor_code AS region_code, b.year, b.reference_date, b.measure, b.series, b.definition,
           t.depth, sum(b.value) AS value, sum(b.precision) AS precision,
           count(DISTINCT b.region_code) AS n_children, max(b.release_date) AS release_date,
           arg_max(b.published, b.release_date) AS published
    FROM base b
    JOIN region_tree t
      ON t.descendant_code = b.region_code
     AND (t.valid_from IS NULL OR t.valid_from <= b.reference_date)
     AND (t.valid_to IS NULL OR t.valid_to >= b.reference_date)
    GROUP BY ALL
),
aggregated AS (
    SELECT s.region_code, s.year, s.reference_date, s.measure, s.series, s.definition, s.value, s.precision,
           'aggregated' AS status, 'sum of ' || s.n_children || ' children (depth ' || s.depth || ')' AS derived_from,
           s.n_children, s.release_date, s.published, 'sum of children' AS source
    FROM sums s
    JOIN expected e
      ON e.ancestor_code = s.region_code AND e.depth = s.depth AND e.reference_date = s.reference_date
    WHERE s.n_children = e.n_expected
      AND NOT EXISTS (
        SELECT 1 FROM base b
        WHERE b.region_code = s.region_code AND b.year = s.year AND b.reference_date = s.reference_date
          AND b.measure = s.measure AND b.series = s.series AND b.definition IS NOT DISTINCT FROM s.definition)
    QUALIFY row_number() OVER (
        PARTITION BY s.region_code, s.year, s.reference_date, s.measure, s.series, s.definition
        ORDER BY s.depth) = 1
)
SELECT * FROM base
UNION ALL
SELECT * FROM aggregated;

CREATE OR REPLACE VIEW counts AS
SELECT * FROM population_as_of(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'));
