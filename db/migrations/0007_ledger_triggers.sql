-- What the ledger records of an admin audit event and of a finished sync.
-- (No NOTIFY here: a notifying transaction takes a global lock at commit,
-- which would serialise every audited change; the sealer polls each second.) The
-- same functions build the record when it is queued and when the verifier
-- compares the ledger with the live rows, so both see identical JSON.
CREATE OR REPLACE FUNCTION ledger_record_audit(a audit_events) RETURNS jsonb
LANGUAGE sql STABLE SET timezone TO 'UTC' AS $$
  SELECT to_jsonb(a)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_record_sync(s sync_executions) RETURNS jsonb
LANGUAGE sql STABLE SET timezone TO 'UTC' AS $$
  SELECT jsonb_build_object(
    'id', s.id, 'tenant_id', s.tenant_id, 'integration_id', s.integration_id, 'status', s.status,
    'mode', s.mode, 'trigger', s.trigger, 'started_by_type', s.started_by_type, 'started_by_id', s.started_by_id,
    'started_by_name', s.started_by_name, 'released_by_name', s.released_by_name, 'message', s.message,
    'queued_at', s.queued_at, 'started_at', s.started_at, 'ended_at', s.ended_at, 'counts', s.counts)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_queue_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tenant_id IS NOT NULL THEN
    INSERT INTO ledger_queue (tenant_id, kind, ref_id, record) VALUES (NEW.tenant_id, 'audit', NEW.id::text, ledger_record_audit(NEW));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_to_ledger
  AFTER INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION ledger_queue_audit();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_queue_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_queue (tenant_id, kind, ref_id, record) VALUES (NEW.tenant_id, 'sync', NEW.id::text, ledger_record_sync(NEW));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER sync_executions_to_ledger
  AFTER UPDATE OF status ON sync_executions
  FOR EACH ROW
  WHEN (NEW.status IN ('post_sync_completed', 'error') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION ledger_queue_sync();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_update_delete
  BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate
  BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_checkpoints_no_update_delete
  BEFORE UPDATE OR DELETE ON ledger_checkpoints
  FOR EACH ROW EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_checkpoints_no_truncate
  BEFORE TRUNCATE ON ledger_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_keys_no_update_delete
  BEFORE UPDATE OR DELETE ON ledger_keys
  FOR EACH ROW EXECUTE FUNCTION forbid_mutation();
