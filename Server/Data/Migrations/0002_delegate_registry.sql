-- The delegate registry as the secretariat imports it, and badge credentials.

ALTER TABLE delegate
    ADD COLUMN rank         text,
    ADD COLUMN birth_year   int CHECK (birth_year BETWEEN 1900 AND 2100),
    ADD COLUMN seat         text,
    ADD COLUMN notes        text,
    ADD COLUMN badge_issued_at timestamptz,
    ADD COLUMN updated_at   timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT delegate_name_has_no_control_characters CHECK (full_name !~ '[[:cntrl:]]'),
    ADD CONSTRAINT delegate_code_is_trimmed CHECK (code = btrim(code) AND length(code) BETWEEN 1 AND 32);

-- A revoked or replaced badge stays known, so a desk can say "badge revoked" rather than "unknown badge".
CREATE TABLE badge_revocation (
    token_hash  bytea PRIMARY KEY,
    delegate_id uuid NOT NULL REFERENCES delegate (id) ON DELETE CASCADE,
    revoked_at  timestamptz NOT NULL DEFAULT now(),
    reason      text NOT NULL CHECK (reason IN ('reissued', 'revoked'))
);

CREATE EXTENSION IF NOT EXISTS unaccent;
