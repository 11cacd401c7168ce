ALTER TABLE authors DROP COLUMN manual_trigger_codes;
DROP TABLE offline_requests;
