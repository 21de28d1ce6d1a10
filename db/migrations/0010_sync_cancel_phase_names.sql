ALTER TABLE "sync_executions" ADD COLUMN "phase" text;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD COLUMN "cancel_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD COLUMN "cancelled_by_id" text;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD COLUMN "cancelled_by_name" text;--> statement-breakpoint
ALTER TABLE "sync_records" ADD COLUMN "name" text;--> statement-breakpoint
-- Requests queued twice for one integration before this release join the oldest.
UPDATE "sync_executions" s
   SET "status" = 'cancelled', "ended_at" = now(), "cancelled_by_name" = 'system',
       "message" = 'Joined an earlier queued sync of the same integration.'
 WHERE s."status" = 'queued' AND s."released_by_name" IS NULL
   AND EXISTS (SELECT 1 FROM "sync_executions" o
                WHERE o."integration_id" = s."integration_id" AND o."status" = 'queued' AND o."released_by_name" IS NULL
                  AND (o."queued_at", o."id") < (s."queued_at", s."id"));--> statement-breakpoint
CREATE UNIQUE INDEX "sync_executions_one_queued_uq" ON "sync_executions" USING btree ("integration_id") WHERE status = 'queued' and released_by_name is null;--> statement-breakpoint
-- Cancelled runs: who cancelled them goes into the ledger record (only when set, so
-- the records of runs sealed before this migration are unchanged), and a cancelled
-- run is sealed like any other finished one.
CREATE OR REPLACE FUNCTION ledger_record_sync(s sync_executions) RETURNS jsonb
LANGUAGE sql STABLE SET timezone TO 'UTC' AS $$
  SELECT jsonb_build_object(
    'id', s.id, 'tenant_id', s.tenant_id, 'integration_id', s.integration_id, 'status', s.status,
    'mode', s.mode, 'trigger', s.trigger, 'started_by_type', s.started_by_type, 'started_by_id', s.started_by_id,
    'started_by_name', s.started_by_name, 'released_by_name', s.released_by_name, 'message', s.message,
    'queued_at', s.queued_at, 'started_at', s.started_at, 'ended_at', s.ended_at, 'counts', s.counts)
  || CASE WHEN s.cancelled_by_name IS NULL THEN '{}'::jsonb
          ELSE jsonb_build_object('cancelled_by_id', s.cancelled_by_id, 'cancelled_by_name', s.cancelled_by_name) END
$$;
--> statement-breakpoint
DROP TRIGGER "sync_executions_to_ledger" ON "sync_executions";--> statement-breakpoint
CREATE TRIGGER sync_executions_to_ledger
  AFTER UPDATE OF status ON sync_executions
  FOR EACH ROW
  WHEN (NEW.status IN ('post_sync_completed', 'error', 'cancelled') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION ledger_queue_sync();
