ALTER TABLE floating_sessions DROP COLUMN identifiers;
