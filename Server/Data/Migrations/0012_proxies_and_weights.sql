-- Proxy voting (a delegate votes for an absent one, where the congress allows it) and vote weights.
-- Both are off by default: no proxy rows, every weight 1.
ALTER TABLE congress ADD COLUMN allow_proxy boolean NOT NULL DEFAULT false;
ALTER TABLE delegate ADD COLUMN vote_weight int NOT NULL DEFAULT 1 CHECK (vote_weight BETWEEN 1 AND 1000);
-- The weight is fixed with the roll when a poll opens, and travels with each ballot (never the voter).
ALTER TABLE poll_roll ADD COLUMN weight int NOT NULL DEFAULT 1 CHECK (weight >= 1);
ALTER TABLE ballot ADD COLUMN weight int NOT NULL DEFAULT 1 CHECK (weight >= 1);
-- Who actually cast a proxy vote, for the minutes of a named vote.
ALTER TABLE poll_voter ADD COLUMN cast_by uuid REFERENCES delegate (id);

CREATE TABLE proxy (
    grantor_id  uuid PRIMARY KEY REFERENCES delegate (id) ON DELETE CASCADE,
    holder_id   uuid NOT NULL REFERENCES delegate (id) ON DELETE CASCADE,
    congress_id uuid NOT NULL REFERENCES congress (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (grantor_id <> holder_id)
);
CREATE INDEX proxy_holder ON proxy (holder_id);
