-- PP4 countpost.asp (wire.md §3.11): the last five usage counters posted per license.
CREATE TABLE license_usage_counters (
    license_id INTEGER PRIMARY KEY NOT NULL REFERENCES licenses (id),
    counter1 BIGINT NOT NULL,
    counter2 BIGINT NOT NULL,
    counter3 BIGINT NOT NULL,
    counter4 BIGINT NOT NULL,
    counter5 BIGINT NOT NULL,
    posted_at TIMESTAMP NOT NULL
);
