-- PostgreSQL twin of the SQLite migration of the same name (schema.rs is shared).
-- Back office (issue 4): customers' remaining contact fields and owner, distributors,
-- invoices, license dates and custom parameters, the option fields of seed 001 that
-- the activation rules do not read, API-user throttling, and the bulk-add staging of
-- errata E-6 (reserve → stage in chunks → publish).

-- XmlCustomerService Customer fields (wire.md §3.8); author_id: the author whose
-- back office created the customer (one author never sees another's customers).
ALTER TABLE customers ADD COLUMN fax TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN author_id INTEGER REFERENCES authors (id);

-- DST-1: a distributor is itself a customer; discount and cost in ten-thousandths.
CREATE TABLE distributors (
    customer_id INTEGER PRIMARY KEY NOT NULL REFERENCES customers (id),
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    discount_percent BIGINT NOT NULL DEFAULT 0,
    cost BIGINT NOT NULL DEFAULT 0
);

-- INV-1: amounts in exact ten-thousandths; a bulk add is one line N × price.
CREATE TABLE invoices (
    invoice_number TEXT PRIMARY KEY NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    invoice_date DATE NOT NULL,
    amount_tax BIGINT NOT NULL DEFAULT 0,
    amount_shipping BIGINT NOT NULL DEFAULT 0,
    amount_discount BIGINT NOT NULL DEFAULT 0,
    amount_charged BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE invoice_lines (
    id SERIAL PRIMARY KEY NOT NULL,
    invoice_number TEXT NOT NULL REFERENCES invoices (invoice_number),
    option_id INTEGER NOT NULL REFERENCES product_options (id),
    unit_price BIGINT NOT NULL,
    quantity BIGINT NOT NULL
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_number);

-- Licenses: download-until date (seed 001 [varExpirationDate]); lookups by invoice
-- (seed 000: re-export a batch) and customer.
ALTER TABLE licenses ADD COLUMN download_until DATE;
CREATE INDEX licenses_invoice ON licenses (invoice_number);
CREATE INDEX licenses_customer ON licenses (customer_id);
CREATE INDEX licenses_option ON licenses (option_id);

-- Custom license parameters (seed 000).
CREATE TABLE license_parameters (
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (license_id, name)
);

-- The seed 001 option fields the rules do not read (a 1:1 side table; the rule
-- fields stay in product_options). Money in ten-thousandths.
CREATE TABLE product_option_details (
    option_id INTEGER PRIMARY KEY NOT NULL REFERENCES product_options (id),
    description TEXT NOT NULL DEFAULT '',
    image TEXT NOT NULL DEFAULT '',
    option_order INTEGER NOT NULL DEFAULT 0,
    order_level_req INTEGER NOT NULL DEFAULT 0,
    warehouse_id TEXT NOT NULL DEFAULT '',
    unit_of_measure TEXT NOT NULL DEFAULT '',
    unit_price BIGINT NOT NULL DEFAULT 0,
    payment_plan TEXT NOT NULL DEFAULT '',
    rebate_amount BIGINT NOT NULL DEFAULT 0,
    rebate_url TEXT NOT NULL DEFAULT '',
    order_confirm_html TEXT NOT NULL DEFAULT '',
    portal_html TEXT NOT NULL DEFAULT '',
    new_customers_only BOOLEAN NOT NULL DEFAULT FALSE,
    tax_exempt BOOLEAN NOT NULL DEFAULT FALSE,
    no_invoice_discounts BOOLEAN NOT NULL DEFAULT FALSE,
    file_to_download TEXT NOT NULL DEFAULT '',
    download_page TEXT NOT NULL DEFAULT '',
    trial_required BOOLEAN NOT NULL DEFAULT FALSE,
    license_file_name TEXT NOT NULL DEFAULT '',
    license_labels TEXT NOT NULL DEFAULT '',
    custom_parameter_set TEXT NOT NULL DEFAULT '',
    qb_item TEXT NOT NULL DEFAULT '',
    qb_account TEXT NOT NULL DEFAULT '',
    qb_taxable BOOLEAN NOT NULL DEFAULT FALSE,
    qb_class TEXT NOT NULL DEFAULT ''
);

-- Failed back-office logins, counted for throttling (wire.md §3: 5044).
ALTER TABLE api_users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_users ADD COLUMN throttled_until TIMESTAMP;

-- Bulk add (BLK, SEQ, errata E-6). A batch reserves its gap-free license (and
-- customer) ID blocks as a bulk_batches row in one short transaction, then inserts its
-- licenses, customers and parameters in chunks of ≤ 10 000 rows, one short transaction
-- each, marked with bulk_batch_id; while the batch row exists those rows are staged:
-- invisible to every read. Publishing deletes the batch row (one short transaction);
-- a failed batch deletes its rows, then the batch row: no licenses, no IDs used.
CREATE TABLE bulk_batches (
    id INTEGER PRIMARY KEY NOT NULL,
    option_id INTEGER NOT NULL REFERENCES product_options (id),
    first_license_id INTEGER NOT NULL,
    last_license_id INTEGER NOT NULL,
    first_customer_id INTEGER,
    last_customer_id INTEGER,
    created_at TIMESTAMP NOT NULL
);
ALTER TABLE licenses ADD COLUMN bulk_batch_id INTEGER;
CREATE INDEX licenses_bulk_batch ON licenses (bulk_batch_id);
ALTER TABLE customers ADD COLUMN bulk_batch_id INTEGER;
CREATE INDEX customers_bulk_batch ON customers (bulk_batch_id);
