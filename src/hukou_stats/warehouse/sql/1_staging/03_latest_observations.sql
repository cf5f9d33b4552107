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

COMMENT ON VIEW latest_observations IS 'One value per region, year, reference date, measure and basis: the latest release (unknown release dates rank last), then the most precise, then by source name. The current state of knowledge that counts and rates start from. With the variable hukou_release_pick = ''first'' the first release instead; with hukou_release_as_of = a timestamp only releases up to that date (unknown release dates excluded).';
COMMENT ON COLUMN latest_observations.region_code IS 'GB/T 2260 region code.';
COMMENT ON COLUMN latest_observations.year IS 'Reference year.';
COMMENT ON COLUMN latest_observations.reference_date IS 'Point date: 31 December, or 1 November for census-type series.';
COMMENT ON COLUMN latest_observations.measure IS 'Measure (see observations.measure).';
COMMENT ON COLUMN latest_observations.series IS 'Statistical series.';
COMMENT ON COLUMN latest_observations.definition IS 'Definition of urban for hukou figures; NULL where not applicable.';
COMMENT ON COLUMN latest_observations.value IS 'Value in canonical units (persons or percent).';
COMMENT ON COLUMN latest_observations.unit IS 'persons or pct.';
COMMENT ON COLUMN latest_observations.decimals IS 'Decimals as published.';
COMMENT ON COLUMN latest_observations.precision IS 'Half a unit of the last published digit, in canonical units.';
COMMENT ON COLUMN latest_observations.release_date IS 'Release date (end of the period given in published); NULL if unknown.';
COMMENT ON COLUMN latest_observations.published IS 'Release as given by the source.';
COMMENT ON COLUMN latest_observations.source IS 'Source publication.';
