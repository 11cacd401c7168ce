-- wire.md §3.7 UpdateCheck, §3.11 updatecheck.asp: a product's update fields beside
-- its Latest Version (seed 001); versions A.B.C.D as text, the release date a day.
ALTER TABLE products ADD COLUMN latest_free_version TEXT;
ALTER TABLE products ADD COLUMN url_info TEXT;
ALTER TABLE products ADD COLUMN url_file TEXT;
ALTER TABLE products ADD COLUMN release_date DATE;
ALTER TABLE products ADD COLUMN short_message TEXT;
