CREATE UNIQUE INDEX "campaigns_id_tenant_id_uq" ON "campaigns" USING btree ("id","tenant_id");--> statement-breakpoint
ALTER TABLE "campaign_items" DROP CONSTRAINT "campaign_items_tenant_id_tenants_id_fk";
--> statement-breakpoint
ALTER TABLE "campaign_items" DROP CONSTRAINT "campaign_items_campaign_id_campaigns_id_fk";
--> statement-breakpoint
ALTER TABLE "campaign_items" ADD CONSTRAINT "campaign_items_campaign_id_tenant_id_fk" FOREIGN KEY ("campaign_id","tenant_id") REFERENCES "public"."campaigns"("id","tenant_id") ON DELETE no action ON UPDATE no action;
