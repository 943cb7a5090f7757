-- Diacritic-insensitive search ("nguyen van an" finds "Nguyễn Văn An"; unaccent folds Đ to D too).
-- unaccent() is not immutable, so the index uses an immutable wrapper bound to the default dictionary.
CREATE FUNCTION fold_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

CREATE INDEX delegate_search ON delegate (congress_id, (fold_text(full_name || ' ' || code)));
