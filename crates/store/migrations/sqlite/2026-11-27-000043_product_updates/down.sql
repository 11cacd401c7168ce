ALTER TABLE products DROP COLUMN short_message;
ALTER TABLE products DROP COLUMN release_date;
ALTER TABLE products DROP COLUMN url_file;
ALTER TABLE products DROP COLUMN url_info;
ALTER TABLE products DROP COLUMN latest_free_version;
