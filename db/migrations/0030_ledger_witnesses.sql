CREATE TABLE "ledger_cosignatures" (
	"tenant_id" uuid NOT NULL,
	"tree_size" bigint NOT NULL,
	"witness_name" text NOT NULL,
	"witness_key" text NOT NULL,
	"timestamp" bigint NOT NULL,
	"signature" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_cosignatures_pk" PRIMARY KEY("tenant_id","witness_key","tree_size","timestamp")
);
--> statement-breakpoint
CREATE TABLE "ledger_witness_state" (
	"tenant_id" uuid NOT NULL,
	"witness_key" text NOT NULL,
	"witness_url" text NOT NULL,
	"size" bigint DEFAULT 0 NOT NULL,
	"cosigned_at" bigint,
	"last_ok_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"last_error" text,
	"failures" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "ledger_witness_state_tenant_id_witness_key_pk" PRIMARY KEY("tenant_id","witness_key")
);
--> statement-breakpoint
ALTER TABLE "ledger_cosignatures" ADD CONSTRAINT "ledger_cosignatures_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_witness_state" ADD CONSTRAINT "ledger_witness_state_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_cosignatures_tenant_id_tree_size_idx" ON "ledger_cosignatures" USING btree ("tenant_id","tree_size");