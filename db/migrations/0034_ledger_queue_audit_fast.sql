-- Custom migration: the audit trigger queues the ledger record without the
-- per-call `SET timezone` of ledger_record_audit when the session's time zone
-- is already UTC (the usual case), which cost about as much as the rest of the
-- trigger. In those zones to_jsonb renders the timestamps exactly as
-- ledger_record_audit does, so the record, and the verifier's comparison with
-- the live row through ledger_record_audit, stay identical. Any other zone
-- takes ledger_record_audit as before.
CREATE OR REPLACE FUNCTION ledger_queue_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tenant_id IS NOT NULL THEN
    INSERT INTO ledger_queue (tenant_id, kind, ref_id, record) VALUES (
      NEW.tenant_id, 'audit', NEW.id::text,
      CASE WHEN current_setting('TimeZone') IN ('UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Etc/Universal', 'Universal', 'Zulu', 'Etc/Zulu')
        THEN to_jsonb(NEW) ELSE ledger_record_audit(NEW) END);
  END IF;
  RETURN NULL;
END;
$$;
