-- The extensions object: keys set through PATCH and fields computed by the
-- out-of-process plugins (ComputeFields).
ALTER TABLE interventions ADD COLUMN extensions JSONB NOT NULL DEFAULT '{}';
