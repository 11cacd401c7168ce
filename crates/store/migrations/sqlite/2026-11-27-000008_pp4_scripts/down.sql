DROP TABLE license_usage_counters;
