-- Elections by secret ballot: a poll of kind 'election' with N seats and an ordered list of candidates.
ALTER TABLE poll
    ADD COLUMN kind               text NOT NULL DEFAULT 'motion' CHECK (kind IN ('motion', 'election')),
    ADD COLUMN seats              int CHECK (seats IS NULL OR seats BETWEEN 1 AND 500),
    ADD COLUMN empty_ballot_valid boolean NOT NULL DEFAULT true,
    -- The counting minutes' figures, stored at close with the votes per candidate.
    ADD COLUMN issued_count       int,
    ADD COLUMN returned_count     int,
    ADD COLUMN valid_count        int,
    ADD COLUMN invalid_count      int,
    ADD COLUMN runoff_of          uuid REFERENCES poll (id),
    ADD CONSTRAINT election_is_secret_with_seats CHECK (kind <> 'election' OR (secret AND seats IS NOT NULL AND NOT allow_change));
ALTER TABLE poll DROP CONSTRAINT poll_verdict_check;
ALTER TABLE poll ADD CONSTRAINT poll_verdict_check CHECK (verdict IS NULL OR verdict IN ('Passed', 'Failed', 'Tie', 'NoQuorum', 'Shortfall'));

CREATE TABLE candidate (
    poll_id    uuid NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    position   smallint NOT NULL CHECK (position BETWEEN 1 AND 500),
    full_name  text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    birth_year int CHECK (birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100),
    job_title  text CHECK (job_title IS NULL OR length(job_title) <= 200),
    unit       text CHECK (unit IS NULL OR length(unit) <= 200),
    -- Stored at close; never changed once published.
    votes      int CHECK (votes IS NULL OR votes >= 0),
    outcome    text CHECK (outcome IS NULL OR outcome IN ('Elected', 'Tied', 'NotElected')),
    PRIMARY KEY (poll_id, position)
);

-- An election ballot keeps a set of candidate positions and carries the receipt code its tablet drew.
-- Still no voter, no time, no sequence (docs/architecture.md §4, rule 4). Receipts are not unique on purpose: a
-- colluding tablet repeating a code must not be able to make other ballots fail.
ALTER TABLE ballot
    ALTER COLUMN choice DROP NOT NULL,
    ADD COLUMN kept    smallint[],
    ADD COLUMN receipt text CHECK (receipt IS NULL OR receipt ~ '^[0-9A-HJKMNP-TV-Z]{10}$'),
    ADD CONSTRAINT ballot_choice_or_kept CHECK ((choice IS NULL) <> (kept IS NULL));

-- Paper election ballots entered one by one, each by two different members of the counting committee.
CREATE TABLE paper_ballot_entry (
    poll_id    uuid NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    ballot_no  int NOT NULL CHECK (ballot_no BETWEEN 1 AND 100000),
    entry      smallint NOT NULL CHECK (entry IN (1, 2)),
    kept       smallint[] NOT NULL,
    invalid    boolean NOT NULL,
    entered_by text NOT NULL,
    entered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (poll_id, ballot_no, entry)
);

-- Paper election ballots counted as totals by the committee.
CREATE TABLE paper_election_total (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    poll_id    uuid NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    issued     int NOT NULL CHECK (issued >= 0),
    returned   int NOT NULL CHECK (returned >= 0),
    invalid    int NOT NULL CHECK (invalid >= 0 AND invalid <= returned),
    votes      int[] NOT NULL,
    note       text CHECK (note IS NULL OR length(note) <= 300),
    entered_by text NOT NULL,
    entered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX paper_election_total_poll ON paper_election_total (poll_id);
