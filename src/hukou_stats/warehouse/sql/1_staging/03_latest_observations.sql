-- publications_as_of(date): every stored figure released by the date (all, when NULL), with the first publication
-- of the same figure (region, year, reference date, measure, series, definition, coverage): the earliest release
-- (unknown release dates count as the earliest), then the most precise, then by source name. A figure from another
-- source that differs from that first publication by more than the rounding of both is a second publication
-- (second_publication): not a revision (revisions come as their own series, see table series) and never in the
-- place of the first; the validation check second_publication_differs names both sources.
CREATE OR REPLACE MACRO publications_as_of(as_of) AS TABLE
WITH p AS (
    SELECT * FROM stored_observations WHERE as_of IS NULL OR release_date <= as_of
),
a AS (
    SELECT p.*,
           first_value(value) OVER w AS first_published_value,
           first_value(precision) OVER w AS first_published_precision,
           first_value(source) OVER w AS first_published_source
    FROM p
    WINDOW w AS (PARTITION BY region_code, year, reference_date, measure, series, definition, coverage
                 ORDER BY release_date ASC NULLS FIRST, precision, source)
)
SELECT a.*, (source <> first_published_source AND abs(value - first_published_value) > precision + first_published_precision + 1e-9)
       AS second_publication
FROM a;

-- latest_observations: for each figure (region, year, reference date, measure, series, definition, coverage), the
-- one from the chosen release among its publications (second publications left out). The latest: the most precise
-- publication (a yearbook's persons before a bulletin's 万人), then the source that published the figure first (a
-- reprint by another source never takes its place), then the latest release; the first: the earliest release.
-- Remaining ties go to the source name. The release is chosen by two variables (set by hukou_stats.releases.apply_release, or by
-- hand):
--   SET VARIABLE hukou_release_pick = 'first';            -- first release instead of latest
--   SET VARIABLE hukou_release_as_of = TIMESTAMP '2020-06-30';  -- data as known on that date
-- Unset, the view gives the latest release of everything.
-- The same as a table macro, for any date and pick: latest_observations_as_of(DATE '2020-06-30', 'latest').
CREATE OR REPLACE MACRO latest_observations_as_of(as_of, pick := 'latest') AS TABLE
SELECT region_code, year, reference_date, measure, series, definition, coverage, value, unit, decimals, precision,
       release_date, published, source
FROM publications_as_of(as_of)
WHERE NOT second_publication
QUALIFY row_number() OVER (
    PARTITION BY region_code, year, reference_date, measure, series, definition, coverage
    ORDER BY CASE WHEN pick = 'first' THEN epoch(release_date) END NULLS LAST,
             precision,
             source <> first_published_source,
             -epoch(release_date) NULLS LAST,
             source) = 1;

CREATE OR REPLACE VIEW latest_observations AS
SELECT * FROM latest_observations_as_of(getvariable('hukou_release_as_of'), pick := getvariable('hukou_release_pick'));

-- second_publications: figures another source published differently (beyond the rounding of both) after the first
-- publication of the same figure, beside that first publication: kept, shown, never the headline.
CREATE OR REPLACE VIEW second_publications AS
SELECT p.region_code, coalesce(l.name_zh, p.region_name) AS region_name, p.year, p.reference_date, p.measure,
       p.series, p.definition, p.coverage, p.value, p.source, p.release_date, p.first_published_value, p.first_published_source,
       p.value - p.first_published_value AS difference, p.source_file, p.source_row
FROM publications_as_of(getvariable('hukou_release_as_of')) p
LEFT JOIN region_labels l ON l.code = p.region_code
WHERE p.second_publication;
