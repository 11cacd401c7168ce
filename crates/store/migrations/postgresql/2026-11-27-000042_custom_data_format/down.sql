ALTER TABLE licenses DROP COLUMN custom_data_format;
