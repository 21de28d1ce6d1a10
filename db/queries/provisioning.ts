/**
 * Data access for provisioning: settings per integration, tasks (the rows are
 * also the workers' queue) and batches.
 */
import "server-only";
import { and, desc, eq, gte, ilike, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
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
  // The tenant as `(select $id)`, a value the planner cannot look up: statistics taken before
  // the tenant's tasks arrived estimate one row for a constant, and the list then reads every
  // task of the tenant and sorts them (hundreds of ms at 200,000 tasks) instead of walking an
  // index newest first (bench:provisioning, stale statistics).
  const where: SQL[] = [sql`${t.tenantId} = (select ${tenantId}::uuid)`];
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

/* ---- The task queue (lib/provisioning/worker.ts, engine.ts) ---- */

/** Statuses that hold the later tasks on the same object. */
const HOLDING = sql`('pending', 'running', 'failed', 'no_callback')`;

/** Keeps a worker's running tasks alive. */
export async function heartbeatTasks(db: Executor, workerId: string) {
  await db
    .update(provisioningTasks)
    .set({ heartbeatAt: sql`now()` })
    .where(and(eq(provisioningTasks.workerId, workerId), eq(provisioningTasks.status, "running")));
}

/**
 * Gives the tasks of a worker that stopped heartbeating back to the queue;
 * the next attempt checks the target's state first, so nothing is applied twice.
 * Tasks waiting for a callback or a person have no worker and are left alone.
 */
export async function requeueStaleTasks(db: Executor, staleAfterSeconds: number) {
  const step: ProvisioningStep = {
    at: new Date().toISOString(),
    level: "warn",
    message: "The worker running this task stopped responding; it is queued again and will check the target's state before writing.",
  };
  return db.execute<{ id: string }>(sql`
    update ${provisioningTasks}
       set status = 'pending', worker_id = null, heartbeat_at = null, run_after = now(), updated_at = now(),
           steps = steps || ${JSON.stringify([step])}::jsonb
     where status = 'running' and worker_id is not null
       and heartbeat_at < now() - make_interval(secs => ${staleAfterSeconds})
    returning id`);
}

/** Callback tasks whose callback URL expired unused: the sweep ends them no_callback. */
export async function expiredCallbackTasks(db: Executor, limit = 100) {
  return db
    .select({ id: provisioningTasks.id, tenantId: provisioningTasks.tenantId })
    .from(provisioningTasks)
    .where(
      and(
        eq(provisioningTasks.status, "running"),
        sql`${provisioningTasks.callbackExpiresAt} < now()`,
        sql`${provisioningTasks.callbackUsedAt} is null`,
      ),
    )
    .limit(limit);
}

/** A task by id alone, locked: the worker and the callback endpoint know no tenant until they read it. */
export async function lockTaskById(db: Executor, id: string, opts: { skipLocked?: boolean } = {}) {
  const q = db.select().from(provisioningTasks).where(eq(provisioningTasks.id, id));
  const [row] = opts.skipLocked ? await q.for("update", { skipLocked: true }) : await q.for("update");
  return row ?? null;
}

export type TaskGuard = { whenStatus?: ProvisioningStatus[]; whenWorker?: string };

/** Changes a task, appending steps to its log; the database's clock sets updated_at. */
export async function updateTask(
  db: Executor,
  id: string,
  changes: Partial<NewProvisioningTask> & { endNow?: boolean },
  steps: ProvisioningStep[] = [],
  /** Only while the task is still in one of these statuses, and (running) still this worker's. */
  opts: TaskGuard = {},
) {
  const { endNow, ...values } = changes;
  const where = [eq(provisioningTasks.id, id)];
  if (opts.whenStatus) where.push(inArray(provisioningTasks.status, opts.whenStatus));
  if (opts.whenWorker) where.push(eq(provisioningTasks.workerId, opts.whenWorker));
  const [row] = await db
    .update(provisioningTasks)
    .set({
      ...values,
      ...(endNow ? { endedAt: sql`now()` } : {}),
      ...(steps.length ? { steps: sql`${provisioningTasks.steps} || ${JSON.stringify(steps)}::jsonb` } : {}),
      updatedAt: sql`now()`,
    })
    .where(and(...where))
    .returning();
  return row ?? null;
}

/** Tasks held behind this one on its object (a confirm or retry releases them). */
export async function countHeldBehind(db: Executor, task: { integrationId: string; objectKey: string; seq: number }) {
  const [row] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from ${provisioningTasks}
     where integration_id = ${task.integrationId} and object_key = ${task.objectKey} and seq > ${task.seq} and status = 'pending'`);
  return row?.n ?? 0;
}

/** Live rows of some tasks, for rebuilding their ledger records. */
export async function tasksByIds(db: Executor, tenantId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(provisioningTasks)
    .where(and(eq(provisioningTasks.tenantId, tenantId), sql`${provisioningTasks.id} = any(${sql.param(ids)}::uuid[])`));
}

/* ---- The platform's own side of a removal: the integration's current state ---- */

/**
 * Removes objects from an integration's current state through the overlay
 * (a deletion row naming the sync whose row held the object) and moves the
 * state's version on, so a sync comparing against the old state compares
 * again. `accounts` (external ids) also takes their memberships. Answers how many objects left the state.
 */
export async function removeFromCurrentState(
  tx: Executor,
  at: { tenantId: string; integrationId: string },
  remove: { accounts?: string[]; memberships?: { group: string; member: string }[] },
): Promise<number> {
  const accounts = remove.accounts ?? [];
  const memberships = remove.memberships ?? [];
  if (accounts.length === 0 && memberships.length === 0) return 0;
  await tx.execute(sql`
    insert into identity_states (integration_id, tenant_id) values (${at.integrationId}, ${at.tenantId})
    on conflict (integration_id) do nothing`);
  await tx.execute(sql`select 1 from identity_states where integration_id = ${at.integrationId} for update`);
  const rows = await tx.execute<{ external_id: string }>(sql`
    insert into identity_overlay (tenant_id, integration_id, object_type, external_id, sync_execution_id, extracted_id)
    select ${at.tenantId}, ${at.integrationId}, c.object_type, c.external_id, c.sync_execution_id, null
      from identity_objects c
     where c.integration_id = ${at.integrationId}
       and ((c.object_type = 'account' and c.external_id = any(${sql.param(accounts)}::text[]))
         or (c.object_type = 'membership' and c.fields->>'memberExternalId' = any(${sql.param(accounts)}::text[]))
         or (c.object_type = 'membership' and exists (
               select 1 from unnest(${sql.param(memberships.map((m) => m.group))}::text[], ${sql.param(memberships.map((m) => m.member))}::text[]) as p(g, m)
                where p.g = c.fields->>'groupExternalId' and p.m = c.fields->>'memberExternalId')))
    on conflict (integration_id, object_type, external_id)
    do update set sync_execution_id = excluded.sync_execution_id, extracted_id = null
    returning external_id`);
  if (rows.length) {
    await tx.execute(sql`update identity_states set version = version + 1, updated_at = now() where integration_id = ${at.integrationId}`);
  }
  return rows.length;
}

/** An account's external id in the integration's current state, found by username (case-insensitive). */
export async function accountExternalIdByUsername(db: Executor, integrationId: string, username: string) {
  const [row] = await db.execute<{ external_id: string }>(sql`
    select external_id from identity_objects
     where integration_id = ${integrationId} and object_type = 'account' and lower(fields->>'username') = lower(${username})
     limit 1`);
  return row?.external_id ?? null;
}

/** The integrations that have provisioning settings, with whether it is on: the logs page's filter and its "switched off" notice. */
export async function listProvisioningIntegrations(db: Executor, tenantId: string) {
  return db
    .select({ id: integrations.id, name: integrations.name, enabled: provisioningSettings.enabled, mode: provisioningSettings.mode })
    .from(integrations)
    .leftJoin(provisioningSettings, eq(provisioningSettings.integrationId, integrations.id))
    .where(and(eq(integrations.tenantId, tenantId), sql`${integrations.deletedAt} is null`))
    .orderBy(integrations.name);
}

/**
 * Claims up to `limit` due pending tasks, oldest due first: running, one
 * more attempt, this worker's. A task is taken only when no earlier task on
 * its object holds it, so a claim never takes two tasks of one object (the
 * later is held by the earlier, still pending). A retry takes its original's
 * place in the order (retry_of_id names the first task of the chain), so the
 * tasks its original held still wait for it. SKIP LOCKED lets several lanes
 * claim side by side without waiting on each other.
 */
export async function claimTasks(db: Executor, workerId: string, limit: number): Promise<ProvisioningTaskRow[]> {
  // One statement, so a claim cannot commit without the worker learning which tasks it holds.
  const rows = await db
    .update(provisioningTasks)
    .set({
      status: "running",
      attempts: sql`${provisioningTasks.attempts} + 1`,
      workerId,
      heartbeatAt: sql`now()`,
      startedAt: sql`coalesce(${provisioningTasks.startedAt}, now())`,
      updatedAt: sql`now()`,
    })
    .where(
      sql`${provisioningTasks.id} in (
      select t.id from ${provisioningTasks} t
       where t.status = 'pending' and t.run_after <= now()
         and not exists (
           select 1 from ${provisioningTasks} h
             left join ${provisioningTasks} ho on ho.id = h.retry_of_id
            where h.integration_id = t.integration_id and h.object_key = t.object_key and h.id <> t.id
              and h.status in ${HOLDING}
              and coalesce(ho.seq, h.seq) < coalesce((select o.seq from ${provisioningTasks} o where o.id = t.retry_of_id), t.seq))
       order by t.run_after
       limit ${limit}
       for update skip locked)`,
    )
    .returning();
  return rows.sort((a, b) => a.runAfter.getTime() - b.runAfter.getTime() || a.seq - b.seq);
}

/**
 * Gives a worker's claimed tasks back to the queue untouched (the lane could
 * not run them: shutdown, or an error of its own); attempts is put back too.
 */
export async function releaseTasks(db: Executor, ids: string[], workerId: string) {
  if (ids.length === 0) return [];
  return db.execute<{ id: string }>(sql`
    update ${provisioningTasks}
       set status = 'pending', worker_id = null, heartbeat_at = null, attempts = greatest(attempts - 1, 0), updated_at = now()
     where id = any(${sql.param(ids)}::uuid[]) and status = 'running' and worker_id = ${workerId}
    returning id`);
}

/**
 * What a cached integration and its provisioning settings are checked
 * against before a worker uses them again: both rows' updated_at (any change
 * of settings or secrets moves them) and whether the integration still exists.
 */
export async function provisioningVersion(db: Executor, integrationId: string) {
  const [row] = await db.execute<{ integration: string | null; settings: string | null }>(sql`
    select (select i.updated_at::text from integrations i where i.id = ${integrationId} and i.deleted_at is null) as integration,
           (select s.updated_at::text from ${provisioningSettings} s where s.integration_id = ${integrationId}) as settings`);
  return row ?? { integration: null, settings: null };
}
