DROP INDEX "ledger_entries_tenant_id_kind_ref_id_idx";--> statement-breakpoint
CREATE INDEX "ledger_entries_kind_ref_id_tenant_id_idx" ON "ledger_entries" USING btree ("kind","ref_id","tenant_id");