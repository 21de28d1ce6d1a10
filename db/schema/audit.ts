/** The audit logs: each tenant's, and the platform's own. */
import { sql } from "drizzle-orm";
import { type AnyPgColumn, index, inet, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { ACTOR_TYPES } from "@/lib/domain/enums";
import { tenantId, tenants } from "./tenants";

export type FieldChange = { field: string; before: unknown; after: unknown };

/**
 * Append-only: triggers refuse UPDATE, DELETE and TRUNCATE, and the app's
 * database role holds only SELECT and INSERT on it.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorType: text("actor_type", { enum: ACTOR_TYPES }).notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id"),
    entityName: text("entity_name").notNull(),
    details: text("details").notNull(),
    changes: jsonb("changes").$type<FieldChange[]>().notNull().default([]),
    ip: inet("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    searchText: text("search_text").notNull().generatedAlwaysAs(sql`lower(entity_name || ' ' || details)`),
  },
  (t) => [
    index("audit_events_tenant_id_occurred_at_id_idx").on(t.tenantId, t.occurredAt.desc(), t.id.desc()),
    index("audit_events_tenant_id_entity_type_action_occurred_at_id_idx").on(
      t.tenantId,
      t.entityType,
      t.action,
      t.occurredAt.desc(),
      t.id.desc(),
    ),
    index("audit_events_tenant_id_action_occurred_at_id_idx").on(t.tenantId, t.action, t.occurredAt.desc(), t.id.desc()),
    index("audit_events_tenant_id_lower_actor_name_occurred_at_id_idx").on(
      t.tenantId,
      sql`lower(${t.actorName})`,
      t.occurredAt.desc(),
      t.id.desc(),
    ),
    index("audit_events_search_text_trgm_idx").using("gin", sql`${t.searchText} gin_trgm_ops`),
  ],
);

/**
 * The platform's own audit log: what platform administrators did to tenants
 * and to the set of platform administrators. Kept apart from audit_events so
 * that each tenant's ledger-chained log stays exactly what happened in that
 * tenant; a tenant change is recorded in both. Append-only like audit_events.
 */
export const platformAuditEvents = pgTable(
  "platform_audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorType: text("actor_type", { enum: ACTOR_TYPES }).notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id"),
    entityName: text("entity_name").notNull(),
    /** The tenant the event concerns, if any (a tenant change); none for a platform admin granted or removed. */
    tenantId: uuid("tenant_id").references((): AnyPgColumn => tenants.id, { onDelete: "no action" }),
    details: text("details").notNull(),
    changes: jsonb("changes").$type<FieldChange[]>().notNull().default([]),
    ip: inet("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
  },
  (t) => [
    index("platform_audit_events_occurred_at_id_idx").on(t.occurredAt.desc(), t.id.desc()),
    index("platform_audit_events_action_occurred_at_id_idx").on(t.action, t.occurredAt.desc(), t.id.desc()),
  ],
);
