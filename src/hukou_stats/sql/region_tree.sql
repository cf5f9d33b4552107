-- region_tree: every (ancestor, descendant) pair of the region registry, with the depth between them,
-- through parents whose children the registry lists completely (children_complete = yes).
CREATE OR REPLACE VIEW region_tree AS
WITH RECURSIVE tree(ancestor_code, descendant_code, depth) AS (
    SELECT c.parent_code, c.code, 1
    FROM regions c JOIN regions p ON p.code = c.parent_code
    WHERE p.children_complete
    UNION ALL
    SELECT r.parent_code, t.descendant_code, t.depth + 1
    FROM tree t
    JOIN regions r ON r.code = t.ancestor_code
    JOIN regions p ON p.code = r.parent_code
    WHERE p.children_complete
)
SELECT t.ancestor_code, t.descendant_code, t.depth, d.valid_from, d.valid_to
FROM tree t JOIN regions d ON d.code = t.descendant_code;

COMMENT ON VIEW region_tree IS 'Ancestor/descendant pairs of the region registry (closure table); depth 1 = direct child. Only through parents whose children the registry lists completely, so that a sum of children is a true total. Used to aggregate children to parents.';
COMMENT ON COLUMN region_tree.ancestor_code IS 'Code of the ancestor region (e.g. 440100 for a Guangzhou district).';
COMMENT ON COLUMN region_tree.descendant_code IS 'Code of the descendant region.';
COMMENT ON COLUMN region_tree.depth IS 'Levels between them: 1 = child, 2 = grandchild.';
COMMENT ON COLUMN region_tree.valid_from IS 'First day the descendant code is valid (NULL = before the scope of the registry).';
COMMENT ON COLUMN region_tree.valid_to IS 'Last day the descendant code is valid (NULL = still valid).';
