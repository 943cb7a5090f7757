-- A rehearsal (biểu quyết thử) is opened, cast, counted and shown like any vote, so the hall tries its tablets
-- and screen before the real session; it never enters the congress's record, and the secretariat deletes every
-- rehearsal with its ballots in one audited action before the real votes.
ALTER TABLE poll ADD COLUMN rehearsal boolean NOT NULL DEFAULT false;
