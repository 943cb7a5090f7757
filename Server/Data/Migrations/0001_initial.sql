-- The skeleton's schema: a congress, its delegations, delegates, agenda, polls and ballots.
-- Invariants from docs/architecture.md §4 live here as constraints, not in application code.

CREATE TABLE congress (
    id              uuid PRIMARY KEY,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    starts_on       date NOT NULL,
    preset          text NOT NULL DEFAULT 'mass_organisation',
    projector_code_hash bytea UNIQUE,
    current_item_id uuid,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE delegation (
    id          uuid PRIMARY KEY,
    congress_id uuid NOT NULL REFERENCES congress (id) ON DELETE CASCADE,
    name        text NOT NULL,
    position    int NOT NULL,
    UNIQUE (congress_id, name)
);

CREATE TABLE delegate (
    id            uuid PRIMARY KEY,
    congress_id   uuid NOT NULL REFERENCES congress (id) ON DELETE CASCADE,
    delegation_id uuid REFERENCES delegation (id),
    code          text NOT NULL,
    full_name     text NOT NULL CHECK (full_name = normalize(full_name, NFC) AND length(full_name) BETWEEN 1 AND 200),
    kind          text NOT NULL CHECK (kind IN ('official', 'alternate', 'guest')),
    -- Alternates vote only if the congress says so; guests never.
    may_vote      boolean NOT NULL,
    gender        text CHECK (gender IN ('female', 'male', 'other')),
    position      text,
    -- Only the SHA-256 of the badge token is kept (docs/architecture.md §5).
    token_hash    bytea UNIQUE,
    checked_in_at timestamptz,
    CHECK (kind <> 'guest' OR NOT may_vote),
    UNIQUE (congress_id, code)
);
CREATE INDEX delegate_congress ON delegate (congress_id, kind);

CREATE TABLE agenda_item (
    id          uuid PRIMARY KEY,
    congress_id uuid NOT NULL REFERENCES congress (id) ON DELETE CASCADE,
    position    int NOT NULL,
    title       text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('procedural', 'report', 'discussion', 'vote', 'election')),
    UNIQUE (congress_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

ALTER TABLE congress ADD FOREIGN KEY (current_item_id) REFERENCES agenda_item (id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE poll (
    id               uuid PRIMARY KEY,
    congress_id      uuid NOT NULL REFERENCES congress (id) ON DELETE CASCADE,
    agenda_item_id   uuid NOT NULL REFERENCES agenda_item (id),
    title            text NOT NULL,
    question         text NOT NULL DEFAULT '',
    secret           boolean NOT NULL DEFAULT false,
    allow_abstain    boolean NOT NULL DEFAULT true,
    state            text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed', 'published', 'cancelled')),
    rule_numerator   int NOT NULL DEFAULT 1 CHECK (rule_numerator >= 0),
    rule_denominator int NOT NULL DEFAULT 2 CHECK (rule_denominator > 0),
    rule_strict      boolean NOT NULL DEFAULT true,
    rule_base        text NOT NULL DEFAULT 'Summoned' CHECK (rule_base IN ('Summoned', 'Present', 'Cast', 'YesPlusNo', 'ValidBallots')),
    rule_constant    int NOT NULL DEFAULT 0,
    opened_at        timestamptz,
    closed_at        timestamptz,
    -- The result, computed from the ballots when the poll closes and never changed afterwards.
    yes_count        int,
    no_count         int,
    abstain_count    int,
    entitled_count   int,
    present_count    int,
    passed           boolean,
    CHECK (state NOT IN ('closed', 'published') OR passed IS NOT NULL)
);
-- At most one open poll per congress: the hall votes on one thing at a time.
CREATE UNIQUE INDEX poll_one_open ON poll (congress_id) WHERE state = 'open';

-- Who was entitled to vote, and who was present, snapshotted when the poll opened and when it closed.
CREATE TABLE poll_roll (
    poll_id          uuid NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    delegate_id      uuid NOT NULL REFERENCES delegate (id),
    present_at_open  boolean NOT NULL,
    present_at_close boolean,
    PRIMARY KEY (poll_id, delegate_id)
);

-- Who voted. One row per entitled delegate per poll, enforced by the primary key (docs/architecture.md §4, rule 1).
-- For a named poll ballot_id links to the ballot; for a secret poll it stays null, so nothing links
-- a delegate to a choice (rule 4).
CREATE TABLE poll_voter (
    poll_id     uuid NOT NULL,
    delegate_id uuid NOT NULL,
    cast_key    uuid NOT NULL,
    cast_at     timestamptz NOT NULL DEFAULT now(),
    ballot_id   uuid,
    PRIMARY KEY (poll_id, delegate_id),
    FOREIGN KEY (poll_id, delegate_id) REFERENCES poll_roll (poll_id, delegate_id)
);

-- What was voted: no delegate, no timestamp, no sequential id.
CREATE TABLE ballot (
    poll_id uuid NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    id      uuid NOT NULL,
    choice  smallint NOT NULL CHECK (choice BETWEEN 0 AND 2),
    PRIMARY KEY (poll_id, id)
);

CREATE TABLE staff_account (
    id            uuid PRIMARY KEY,
    congress_id   uuid NOT NULL REFERENCES congress (id) ON DELETE CASCADE,
    user_name     text NOT NULL UNIQUE,
    display_name  text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'chair', 'secretary', 'credentials', 'counting')),
    password_hash text NOT NULL
);

-- Every staff action, written in the same transaction as the change it describes (docs/architecture.md §4, rule 7).
CREATE TABLE audit_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    congress_id uuid REFERENCES congress (id) ON DELETE CASCADE,
    actor       text NOT NULL,
    action      text NOT NULL,
    subject     text,
    device      text,
    detail      jsonb
);
