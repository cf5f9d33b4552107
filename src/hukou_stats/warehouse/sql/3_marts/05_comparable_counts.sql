-- comparable_counts: the counts on today's boundaries (variable hukou_boundaries = 'current', the
-- default) or as published ('as-published'). A figure under a code that a later change merged, renamed
-- or split lands on today's codes through boundary_map (built from data/reference/boundary_crosswalk.csv):
-- a whole unit with weight 1, a part with the weight of the crosswalk. Today's figure is the sum of
-- every piece that went into it; it is NULL ("not available") when a piece is missing or its weight is
-- unknown, never guessed. A figure published under a code created later is already on the later
-- boundaries (a yearbook restating past years) and is taken as it is.
CREATE OR REPLACE VIEW comparable_counts AS
WITH m AS (
    SELECT c.*, b.to_code, b.weight, b.from_code IS NOT NULL AS mapped, b.period_end
    FROM counts c
    LEFT JOIN boundary_map b
      ON coalesce(getvariable('hukou_boundaries'), 'current') = 'current'
     AND b.from_code = c.region_code
     AND (b.period_start IS NULL OR c.reference_date >= b.period_start) AND c.reference_date < b.period_end
),
expected AS (
    SELECT period_end, to_code, list(DISTINCT from_code ORDER BY from_code) AS parts
    FROM boundary_map GROUP BY ALL
),
sums AS (
    SELECT to_code AS region_code, year, reference_date, measure, series, definition, period_end,
           sum(value * weight) AS value, sum(precision * weight) AS precision,
           bool_and(weight IS NOT NULL) AS weights_known,
           list(DISTINCT region_code ORDER BY region_code) AS got,
           string_agg(DISTINCT CASE WHEN weight IS NULL THEN region_code END, ', ') AS no_weight,
           string_agg(DISTINCT region_code || CASE WHEN weight IS NULL THEN ' x ?' WHEN weight = 1 THEN ''
                                                  ELSE ' x ' || round(weight, 4) END, ' + ') AS pieces,
           max(release_date) AS release_date, arg_max(published, release_date) AS published,
           string_agg(DISTINCT source, ' / ') AS source
    FROM m WHERE mapped
    GROUP BY ALL
),
crosswalked AS (
    SELECT s.region_code, s.year, s.reference_date, s.measure, s.series, s.definition,
           CASE WHEN s.weights_known AND s.got = e.parts THEN s.value END AS value,
           CASE WHEN s.weights_known AND s.got = e.parts THEN s.precision END AS precision,
           CASE WHEN e.parts = [s.region_code] AND s.weights_known THEN 'as published'
                WHEN s.weights_known AND s.got = e.parts THEN 'crosswalked'
                ELSE 'not available' END AS boundary_status,
           CASE WHEN e.parts = [s.region_code] AND s.weights_known THEN NULL
                WHEN NOT s.weights_known THEN 'weight of the part of ' || s.no_weight || ' that went to ' || s.region_code || ' not available'
                WHEN s.got <> e.parts THEN 'needs ' || array_to_string(e.parts, ' + ') || '; has ' || array_to_string(s.got, ' + ')
                ELSE 'on today''s boundaries: ' || s.pieces END AS boundary_note,
           s.release_date, s.published, s.source
    FROM sums s JOIN expected e ON e.to_code = s.region_code AND e.period_end = s.period_end
),
direct AS (
    SELECT region_code, year, reference_date, measure, series, definition, value, precision,
           'as published' AS boundary_status,
           CASE WHEN getvariable('hukou_boundaries') = 'as-published' THEN NULL
                WHEN EXISTS (SELECT 1 FROM boundary_map b WHERE b.to_code = m.region_code
                              AND (b.period_start IS NULL OR m.reference_date >= b.period_start)
                              AND m.reference_date < b.period_end)
                THEN 'published under a code created later: taken as on the later boundaries' END AS boundary_note,
           release_date, published, source
    FROM m WHERE NOT mapped
)
SELECT * FROM direct
UNION ALL
SELECT * FROM crosswalked x
WHERE NOT EXISTS (SELECT 1 FROM direct d WHERE d.region_code = x.region_code AND d.year = x.year
                    AND d.reference_date = x.reference_date AND d.measure = x.measure AND d.series = x.series
                    AND d.definition IS NOT DISTINCT FROM x.definition);
