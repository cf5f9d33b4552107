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
