-- Staff lockout and account state; a tamper-evident, append-only audit trail.

ALTER TABLE staff_account
    ADD COLUMN failed_logins int NOT NULL DEFAULT 0,
    ADD COLUMN locked_until  timestamptz,
    ADD COLUMN disabled      boolean NOT NULL DEFAULT false,
    ADD COLUMN created_at    timestamptz NOT NULL DEFAULT now();

-- Each audit row carries the hash of the row before it: editing or deleting a row breaks the chain, and
-- the verify action finds where. Rows are hashed in a fixed text form that does not depend on session settings.
ALTER TABLE audit_event
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash      bytea;

CREATE FUNCTION audit_row_hash(prev bytea, e audit_event) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    RETURN sha256(prev || convert_to(concat_ws(E'\x1f',
        e.id::text,
        (extract(epoch FROM e.at) * 1000000)::bigint::text,
        coalesce(e.congress_id::text, ''),
        e.actor, e.action, coalesce(e.subject, ''), coalesce(e.device, ''), coalesce(e.detail::text, '')), 'UTF8'));

CREATE FUNCTION audit_chain() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- One writer at a time extends the chain; the lock is released at commit.
    PERFORM pg_advisory_xact_lock(4242424242);
    SELECT hash INTO NEW.prev_hash FROM audit_event ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(NEW.prev_hash, '\x00'::bytea);
    NEW.hash := audit_row_hash(NEW.prev_hash, NEW);
    RETURN NEW;
END $$;

CREATE FUNCTION audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

-- Chain the rows written before this migration, in order.
DO $$
DECLARE
    r audit_event;
    previous bytea := '\x00'::bytea;
BEGIN
    FOR r IN SELECT * FROM audit_event ORDER BY id LOOP
        UPDATE audit_event SET prev_hash = previous, hash = audit_row_hash(previous, r) WHERE id = r.id;
        previous := audit_row_hash(previous, r);
    END LOOP;
END $$;

ALTER TABLE audit_event ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;

CREATE TRIGGER audit_chain BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_chain();
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_append_only();

-- A congress is never deleted with its trail: the trail outlives it.
ALTER TABLE audit_event DROP CONSTRAINT audit_event_congress_id_fkey;
ALTER TABLE audit_event ADD FOREIGN KEY (congress_id) REFERENCES congress (id);
