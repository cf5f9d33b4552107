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

COMMENT ON VIEW observations IS 'Every published figure ingested, every release (vintage), never overwritten. One row per figure as published.';
COMMENT ON COLUMN observations.region_code IS 'GB/T 2260 code: 000000 China, XX0000 province, XXYY00 prefecture, XXYYZZ county/district.';
COMMENT ON COLUMN observations.region_name IS 'Chinese name from the region registry (or as given in the source when the code is not in the registry).';
COMMENT ON COLUMN observations.region_name_en IS 'English/pinyin name from the region registry.';
COMMENT ON COLUMN observations.region_level IS '0 nation, 1 province, 2 prefecture, 3 county/district.';
COMMENT ON COLUMN observations.year IS 'Reference year.';
COMMENT ON COLUMN observations.reference_date IS 'Point date of the figure: 31 December, or 1 November for census and sample-survey series.';
COMMENT ON COLUMN observations.measure IS 'resident_total, resident_urban, resident_urban_rate_pct, hukou_total, hukou_urban, hukou_rural, hukou_urban_rate_pct, hukou_births, hukou_deaths, hukou_in_migration, hukou_out_migration, separated_within_county, separated_across_counties (人户分离 from microdata, by residence area).';
COMMENT ON COLUMN observations.value IS 'Value in canonical units: persons for counts (万人 x 10000), percent for rates.';
COMMENT ON COLUMN observations.unit IS 'Canonical unit: persons or pct.';
COMMENT ON COLUMN observations.value_published IS 'The value exactly as published (text), e.g. 1530.59.';
COMMENT ON COLUMN observations.unit_published IS 'Unit as published: persons, 10k_persons (万人) or pct.';
COMMENT ON COLUMN observations.decimals IS 'Number of decimals as published (the published precision).';
COMMENT ON COLUMN observations.precision IS 'Half a unit of the last published digit, in canonical units (1530.59万 is known to ±50 persons).';
COMMENT ON COLUMN observations.series IS 'Statistical series (see table series): first_release, census_revised, census_2020, hukou_register ...';
COMMENT ON COLUMN observations.definition IS 'Definition of urban for hukou figures (see table definitions); NULL where not applicable.';
COMMENT ON COLUMN observations.basis IS 'series/definition: the basis a figure belongs to.';
COMMENT ON COLUMN observations.source IS 'The publication the figure comes from.';
COMMENT ON COLUMN observations.published IS 'Release as given by the source: YYYY, YYYY-MM or YYYY-MM-DD; empty if unknown.';
COMMENT ON COLUMN observations.release_date IS 'Release (vintage) date: the end of the period given in published; NULL if unknown.';
COMMENT ON COLUMN observations.release_precision IS 'How precisely the release date is known: day, month, year or unknown.';
COMMENT ON COLUMN observations.seen_at IS 'Where the figure was seen (official page or reprint).';
COMMENT ON COLUMN observations.note IS 'Note from the transcription, e.g. a year assigned by inference.';
COMMENT ON COLUMN observations.source_file IS 'Input file the row was ingested from (relative to the repository).';
COMMENT ON COLUMN observations.source_row IS 'Line or sheet row of the input file (header = 1).';
COMMENT ON COLUMN observations.row_id IS 'Identity of the published figure (hash of region, year, measure, value, unit, source, release, basis).';
