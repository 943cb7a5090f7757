-- Check-in, excused absences, attendance history, and delegate sessions bound to a device.

ALTER TABLE congress
    -- Only delegates checked in at the door may log a tablet in.
    ADD COLUMN login_requires_check_in boolean NOT NULL DEFAULT true,
    -- Whether "summoned" leaves out delegates excused for the whole congress (docs/architecture.md §3).
    ADD COLUMN excused_reduce_summoned boolean NOT NULL DEFAULT true;

ALTER TABLE delegate
    ADD COLUMN excused_reason text CHECK (excused_reason IS NULL OR length(btrim(excused_reason)) BETWEEN 1 AND 500),
    ADD COLUMN excused_at timestamptz,
    ADD CONSTRAINT delegate_present_or_excused CHECK (checked_in_at IS NULL OR excused_reason IS NULL);

-- Every entry and exit, from which desk: the credentials report and disputes read it.
CREATE TABLE attendance_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delegate_id uuid NOT NULL REFERENCES delegate (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('in', 'out', 'excused', 'unexcused')),
    at          timestamptz NOT NULL DEFAULT now(),
    desk        text NOT NULL,
    actor       text NOT NULL
);
CREATE INDEX attendance_event_delegate ON attendance_event (delegate_id, at);

-- A delegate's tablet session. At most one active session per delegate: a second device waits for staff.
CREATE TABLE delegate_session (
    id          uuid PRIMARY KEY,
    delegate_id uuid NOT NULL REFERENCES delegate (id) ON DELETE CASCADE,
    device_id   text NOT NULL CHECK (length(device_id) BETWEEN 8 AND 64),
    device_name text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    ended_by    text
);
CREATE UNIQUE INDEX delegate_session_one_active ON delegate_session (delegate_id) WHERE ended_at IS NULL;

-- A second device asking for a delegate who already has an active session, held until staff decide.
CREATE TABLE device_request (
    id          uuid PRIMARY KEY,
    delegate_id uuid NOT NULL REFERENCES delegate (id) ON DELETE CASCADE,
    device_id   text NOT NULL,
    device_name text NOT NULL DEFAULT '',
    asked_at    timestamptz NOT NULL DEFAULT now(),
    state       text NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'approved', 'refused', 'used')),
    decided_at  timestamptz,
    decided_by  text
);
CREATE UNIQUE INDEX device_request_one_held ON device_request (delegate_id, device_id) WHERE state IN ('held', 'approved');
