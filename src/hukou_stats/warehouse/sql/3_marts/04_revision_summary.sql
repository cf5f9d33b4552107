-- revision_summary: per region and measure, the mean and mean absolute revision from the first to
-- the latest release, over the reference years that were revised at least once (n_releases >= 2).
CREATE OR REPLACE VIEW revision_summary AS
SELECT region_code, any_value(region_name) AS region_name, measure, any_value(unit) AS unit,
       count(*) AS n_years,
       avg(revision_from_first) AS mean_revision,
       avg(abs(revision_from_first)) AS mean_abs_revision,
       min(year) AS first_year, max(year) AS last_year
FROM revisions
WHERE n_releases >= 2 AND release_number = n_releases AND coverage IS NULL
GROUP BY region_code, measure;
