-- The current state moves from a copied table to a reference: each integration's
-- identity_states row names its base sync, and identity_overlay holds what delta
-- syncs changed since. Existing current-state rows become overlay entries that
-- point at the staged row they were copied from.
INSERT INTO "identity_states" ("integration_id", "tenant_id", "version")
SELECT DISTINCT "integration_id", "tenant_id", 1 FROM "identity_objects";--> statement-breakpoint
INSERT INTO "identity_overlay" ("tenant_id", "integration_id", "object_type", "external_id", "sync_execution_id", "extracted_id")
SELECT c."tenant_id", c."integration_id", c."object_type", c."external_id", c."sync_execution_id", e."id"
  FROM "identity_objects" c
  JOIN LATERAL (
    SELECT x."id" FROM "extracted_objects" x
     WHERE x."sync_execution_id" = c."sync_execution_id" AND x."object_type" = c."object_type" AND x."external_id" = c."external_id"
     ORDER BY x."id" LIMIT 1) e ON true;--> statement-breakpoint
DROP TABLE "identity_objects" CASCADE;--> statement-breakpoint
CREATE VIEW "identity_objects" AS
SELECT s."tenant_id", s."integration_id", e."object_type", e."external_id", e."fields", e."hash", e."sync_execution_id"
  FROM "identity_states" s
  JOIN "extracted_objects" e ON e."sync_execution_id" = s."base_sync_execution_id"
 WHERE NOT EXISTS (SELECT 1 FROM "identity_overlay" o
                    WHERE o."integration_id" = s."integration_id" AND o."object_type" = e."object_type" AND o."external_id" = e."external_id")
UNION ALL
SELECT o."tenant_id", o."integration_id", e."object_type", e."external_id", e."fields", e."hash", e."sync_execution_id"
  FROM "identity_overlay" o
  JOIN "extracted_objects" e ON e."sync_execution_id" = o."sync_execution_id" AND e."id" = o."extracted_id";
