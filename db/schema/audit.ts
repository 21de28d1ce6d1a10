/** The audit logs: each tenant's, and the platform's own. */
import { sql } from "drizzle-orm";
import { index, inet, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { ACTOR_TYPES } from "@/lib/domain/enums";
import { tenants } from "./tenants";

export type FieldChange = { field: string; before: unknown; after: unknown };

/**
 * Append-only: triggers refuse UPDATE, DELETE and TRUNCATE, and the app's
 * database role holds only SELECT and INSERT on it.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
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
    index("audit_events_tenant_time_idx").on(t.tenantId, t.occurredAt.desc(), t.id.desc()),
    index("audit_events_tenant_entity_action_idx").on(t.tenantId, t.entityType, t.action, t.occurredAt.desc(), t.id.desc()),
    index("audit_events_tenant_action_idx").on(t.tenantId, t.action, t.occurredAt.desc(), t.id.desc()),
    index("audit_events_tenant_actor_idx").on(t.tenantId, sql`lower(${t.actorName})`, t.occurredAt.desc(), t.id.desc()),
    index("audit_events_search_trgm_idx").using("gin", sql`${t.searchText} gin_trgm_ops`),
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
    tenantId: uuid("tenant_id").references(() => tenants.id),
    details: text("details").notNull(),
    changes: jsonb("changes").$type<FieldChange[]>().notNull().default([]),
    ip: inet("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
  },
  (t) => [
    index("platform_audit_events_time_idx").on(t.occurredAt.desc(), t.id.desc()),
    index("platform_audit_events_action_idx").on(t.action, t.occurredAt.desc(), t.id.desc()),
  ],
);
