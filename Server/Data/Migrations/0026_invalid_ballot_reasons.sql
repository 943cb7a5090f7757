-- Why each invalid paper ballot is invalid, as the counting committee entered it; the counting minutes list the
-- reasons with their counts. Numbered 0026: 0023 to 0025 are taken by work on other branches.
ALTER TABLE paper_ballot_entry
    ADD COLUMN invalid_reason text
        CHECK (invalid_reason IS NULL OR (invalid AND invalid_reason IN ('NotIssued', 'TooMany', 'AllStruck', 'Marked', 'Other')));
-- Ballots counted as totals: how many invalid ones for each reason, e.g. {"TooMany": 2, "Marked": 1}; the API keeps
-- the counts summing to the invalid ballots of the row.
ALTER TABLE paper_election_total
    ADD COLUMN invalid_reasons jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(invalid_reasons) = 'object');
