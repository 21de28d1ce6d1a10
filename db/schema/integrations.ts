/** Integrations (connection profiles), their mappings and delta cursors. */
import { sql } from "drizzle-orm";
import { type AnyPgColumn, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";
import { CONNECTOR_TYPES, OBJECT_TYPES } from "@/lib/domain/enums";
import { tenantId, users } from "./tenants";
import { uploads } from "./uploads";

/** A direct configuration integration (connection profile). Secrets live only in `secrets`, encrypted. */
export const integrations = pgTable(
  "integrations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    name: text("name").notNull(),
    connector: text("connector", { enum: CONNECTOR_TYPES }).notNull(),
    /** Settings without secret fields. */
    config: jsonb("config").$type<Record<string, unknown>>().notNull(),
    /** AES-256-GCM ciphertext of the secret fields as JSON. */
    secrets: text("secrets"),
    ownerId: uuid("owner_id").references(() => users.id, { onDelete: "set null" }),
    /** The uploaded logo image (lib/uploads, purpose "logo"), served by /api/integrations/{id}/logo. */
    logoUploadId: uuid("logo_upload_id").references((): AnyPgColumn => uploads.id, { onDelete: "set null" }),
    active: boolean("active").notNull().default(true),
    scheduleMinutes: integer("schedule_minutes"),
    nextSyncAt: timestamp("next_sync_at", { withTimezone: true }),
    dropThresholdPercent: integer("drop_threshold_percent").notNull().default(30),
    /**
     * How long one sync of this integration may run before it is ended `error`
     * (seconds; set by an admin in minutes). Each phase has a tighter deadline of
     * its own that grows with the records read (lib/syncs/deadline.ts).
     */
    maxRunSeconds: integer("max_run_seconds").notNull().default(7200),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    check("integrations_max_run_seconds_check", sql`${t.maxRunSeconds} between 1 and 86400`),
    index("integrations_tenant_id_name_idx").on(t.tenantId, t.name),
    index("integrations_next_sync_at_due_idx").on(t.nextSyncAt).where(sql`deleted_at is null and active and schedule_minutes is not null`),
  ],
);

/** Source attribute → canonical field, per object type; one per integration. */
export const mappingConfigs = pgTable(
  "mapping_configs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    mapping: jsonb("mapping").$type<Record<string, Record<string, string>>>().notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("mapping_configs_integration_id_uq").on(t.integrationId)],
);

/** Delta-sync position per object type. */
export const extractionCursors = pgTable(
  "extraction_cursors",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    objectType: text("object_type", { enum: OBJECT_TYPES }).notNull(),
    position: text("position").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("extraction_cursors_integration_id_object_type_uq").on(t.integrationId, t.objectType)],
);
