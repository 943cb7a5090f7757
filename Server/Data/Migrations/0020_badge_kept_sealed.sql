-- A badge's token, sealed with the Data Protection key ring (a file beside the server that the database never
-- holds), so the same badge can be printed again as PNG, SVG or on a sheet. Sign-in still looks up only the
-- token's hash: whoever reads the database can neither read this column nor sign in as a delegate.
-- Badges issued before this column existed have none: they are reissued to be printed again.
ALTER TABLE delegate ADD COLUMN badge_sealed bytea;
