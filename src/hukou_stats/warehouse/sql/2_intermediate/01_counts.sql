-- figures_as_of(date[, pick]): the counts of persons that are published, or derived from published figures of one
-- basis and point date: numerator = rate x denominator where a source published only those (table measures), hukou
-- total = urban + rural. Every coverage (data/reference/coverage.csv); one value per region, year, reference date,
-- measure, basis and coverage, from the chosen release (view latest_observations).
CREATE OR REPLACE MACRO figures_as_of(as_of, pick := 'latest') AS TABLE
WITH latest AS MATERIALIZED (
    SELECT * FROM latest_observations_as_of(as_of, pick := pick)
),
published AS (
    SELECT region_code, year, reference_date, measure, series, definition, coverage, value, precision,
           'published' AS status, CAST(NULL AS VARCHAR) AS derived_from, 0 AS n_children,
           release_date, published, source
    FROM latest
    WHERE unit = 'persons'
),
from_rate AS (
    SELECT t.region_code, t.year, t.reference_date, m.numerator AS measure, t.series, r.definition, t.coverage,
           r.value * t.value / 100 AS value,
           t.value * 0.5 * pow(10, -r.decimals) / 100 + r.value / 100 * t.precision AS precision,
           'derived' AS status, 'rate x total' AS derived_from, 0 AS n_children,
           greatest(t.release_date, r.release_date) AS release_date,
           CASE WHEN r.release_date >= t.release_date OR t.release_date IS NULL THEN r.published ELSE t.published END AS published,
           r.source AS source
    FROM latest r
    JOIN measures m ON m.measure = r.measure AND m.kind = 'rate'
    JOIN published t
      ON t.region_code = r.region_code AND t.year = r.year AND t.reference_date = r.reference_date
     AND t.series = r.series AND t.definition IS NULL AND t.measure = m.denominator
     AND t.coverage IS NOT DISTINCT FROM r.coverage
    WHERE NOT EXISTS (
        SELECT 1 FROM published u
        WHERE u.region_code = r.region_code AND u.year = r.year AND u.reference_date = r.reference_date
          AND u.series = r.series AND u.measure = m.numerator
          AND u.definition IS NOT DISTINCT FROM r.definition AND u.coverage IS NOT DISTINCT FROM r.coverage)
),
total_from_parts AS (
    SELECT u.region_code, u.year, u.reference_date, 'hukou_total' AS measure, u.series,
           CAST(NULL AS VARCHAR) AS definition, u.coverage, u.value + r.value AS value,
           u.precision + r.precision AS precision,
           'derived' AS status, 'urban + rural' AS derived_from, 0 AS n_children,
           greatest(u.release_date, r.release_date) AS release_date,
           CASE WHEN u.release_date >= r.release_date OR r.release_date IS NULL THEN u.published ELSE r.published END AS published,
           u.source
    FROM published u
    JOIN published r
      ON r.region_code = u.region_code AND r.year = u.year AND r.reference_date = u.reference_date
     AND r.series = u.series AND r.definition IS NOT DISTINCT FROM u.definition AND r.measure = 'hukou_rural'
     AND r.coverage IS NOT DISTINCT FROM u.coverage
    WHERE u.measure = 'hukou_urban'
      AND NOT EXISTS (
        SELECT 1 FROM published t
        WHERE t.region_code = u.region_code AND t.year = u.year AND t.reference_date = u.reference_date
          AND t.series = u.series AND t.measure = 'hukou_total' AND t.coverage IS NOT DISTINCT FROM u.coverage)
)
SELECT * FROM published
UNION ALL SELECT * FROM from_rate
UNION ALL SELECT * FROM total_from_parts;

