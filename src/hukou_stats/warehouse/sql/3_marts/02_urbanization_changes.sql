-- urbanization_changes: changes of both rates and of the gap, against the previous year and against 2013.
-- A change is computed only between values of the same series, the same definition and the same
-- point date (month-day), and, for resident figures, only when no benchmark revision (table
-- benchmarks: the 2020 census) was published between the releases of the two ends; otherwise it
-- is NULL and the note says why. A change across a change of the region's territory (table boundary_changes, from the
-- code history: it gave territory away, received territory, or was formed from several units) is not computed
-- either: flagged, never silent. A rename or recode of the same territory is no such change.
CREATE OR REPLACE VIEW urbanization_changes AS
WITH cb AS MATERIALIZED (SELECT * FROM comparability),
rv AS MATERIALIZED (
    SELECT region_code, year, indicator, series, definition, strftime(reference_date, '%m-%d') AS point,
           coalesce(published_value, value) AS v, release_date
    FROM rates
    QUALIFY row_number() OVER (PARTITION BY region_code, year, indicator, series, definition, point
                               ORDER BY release_date DESC NULLS LAST) = 1
),
u AS (
    SELECT u.*, strftime(u.resident_reference_date, '%m-%d') AS res_point,
           strftime(u.hukou_reference_date, '%m-%d') AS huk_point
    FROM urbanization u
),
j0 AS (
    SELECT u.*,
           rp.v AS resident_prev0, rb.v AS resident_2013_0, rp.release_date AS rp_rel, rb.release_date AS rb_rel,
           hp.v AS hukou_prev0, hb.v AS hukou_2013_0,
           bp.break_year AS hbp_year, bp.definition_before AS hbp_before, bp.definition_after AS hbp_after,
           bp.bridge_year AS hbp_bridge, bp.bridge_shift_pp AS hbp_shift,
           bb.break_year AS hbb_year, bb.definition_before AS hbb_before, bb.definition_after AS hbb_after,
           bb.bridge_year AS hbb_bridge, bb.bridge_shift_pp AS hbb_shift,
           rbp.break_year AS rbp_year, rbb.break_year AS rbb_year,
           (SELECT x.v FROM rv x WHERE x.region_code = u.region_code AND x.year = u.year - 1
              AND x.indicator = 'hukou_rate_pct' AND x.definition = bp.definition_before AND x.point = u.huk_point
            ORDER BY x.release_date DESC NULLS LAST LIMIT 1) AS hukou_prev_old_definition,
           (SELECT x.v FROM rv x WHERE x.region_code = u.region_code AND x.year = 2013
              AND x.indicator = 'hukou_rate_pct' AND x.definition = bb.definition_before AND x.point = u.huk_point
            ORDER BY x.release_date DESC NULLS LAST LIMIT 1) AS hukou_2013_old_definition,
           (SELECT string_agg(DISTINCT x.definition, ',') FROM rv x
             WHERE x.region_code = u.region_code AND x.indicator = 'hukou_rate_pct' AND x.year IN (u.year - 1, 2013)
               AND x.definition IS DISTINCT FROM u.hukou_definition) AS other_hukou_definitions,
           (SELECT string_agg(DISTINCT b.year || ' ' || b.change || ' ' || b.other_code, ', ') FROM boundary_changes b
             WHERE b.region_code = u.region_code AND b.year > u.year - 1 AND b.year <= u.year) AS bnd_prev,
           (SELECT string_agg(DISTINCT b.year || ' ' || b.change || ' ' || b.other_code, ', ') FROM boundary_changes b
             WHERE b.region_code = u.region_code AND b.year > 2013 AND b.year <= u.year) AS bnd_2013
    FROM u
    LEFT JOIN rv rp ON rp.region_code = u.region_code AND rp.year = u.year - 1 AND rp.indicator = 'resident_rate_pct'
                   AND rp.series = u.resident_series AND rp.point = u.res_point
    LEFT JOIN rv rb ON rb.region_code = u.region_code AND rb.year = 2013 AND rb.indicator = 'resident_rate_pct'
                   AND rb.series = u.resident_series AND rb.point = u.res_point
    LEFT JOIN rv hp ON hp.region_code = u.region_code AND hp.year = u.year - 1 AND hp.indicator = 'hukou_rate_pct'
                   AND hp.series = u.hukou_series AND hp.definition IS NOT DISTINCT FROM u.hukou_definition
                   AND hp.point = u.huk_point
    LEFT JOIN rv hb ON hb.region_code = u.region_code AND hb.year = 2013 AND hb.indicator = 'hukou_rate_pct'
                   AND hb.series = u.hukou_series AND hb.definition IS NOT DISTINCT FROM u.hukou_definition
                   AND hb.point = u.huk_point
    -- definition breaks (view comparability) between the two ends of each comparison
    LEFT JOIN cb bp ON bp.region_code = u.region_code AND bp.indicator = 'hukou_rate_pct'
                   AND bp.break_year > u.year - 1 AND bp.break_year <= u.year
    LEFT JOIN cb bb ON bb.region_code = u.region_code AND bb.indicator = 'hukou_rate_pct'
                   AND bb.break_year > 2013 AND bb.break_year <= u.year
    LEFT JOIN cb rbp ON rbp.region_code = u.region_code AND rbp.indicator = 'resident_rate_pct'
                   AND rbp.break_year > u.year - 1 AND rbp.break_year <= u.year
    LEFT JOIN cb rbb ON rbb.region_code = u.region_code AND rbb.indicator = 'resident_rate_pct'
                   AND rbb.break_year > 2013 AND rbb.break_year <= u.year
),
j AS (
    SELECT j0.*,
           (SELECT min(b.benchmark_date) FROM benchmarks b WHERE b.applies_to = 'resident'
             AND b.benchmark_date > least(j0.rp_rel, j0.resident_release_date)
             AND b.benchmark_date <= greatest(j0.rp_rel, j0.resident_release_date)) AS prev_benchmark,
           (SELECT min(b.benchmark_date) FROM benchmarks b WHERE b.applies_to = 'resident'
             AND b.benchmark_date > least(j0.rb_rel, j0.resident_release_date)
             AND b.benchmark_date <= greatest(j0.rb_rel, j0.resident_release_date)) AS base_benchmark
    FROM j0
),
k AS (
    SELECT j.*,
           CASE WHEN prev_benchmark IS NULL AND rbp_year IS NULL AND bnd_prev IS NULL THEN resident_prev0 END AS resident_prev,
           CASE WHEN base_benchmark IS NULL AND rbb_year IS NULL AND bnd_2013 IS NULL THEN resident_2013_0 END AS resident_2013,
           -- across a definition break: the same definition at both ends if published, else the old-definition
           -- value shifted by the bridge (a year measured under both); without a bridge, not compared
           CASE WHEN bnd_prev IS NULL THEN coalesce(hukou_prev0, CASE WHEN hbp_bridge IS NOT NULL
                THEN hukou_prev_old_definition + hbp_shift END) END AS hukou_prev,
           CASE WHEN bnd_2013 IS NULL THEN coalesce(hukou_2013_0, CASE WHEN hbb_bridge IS NOT NULL
                THEN hukou_2013_old_definition + hbb_shift END) END AS hukou_2013,
           hbp_year IS NOT NULL AND hukou_prev0 IS NULL AS hukou_prev_crosses,
           hbb_year IS NOT NULL AND hukou_2013_0 IS NULL AS hukou_2013_crosses
    FROM j
)
SELECT
    region_code, region_name, region_name_en, region_level, parent_code, year,
    resident_rate_pct, resident_decimals, resident_series,
    resident_rate_pct - resident_prev AS resident_change_prev_pp,
    CASE WHEN year > 2013 THEN resident_rate_pct - resident_2013 END AS resident_change_2013_pp,
    hukou_rate_pct, hukou_decimals, hukou_series, hukou_definition,
    hukou_rate_pct - hukou_prev AS hukou_change_prev_pp,
    CASE WHEN year > 2013 THEN hukou_rate_pct - hukou_2013 END AS hukou_change_2013_pp,
    gap_pp,
    gap_pp - (resident_prev - hukou_prev) AS gap_change_prev_pp,
    CASE WHEN year > 2013 THEN gap_pp - (resident_2013 - hukou_2013) END AS gap_change_2013_pp,
    nullif(concat_ws('; ',
        CASE WHEN hukou_rate_pct IS NOT NULL AND hukou_prev_crosses
             THEN 'hukou vs ' || (year - 1) || ': definition break ' || hbp_year || ' (' || hbp_before || ' -> ' || hbp_after || ')'
                  || CASE WHEN hukou_prev IS NOT NULL THEN ', bridged via ' || hbp_bridge ELSE ', no bridge: not compared' END END,
        CASE WHEN hukou_rate_pct IS NOT NULL AND hukou_2013_crosses AND year > 2013
             THEN 'hukou vs 2013: definition break ' || hbb_year || ' (' || hbb_before || ' -> ' || hbb_after || ')'
                  || CASE WHEN hukou_2013 IS NOT NULL THEN ', bridged via ' || hbb_bridge ELSE ', no bridge: not compared' END END,
        CASE WHEN resident_rate_pct IS NOT NULL AND rbp_year IS NOT NULL
             THEN 'resident vs ' || (year - 1) || ': definition break ' || rbp_year || ', not compared' END,
        CASE WHEN resident_rate_pct IS NOT NULL AND rbb_year IS NOT NULL AND year > 2013
             THEN 'resident vs 2013: definition break ' || rbb_year || ', not compared' END,
        CASE WHEN hukou_rate_pct IS NOT NULL AND other_hukou_definitions IS NOT NULL
             AND NOT hukou_prev_crosses AND NOT hukou_2013_crosses
             AND (hukou_prev IS NULL OR (hukou_2013 IS NULL AND year > 2013))
             THEN 'hukou: figures under another definition (' || other_hukou_definitions || '), break not in the registry: not compared' END,
        CASE WHEN bnd_prev IS NOT NULL AND (resident_prev0 IS NOT NULL OR hukou_prev0 IS NOT NULL)
             THEN 'vs ' || (year - 1) || ': boundaries changed (' || bnd_prev || '), not compared' END,
        CASE WHEN bnd_2013 IS NOT NULL AND year > 2013 AND (resident_2013_0 IS NOT NULL OR hukou_2013_0 IS NOT NULL)
             THEN 'vs 2013: boundaries changed (' || bnd_2013 || '), not compared' END
    ), '') AS break_flag,
    nullif(concat_ws('; ',
        CASE WHEN hukou_rate_pct IS NOT NULL AND hukou_prev_crosses
             THEN 'hukou: definition break (' || hbp_before || ' vs ' || hbp_after || ') from ' || hbp_year || ': '
                  || (year - 1) || CASE WHEN hukou_prev IS NOT NULL THEN ' bridged via ' || hbp_bridge ELSE ' not compared (no bridge)' END END,
        CASE WHEN hukou_rate_pct IS NOT NULL AND hukou_2013_crosses AND year > 2013
             THEN 'hukou: definition break (' || hbb_before || ' vs ' || hbb_after || ') from ' || hbb_year || ': '
                  || '2013' || CASE WHEN hukou_2013 IS NOT NULL THEN ' bridged via ' || hbb_bridge ELSE ' not compared (no bridge)' END END,
        CASE WHEN resident_prev0 IS NOT NULL AND prev_benchmark IS NOT NULL
             THEN 'resident: ' || (year - 1) || ' was released before the benchmark revision of ' || prev_benchmark || ', not compared' END,
        CASE WHEN resident_2013_0 IS NOT NULL AND base_benchmark IS NOT NULL AND year > 2013
             THEN 'resident: 2013 was released before the benchmark revision of ' || base_benchmark || ', not compared' END,
        CASE WHEN bnd_prev IS NOT NULL AND (resident_prev0 IS NOT NULL OR hukou_prev0 IS NOT NULL)
             THEN 'boundaries changed between ' || (year - 1) || ' and ' || year || ' (' || bnd_prev || '): not compared' END,
        CASE WHEN bnd_2013 IS NOT NULL AND year > 2013 AND (resident_2013_0 IS NOT NULL OR hukou_2013_0 IS NOT NULL)
             THEN 'boundaries changed between 2013 and ' || year || ' (' || bnd_2013 || '): not compared' END,
        CASE WHEN resident_rate_pct IS NOT NULL AND resident_prev0 IS NULL
             THEN 'resident: no ' || (year - 1) || ' value in series ' || resident_series END,
        CASE WHEN resident_rate_pct IS NOT NULL AND resident_2013_0 IS NULL AND year > 2013
             THEN 'resident: no 2013 value in series ' || resident_series END,
        CASE WHEN hukou_rate_pct IS NOT NULL AND other_hukou_definitions IS NOT NULL
             AND NOT hukou_prev_crosses AND NOT hukou_2013_crosses
             AND (hukou_prev IS NULL OR (hukou_2013 IS NULL AND year > 2013))
             THEN 'hukou: definition break (' || other_hukou_definitions || ' vs ' || coalesce(hukou_definition, 'unstated') || '), not compared' END,
        CASE WHEN hukou_rate_pct IS NOT NULL AND hukou_prev IS NULL AND NOT hukou_prev_crosses
             THEN 'hukou: no ' || (year - 1) || ' value in series ' || hukou_series || coalesce('/' || hukou_definition, '') END,
        CASE WHEN hukou_rate_pct IS NOT NULL AND hukou_2013 IS NULL AND year > 2013 AND NOT hukou_2013_crosses
             THEN 'hukou: no 2013 value in series ' || hukou_series || coalesce('/' || hukou_definition, '') END
    ), '') AS comparability_note
FROM k;
