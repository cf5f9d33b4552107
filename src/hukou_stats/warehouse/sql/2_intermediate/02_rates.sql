-- rates: both urbanization rates, long, one row per region, year, indicator and basis, on the region's own coverage.
-- rates_as_of(date[, pick := 'first']): the same for the data as known on a date, for every coverage.
-- A rate is its numerator over its denominator (table measures): 100 x resident_urban / resident_total is the
-- resident rate, 100 x hukou_urban / hukou_total the hukou rate; a share with another denominator (非农业户口人口比重,
-- residents holding a non-agricultural hukou over the resident population) is no urbanization rate and is not here.
CREATE OR REPLACE MACRO rates_as_of(as_of, pick := 'latest') AS TABLE
WITH pop AS MATERIALIZED (
    SELECT * FROM population_for(as_of, pick := pick)
),
computed AS (
    SELECT n.region_code, n.year, n.reference_date, m.indicator, n.series, n.definition, n.coverage,
           100 * n.value / d.value AS value,
           n.value AS numerator, d.value AS denominator,
           -- what the rounding of the published counts allows the rate to differ by
           100 * n.value / d.value * (n.precision / greatest(n.value, 1) + d.precision / d.value) AS count_tolerance,
           CASE WHEN 'aggregated' IN (n.status, d.status) THEN 'aggregated'
                WHEN 'derived' IN (n.status, d.status) THEN 'derived'
                ELSE 'computed' END AS status,
           greatest(n.release_date, d.release_date) AS release_date,
           CASE WHEN n.release_date >= d.release_date OR d.release_date IS NULL THEN n.published ELSE d.published END AS published,
           CASE WHEN n.source = d.source THEN n.source ELSE n.source || ' / ' || d.source END AS source
    FROM measures m
    JOIN pop n ON n.measure = m.numerator
    JOIN pop d
      ON d.region_code = n.region_code AND d.year = n.year AND d.reference_date = n.reference_date
     AND d.series = n.series AND d.measure = m.denominator
     AND (d.definition IS NULL OR d.definition IS NOT DISTINCT FROM n.definition)
     AND d.coverage IS NOT DISTINCT FROM n.coverage
    WHERE m.indicator IS NOT NULL
      AND d.value > 0
      AND coalesce(n.derived_from, '') <> 'rate x total'   -- that count came from the published rate itself
),
published AS (
    SELECT l.region_code, l.year, l.reference_date, m.indicator, l.series, l.definition, l.coverage, l.value,
           l.decimals, l.release_date, l.published, l.source
    FROM latest_observations_as_of(as_of, pick := pick) l
    JOIN measures m ON m.measure = l.measure
    WHERE m.indicator IS NOT NULL
)
SELECT
    coalesce(c.region_code, p.region_code) AS region_code,
    coalesce(c.year, p.year) AS year,
    coalesce(c.reference_date, p.reference_date) AS reference_date,
    coalesce(c.indicator, p.indicator) AS indicator,
    coalesce(c.series, p.series) AS series,
    coalesce(c.definition, p.definition) AS definition,
    coalesce(c.series, p.series) || coalesce('/' || coalesce(c.definition, p.definition), '') AS basis,
    coalesce(c.coverage, p.coverage) AS coverage,
    coalesce(c.value, p.value) AS value,
    c.numerator,
    c.denominator,
    coalesce(c.status, 'published') AS status,
    p.value AS published_value,
    p.decimals AS published_decimals,
    CASE WHEN c.value IS NOT NULL AND p.value IS NOT NULL
         THEN abs(c.value - p.value) <= 0.5 * pow(10, -p.decimals) + c.count_tolerance + 1e-9 END AS matches_published,
    CASE WHEN c.value IS NOT NULL THEN c.release_date ELSE p.release_date END AS release_date,
    CASE WHEN c.value IS NOT NULL THEN c.published ELSE p.published END AS published,
    coalesce(p.source, c.source) AS source,
    c.source AS counts_source
FROM computed c
FULL OUTER JOIN published p
  ON p.region_code = c.region_code AND p.year = c.year AND p.reference_date = c.reference_date
 AND p.indicator = c.indicator AND p.series = c.series AND p.definition IS NOT DISTINCT FROM c.definition
 AND p.coverage IS NOT DISTINCT FROM c.coverage;

-- rates_latest: rates_as_of for the latest release, computed once by the build and stored; rates_for(date, pick)
-- reads it for the latest release and computes any other.
CREATE TABLE rates_latest AS SELECT * FROM rates_as_of(NULL, pick := 'latest');

CREATE OR REPLACE MACRO rates_for(as_of, pick := 'latest') AS TABLE
SELECT * FROM rates_latest WHERE as_of IS NULL AND coalesce(pick, 'latest') = 'latest'
UNION ALL BY NAME
SELECT * FROM rates_as_of(as_of, pick := pick) WHERE NOT (as_of IS NULL AND coalesce(pick, 'latest') = 'latest');

CREATE OR REPLACE VIEW rates AS
SELECT * EXCLUDE (coverage)
FROM rates_for(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'))
WHERE coverage IS NULL;
