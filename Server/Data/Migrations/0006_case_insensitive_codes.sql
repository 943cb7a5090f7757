-- "d001" and "D001" are the same delegate: a re-import or a desk typing the code must not tell them apart.
CREATE UNIQUE INDEX delegate_code_any_case ON delegate (congress_id, upper(code));
