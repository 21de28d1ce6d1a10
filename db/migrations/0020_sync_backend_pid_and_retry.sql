ALTER TABLE "sync_executions" ADD COLUMN "backend_pid" integer;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD COLUMN "retry_of_id" uuid;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD CONSTRAINT "sync_executions_retry_of_id_sync_executions_id_fk" FOREIGN KEY ("retry_of_id") REFERENCES "public"."sync_executions"("id") ON DELETE no action ON UPDATE no action;