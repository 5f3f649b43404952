-- The extensions object: keys set through PATCH and fields computed by the
-- out-of-process plugins (ComputeFields), as JSON text.
ALTER TABLE interventions ADD COLUMN extensions TEXT NOT NULL DEFAULT '{}';
