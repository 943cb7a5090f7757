-- How a vote ended, in the engine's words, and recounts: a published result never changes silently.
ALTER TABLE poll
    ADD COLUMN verdict text CHECK (verdict IS NULL OR verdict IN ('Passed', 'Failed', 'Tie', 'NoQuorum'));
UPDATE poll SET verdict = CASE WHEN passed THEN 'Passed' ELSE 'Failed' END WHERE passed IS NOT NULL;

CREATE TABLE poll_recount (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    poll_id       uuid NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    actor         text NOT NULL,
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    yes_before    int NOT NULL, no_before int NOT NULL, abstain_before int NOT NULL, verdict_before text NOT NULL,
    yes_after     int NOT NULL, no_after int NOT NULL, abstain_after int NOT NULL, verdict_after text NOT NULL
);
