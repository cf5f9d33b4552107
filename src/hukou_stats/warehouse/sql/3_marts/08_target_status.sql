-- target_status: every target (table targets, from data/reference/targets.toml) assessed at every evaluation
-- year from its base year to its target year, on the release chosen by the DuckDB variables (as every view).
-- Final verdict when the target year has data; otherwise an interim verdict with the Statistics Canada /
-- Open SDG progress ratio (observed ÷ required progress, linear in points for rates, compound growth for
-- counts; 0.95 / 0.60 / 0 thresholds). "cannot_assess" always carries a reason.
-- The comparability rules (definition break, boundaries, benchmark caveat) live in the CTE `breaks`; definition breaks
-- come from the data (two definitions in the period) and from the registry (view comparability), bridges from it too.
CREATE OR REPLACE VIEW target_status AS
WITH u AS MATERIALIZED (  -- the headline of the targets' regions only
    SELECT * FROM urbanization WHERE region_code IN (SELECT region_code FROM targets)
),
cb AS MATERIALIZED (
    SELECT * FROM comparability WHERE region_code IN (SELECT region_code FROM targets)
),
hukou_total AS (
    SELECT c.region_code, c.year, 'hukou_total' AS indicator, c.value / 10000.0 AS value, c.series,
           CAST(NULL AS VARCHAR) AS definition, c.release_date, CAST(NULL AS TIMESTAMP) AS resident_release_date,
           c.source
    FROM counts c LEFT JOIN series s ON s.series = c.series
    WHERE c.measure = 'hukou_total' AND c.region_code IN (SELECT region_code FROM targets)
    QUALIFY row_number() OVER (PARTITION BY c.region_code, c.year
                               ORDER BY s.precedence NULLS LAST, c.release_date DESC NULLS LAST) = 1
),
vals AS (
    SELECT region_code, year, 'resident_urban_rate_pct' AS indicator, resident_rate_pct AS value,
           resident_series AS series, CAST(NULL AS VARCHAR) AS definition, resident_release_date AS release_date,
           resident_release_date, resident_source AS source
    FROM u WHERE resident_rate_pct IS NOT NULL
    UNION ALL
    SELECT region_code, year, 'hukou_urban_rate_pct', hukou_rate_pct, hukou_series, hukou_definition,
           hukou_release_date, NULL, hukou_source
    FROM u WHERE hukou_rate_pct IS NOT NULL
    UNION ALL
    SELECT region_code, year, 'gap_pp', gap_pp, resident_series || ' / ' || hukou_series, hukou_definition,
           greatest(resident_release_date, hukou_release_date), resident_release_date,
           resident_source || ' | ' || hukou_source
    FROM u WHERE gap_pp IS NOT NULL
    UNION ALL
    SELECT * FROM hukou_total
),
grid AS (
    SELECT t.*, CASE WHEN t.comparison = '≈' THEN t.tolerance END AS tol,
           CASE WHEN t.direction = 'decrease' THEN -1 ELSE 1 END AS d,
           unnest(generate_series(t.base_year, t.target_year)) AS as_of_year
    FROM targets t
),
pts AS (
    SELECT g.target_id, g.as_of_year, v.year, v.value, v.series, v.definition, v.release_date,
           v.resident_release_date, v.source
    FROM grid g JOIN vals v ON v.region_code = g.region_code AND v.indicator = g.indicator
                          AND v.year BETWEEN g.base_year AND g.as_of_year
),
chg AS (
    SELECT target_id, as_of_year, year, value - lag(value) OVER w AS dv, year - lag(year) OVER w AS dy
    FROM pts WINDOW w AS (PARTITION BY target_id, as_of_year ORDER BY year)
),
chg_txt AS (
    SELECT target_id, as_of_year,
           string_agg(CASE WHEN dy = 1 THEN year || ': ' || printf('%+.2f', dv)
                           ELSE year || ': ' || printf('%+.2f', dv) || ' over ' || dy || ' years' END, '; ' ORDER BY year)
               AS annual_changes
    FROM chg WHERE dv IS NOT NULL GROUP BY ALL
),
agg AS (
    SELECT target_id, as_of_year, count(*) AS n_points, min(year) AS first_year, max(year) AS last_year,
           first(value ORDER BY year) AS first_value, last(value ORDER BY year) AS last_value,
           first(series ORDER BY year) AS first_series, last(series ORDER BY year) AS last_series,
           first(definition ORDER BY year) AS first_definition, last(definition ORDER BY year) AS last_definition,
           count(DISTINCT coalesce(definition, '-')) AS n_definitions,
           string_agg(DISTINCT coalesce(definition, 'unstated'), ', ') AS definitions_seen,
           first(resident_release_date ORDER BY year) AS first_resident_release,
           last(resident_release_date ORDER BY year) AS last_resident_release,
           last(source ORDER BY year) AS last_source, max(release_date) AS latest_release
    FROM pts GROUP BY ALL
),
-- bridged definition breaks (view comparability): a break between the first and the latest point with a year
-- measured under both definitions; the base is moved onto the new definition by the bridge shift (for the gap,
-- resident minus hukou, a hukou shift counts negatively) and the verdict is flagged
bridges AS (
    SELECT g.target_id, g.as_of_year, c.break_year, c.bridge_year, c.definition_before, c.definition_after,
           CASE WHEN g.indicator = 'gap_pp' AND c.indicator = 'hukou_rate_pct' THEN -c.bridge_shift_pp
                ELSE c.bridge_shift_pp END AS shift
    FROM grid g
    JOIN agg ON agg.target_id = g.target_id AND agg.as_of_year = g.as_of_year
    JOIN cb c ON c.region_code = g.region_code AND c.bridge_year IS NOT NULL
     AND (c.indicator = replace(g.indicator, '_urban_rate_pct', '_rate_pct')
          OR (g.indicator = 'gap_pp' AND c.indicator IN ('hukou_rate_pct', 'resident_rate_pct')))
     AND agg.first_year < c.break_year AND c.break_year <= agg.last_year
     -- only when the base is on the old definition and the latest figure on the new one (otherwise the shift
     -- would be misapplied: the figures' own definitions then count as a break)
     AND coalesce(agg.first_definition, c.definition_before) = c.definition_before
     AND coalesce(agg.last_definition, c.definition_after) = c.definition_after
    QUALIFY count(*) OVER (PARTITION BY g.target_id, g.as_of_year) = 1  -- two breaks in one period: not bridged here
),
a AS (
    SELECT g.*, agg.* EXCLUDE (target_id, as_of_year), c.annual_changes,
           br.shift AS bridge_shift,
           CASE WHEN br.shift IS NOT NULL THEN 'compared across the definition break of ' || br.break_year
                || ' through the bridge year ' || br.bridge_year || ': base moved onto ' || br.definition_after || ' by '
                || printf('%+.2f', br.shift) || ' points' END AS bridge_note,
           CASE WHEN g.kind = 'change_vs_base' THEN (CASE WHEN agg.first_year = g.base_year THEN agg.first_value END)
                ELSE agg.first_value END + coalesce(br.shift, 0) AS base_value,
           CASE WHEN g.kind = 'change_vs_base' THEN (CASE WHEN agg.first_year = g.base_year THEN agg.first_year END)
                ELSE agg.first_year END AS base_year_used,
           agg.last_year = g.target_year AS is_final
    FROM grid g
    LEFT JOIN agg ON agg.target_id = g.target_id AND agg.as_of_year = g.as_of_year
    LEFT JOIN chg_txt c ON c.target_id = g.target_id AND c.as_of_year = g.as_of_year
    LEFT JOIN bridges br ON br.target_id = g.target_id AND br.as_of_year = g.as_of_year
),
-- THE comparability rules (one place): definition break, boundary change, benchmark revision (caveat only)
breaks AS (
    SELECT a.target_id, a.as_of_year,
           CASE WHEN a.n_definitions > 1 AND a.bridge_shift IS NULL
                THEN 'definition break: ' || a.definitions_seen || ' between ' || a.base_year_used || ' and ' || a.last_year
           END AS definition_break,
           -- the definition-break registry (view comparability): a break without a bridge between the
           -- base year (or the target's base year when its value is missing) and the latest year, unless the
           -- region's own figures show one definition throughout (every point labelled with the same definition)
           (SELECT 'definition break: ' || c.definition_before || ' until ' || (c.break_year - 1) || ', '
                   || c.definition_after || ' from ' || c.break_year || ' (definition_breaks.csv, no bridge year)'
            FROM cb c
            WHERE c.region_code = a.region_code AND c.bridge_year IS NULL
              AND (c.indicator = replace(a.indicator, '_urban_rate_pct', '_rate_pct')
                   OR (a.indicator = 'gap_pp' AND c.indicator IN ('hukou_rate_pct', 'resident_rate_pct')))
              AND coalesce(a.base_year_used, a.base_year) < c.break_year AND c.break_year <= a.last_year
              AND NOT (a.n_definitions = 1 AND a.first_definition IS NOT NULL)
            ORDER BY c.break_year LIMIT 1) AS registry_break,
           (SELECT 'definition break: ' || d.definition || ' applies from ' || d.valid_from || ', the base year '
                   || a.base_year || ' is before it'
            FROM definitions d WHERE d.definition = a.last_definition
              AND TRY_CAST(d.valid_from AS INTEGER) > a.base_year LIMIT 1) AS base_rule_break,
           -- the code history (table boundary_changes): the region gave or received territory, or was formed anew
           (SELECT 'boundaries not harmonised: ' || string_agg(x.year || ' ' || x.change || ' ' || x.other_code || ' '
                   || coalesce(l.name_zh, ''), '; ' ORDER BY x.year, x.other_code)
            FROM boundary_changes x LEFT JOIN region_labels l ON l.code = x.other_code
            WHERE x.region_code = a.region_code
              AND x.year > a.base_year_used AND x.year <= a.last_year) AS boundary_break,
           (SELECT 'the comparison crosses the benchmark revision of ' || min(b.benchmark_date)
                   || ' (' || first(b.name_en) || '): the base figure was released before it, the later one after; '
                   || 'the revised base is not in the data'
            FROM benchmarks b WHERE b.applies_to = 'resident'
              AND b.benchmark_date > a.first_resident_release AND b.benchmark_date <= a.last_resident_release
            HAVING count(*) > 0) AS benchmark_caveat
    FROM a
),
m AS (
    SELECT a.*, coalesce(b.definition_break, b.registry_break) AS definition_break,
           coalesce(b.base_rule_break, b.registry_break) AS base_rule_break, b.boundary_break, b.benchmark_caveat,
           CASE a.kind WHEN 'level' THEN a.last_value
                       WHEN 'change_vs_base' THEN a.d * (a.last_value - a.base_value)
                       WHEN 'pace' THEN a.d * (a.last_value - a.base_value) / nullif(a.last_year - a.base_year_used, 0)
           END AS q
    FROM a JOIN breaks b USING (target_id, as_of_year)
),
r AS (
    SELECT m.*,
           round(CASE m.comparison WHEN '<=' THEN m.target_value - m.q ELSE m.q - m.target_value END, 9) AS margin0,
           CASE
             WHEN m.kind = 'level' AND m.unit = '10k_persons' THEN
               m.d * (power(m.last_value / m.base_value, 1.0 / nullif(m.last_year - m.base_year_used, 0)) - 1)
               / nullif(abs(power(m.target_value / m.base_value, 1.0 / (m.target_year - m.base_year_used)) - 1), 0)
             WHEN m.kind = 'level' THEN
               m.d * ((m.last_value - m.base_value) / nullif(m.last_year - m.base_year_used, 0))
               / nullif(abs((m.target_value - m.base_value) / (m.target_year - m.base_year_used)), 0)
             WHEN m.kind = 'change_vs_base' THEN
               (m.q / nullif(m.last_year - m.base_year_used, 0)) / nullif(m.target_value / (m.target_year - m.base_year_used), 0)
             WHEN m.kind = 'pace' THEN m.q / nullif(m.target_value, 0)
           END AS ratio,
           CASE
             WHEN m.kind = 'level' AND m.unit = '10k_persons' THEN
               m.last_value * power(m.last_value / m.base_value,
                                    (m.target_year - m.last_year) / nullif(m.last_year - m.base_year_used, 0))
             WHEN m.kind = 'level' THEN m.last_value + (m.last_value - m.base_value)
                   / nullif(m.last_year - m.base_year_used, 0) * (m.target_year - m.last_year)
             WHEN m.kind = 'change_vs_base' THEN m.q * (m.target_year - m.base_year_used) / nullif(m.last_year - m.base_year_used, 0)
             WHEN m.kind = 'pace' THEN m.q
           END AS projected0
    FROM m
),
v AS (
    SELECT r.*,
           CASE WHEN r.comparison = '≈' THEN
                    CASE WHEN abs(r.margin0) <= r.tol + 1e-9 THEN 'achieved'
                         WHEN r.d * r.margin0 > 0 THEN 'exceeded' ELSE 'not_achieved' END
                ELSE CASE WHEN r.margin0 = 0 THEN 'achieved' WHEN r.margin0 > 0 THEN 'exceeded' ELSE 'not_achieved' END
           END AS level_verdict,
           CASE
             WHEN r.n_points IS NULL THEN 'no observation of ' || r.indicator || ' for ' || r.region_code || ' between '
                  || r.base_year || ' and ' || r.as_of_year || ' in this release'
             WHEN r.kind = 'level' AND r.is_final THEN NULL
             WHEN r.base_value IS NULL THEN 'no base value: ' || r.indicator || ' ' || r.base_year || ' is not available'
                  || coalesce(' (and a ' || r.base_rule_break || ')', '')
             WHEN r.n_points < 2 OR r.last_year = r.base_year_used THEN 'fewer than two points: only ' || r.last_year
             WHEN r.definition_break IS NOT NULL THEN r.definition_break
             WHEN r.boundary_break IS NOT NULL THEN r.boundary_break
           END AS cannot_reason
    FROM r
),
w AS (
    SELECT v.*,
           CASE
             WHEN v.cannot_reason IS NOT NULL THEN 'cannot_assess'
             WHEN v.is_final THEN v.level_verdict
             WHEN v.kind <> 'pace' AND v.level_verdict IN ('achieved', 'exceeded') THEN 'on_track'
             WHEN v.ratio IS NULL THEN 'cannot_assess'
             WHEN v.ratio >= 0.95 THEN 'on_track'
             WHEN v.ratio >= 0.60 THEN 'acceleration_needed'
             WHEN v.ratio >= 0 THEN 'limited_progress'
             ELSE 'moving_away'
           END AS verdict
    FROM v
)
SELECT
    target_id, region_code, indicator, kind, comparison, target_value, unit, direction, tol AS tolerance,
    tolerance_rule, base_year, target_year, as_of_year,
    CASE WHEN verdict = 'cannot_assess' THEN 'none' WHEN is_final THEN 'final' ELSE 'interim' END AS assessment,
    base_year_used, base_value, last_year AS observed_year, last_value AS observed_value,
    CASE WHEN verdict <> 'cannot_assess' THEN q END AS assessed_value,
    CASE WHEN verdict <> 'cannot_assess' AND is_final THEN margin0 END AS margin,
    CASE WHEN verdict <> 'cannot_assess' AND NOT is_final THEN ratio END AS progress_ratio,
    CASE WHEN verdict <> 'cannot_assess' AND NOT is_final THEN projected0 END AS projected_value,
    annual_changes, n_points, verdict,
    CASE verdict WHEN 'achieved' THEN '已实现' WHEN 'exceeded' THEN '超额实现' WHEN 'not_achieved' THEN '未实现'
                 WHEN 'on_track' THEN '进展顺利' WHEN 'acceleration_needed' THEN '需加快进度'
                 WHEN 'limited_progress' THEN '进展有限' WHEN 'moving_away' THEN '偏离目标' ELSE '无法评估' END AS verdict_zh,
    CASE WHEN verdict IN ('achieved', 'exceeded', 'on_track') THEN 'pass'
         WHEN verdict = 'cannot_assess' THEN 'warning' ELSE 'fail' END AS gate,
    CASE
      WHEN verdict = 'cannot_assess' THEN 'none (cannot assess)'
      WHEN is_final THEN 'final: the ' || target_year || ' value against the target'
           || CASE WHEN comparison = '≈' THEN ' (within ±' || tol || ' ' || unit || ' = achieved)' ELSE '' END
           || CASE kind WHEN 'change_vs_base' THEN ', change since ' || base_year_used
                        WHEN 'pace' THEN ', average annual change since ' || base_year_used ELSE '' END
      WHEN kind = 'level' AND level_verdict IN ('achieved', 'exceeded') THEN
           'interim: target level already reached in ' || last_year || ' (a reached target overrides the trend, as in Statistics Canada / Open SDG)'
      WHEN kind = 'level' AND unit = '10k_persons' THEN
           'interim: Statistics Canada / Open SDG progress ratio, observed ÷ required compound annual growth since ' || base_year_used
           || '; ≥0.95 on track, 0.60–0.95 acceleration needed, 0–0.60 limited progress, <0 moving away'
      ELSE 'interim: Statistics Canada / Open SDG progress ratio, observed ÷ required change per year in points since '
           || base_year_used || ' (linear); ≥0.95 on track, 0.60–0.95 acceleration needed, 0–0.60 limited progress, <0 moving away'
    END AS method,
    coalesce(cannot_reason,
             CASE verdict
               WHEN 'achieved' THEN 'met' WHEN 'exceeded' THEN 'beyond the target'
               WHEN 'not_achieved' THEN 'short of the target' ELSE 'projected ' || target_year || ' value '
                    || printf('%.2f', projected0) END) AS reason,
    nullif(concat_ws('; ',
        CASE WHEN base_year_used IS NOT NULL AND base_year_used <> base_year AND verdict <> 'cannot_assess'
                  AND NOT (kind = 'level' AND is_final)
             THEN 'no ' || base_year || ' value: first available year ' || base_year_used || ' used as base' END,
        CASE WHEN first_series LIKE '%approx_statement%' AND verdict <> 'cannot_assess' AND NOT (kind = 'level' AND is_final)
             THEN 'the base is an approximate statement (约数, e.g. 36%左右), not an exact figure' END,
        CASE WHEN verdict <> 'cannot_assess' AND NOT (kind = 'level' AND is_final) THEN benchmark_caveat END,
        CASE WHEN verdict <> 'cannot_assess' AND NOT (kind = 'level' AND is_final) THEN bridge_note END,
        CASE WHEN cannot_reason IS NULL AND kind = 'level' AND is_final AND definition_break IS NOT NULL
             THEN definition_break || ' (does not affect a level verdict)' END), '') AS notes,
    CASE WHEN getvariable('hukou_release_as_of') IS NOT NULL
         THEN 'as known on ' || strftime(CAST(getvariable('hukou_release_as_of') AS TIMESTAMP), '%Y-%m-%d')
         ELSE coalesce(getvariable('hukou_release_pick'), 'latest') || ' release' END
      || coalesce('; latest figure used released ' || strftime(latest_release, '%Y-%m'), '') AS release_used,
    last_series AS observed_series, last_definition AS observed_definition, last_source AS observed_source,
    source_document, wording_zh, note
FROM w;
