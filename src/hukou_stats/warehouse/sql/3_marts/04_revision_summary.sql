-- revision_summary: per region and measure, the mean and mean absolute revision from the first to
-- the latest release, over the reference years that were revised at least once (n_releases >= 2).
CREATE OR REPLACE VIEW revision_summary AS
SELECT region_code, any_value(region_name) AS region_name, measure, any_value(unit) AS unit,
       count(*) AS n_years,
       avg(revision_from_first) AS mean_revision,
       avg(abs(revision_from_first)) AS mean_abs_revision,
       min(year) AS first_year, max(year) AS last_year
FROM revisions
WHERE n_releases >= 2 AND release_number = n_releases
GROUP BY region_code, measure;

COMMENT ON VIEW revision_summary IS 'Summary revision statistics per region and measure: mean revision and mean absolute revision, latest release minus first release, over the figures released at least twice.';
COMMENT ON COLUMN revision_summary.region_code IS 'GB/T 2260 region code.';
COMMENT ON COLUMN revision_summary.region_name IS 'Chinese name.';
COMMENT ON COLUMN revision_summary.measure IS 'Measure as published.';
COMMENT ON COLUMN revision_summary.unit IS 'persons or pct (revisions in persons or percentage points).';
COMMENT ON COLUMN revision_summary.n_years IS 'Number of figures (reference year and point date) with at least two releases.';
COMMENT ON COLUMN revision_summary.mean_revision IS 'Mean of (latest minus first release); negative = revised down.';
COMMENT ON COLUMN revision_summary.mean_abs_revision IS 'Mean of |latest minus first release|.';
COMMENT ON COLUMN revision_summary.first_year IS 'Earliest reference year revised.';
COMMENT ON COLUMN revision_summary.last_year IS 'Latest reference year revised.';
