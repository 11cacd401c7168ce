-- wire.md §3.7 UpdateLicenseCustomData: the Format of a license's custom data.
ALTER TABLE licenses ADD COLUMN custom_data_format TEXT NOT NULL DEFAULT 'Text';
