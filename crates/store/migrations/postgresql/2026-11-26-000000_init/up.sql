-- unlockd schema, PostgreSQL flavour: the twin of the SQLite migration of the same
-- name (same tables, columns, constraints and indexes; schema.rs is shared).
-- Column meanings: rules.md (IDs in comments).
-- Timestamps are UTC (rules C-1), TIMESTAMP without time zone as on SQLite (diesel
-- `Timestamp`); day dates DATE. Integer IDs stay INTEGER/BIGINT as in schema.rs.

CREATE TABLE authors (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_users (
    id SERIAL PRIMARY KEY NOT NULL,
    author_id INTEGER NOT NULL REFERENCES authors (id),
    user_id TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    permissions TEXT NOT NULL,
    UNIQUE (author_id, user_id)
);

CREATE TABLE products (
    id INTEGER PRIMARY KEY NOT NULL,
    author_id INTEGER NOT NULL REFERENCES authors (id),
    name TEXT NOT NULL,
    latest_version TEXT
);

-- Every option field of seed 001 that the rules read (rules OPT table).
CREATE TABLE product_options (
    id INTEGER PRIMARY KEY NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id),
    name TEXT NOT NULL,
    option_type TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    quantity_mode TEXT NOT NULL DEFAULT 'MultipleLicenses',
    min_quantity INTEGER NOT NULL DEFAULT 1,
    max_quantity INTEGER NOT NULL DEFAULT 0,
    activations_per_unit INTEGER NOT NULL DEFAULT 1,
    issue_license BOOLEAN NOT NULL DEFAULT TRUE,
    issue_installation_id BOOLEAN NOT NULL DEFAULT FALSE,
    allow_deactivations BOOLEAN NOT NULL DEFAULT FALSE,
    deactivations_per_unit INTEGER NOT NULL DEFAULT 0,
    allow_reactivation BOOLEAN NOT NULL DEFAULT FALSE,
    ip_mode TEXT NOT NULL DEFAULT 'NoRestrictions',
    ip_mask TEXT NOT NULL DEFAULT '255.255.255.255',
    additional_days INTEGER NOT NULL DEFAULT 0,
    min_version TEXT,
    min_version_url TEXT,
    unlock_threshold INTEGER NOT NULL DEFAULT -1,
    trigger_code INTEGER NOT NULL DEFAULT 1,
    tc_seed INTEGER NOT NULL DEFAULT 0,
    rk2_seed INTEGER NOT NULL DEFAULT 0,
    tc_fixed_value INTEGER NOT NULL DEFAULT 0,
    tc_algorithm TEXT NOT NULL DEFAULT 'unlockd-tc1',
    offact_key TEXT,
    days_to_download INTEGER NOT NULL DEFAULT 0,
    reset_expiration BOOLEAN NOT NULL DEFAULT FALSE,
    upgrade_behavior TEXT NOT NULL DEFAULT 'Deactivate',
    upgrade_from INTEGER REFERENCES product_options (id),
    upgrade_to INTEGER REFERENCES product_options (id),
    replaced_by INTEGER REFERENCES product_options (id),
    license_counter_source TEXT NOT NULL DEFAULT 'None',
    license_counter_value BIGINT NOT NULL DEFAULT 0,
    license_counter_type TEXT NOT NULL DEFAULT 'Static',
    network_floating_set_id INTEGER,
    udf_writable BOOLEAN NOT NULL DEFAULT FALSE,
    custom_data TEXT,
    track_inventory BOOLEAN NOT NULL DEFAULT FALSE,
    allow_backorder BOOLEAN NOT NULL DEFAULT FALSE,
    stock_quantity INTEGER NOT NULL DEFAULT 0,
    min_stock_quantity INTEGER NOT NULL DEFAULT 0,
    threshold_plugin TEXT,
    pre_activation_plugin TEXT,
    post_activation_plugin TEXT
);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY NOT NULL,
    company_name TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    address1 TEXT NOT NULL DEFAULT '',
    address2 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state_province TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    registered BOOLEAN NOT NULL DEFAULT FALSE,
    password TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE licenses (
    id INTEGER PRIMARY KEY NOT NULL,
    option_id INTEGER NOT NULL REFERENCES product_options (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    status TEXT NOT NULL,
    activation_password TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    activations_left INTEGER NOT NULL CHECK (activations_left >= 0),
    activations_allowed INTEGER NOT NULL,
    deactivations_left INTEGER NOT NULL CHECK (deactivations_left >= -1),
    license_counter BIGINT CHECK (license_counter >= 0),
    expiration DATE,
    allowed_ips TEXT,
    license_update TEXT NOT NULL DEFAULT '',
    update_counter BIGINT NOT NULL DEFAULT 0,
    serial_number INTEGER,
    entered_date TIMESTAMP NOT NULL,
    distributor_id INTEGER REFERENCES customers (id),
    invoice_number TEXT,
    notes TEXT NOT NULL DEFAULT '',
    custom_data TEXT,
    udef_char1 TEXT,
    udef_char2 TEXT,
    udef_char3 TEXT,
    udef_char4 TEXT,
    udef_char5 TEXT,
    udef_char6 TEXT,
    udef_char7 TEXT,
    udef_char8 TEXT,
    udef_char9 TEXT,
    udef_char10 TEXT,
    udef_num1 BIGINT,
    udef_num2 BIGINT,
    udef_num3 BIGINT,
    udef_num4 BIGINT,
    udef_num5 BIGINT
);

-- One row per grant (rules ACT-5).
CREATE TABLE activation_records (
    id BIGSERIAL PRIMARY KEY NOT NULL,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    installation_id TEXT,
    key_fingerprint TEXT,
    computer_id BIGINT,
    identifiers TEXT NOT NULL DEFAULT '[]',
    kind TEXT NOT NULL,
    consumed BOOLEAN NOT NULL,
    state TEXT NOT NULL,
    deactivated_at TIMESTAMP,
    deactivation_reason TEXT,
    related_installation_id TEXT,
    granted_at TIMESTAMP NOT NULL,
    path TEXT NOT NULL,
    option_id INTEGER NOT NULL REFERENCES product_options (id),
    session_code TEXT,
    stored_reply TEXT,
    ip TEXT,
    version TEXT,
    last_seen_at TIMESTAMP
);

-- CON-3: an installation ID is Active on at most one record.
CREATE UNIQUE INDEX activation_records_active_installation
    ON activation_records (installation_id)
    WHERE state = 'Active' AND installation_id IS NOT NULL;
-- REA-1/REA-4/THR exact/ACT-7 candidates.
CREATE INDEX activation_records_license_key
    ON activation_records (license_id, key_fingerprint);
-- THR-2 Computer ID windows.
CREATE INDEX activation_records_license_computer
    ON activation_records (license_id, computer_id);
-- CHK-1 / DEA-1 lookups.
CREATE INDEX activation_records_installation
    ON activation_records (installation_id);
-- DAYS-1 anchor: the latest Counted grant of a license.
CREATE INDEX activation_records_license_kind_granted
    ON activation_records (license_id, kind, granted_at);

-- Every attempt (rules ACT-5, errata E-3); license_id is not a foreign key because
-- unknown IDs are logged too.
CREATE TABLE activation_history (
    id BIGSERIAL PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    operation TEXT NOT NULL,
    license_id INTEGER,
    installation_id TEXT,
    result_code INTEGER NOT NULL,
    reason TEXT NOT NULL,
    ip TEXT
);
CREATE INDEX activation_history_license ON activation_history (license_id, at);

-- Key ring (wire.md §5.1): active, retired or revoked.
CREATE TABLE encryption_keys (
    id TEXT PRIMARY KEY NOT NULL,
    author_id INTEGER NOT NULL REFERENCES authors (id),
    algorithm TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP,
    revoked_at TIMESTAMP,
    client_private_pem TEXT NOT NULL,
    client_public_pem TEXT NOT NULL,
    server_private_pem TEXT NOT NULL,
    server_public_pem TEXT NOT NULL,
    envelope TEXT NOT NULL,
    envelope_key TEXT NOT NULL
);

-- DecrementLicenseCounter TransactionID replay (wire.md §3.5).
CREATE TABLE counter_transactions (
    id BIGSERIAL PRIMARY KEY NOT NULL,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    transaction_id TEXT NOT NULL,
    counter BIGINT NOT NULL,
    update_counter BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    UNIQUE (license_id, transaction_id)
);