-- child_sums_as_of(date[, pick]): for every unit of a year's list that has children (region_children) and a
-- measure, basis and point date that any child has a figure for, the sum of its children, bottom up: a prefecture
-- from its counties; a province from its prefectures (their own figure where published, else their complete sum)
-- and the counties directly under it; China from the provinces. A sum is complete only when every child the
-- registry has under the unit that year has a figure of the same year, basis and point date; `missing` lists the
-- others. Only figures on the regions' own coverage are summed; the sum of China's provinces has coverage
-- provinces_31 (the national figure also counts the active military, who belong to no province: table coverage).
-- A figure under a code that ended the year before, all of whose territory went to one unit of the year's list, is
-- added to that unit's parent's sum as part of that unit where the same source publishes the unit too (census 2020:
-- 320611 港闸区 beside 320613 崇川区); a code in no list (an NBS statistical code) is never a child.
CREATE OR REPLACE MACRO child_sums_as_of(as_of, pick := 'latest') AS TABLE
WITH base AS MATERIALIZED (
    SELECT * FROM figures_as_of(as_of, pick := pick) WHERE coverage IS NULL
),
units AS MATERIALIZED (
    SELECT b.*, u.level, u.parent_code, pu.level AS parent_level
    FROM base b
    JOIN region_units u ON u.code = b.region_code AND u.year = b.year AND u.in_parent_totals
    JOIN region_units pu ON pu.code = u.parent_code AND pu.year = b.year
),
pieces AS MATERIALIZED (
    SELECT s.to_code AS region_code, b.year, b.reference_date, b.measure, b.series, b.definition, b.value,
           b.precision, b.release_date, b.published, b.source, u.parent_code, pu.level AS parent_level
    FROM base b
    JOIN code_successions s ON s.from_code = b.region_code AND s.year = b.year AND s.whole
    JOIN region_units u ON u.code = s.to_code AND u.year = b.year AND u.in_parent_totals
    JOIN region_units pu ON pu.code = u.parent_code AND pu.year = b.year
    WHERE NOT EXISTS (SELECT 1 FROM region_units v WHERE v.code = b.region_code AND v.year = b.year)
      AND EXISTS (SELECT 1 FROM base x
                  WHERE x.region_code = s.to_code AND x.year = b.year AND x.reference_date = b.reference_date
                    AND x.measure = b.measure AND x.series = b.series
                    AND x.definition IS NOT DISTINCT FROM b.definition AND x.source = b.source)
),
kids2 AS (
    SELECT parent_code, region_code, year, reference_date, measure, series, definition, value, precision,
           release_date, published, source
    FROM units WHERE parent_level = 2
    UNION ALL
    SELECT parent_code, region_code, year, reference_date, measure, series, definition, value, precision,
           release_date, published, source
    FROM pieces WHERE parent_level = 2
),
sums2 AS MATERIALIZED (
    SELECT parent_code AS region_code, year, reference_date, measure, series, definition,
           sum(value) AS value, sum(precision) AS precision, list(DISTINCT region_code) AS present,
           max(release_date) AS release_date, arg_max(published, release_date) AS published,
           string_agg(DISTINCT source, ' / ') AS sources
    FROM kids2 GROUP BY ALL
),
final2 AS (  -- prefectures: their own figure, else their complete sum
    SELECT region_code, year, reference_date, measure, series, definition, value, precision, release_date,
           published, source
    FROM units WHERE level = 2
    UNION ALL
    SELECT s.region_code, s.year, s.reference_date, s.measure, s.series, s.definition, s.value, s.precision,
           s.release_date, s.published, s.sources
    FROM sums2 s JOIN region_children c ON c.region_code = s.region_code AND c.year = s.year
    WHERE len(s.present) = c.n_children
      AND NOT EXISTS (SELECT 1 FROM units b WHERE b.region_code = s.region_code AND b.year = s.year
                        AND b.reference_date = s.reference_date AND b.measure = s.measure AND b.series = s.series
                        AND b.definition IS NOT DISTINCT FROM s.definition)
),
kids1 AS (
    SELECT u.parent_code, f.region_code, f.year, f.reference_date, f.measure, f.series, f.definition, f.value,
           f.precision, f.release_date, f.published, f.source
    FROM final2 f JOIN region_units u ON u.code = f.region_code AND u.year = f.year AND u.in_parent_totals
    UNION ALL
    SELECT parent_code, region_code, year, reference_date, measure, series, definition, value, precision,
           release_date, published, source
    FROM units WHERE parent_level = 1 AND level = 3
    UNION ALL
    SELECT parent_code, region_code, year, reference_date, measure, series, definition, value, precision,
           release_date, published, source
    FROM pieces WHERE parent_level = 1
),
sums1 AS MATERIALIZED (
    SELECT parent_code AS region_code, year, reference_date, measure, series, definition,
           sum(value) AS value, sum(precision) AS precision, list(DISTINCT region_code) AS present,
           max(release_date) AS release_date, arg_max(published, release_date) AS published,
           string_agg(DISTINCT source, ' / ') AS sources
    FROM kids1 GROUP BY ALL
),
final1 AS (  -- provinces: their own figure, else their complete sum
    SELECT region_code, year, reference_date, measure, series, definition, value, precision, release_date,
           published, source
    FROM units WHERE level = 1
    UNION ALL
    SELECT s.region_code, s.year, s.reference_date, s.measure, s.series, s.definition, s.value, s.precision,
           s.release_date, s.published, s.sources
    FROM sums1 s JOIN region_children c ON c.region_code = s.region_code AND c.year = s.year
    WHERE len(s.present) = c.n_children
      AND NOT EXISTS (SELECT 1 FROM units b WHERE b.region_code = s.region_code AND b.year = s.year
                        AND b.reference_date = s.reference_date AND b.measure = s.measure AND b.series = s.series
                        AND b.definition IS NOT DISTINCT FROM s.definition)
),
sums0 AS (
    SELECT '000000' AS region_code, year, reference_date, measure, series, definition,
           sum(value) AS value, sum(precision) AS precision, list(DISTINCT region_code) AS present,
           max(release_date) AS release_date, arg_max(published, release_date) AS published,
           string_agg(DISTINCT source, ' / ') AS sources
    FROM final1 f
    WHERE EXISTS (SELECT 1 FROM region_units u WHERE u.code = f.region_code AND u.year = f.year
                    AND u.in_parent_totals AND u.parent_code = '000000')
    GROUP BY ALL
),
sums AS (
    SELECT * FROM sums2 UNION ALL SELECT * FROM sums1 UNION ALL SELECT * FROM sums0
)
SELECT s.region_code, s.year, s.reference_date, s.measure, s.series, s.definition,
       (SELECT v.coverage FROM coverage v WHERE v.region_code = s.region_code AND v.children_sum LIMIT 1) AS coverage,
       s.value, s.precision, len(s.present) AS n_children, c.n_children AS n_expected,
       len(s.present) = c.n_children AS complete,
       list_filter(c.children, lambda x: NOT list_contains(s.present, x)) AS missing,
       s.release_date, s.published, s.sources AS source
