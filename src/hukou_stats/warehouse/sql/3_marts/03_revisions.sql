-- revisions: every release (vintage) of every published figure, with its revision against the first
-- release of the same figure (region, measure, reference year and point date, any series): the cells
-- of a revision triangle (reference year x release). Releases after hukou_release_as_of are left out,
-- so the triangle can be drawn as it stood on a date. Several figures of one release (two sources,
-- two precisions) count once: the most precise, then by source name.
CREATE OR REPLACE VIEW revisions AS
WITH one_per_release AS (
    SELECT o.region_code, o.region_name, o.measure, o.year, o.reference_date, o.release_date, o.published,
           o.series, o.definition, o.value, o.unit, o.decimals, o.source
    FROM observations o
    WHERE o.release_date IS NOT NULL
      AND (getvariable('hukou_release_as_of') IS NULL OR o.release_date <= getvariable('hukou_release_as_of'))
    QUALIFY row_number() OVER (PARTITION BY o.region_code, o.measure, o.year, o.reference_date,
                                            o.definition, o.release_date
                               ORDER BY o.precision, o.source) = 1
)
SELECT region_code, region_name, measure, year, reference_date, definition, release_date, published, series,
       value, unit, decimals, source,
       row_number() OVER w AS release_number,
       count(*) OVER (PARTITION BY region_code, measure, year, reference_date, definition) AS n_releases,
       first_value(value) OVER w AS first_value,
       value - first_value(value) OVER w AS revision_from_first,
       value - lag(value) OVER w AS revision_from_previous
FROM one_per_release
WINDOW w AS (PARTITION BY region_code, measure, year, reference_date, definition ORDER BY release_date);

COMMENT ON VIEW revisions IS 'Revision triangle in long form: one row per published figure and release (vintage), with its revision against the first release of the same figure (same region, measure, reference year, point date and definition). Figures without a release date are left out; releases after the variable hukou_release_as_of too.';
COMMENT ON COLUMN revisions.region_code IS 'GB/T 2260 region code.';
COMMENT ON COLUMN revisions.region_name IS 'Chinese name (registry, or as published).';
COMMENT ON COLUMN revisions.measure IS 'Measure as published (resident_urban_rate_pct, resident_total, ...).';
COMMENT ON COLUMN revisions.year IS 'Reference year (row of the triangle).';
COMMENT ON COLUMN revisions.reference_date IS 'Point date: a census figure (1 November) is a different figure from the year-end one, not a revision of it.';
COMMENT ON COLUMN revisions.definition IS 'Definition of urban for hukou figures; figures under two definitions are not revisions of each other.';
COMMENT ON COLUMN revisions.release_date IS 'Release date (column of the triangle).';
COMMENT ON COLUMN revisions.published IS 'Release as given by the source.';
COMMENT ON COLUMN revisions.series IS 'Series of the figure in this release (first_release, census_revised, ...).';
COMMENT ON COLUMN revisions.value IS 'Value in canonical units (persons or percent).';
COMMENT ON COLUMN revisions.unit IS 'persons or pct.';
COMMENT ON COLUMN revisions.decimals IS 'Decimals as published.';
COMMENT ON COLUMN revisions.source IS 'Source publication.';
COMMENT ON COLUMN revisions.release_number IS '1 = first release, 2 = second, ...';
COMMENT ON COLUMN revisions.n_releases IS 'How many releases of this figure there are (up to the as-of date).';
COMMENT ON COLUMN revisions.first_value IS 'Value in the first release.';
COMMENT ON COLUMN revisions.revision_from_first IS 'Value minus the first-release value (points for rates, persons for counts).';
COMMENT ON COLUMN revisions.revision_from_previous IS 'Value minus the value of the previous release.';
