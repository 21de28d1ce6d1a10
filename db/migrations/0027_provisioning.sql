CREATE TABLE "provisioning_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"file_sha256" text NOT NULL,
	"rows" integer NOT NULL,
	"task_count" integer NOT NULL,
	"rejected" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by_id" text,
	"created_by_name" text NOT NULL,
	"created_by_type" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provisioning_settings" (
	"integration_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"mode" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secrets" text,
	"callback_timeout_seconds" integer DEFAULT 3600 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "provisioning_settings_callback_timeout_seconds_check" CHECK ("provisioning_settings"."callback_timeout_seconds" between 10 and 604800)
);
--> statement-breakpoint
CREATE TABLE "provisioning_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"tenant_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"action" text NOT NULL,
	"object_key" text NOT NULL,
	"object_name" text NOT NULL,
	"account_external_id" text,
	"group_external_id" text,
	"group_name" text,
	"source" text NOT NULL,
	"source_ref_type" text,
	"source_ref_id" text,
	"initiator_type" text NOT NULL,
	"initiator_id" text,
	"initiator_name" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"outcome" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"message" text,
	"parameters" jsonb NOT NULL,
	"request" jsonb,
	"response" jsonb,
	"request_hash" text,
	"response_hash" text,
	"bindings" jsonb,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"retry_of_id" uuid,
	"batch_id" uuid,
	"batch_line" integer,
	"expires_at" timestamp with time zone,
	"expiry_task_id" uuid,
	"callback_token_hash" text,
	"callback_expires_at" timestamp with time zone,
	"callback_used_at" timestamp with time zone,
	"confirmed_by_id" text,
	"confirmed_by_name" text,
	"confirmed_at" timestamp with time zone,
	"confirm_reason" text,
	"confirm_evidence" jsonb,
	"worker_id" text,
	"heartbeat_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaign_items" ADD COLUMN "remediation_task_id" uuid;--> statement-breakpoint
ALTER TABLE "campaign_items" ADD COLUMN "remediation_verified_sync_id" uuid;--> statement-breakpoint
ALTER TABLE "provisioning_batches" ADD CONSTRAINT "provisioning_batches_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_batches" ADD CONSTRAINT "provisioning_batches_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_settings" ADD CONSTRAINT "provisioning_settings_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_settings" ADD CONSTRAINT "provisioning_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_tasks" ADD CONSTRAINT "provisioning_tasks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_tasks" ADD CONSTRAINT "provisioning_tasks_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_tasks" ADD CONSTRAINT "provisioning_tasks_retry_of_id_provisioning_tasks_id_fk" FOREIGN KEY ("retry_of_id") REFERENCES "public"."provisioning_tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_tasks" ADD CONSTRAINT "provisioning_tasks_batch_id_provisioning_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."provisioning_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "provisioning_batches_tenant_id_created_at_idx" ON "provisioning_batches" USING btree ("tenant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "provisioning_tasks_seq_uq" ON "provisioning_tasks" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "provisioning_tasks_tenant_id_seq_idx" ON "provisioning_tasks" USING btree ("tenant_id","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "provisioning_tasks_tenant_id_status_seq_idx" ON "provisioning_tasks" USING btree ("tenant_id","status","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "provisioning_tasks_tenant_id_source_seq_idx" ON "provisioning_tasks" USING btree ("tenant_id","source","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "provisioning_tasks_tenant_id_integration_id_seq_idx" ON "provisioning_tasks" USING btree ("tenant_id","integration_id","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "provisioning_tasks_run_after_pending_idx" ON "provisioning_tasks" USING btree ("run_after") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "provisioning_tasks_integration_id_object_key_seq_holding_idx" ON "provisioning_tasks" USING btree ("integration_id","object_key","seq") WHERE status in ('pending', 'running', 'failed', 'no_callback');--> statement-breakpoint
CREATE INDEX "provisioning_tasks_batch_id_idx" ON "provisioning_tasks" USING btree ("batch_id") WHERE batch_id is not null;--> statement-breakpoint
CREATE INDEX "provisioning_tasks_expires_at_due_idx" ON "provisioning_tasks" USING btree ("expires_at") WHERE expires_at is not null and expiry_task_id is null;--> statement-breakpoint
CREATE INDEX "provisioning_tasks_callback_expires_at_waiting_idx" ON "provisioning_tasks" USING btree ("callback_expires_at") WHERE status = 'running' and callback_expires_at is not null;--> statement-breakpoint
CREATE INDEX "provisioning_tasks_source_ref_idx" ON "provisioning_tasks" USING btree ("tenant_id","source_ref_type","source_ref_id") WHERE source_ref_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "provisioning_tasks_id_tenant_id_uq" ON "provisioning_tasks" USING btree ("id","tenant_id");