/**
 * Data access for provisioning: settings per integration, tasks (the rows are
 * also the workers' queue) and batches.
 */
import "server-only";
import { and, desc, eq, gte, ilike, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { integrations, provisioningBatches, provisioningSettings, provisioningTasks } from "../schema";
import type { ProvisioningStep } from "../schema/provisioning";
import type { ProvisioningStatus } from "@/lib/domain/enums";

export type ProvisioningSettingsRow = typeof provisioningSettings.$inferSelect;
export type ProvisioningTaskRow = typeof provisioningTasks.$inferSelect;
export type NewProvisioningTask = typeof provisioningTasks.$inferInsert;
export type ProvisioningBatchRow = typeof provisioningBatches.$inferSelect;

export async function getProvisioningSettings(db: Executor, tenantId: string, integrationId: string) {
  const [row] = await db
    .select()
    .from(provisioningSettings)
    .where(and(eq(provisioningSettings.tenantId, tenantId), eq(provisioningSettings.integrationId, integrationId)));
  return row ?? null;
}

export async function upsertProvisioningSettings(db: Executor, values: typeof provisioningSettings.$inferInsert) {
  const { integrationId: _id, tenantId: _t, ...changes } = values;
  const [row] = await db
    .insert(provisioningSettings)
    .values(values)
    .onConflictDoUpdate({ target: provisioningSettings.integrationId, set: { ...changes, updatedAt: sql`now()` } })
    .returning();
  return row;
}

export async function insertTask(db: Executor, values: NewProvisioningTask) {
  const [row] = await db.insert(provisioningTasks).values(values).returning();
  return row;
}

export async function insertTasks(db: Executor, values: NewProvisioningTask[]) {
  if (values.length === 0) return [];
  return db.insert(provisioningTasks).values(values).returning({ id: provisioningTasks.id, seq: provisioningTasks.seq });
}

export async function getTask(db: Executor, tenantId: string, id: string, opts: { lock?: boolean } = {}) {
  const q = db
    .select()
    .from(provisioningTasks)
    .where(and(eq(provisioningTasks.tenantId, tenantId), eq(provisioningTasks.id, id)));
  const [row] = opts.lock ? await q.for("update") : await q;
  return row ?? null;
}

export type TaskListFilters = {
  integrationId?: string;
  objectType?: ProvisioningTaskRow["objectType"];
  action?: ProvisioningTaskRow["action"];
  source?: ProvisioningTaskRow["source"];
  status?: ProvisioningStatus;
  initiator?: string;
  q?: string;
  batchId?: string;
  from?: string;
  to?: string;
};

function likeText(text: string) {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function taskConditions(tenantId: string, f: TaskListFilters): SQL[] {
  const t = provisioningTasks;
  const where: SQL[] = [eq(t.tenantId, tenantId)];
  if (f.integrationId) where.push(eq(t.integrationId, f.integrationId));
  if (f.objectType) where.push(eq(t.objectType, f.objectType));
  if (f.action) where.push(eq(t.action, f.action));
  if (f.source) where.push(eq(t.source, f.source));
  if (f.status) where.push(eq(t.status, f.status));
  if (f.batchId) where.push(eq(t.batchId, f.batchId));
  if (f.initiator) where.push(ilike(t.initiatorName, likeText(f.initiator)));
  if (f.q) where.push(ilike(t.objectName, likeText(f.q)));
  if (f.from) where.push(gte(t.createdAt, new Date(f.from)));
  if (f.to) where.push(lte(t.createdAt, new Date(f.to)));
  return where;
}

/** The list columns, newest first, keyset-paged on seq; never the jsonb bodies. */
export async function listTasks(db: Executor, tenantId: string, f: TaskListFilters, page: { afterSeq?: number; limit: number }) {
  const t = provisioningTasks;
  const where = taskConditions(tenantId, f);
  if (page.afterSeq) where.push(lt(t.seq, page.afterSeq));
  return db
    .select({
      id: t.id,
      seq: t.seq,
      integrationId: t.integrationId,
      integrationName: integrations.name,
      objectType: t.objectType,
      action: t.action,
      objectName: t.objectName,
      source: t.source,
      status: t.status,
      attempts: t.attempts,
      message: t.message,
      initiatorType: t.initiatorType,
      initiatorName: t.initiatorName,
      batchId: t.batchId,
      retryOfId: t.retryOfId,
      createdAt: t.createdAt,
      startedAt: t.startedAt,
      endedAt: t.endedAt,
    })
    .from(t)
    .innerJoin(integrations, eq(integrations.id, t.integrationId))
    .where(and(...where))
    .orderBy(desc(t.seq))
    .limit(page.limit);
}
export type TaskListRow = Awaited<ReturnType<typeof listTasks>>[number];

/** Appends lines to a task's operation log. */
export async function appendSteps(db: Executor, id: string, steps: ProvisioningStep[]) {
  if (steps.length === 0) return;
  await db
    .update(provisioningTasks)
    .set({ steps: sql`${provisioningTasks.steps} || ${JSON.stringify(steps)}::jsonb`, updatedAt: sql`now()` })
    .where(eq(provisioningTasks.id, id));
}

export async function insertBatch(db: Executor, values: typeof provisioningBatches.$inferInsert) {
  const [row] = await db.insert(provisioningBatches).values(values).returning();
  return row;
}

export async function getBatch(db: Executor, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(provisioningBatches)
    .where(and(eq(provisioningBatches.tenantId, tenantId), eq(provisioningBatches.id, id)));
  return row ?? null;
}

/** How many of a batch's tasks are in each status: its progress. */
export async function batchStatusCounts(db: Executor, tenantId: string, batchId: string) {
  const rows = await db
    .select({ status: provisioningTasks.status, n: sql<number>`count(*)::int` })
    .from(provisioningTasks)
    .where(and(eq(provisioningTasks.tenantId, tenantId), eq(provisioningTasks.batchId, batchId)))
    .groupBy(provisioningTasks.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<ProvisioningStatus, number>>;
}

/** Wakes the provisioning workers (lib/provisioning/internal.ts PROVISIONING_QUEUED_CHANNEL); delivered at commit. */
export async function notifyTaskQueued(tx: Executor) {
  await tx.execute(sql`select pg_notify('provisioning_queued', '')`);
}

/** The newest tasks on one object (an account and its memberships), for the account's page. */
export async function listObjectTasks(db: Executor, tenantId: string, integrationId: string, objectKey: string, limit: number) {
  const t = provisioningTasks;
  return db
    .select({
      id: t.id,
      seq: t.seq,
      objectType: t.objectType,
      action: t.action,
      objectName: t.objectName,
      source: t.source,
      status: t.status,
      message: t.message,
      initiatorName: t.initiatorName,
      createdAt: t.createdAt,
      endedAt: t.endedAt,
    })
    .from(t)
    .where(and(eq(t.tenantId, tenantId), eq(t.integrationId, integrationId), eq(t.objectKey, objectKey)))
    .orderBy(desc(t.seq))
    .limit(limit);
}

/** A tenant's batches, newest first (the batch pages' integration names included). */
export async function listBatches(db: Executor, tenantId: string, limit: number) {
  const b = provisioningBatches;
  return db
    .select({
      id: b.id,
      integrationId: b.integrationId,
      integrationName: integrations.name,
      fileName: b.fileName,
      rows: b.rows,
      taskCount: b.taskCount,
      createdByName: b.createdByName,
      createdAt: b.createdAt,
    })
    .from(b)
    .innerJoin(integrations, eq(integrations.id, b.integrationId))
    .where(eq(b.tenantId, tenantId))
    .orderBy(desc(b.createdAt))
    .limit(limit);
}

/** The integrations of a tenant whose provisioning is switched on. */
export async function enabledIntegrationIds(db: Executor, tenantId: string) {
  const rows = await db
    .select({ id: provisioningSettings.integrationId })
    .from(provisioningSettings)
    .where(and(eq(provisioningSettings.tenantId, tenantId), eq(provisioningSettings.enabled, true)));
  return new Set(rows.map((r) => r.id));
}
