-- A named vote may let delegates change their choice until it closes; any vote may close itself at a set time.
ALTER TABLE poll
    ADD COLUMN allow_change boolean NOT NULL DEFAULT false,
    ADD COLUMN closes_at    timestamptz,
    ADD CONSTRAINT poll_secret_votes_never_change CHECK (NOT (secret AND allow_change));
CREATE INDEX poll_closing ON poll (closes_at) WHERE state = 'open' AND closes_at IS NOT NULL;
ALTER TABLE poll ADD COLUMN countdown_seconds int CHECK (countdown_seconds IS NULL OR countdown_seconds BETWEEN 10 AND 86400);
