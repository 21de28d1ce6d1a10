/** Data access for the platform's own audit log: append, keyset pages. Never reads the session. */
import { and, eq, gte, lte, sql, type SQL, getTableColumns } from "drizzle-orm";
import type { Executor } from "../client";
import { platformAuditEvents } from "../schema";

export type PlatformAuditEventRow = typeof platformAuditEvents.$inferSelect;
export type NewPlatformAuditEvent = typeof platformAuditEvents.$inferInsert;

export async function insertPlatformAuditEvent(db: Executor, row: NewPlatformAuditEvent): Promise<PlatformAuditEventRow> {
  const [inserted] = await db.insert(platformAuditEvents).values(row).returning();
  return inserted;
}

export type PlatformAuditEventQuery = {
  action?: string;
  from?: Date;
  to?: Date;
  after?: { ts: string; id: string };
  limit: number;
};

/** Newest first; `after` is the last row of the previous page. */
export async function listPlatformAuditEvents(db: Executor, query: PlatformAuditEventQuery) {
  const conditions: SQL[] = [];
  if (query.action) conditions.push(eq(platformAuditEvents.action, query.action));
  if (query.from) conditions.push(gte(platformAuditEvents.occurredAt, query.from));
  if (query.to) conditions.push(lte(platformAuditEvents.occurredAt, query.to));
  if (query.after) {
    conditions.push(
      sql`(${platformAuditEvents.occurredAt}, ${platformAuditEvents.id}) < (${query.after.ts}::timestamptz, ${query.after.id}::uuid)`,
    );
  }
  return (
    db
      .select({ ...getTableColumns(platformAuditEvents), cursorTs: sql<string>`${platformAuditEvents.occurredAt}::text` })
      .from(platformAuditEvents)
      .where(conditions.length ? and(...conditions) : undefined)
      // "nulls last" matches the indexes drizzle-kit creates (DESC NULLS LAST).
      .orderBy(sql`${platformAuditEvents.occurredAt} desc nulls last`, sql`${platformAuditEvents.id} desc nulls last`)
      .limit(query.limit)
  );
}
