ALTER TABLE interventions DROP COLUMN extensions;
