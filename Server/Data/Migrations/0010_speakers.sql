-- The list of speakers on an agenda item: delegates ask from their tablets, the secretariat runs the list.
CREATE TABLE speech (
    id             uuid PRIMARY KEY,
    congress_id    uuid NOT NULL REFERENCES congress (id) ON DELETE CASCADE,
    agenda_item_id uuid NOT NULL REFERENCES agenda_item (id) ON DELETE CASCADE,
    delegate_id    uuid NOT NULL REFERENCES delegate (id) ON DELETE CASCADE,
    topic          text NOT NULL CHECK (length(topic) BETWEEN 1 AND 200),
    state          text NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'approved', 'speaking', 'done', 'withdrawn', 'refused')),
    position       int NOT NULL,
    time_limit_seconds int CHECK (time_limit_seconds IS NULL OR time_limit_seconds BETWEEN 30 AND 3600),
    requested_at   timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    ended_at       timestamptz
);
-- One open request per delegate per item, and one speaker at a time in the hall.
CREATE UNIQUE INDEX speech_one_open_request ON speech (agenda_item_id, delegate_id) WHERE state IN ('requested', 'approved', 'speaking');
CREATE UNIQUE INDEX speech_one_speaker ON speech (congress_id) WHERE state = 'speaking';
