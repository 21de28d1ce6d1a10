CREATE TABLE "campaign_items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"sync_execution_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"external_id" text NOT NULL,
	"account_external_id" text,
	"account_name" text,
	"display_name" text,
	"target_external_id" text,
	"target_name" text,
	"fields" jsonb NOT NULL,
	"reviewer_id" uuid,
	"reviewer_name" text,
	"decision" text,
	"comment" text,
	"decided_by_id" text,
	"decided_by_name" text,
	"decided_at" timestamp with time zone,
	"remediation" text
);
--> statement-breakpoint
CREATE TABLE "campaign_progress" (
	"tenant_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"reviewer_id" uuid NOT NULL,
	"total" bigint DEFAULT 0 NOT NULL,
	"approved" bigint DEFAULT 0 NOT NULL,
	"revoked" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_sync_contexts" (
	"tenant_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"integration_id" uuid NOT NULL,
	"integration_name" text NOT NULL,
	"connector" text NOT NULL,
	"logo" "bytea",
	"logo_content_type" text,
	"logo_sha256" text,
	"sync_execution_id" uuid NOT NULL,
	"sync_status" text NOT NULL,
	"sync_started_at" text,
	"sync_ended_at" text,
	"sync_message" text,
	"sync_counts" jsonb NOT NULL,
	"state_counts" jsonb NOT NULL,
	"evidence_id" uuid,
	"evidence_notes" jsonb,
	"evidence_notes_html" text,
	"evidence_created_by_name" text,
	"evidence_created_at" text,
	"evidence_files" jsonb NOT NULL,
	"item_count" integer NOT NULL,
	CONSTRAINT "campaign_sync_contexts_campaign_id_position_pk" PRIMARY KEY("campaign_id","position")
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" text NOT NULL,
	"due_date" date NOT NULL,
	"reviewer_mode" text NOT NULL,
	"reviewer_ids" jsonb NOT NULL,
	"filter" jsonb NOT NULL,
	"snapshot_hash" text NOT NULL,
	"items_digest" text NOT NULL,
	"item_count" integer NOT NULL,
	"created_by_id" uuid,
	"created_by_name" text NOT NULL,
	"created_at" text NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"ended_by_name" text,
	"decisions_digest" text
);
--> statement-breakpoint
ALTER TABLE "campaign_items" ADD CONSTRAINT "campaign_items_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_items" ADD CONSTRAINT "campaign_items_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_items" ADD CONSTRAINT "campaign_items_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_progress" ADD CONSTRAINT "campaign_progress_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_progress" ADD CONSTRAINT "campaign_progress_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_sync_contexts" ADD CONSTRAINT "campaign_sync_contexts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_sync_contexts" ADD CONSTRAINT "campaign_sync_contexts_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_sync_contexts" ADD CONSTRAINT "campaign_sync_contexts_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_sync_contexts" ADD CONSTRAINT "campaign_sync_contexts_sync_execution_id_sync_executions_id_fk" FOREIGN KEY ("sync_execution_id") REFERENCES "public"."sync_executions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_items_campaign_id_id_idx" ON "campaign_items" USING btree ("campaign_id","id");--> statement-breakpoint
CREATE INDEX "campaign_items_campaign_id_reviewer_id_id_idx" ON "campaign_items" USING btree ("campaign_id","reviewer_id","id");--> statement-breakpoint
CREATE INDEX "campaign_items_tenant_id_id_pending_idx" ON "campaign_items" USING btree ("tenant_id","id") WHERE remediation = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_progress_campaign_id_integration_id_reviewer_id_uq" ON "campaign_progress" USING btree ("campaign_id","integration_id","reviewer_id");--> statement-breakpoint
CREATE INDEX "campaigns_tenant_id_created_at_id_idx" ON "campaigns" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);