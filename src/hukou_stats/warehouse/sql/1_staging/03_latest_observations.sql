-- latest_observations: for each figure (region, year, reference date, measure, series, definition),
-- the one from the chosen release; ties go to the most precise, then to the source name.
-- The release is chosen by two variables (set by hukou_stats.releases.apply_release, or by hand):
--   SET VARIABLE hukou_release_pick = 'first';            -- first release instead of latest
--   SET VARIABLE hukou_release_as_of = TIMESTAMP '2020-06-30';  -- data as known on that date
-- Unset, the view gives the latest release of everything.
-- The same as a table macro, for any date and pick: latest_observations_as_of(DATE '2020-06-30', 'latest').
CREATE OR REPLACE MACRO latest_observations_as_of(as_of, pick := 'latest') AS TABLE
SELECT region_code, year, reference_date, measure, series, definition, value, unit, decimals, precision,
       release_date, published, source
FROM stored_observations
WHERE as_of IS NULL
   OR release_date <= as_of
QUALIFY row_number() OVER (
    PARTITION BY region_code, year, reference_date, measure, series, definition
    ORDER BY CASE WHEN pick = 'first' THEN epoch(release_date)
                  ELSE -epoch(release_date) END NULLS LAST,
             precision, source) = 1;

CREATE OR REPLACE VIEW latest_observations AS
SELECT * FROM latest_observations_as_of(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'));
