-- hukou_balance: the hukou (household-register) balancing identity per region and year:
--     year-end stock - previous year-end stock  =  births - deaths + in-migration - out-migration + other changes.
-- Each count is the one a reader sees (view counts): published before derived and aggregated, then the latest
-- release, then the most precise. Both stocks come from the same series and are year-end figures. The residual
-- (stock change minus the four flows) holds the register's other changes (registrations restored or cancelled,
-- corrections) and the rounding of figures published in 万人; rounding_band says how much of it rounding allows.
CREATE OR REPLACE VIEW hukou_balance AS
WITH picked AS (
    SELECT c.region_code, c.year, c.measure, c.series, c.value, c.precision, c.source, c.published
    FROM counts c
    WHERE c.measure IN ('hukou_births', 'hukou_deaths', 'hukou_in_migration', 'hukou_out_migration', 'hukou_total')
      AND strftime(c.reference_date, '%m-%d') = '12-31'
      AND (c.measure <> 'hukou_total' OR c.definition IS NULL)
    QUALIFY row_number() OVER (
        PARTITION BY c.region_code, c.year, c.measure
        ORDER BY c.status = 'published' DESC, c.release_date DESC NULLS LAST, c.precision, c.series) = 1
),
flows AS (
    SELECT region_code, year,
           max(value) FILTER (WHERE measure = 'hukou_births') AS hukou_births,
           max(value) FILTER (WHERE measure = 'hukou_deaths') AS hukou_deaths,
           max(value) FILTER (WHERE measure = 'hukou_in_migration') AS hukou_in_migration,
           max(value) FILTER (WHERE measure = 'hukou_out_migration') AS hukou_out_migration,
           sum(precision) FILTER (WHERE measure <> 'hukou_total') AS flows_precision,
           list_sort(list(DISTINCT {'source': source, 'published': published}) FILTER (WHERE measure <> 'hukou_total'))
               AS flows_sources
    FROM picked GROUP BY ALL
),
stocks AS (
    SELECT e.region_code, e.year, e.series AS stock_series, s.value AS hukou_total_start, e.value AS hukou_total_end,
           s.precision + e.precision AS stock_precision
    FROM picked e
    JOIN picked s ON s.region_code = e.region_code AND s.year = e.year - 1 AND s.measure = 'hukou_total'
                 AND s.series = e.series
    WHERE e.measure = 'hukou_total'
)
SELECT f.region_code, f.year, f.hukou_births, f.hukou_deaths, f.hukou_in_migration, f.hukou_out_migration,
       f.hukou_births - f.hukou_deaths AS natural_change,
       f.hukou_in_migration - f.hukou_out_migration AS net_migration,
       f.hukou_births - f.hukou_deaths + f.hukou_in_migration - f.hukou_out_migration AS flow_balance,
       s.stock_series, s.hukou_total_start, s.hukou_total_end,
       s.hukou_total_end - s.hukou_total_start AS stock_change,
       (s.hukou_total_end - s.hukou_total_start)
         - (f.hukou_births - f.hukou_deaths + f.hukou_in_migration - f.hukou_out_migration) AS residual,
       f.flows_precision + s.stock_precision AS rounding_band,
       f.flows_sources
FROM flows f
LEFT JOIN stocks s USING (region_code, year)
WHERE coalesce(f.hukou_births, f.hukou_deaths, f.hukou_in_migration, f.hukou_out_migration) IS NOT NULL;
