-- Network floating (rules FLT-1..6, CON-8, errata E-5), PostgreSQL twin of the SQLite
-- migration of the same name.

-- An option's Network Floating Options set (FLT-1); product_options.network_floating_set_id
-- points here. Overage off = allow_overages FALSE; checkout allowed iff both hours > 0.
CREATE TABLE network_floating_sets (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    poll_frequency INTEGER NOT NULL CHECK (poll_frequency > 0),
    poll_retry_frequency INTEGER NOT NULL CHECK (poll_retry_frequency > 0),
    poll_retry_count INTEGER NOT NULL CHECK (poll_retry_count >= 0),
    allow_overages BOOLEAN NOT NULL DEFAULT FALSE,
    overage_seconds INTEGER NOT NULL DEFAULT 0 CHECK (overage_seconds >= 0),
    checkout_min_hours INTEGER NOT NULL DEFAULT 0 CHECK (checkout_min_hours >= 0),
    checkout_max_hours INTEGER NOT NULL DEFAULT 0 CHECK (checkout_max_hours >= 0)
);

-- One row per floating session; a seat is held while closed = FALSE and
-- now <= allocated_until (FLT-3). Rows are deleted only once allocated_until plus the
-- overage margin has passed (E-5).
CREATE TABLE floating_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    opened_at TIMESTAMP NOT NULL,
    last_poll_at TIMESTAMP NOT NULL,
    allocated_until TIMESTAMP NOT NULL,
    checked_out BOOLEAN NOT NULL DEFAULT FALSE,
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    installation_name TEXT
);
CREATE INDEX floating_sessions_license_until ON floating_sessions (license_id, allocated_until);
