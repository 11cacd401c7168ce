-- Offline activation (wire.md §7, issue 7); PostgreSQL twin of the SQLite migration.
-- One use per offline request (wire.md §7.3): (EncryptionKeyID or `offact`, license or
-- installation, session code) of every answered offline request. The per-license
-- monotonic counter is licenses.update_counter, carried in every answer.
CREATE TABLE offline_requests (
    id BIGSERIAL PRIMARY KEY NOT NULL,
    key_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    session_code TEXT NOT NULL,
    answered_at TIMESTAMP NOT NULL,
    UNIQUE (key_id, subject, session_code)
);

-- ManualTriggerCodes.aspx is enabled per author (wire.md §7.4).
ALTER TABLE authors ADD COLUMN manual_trigger_codes BOOLEAN NOT NULL DEFAULT FALSE;
