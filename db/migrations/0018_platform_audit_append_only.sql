-- The platform's audit log is append-only like each tenant's (0002_append_only.sql):
-- no role may change or remove what a platform administrator did.
CREATE TRIGGER platform_audit_events_no_update_delete
  BEFORE UPDATE OR DELETE ON platform_audit_events
  FOR EACH ROW EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
CREATE TRIGGER platform_audit_events_no_truncate
  BEFORE TRUNCATE ON platform_audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation();