FROM sums s
JOIN region_children c ON c.region_code = s.region_code AND c.year = s.year;

-- counts: one value per region, year, reference date, measure and basis, on the region's own coverage: the latest
-- release of a published count; else derived (figures_as_of); else the sum of the children where every child the
-- registry has under the region that year is present for that year, basis and point date (child_sums_as_of).
-- population_as_of(date[, pick := 'first']) is the same for the data as known on a date, for every coverage.
CREATE OR REPLACE MACRO population_as_of(as_of, pick := 'latest') AS TABLE
WITH base AS MATERIALIZED (
    SELECT * FROM figures_as_of(as_of, pick := pick)
)
SELECT * FROM base
UNION ALL
SELECT s.region_code, s.year, s.reference_date, s.measure, s.series, s.definition, s.coverage, s.value, s.precision,
       'aggregated' AS status, 'sum of ' || s.n_children || ' children' AS derived_from, s.n_children,
       s.release_date, s.published, 'sum of children (' || s.source || ')' AS source
FROM child_sums_as_of(as_of, pick := pick) s
WHERE s.complete
  AND NOT EXISTS (
    SELECT 1 FROM base b
    WHERE b.region_code = s.region_code AND b.year = s.year AND b.reference_date = s.reference_date
      AND b.measure = s.measure AND b.series = s.series AND b.definition IS NOT DISTINCT FROM s.definition
      AND b.coverage IS NOT DISTINCT FROM s.coverage);

-- population_latest: population_as_of for the latest release (the default), computed once by the build and
-- stored; population_for(date, pick) reads it for the latest release and computes any other (the analysts'
-- macro population_as_of is the same for every release).
CREATE TABLE population_latest AS SELECT * FROM population_as_of(NULL, pick := 'latest');

CREATE OR REPLACE MACRO population_for(as_of, pick := 'latest') AS TABLE
SELECT * FROM population_latest WHERE as_of IS NULL AND coalesce(pick, 'latest') = 'latest'
UNION ALL BY NAME
SELECT * FROM population_as_of(as_of, pick := pick) WHERE NOT (as_of IS NULL AND coalesce(pick, 'latest') = 'latest');

CREATE OR REPLACE VIEW counts AS
SELECT * EXCLUDE (coverage)
FROM population_for(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'))
WHERE coverage IS NULL;
