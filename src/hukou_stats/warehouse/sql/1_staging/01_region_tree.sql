-- region_tree: (ancestor, descendant, depth) for the region registry, walking down only through
-- regions whose children the registry lists completely (children_complete), and keeping a depth
-- for an ancestor only when every region one level above it is complete: then the descendants
-- at that depth are the whole of the ancestor, and their sum is a true total.
CREATE OR REPLACE VIEW region_tree AS
WITH RECURSIVE tree(ancestor_code, descendant_code, depth) AS (
    SELECT p.code, c.code, 1
    FROM regions p JOIN regions c ON c.parent_code = p.code
    WHERE p.children_complete
    UNION ALL
    SELECT t.ancestor_code, c.code, t.depth + 1
    FROM tree t
    JOIN regions d ON d.code = t.descendant_code
    JOIN regions c ON c.parent_code = d.code
    WHERE d.children_complete
),
-- (ancestor, depth) whose level above holds a region with an incomplete list of children
partial AS (
    SELECT DISTINCT t.ancestor_code, t.depth + 1 AS depth
    FROM tree t JOIN regions d ON d.code = t.descendant_code
    WHERE NOT d.children_complete
)
SELECT t.ancestor_code, t.descendant_code, t.depth, d.valid_from, d.valid_to
FROM tree t
JOIN regions d ON d.code = t.descendant_code
WHERE NOT EXISTS (SELECT 1 FROM partial x WHERE x.ancestor_code = t.ancestor_code AND x.depth = t.depth);
