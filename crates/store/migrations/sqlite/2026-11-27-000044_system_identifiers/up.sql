-- wire.md §3 SystemIdentifiers sent with OpenSession, stored with the session as sent
-- (JSON array of [type, name, value], like activation_records.identifiers).
ALTER TABLE floating_sessions ADD COLUMN identifiers TEXT NOT NULL DEFAULT '[]';
