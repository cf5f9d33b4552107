-- revisions: every release (vintage) of every published figure, with its revision against the first
-- release of the same figure (region, measure, reference year, point date and coverage, any series): the cells
-- of a revision triangle (reference year x release). Releases after hukou_release_as_of are left out,
-- so the triangle can be drawn as it stood on a date. Several figures of one release (two sources,
-- two precisions) count once: the most precise, then by source name. A second publication that differs from the
-- first (view second_publications) and a figure of another coverage (the sum of the provinces beside the national
-- figure) are other figures, not revisions.
CREATE OR REPLACE VIEW revisions AS
WITH one_per_release AS (
    SELECT p.region_code, coalesce(l.name_zh, p.region_name) AS region_name, p.measure, p.year, p.reference_date,
           p.coverage, p.release_date, p.published, p.series, p.definition, p.value, p.unit, p.decimals, p.source
    FROM publications_as_of(getvariable('hukou_release_as_of')) p
    LEFT JOIN region_labels l ON l.code = p.region_code
    WHERE p.release_date IS NOT NULL AND NOT p.second_publication
    QUALIFY row_number() OVER (PARTITION BY p.region_code, p.measure, p.year, p.reference_date,
                                            p.definition, p.coverage, p.release_date
                               ORDER BY p.precision, p.source) = 1
)
SELECT region_code, region_name, measure, year, reference_date, definition, coverage, release_date, published,
       series, value, unit, decimals, source,
       row_number() OVER w AS release_number,
       count(*) OVER (PARTITION BY region_code, measure, year, reference_date, definition, coverage) AS n_releases,
       first_value(value) OVER w AS first_value,
       value - first_value(value) OVER w AS revision_from_first,
       value - lag(value) OVER w AS revision_from_previous
FROM one_per_release
WINDOW w AS (PARTITION BY region_code, measure, year, reference_date, definition, coverage ORDER BY release_date);
