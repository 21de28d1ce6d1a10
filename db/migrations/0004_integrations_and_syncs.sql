CREATE TABLE "extracted_objects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"sync_execution_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"external_id" text NOT NULL,
	"fields" jsonb NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "extraction_cursors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"position" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity_objects" (
	"tenant_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"external_id" text NOT NULL,
	"fields" jsonb NOT NULL,
	"hash" text NOT NULL,
	"sync_execution_id" uuid NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identity_objects_integration_id_object_type_external_id_pk" PRIMARY KEY("integration_id","object_type","external_id")
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"connector" text NOT NULL,
	"config" jsonb NOT NULL,
	"secrets" text,
	"owner_id" uuid,
	"logo_url" text,
	"active" boolean DEFAULT true NOT NULL,
	"schedule_minutes" integer,
	"next_sync_at" timestamp with time zone,
	"drop_threshold_percent" integer DEFAULT 30 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "mapping_configs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"mapping" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_executions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"mode" text DEFAULT 'full' NOT NULL,
	"trigger" text NOT NULL,
	"started_by_type" text NOT NULL,
	"started_by_id" text,
	"started_by_name" text NOT NULL,
	"idempotency_key" text,
	"released_by_name" text,
	"message" text,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"worker_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"total" integer
);
--> statement-breakpoint
CREATE TABLE "sync_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"sync_execution_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"external_id" text NOT NULL,
	"outcome" text NOT NULL,
	"reason" text
);
--> statement-breakpoint
DROP INDEX "audit_events_search_trgm_idx";--> statement-breakpoint
ALTER TABLE "extracted_objects" ADD CONSTRAINT "extracted_objects_sync_execution_id_sync_executions_id_fk" FOREIGN KEY ("sync_execution_id") REFERENCES "public"."sync_executions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "extraction_cursors" ADD CONSTRAINT "extraction_cursors_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "extraction_cursors" ADD CONSTRAINT "extraction_cursors_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_objects" ADD CONSTRAINT "identity_objects_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mapping_configs" ADD CONSTRAINT "mapping_configs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mapping_configs" ADD CONSTRAINT "mapping_configs_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD CONSTRAINT "sync_executions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD CONSTRAINT "sync_executions_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_records" ADD CONSTRAINT "sync_records_sync_execution_id_sync_executions_id_fk" FOREIGN KEY ("sync_execution_id") REFERENCES "public"."sync_executions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "extracted_objects_sync_idx" ON "extracted_objects" USING btree ("sync_execution_id","object_type","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "extraction_cursors_integration_type_uq" ON "extraction_cursors" USING btree ("integration_id","object_type");--> statement-breakpoint
CREATE INDEX "integrations_tenant_idx" ON "integrations" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "integrations_due_idx" ON "integrations" USING btree ("next_sync_at") WHERE deleted_at is null and active and schedule_minutes is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "mapping_configs_integration_uq" ON "mapping_configs" USING btree ("integration_id");--> statement-breakpoint
CREATE INDEX "sync_executions_history_idx" ON "sync_executions" USING btree ("tenant_id","integration_id","queued_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "sync_executions_queue_idx" ON "sync_executions" USING btree ("run_after") WHERE status = 'queued';--> statement-breakpoint
CREATE INDEX "sync_executions_status_idx" ON "sync_executions" USING btree ("tenant_id","status","ended_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_executions_one_running_uq" ON "sync_executions" USING btree ("integration_id") WHERE status = 'syncing';--> statement-breakpoint
CREATE UNIQUE INDEX "sync_executions_idempotency_uq" ON "sync_executions" USING btree ("tenant_id","integration_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "sync_records_sync_idx" ON "sync_records" USING btree ("sync_execution_id","id");--> statement-breakpoint
CREATE INDEX "sync_records_sync_outcome_idx" ON "sync_records" USING btree ("sync_execution_id","outcome","object_type","id");--> statement-breakpoint
CREATE INDEX "audit_events_search_trgm_idx" ON "audit_events" USING gin ("search_text" gin_trgm_ops);