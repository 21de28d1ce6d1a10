CREATE SEQUENCE "public"."sync_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "identity_overlay" (
	"tenant_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"external_id" text NOT NULL,
	"sync_execution_id" uuid NOT NULL,
	"extracted_id" bigint,
	CONSTRAINT "identity_overlay_integration_id_object_type_external_id_pk" PRIMARY KEY("integration_id","object_type","external_id")
);
--> statement-breakpoint
CREATE TABLE "identity_states" (
	"integration_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"base_sync_execution_id" uuid,
	"version" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "extracted_objects" DROP CONSTRAINT "extracted_objects_pkey";--> statement-breakpoint
ALTER TABLE "extracted_objects" ALTER COLUMN "id" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "extracted_objects" ALTER COLUMN "id" SET DEFAULT nextval('sync_log_id_seq');--> statement-breakpoint
ALTER TABLE "sync_records" ALTER COLUMN "id" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "sync_records" ALTER COLUMN "id" SET DEFAULT nextval('sync_log_id_seq');--> statement-breakpoint
-- The shared numbering starts past every id either table has used; the serial sequences it replaces go.
SELECT setval('sync_log_id_seq', greatest((SELECT coalesce(max(id), 0) FROM extracted_objects), (SELECT coalesce(max(id), 0) FROM sync_records), 0) + 1, false);--> statement-breakpoint
DROP SEQUENCE IF EXISTS "extracted_objects_id_seq";--> statement-breakpoint
DROP SEQUENCE IF EXISTS "sync_records_id_seq";--> statement-breakpoint
ALTER TABLE "extracted_objects" ADD CONSTRAINT "extracted_objects_pkey" PRIMARY KEY("sync_execution_id","id");--> statement-breakpoint
ALTER TABLE "extracted_objects" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "sync_executions" ADD COLUMN "state_version" bigint;--> statement-breakpoint
ALTER TABLE "identity_overlay" ADD CONSTRAINT "identity_overlay_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_overlay" ADD CONSTRAINT "identity_overlay_sync_execution_id_sync_executions_id_fk" FOREIGN KEY ("sync_execution_id") REFERENCES "public"."sync_executions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_states" ADD CONSTRAINT "identity_states_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_states" ADD CONSTRAINT "identity_states_base_sync_execution_id_sync_executions_id_fk" FOREIGN KEY ("base_sync_execution_id") REFERENCES "public"."sync_executions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "extracted_objects_outcome_idx" ON "extracted_objects" USING btree ("sync_execution_id","outcome","object_type","id");