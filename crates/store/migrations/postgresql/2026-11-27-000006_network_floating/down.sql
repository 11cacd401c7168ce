DROP TABLE floating_sessions;
DROP TABLE network_floating_sets;
