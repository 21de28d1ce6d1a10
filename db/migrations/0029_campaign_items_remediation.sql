-- Remediation moves on after completion (the revoke is carried out after the
-- review ends), and only along its own path: only a revoke is remediated, a
-- removal proven by a sync is final, and the proving sync is recorded with the
-- verified state and never without it. The rest is as in 0024: copied facts
-- never change, decisions only while active, reviewers while draft or active.
CREATE OR REPLACE FUNCTION campaign_items_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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
  IF NEW.decision IS DISTINCT FROM OLD.decision OR NEW.comment IS DISTINCT FROM OLD.comment
     OR NEW.decided_at IS DISTINCT FROM OLD.decided_at OR NEW.decided_by_id IS DISTINCT FROM OLD.decided_by_id
     OR NEW.decided_by_name IS DISTINCT FROM OLD.decided_by_name THEN
    SELECT status INTO campaign_status FROM campaigns WHERE id = NEW.campaign_id;
    IF campaign_status <> 'active' THEN
      RAISE EXCEPTION 'campaign % is %: its decisions cannot change', NEW.campaign_id, campaign_status USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF NEW.reviewer_id IS DISTINCT FROM OLD.reviewer_id OR NEW.reviewer_name IS DISTINCT FROM OLD.reviewer_name THEN
    SELECT status INTO campaign_status FROM campaigns WHERE id = NEW.campaign_id;
    IF campaign_status NOT IN ('draft', 'active') THEN
      RAISE EXCEPTION 'campaign % is %: its items cannot be reassigned', NEW.campaign_id, campaign_status USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  IF NEW.remediation IS DISTINCT FROM OLD.remediation OR NEW.remediation_task_id IS DISTINCT FROM OLD.remediation_task_id
     OR NEW.remediation_verified_sync_id IS DISTINCT FROM OLD.remediation_verified_sync_id THEN
    IF OLD.remediation = 'verified' THEN
      RAISE EXCEPTION 'item %: its removal was verified by sync %; that proof never changes', OLD.id, OLD.remediation_verified_sync_id
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.remediation IS NOT NULL AND NEW.decision IS DISTINCT FROM 'revoke' THEN
      RAISE EXCEPTION 'item %: only a revoke is remediated', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    IF (NEW.remediation = 'verified') <> (NEW.remediation_verified_sync_id IS NOT NULL)
       OR (NEW.remediation IS NULL AND NEW.remediation_verified_sync_id IS NOT NULL) THEN
      RAISE EXCEPTION 'item %: a verified removal names the sync that proved it, and only a verified one does', NEW.id
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$;
