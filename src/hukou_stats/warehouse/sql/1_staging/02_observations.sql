-- observations: every stored row, every release, as published, with region names and the basis.
CREATE OR REPLACE VIEW observations AS
SELECT
    o.region_code,
    coalesce(r.name_zh, o.region_name) AS region_name,
    r.name_en AS region_name_en,
    r.level AS region_level,
    o.year,
    o.reference_date,
    o.measure,
    o.value,
    o.unit,
    o.value_published,
    o.unit_published,
    o.decimals,
    o.precision,
    o.series,
    o.definition,
    o.series || coalesce('/' || o.definition, '') AS basis,
    o.source,
    o.published,
    o.release_date,
    o.release_precision,
    o.seen_at,
    o.note,
    o.source_file,
    o.source_row,
    o.row_id
FROM stored_observations o
LEFT JOIN regions r ON r.code = o.region_code;
