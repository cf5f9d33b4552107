-- observations: every stored row, every release, as published, with region names (of the figure's year's list, else
-- the code's latest) and the basis. A code in no list (an NBS statistical code, a 市辖区 row) keeps the name the
-- source gave it.
CREATE OR REPLACE VIEW observations AS
SELECT
    o.region_code,
    coalesce(u.name_zh, l.name_zh, o.region_name) AS region_name,
    coalesce(u.name_en, l.name_en) AS region_name_en,
    coalesce(u.level, l.level) AS region_level,
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
    o.coverage,
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
LEFT JOIN region_units u ON u.code = o.region_code AND u.year = o.year
LEFT JOIN region_labels l ON l.code = o.region_code;
