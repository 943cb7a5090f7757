-- The audit trail against its owner (docs/architecture.md, invariant 7). The chain of 0005 shows an edited or
-- deleted row, but anyone who can write to the database can recompute it. Each row is now also sealed by the
-- server with an HMAC under a key the database never holds (it lives beside the Data Protection key ring, sealed
-- by it), and the head of the chain is anchored in a file there too.

CREATE TABLE audit_seal (
    event_id bigint PRIMARY KEY REFERENCES audit_event (id),
    mac      bytea NOT NULL
);

CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal FOR EACH ROW EXECUTE FUNCTION audit_append_only();

-- Row triggers do not see TRUNCATE: refuse it as a statement.
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
