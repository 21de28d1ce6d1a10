/** Data access for audit events: append, keyset pages, one event. Never reads the session. */
import "server-only";
import { and, eq, getTableColumns, gte, lte, sql, type SQL } from "drizzle-orm";
import { clientOf, type Executor } from "../client";
import { auditEvents } from "../schema";

export type AuditEventRow = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;

/**
 * Appends one event and returns its id. Every change in the app writes one, so
 * it is a statement prepared once per connection (clientOf) that returns only
 * the id: built through Drizzle's insert it cost more than the insert itself.
 */
export async function insertAuditEvent(db: Executor, row: Omit<NewAuditEvent, "id" | "occurredAt">): Promise<{ id: string }> {
  const [inserted] = await clientOf(db)<{ id: string }[]>`
    insert into audit_events
      (tenant_id, actor_type, actor_id, actor_name, action, entity_type, entity_id, entity_name, details, changes, ip, user_agent, request_id)
    values (${row.tenantId}, ${row.actorType}, ${row.actorId ?? null}, ${row.actorName}, ${row.action}, ${row.entityType},
            ${row.entityId ?? null}, ${row.entityName}, ${row.details}, ${JSON.stringify(row.changes ?? [])}::jsonb, ${row.ip ?? null}::inet,
            ${row.userAgent ?? null}, ${row.requestId ?? null})
    returning id`;
  return inserted;
}

export type AuditEventQuery = {
  entityType?: string;
  action?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  q?: string;
  after?: { ts: string; id: string };
  limit: number;
};

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/** Newest first; `after` is the last row of the previous page. */
export async function listAuditEvents(db: Executor, tenantId: string, query: AuditEventQuery) {
  const conditions: SQL[] = [eq(auditEvents.tenantId, tenantId)];
  if (query.entityType) conditions.push(eq(auditEvents.entityType, query.entityType));
  if (query.action) conditions.push(eq(auditEvents.action, query.action));
  if (query.actor) conditions.push(sql`lower(${auditEvents.actorName}) = ${query.actor.toLowerCase()}`);
  if (query.from) conditions.push(gte(auditEvents.occurredAt, query.from));
  if (query.to) conditions.push(lte(auditEvents.occurredAt, query.to));
  if (query.q) conditions.push(sql`${auditEvents.searchText} like ${`%${escapeLike(query.q.toLowerCase())}%`}`);
  if (query.after) {
    conditions.push(sql`(${auditEvents.occurredAt}, ${auditEvents.id}) < (${query.after.ts}::timestamptz, ${query.after.id}::uuid)`);
  }
  const { searchText: _searchText, ...columns } = getTableColumns(auditEvents);
  return (
    db
      .select({ ...columns, cursorTs: sql<string>`${auditEvents.occurredAt}::text` })
      .from(auditEvents)
      .where(and(...conditions))
      // "nulls last" matches the indexes drizzle-kit creates (DESC NULLS LAST); without it no index can supply the order.
      .orderBy(sql`${auditEvents.occurredAt} desc nulls last`, sql`${auditEvents.id} desc nulls last`)
      .limit(query.limit)
  );
}

export async function getAuditEvent(db: Executor, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.id, id)));
  return row ?? null;
}

/** Distinct actors seen recently, for the actor filter's suggestions. */
export async function listRecentActors(db: Executor, tenantId: string, limit = 50): Promise<string[]> {
  const rows = await db.execute<{ actor_name: string }>(sql`
    select distinct actor_name from (
      select actor_name from ${auditEvents}
      where tenant_id = ${tenantId}
      order by occurred_at desc nulls last limit 2000
    ) recent order by actor_name limit ${limit}`);
  return rows.map((r) => r.actor_name);
}
