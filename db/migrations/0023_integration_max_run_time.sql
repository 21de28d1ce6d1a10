ALTER TABLE "integrations" ADD COLUMN "max_run_seconds" integer DEFAULT 7200 NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD COLUMN "phase_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD COLUMN "deadline_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD COLUMN "run_deadline_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_max_run_seconds_check" CHECK ("integrations"."max_run_seconds" between 1 and 86400);