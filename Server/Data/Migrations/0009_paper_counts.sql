-- Paper votes of delegates without a tablet, entered by the vote-counting committee as counts before close.
CREATE TABLE paper_count (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    poll_id    uuid NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    yes        int NOT NULL CHECK (yes >= 0),
    no         int NOT NULL CHECK (no >= 0),
    abstain    int NOT NULL CHECK (abstain >= 0),
    note       text CHECK (note IS NULL OR length(note) <= 300),
    entered_by text NOT NULL,
    entered_at timestamptz NOT NULL DEFAULT now(),
    CHECK (yes + no + abstain > 0)
);
CREATE INDEX paper_count_poll ON paper_count (poll_id);
