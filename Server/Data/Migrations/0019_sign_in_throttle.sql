-- Wrong passwords are counted per user name and client address, not per account: guesses from one device lock
-- that device out, never the chair signing in from their own. Unknown user names are counted the same way, so
-- the answers do not tell which names exist.
CREATE TABLE sign_in_failure (
    user_name    text NOT NULL,
    address      text NOT NULL,
    failures     int NOT NULL DEFAULT 0,
    locked_until timestamptz,
    last_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_name, address)
);

-- A staff cookie is only as good as its account's stamp: signing out, a new password, a role change or
-- disabling draws a new stamp, and every cookie issued before it stops working at once, on every device.
ALTER TABLE staff_account ADD COLUMN security_stamp uuid NOT NULL DEFAULT gen_random_uuid();
