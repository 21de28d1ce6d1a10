-- A campaign's Sync Context and review items are what the campaign was based
-- on: no role may change them afterwards (the app role included), whatever a
-- bug or a hand-written statement tries.

-- The Sync Context is insert-only.
CREATE TRIGGER campaign_sync_contexts_no_update_delete
  BEFORE UPDATE OR DELETE ON campaign_sync_contexts
  FOR EACH ROW EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
CREATE TRIGGER campaign_sync_contexts_no_truncate
  BEFORE TRUNCATE ON campaign_sync_contexts
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
-- A campaign's captured facts never change; its status moves on, and only from
-- an open state (a completed or cancelled campaign is final). The snapshot's
-- hash, digest and count are filled in once, by the transaction that creates
-- the campaign, after its items are copied (they reference the campaign row).
CREATE FUNCTION campaigns_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'campaigns are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.status IN ('completed', 'cancelled') THEN
    RAISE EXCEPTION 'campaign % is %; it can no longer change', OLD.id, OLD.status USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id OR NEW.filter IS DISTINCT FROM OLD.filter
     OR NEW.name IS DISTINCT FROM OLD.name OR NEW.description IS DISTINCT FROM OLD.description
     OR NEW.due_date IS DISTINCT FROM OLD.due_date OR NEW.created_at IS DISTINCT FROM OLD.created_at
     OR NEW.created_by_id IS DISTINCT FROM OLD.created_by_id OR NEW.created_by_name IS DISTINCT FROM OLD.created_by_name
     OR NEW.reviewer_mode IS DISTINCT FROM OLD.reviewer_mode OR NEW.reviewer_ids IS DISTINCT FROM OLD.reviewer_ids
     OR (OLD.snapshot_hash <> '' AND (NEW.snapshot_hash IS DISTINCT FROM OLD.snapshot_hash
         OR NEW.items_digest IS DISTINCT FROM OLD.items_digest OR NEW.item_count IS DISTINCT FROM OLD.item_count)) THEN
    RAISE EXCEPTION 'a campaign''s captured facts never change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER campaigns_guard BEFORE UPDATE OR DELETE ON campaigns FOR EACH ROW EXECUTE FUNCTION campaigns_guard();
--> statement-breakpoint
CREATE TRIGGER campaigns_no_truncate BEFORE TRUNCATE ON campaigns FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
-- An item's copied facts never change; its reviewer, decision and remediation
-- may, while its campaign is open. Remediation alone may still move on after
-- completion: carrying out a revoke happens after the review ends.
CREATE FUNCTION campaign_items_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  campaign_status text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'review items are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id OR NEW.campaign_id IS DISTINCT FROM OLD.campaign_id
     OR NEW.integration_id IS DISTINCT FROM OLD.integration_id OR NEW.sync_execution_id IS DISTINCT FROM OLD.sync_execution_id
     OR NEW.object_type IS DISTINCT FROM OLD.object_type OR NEW.external_id IS DISTINCT FROM OLD.external_id
     OR NEW.account_external_id IS DISTINCT FROM OLD.account_external_id OR NEW.account_name IS DISTINCT FROM OLD.account_name
     OR NEW.display_name IS DISTINCT FROM OLD.display_name OR NEW.target_external_id IS DISTINCT FROM OLD.target_external_id
     OR NEW.target_name IS DISTINCT FROM OLD.target_name OR NEW.fields IS DISTINCT FROM OLD.fields THEN
    RAISE EXCEPTION 'a review item''s copied facts never change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.reviewer_id IS DISTINCT FROM OLD.reviewer_id OR NEW.decision IS DISTINCT FROM OLD.decision
     OR NEW.comment IS DISTINCT FROM OLD.comment OR NEW.decided_at IS DISTINCT FROM OLD.decided_at THEN
    SELECT status INTO campaign_status FROM campaigns WHERE id = NEW.campaign_id;
    IF campaign_status <> 'active' THEN
      RAISE EXCEPTION 'campaign % is %: its decisions cannot change', NEW.campaign_id, campaign_status USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER campaign_items_guard BEFORE UPDATE OR DELETE ON campaign_items FOR EACH ROW EXECUTE FUNCTION campaign_items_guard();
--> statement-breakpoint
CREATE TRIGGER campaign_items_no_truncate BEFORE TRUNCATE ON campaign_items FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation();
