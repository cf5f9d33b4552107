-- region_units: the units of each year's list (the code history's list of 31 December) for every year a stored
-- figure refers to, with names, level, parent and whether the parent's totals count the unit. A figure dated in a
-- year is read against that year's list (the census of 1 November 2020 against the list of 2020). Never from the
-- digits of a code: 441900 东莞市 has no children, 532901 大理市 is a county-level city of 532900.
CREATE OR REPLACE TABLE region_units AS
SELECT y.year, r.code, r.name_zh, r.name_en, r.level, r.parent_code, r.in_parent_totals
FROM (SELECT DISTINCT year FROM stored_observations) y
JOIN regions r ON y.year >= r.valid_from_year AND (r.valid_to_year IS NULL OR y.year <= r.valid_to_year);

-- region_children: for every unit of a year's list, the units under it that its totals count (0: a leaf).
CREATE OR REPLACE TABLE region_children AS
SELECT p.year, p.code AS region_code, p.level,
       count(c.code) AS n_children,
       coalesce(list(c.code ORDER BY c.code) FILTER (WHERE c.code IS NOT NULL), []) AS children
FROM region_units p
LEFT JOIN region_units c ON c.year = p.year AND c.parent_code = p.code AND c.in_parent_totals
GROUP BY ALL;

-- region_labels: one name per code: its latest period's (for a figure under a code outside the years of its list);
-- for a code in no list (an NBS statistical code, a 市辖区 row), the name its source gave, with no level or parent.
CREATE OR REPLACE VIEW region_labels AS
SELECT code, name_zh, name_en, level, parent_code
FROM regions
QUALIFY row_number() OVER (PARTITION BY code ORDER BY valid_from_year DESC) = 1
UNION ALL
SELECT region_code, min(region_name), NULL, NULL, NULL
FROM stored_observations
WHERE region_code NOT IN (SELECT code FROM regions)
GROUP BY region_code;
