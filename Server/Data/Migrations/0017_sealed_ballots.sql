-- A secret ballot is stored sealed while its poll is open: AES-GCM under a key that lives only outside the
-- database (docs/secret-ballots.md). At close the server unseals every ballot of the poll, writes the plain
-- ballots with new random ids in random order, and deletes these rows; at cancel it deletes them unread.
-- The weight is the voter's roll weight, which the plain ballot carries after close anyway.
CREATE TABLE sealed_ballot (
    poll_id uuid  NOT NULL REFERENCES poll (id),
    id      uuid  NOT NULL,
    weight  int   NOT NULL CHECK (weight > 0),
    sealed  bytea NOT NULL,
    PRIMARY KEY (poll_id, id)
);

-- A badge reissued while a vote is open signs a tablet in only after the desk scans it at the door: a staff
-- member who reissued a badge cannot quietly vote with it.
ALTER TABLE delegate ADD COLUMN badge_needs_desk boolean NOT NULL DEFAULT false;
