-- Agenda items the secretariat edits, and the rest of a motion's lifecycle: publish, cancel with a reason.
ALTER TABLE agenda_item
    ADD COLUMN presenter    text CHECK (presenter IS NULL OR length(presenter) <= 200),
    ADD COLUMN planned_time text CHECK (planned_time IS NULL OR length(planned_time) <= 20),
    ADD CONSTRAINT agenda_title_length CHECK (length(title) BETWEEN 1 AND 300);

ALTER TABLE poll
    ADD COLUMN published_at  timestamptz,
    ADD COLUMN cancelled_at  timestamptz,
    ADD COLUMN cancel_reason text CHECK (cancel_reason IS NULL OR length(cancel_reason) BETWEEN 1 AND 500),
    ADD CONSTRAINT poll_cancel_has_reason CHECK (state <> 'cancelled' OR cancel_reason IS NOT NULL),
    ADD CONSTRAINT poll_title_length CHECK (length(title) BETWEEN 1 AND 300);
