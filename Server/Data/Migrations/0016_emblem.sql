-- The congress's own emblem for the welcome scene (PNG or JPEG); none means the emblem the app ships with.
ALTER TABLE congress
    ADD COLUMN emblem bytea CHECK (octet_length(emblem) <= 524288),
    ADD COLUMN emblem_type text CHECK (emblem_type IN ('image/png', 'image/jpeg')),
    -- Changes with each new picture only, so screens fetch the emblem again then and not on every scene change.
    ADD COLUMN emblem_version bigint;
