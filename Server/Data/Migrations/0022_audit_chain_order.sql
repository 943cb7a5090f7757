-- The chain follows the ids (verification links each row to the one with the next lower id), so a row's id is
-- drawn only once the chain's lock is held. Drawn before, as the column's default is, two writers could take
-- ids 10 and 11 and then link their rows in the other order, and verification would report a break nobody made.
-- The id the default drew is left unused.
CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- One writer at a time extends the chain; the lock is released at commit.
    PERFORM pg_advisory_xact_lock(4242424242);
    NEW.id := nextval(pg_get_serial_sequence('audit_event', 'id'));
    SELECT hash INTO NEW.prev_hash FROM audit_event ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(NEW.prev_hash, '\x00'::bytea);
    NEW.hash := audit_row_hash(NEW.prev_hash, NEW);
    RETURN NEW;
END $$;
