-- The election dossier: the steps a congress votes through before and after a secret ballot (Server/Elections/Dossiers.cs).
-- Numbered 0024: the numbers between are taken by work on other branches.
CREATE TABLE election_dossier (
    id               uuid PRIMARY KEY,
    congress_id      uuid NOT NULL REFERENCES congress (id) ON DELETE CASCADE,
    agenda_item_id   uuid NOT NULL REFERENCES agenda_item (id),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    seats            int NOT NULL CHECK (seats BETWEEN 1 AND 500),
    -- One step at a time, in this order; each moves on only by a conditional update from the one before.
    step             text NOT NULL DEFAULT 'seats'
                     CHECK (step IN ('seats', 'nominations', 'withdrawals', 'list', 'committee', 'ballot', 'result')),
    -- The open motion of the current step (seats, list, committee), made for it and read when the step moves on.
    step_poll_id     uuid REFERENCES poll (id),
    -- The secret ballot: a draft election from the start, so that it cannot be opened before its list is approved.
    election_poll_id uuid NOT NULL REFERENCES poll (id),
    round            int NOT NULL DEFAULT 1 CHECK (round BETWEEN 1 AND 20),
    -- 'alphabetical': Vietnamese order by given name then family name (Party lists); 'presidium': the presidium's
    -- list first in its order, then nominations as they came.
    list_order       text NOT NULL CHECK (list_order IN ('alphabetical', 'presidium')),
    -- The counting committee proposed for this election, head first; written to the congress once approved.
    committee        text[] NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX election_dossier_congress ON election_dossier (congress_id);
CREATE UNIQUE INDEX election_dossier_election ON election_dossier (election_poll_id);

-- Each step's outcome as recorded on the dossier: the motion that decided it and its verdict, or skipped.
CREATE TABLE election_dossier_step (
    dossier_id  uuid NOT NULL REFERENCES election_dossier (id) ON DELETE CASCADE,
    round       int NOT NULL,
    step        text NOT NULL,
    poll_id     uuid REFERENCES poll (id),
    verdict     text,
    skipped     boolean NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_id, round, step)
);

-- A nominee: from the presidium's list, nominated by a delegate, self-nominated, or recorded from paper.
CREATE TABLE nomination (
    id                 uuid PRIMARY KEY,
    dossier_id         uuid NOT NULL REFERENCES election_dossier (id) ON DELETE CASCADE,
    delegate_id        uuid NOT NULL REFERENCES delegate (id),
    source             text NOT NULL CHECK (source IN ('presidium', 'delegate', 'self', 'paper')),
    presidium_position int,
    nominated_by       uuid REFERENCES delegate (id),
    -- proposed: waiting for the nominee's answer; accepted: on the list; withdrawal_asked: a vote on it is due;
    -- declined and withdrawn: off the list, kept for the record.
    state              text NOT NULL CHECK (state IN ('proposed', 'accepted', 'declined', 'withdrawal_asked', 'withdrawn')),
    withdrawal_reason  text CHECK (withdrawal_reason IS NULL OR length(withdrawal_reason) BETWEEN 1 AND 500),
    withdrawal_poll_id uuid REFERENCES poll (id),
    -- Set when a withdrawal vote refused the request: the nominee stays and may not ask again.
    withdrawal_refused boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now()
);
-- A delegate is nominated once per dossier; a declined nomination leaves room for a new one.
CREATE UNIQUE INDEX nomination_once ON nomination (dossier_id, delegate_id) WHERE state <> 'declined';
