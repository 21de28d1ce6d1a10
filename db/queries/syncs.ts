/**
 * Data access for sync executions, the per-record Sync Log and extracted
 * data. The sync_executions row is also the job: workers claim queued rows
 * with SKIP LOCKED; a partial unique index allows one running sync per
 * integration.
 *
 * Every change of a sync's status is a function here, and nowhere else:
 *   queued   ← enqueueSyncExecution, releaseHeldSyncExecution (held), requeueInterruptedSync (syncing)
 *   syncing  ← claimNextSync (queued)
 *   completed ← completeSync (syncing, no cancel requested) → post_sync_completed ← markPostSyncCompleted
 *   held | error ← endFailedSync (syncing); error ← failStaleSyncs (heartbeat lost), failOverdueSyncs (past its deadline),
 *                  endLostConnectionSync (syncing; queues its retry)
 *   cancelled ← cancelWaitingSync (queued, held), endCancelledSync (syncing), failStaleSyncs, requeueInterruptedSync
 * (requestSyncCancel only marks a running sync; its worker ends it.)
 */
import "server-only";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Database, Executor } from "../client";
import { pgErrorCode } from "../errors";
import type { CanonicalField, ObjectType } from "@/lib/domain/enums";
import { APPLIED_SYNC_STATUSES, STAGED_OUTCOMES, type SyncCounts, type SyncPhase, type SyncTypeCounts } from "@/lib/domain/enums";
import { extractedObjects, integrations, syncExecutions, syncRecords } from "../schema";

export type SyncExecutionRow = typeof syncExecutions.$inferSelect;
export type NewSyncExecution = typeof syncExecutions.$inferInsert;
export type SyncRecordOutcome = (typeof syncRecords.$inferSelect)["outcome"];
type ProgressPhase = SyncPhase;

export const SYNC_QUEUED_CHANNEL = "sync_queued";
/** Carries the id of a running sync someone asked to cancel; the worker running it stops. */
export const SYNC_CANCEL_CHANNEL = "sync_cancel";

/** The predicate of sync_executions_integration_id_queued_uq, which `on conflict` names to find that index. */
const ONE_QUEUED = sql.raw("status = 'queued' and released_by_name is null");

/**
 * Queues a sync, or joins the one already queued for the integration (the
 * partial unique index allows one): a full request makes the joined run full,
 * and an idempotency key is kept on it when it has none, so a retry finds it.
 * The queued run may be claimed between the insert and the update; then the
 * insert is tried again and succeeds.
 */
export async function enqueueSyncExecution(db: Executor, row: NewSyncExecution): Promise<{ sync: SyncExecutionRow; joined: boolean }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [inserted] = await db
      .insert(syncExecutions)
      .values(row)
      .onConflictDoNothing({ target: syncExecutions.integrationId, where: ONE_QUEUED })
      .returning();
    if (inserted) {
      await db.execute(sql`select pg_notify(${SYNC_QUEUED_CHANNEL}, ${inserted.id})`);
      return { sync: inserted, joined: false };
    }
    const [joined] = await db
      .update(syncExecutions)
      .set({
        mode: row.mode === "full" ? "full" : sql`${syncExecutions.mode}`,
        idempotencyKey: sql`coalesce(${syncExecutions.idempotencyKey}, ${row.idempotencyKey ?? null})`,
      })
      .where(and(eq(syncExecutions.integrationId, row.integrationId), sql`${ONE_QUEUED}`))
      .returning();
    if (joined) return { sync: joined, joined: true };
  }
  throw new Error(`could not queue a sync of integration ${row.integrationId}: its queued run kept changing`);
}

export async function findByIdempotencyKey(db: Executor, tenantId: string, integrationId: string, key: string) {
  const [row] = await db
    .select()
    .from(syncExecutions)
    .where(
      and(eq(syncExecutions.tenantId, tenantId), eq(syncExecutions.integrationId, integrationId), eq(syncExecutions.idempotencyKey, key)),
    );
  return row ?? null;
}

/** `lock` holds the row for the caller's transaction: a worker's claim skips it, a heartbeat or the apply's last update waits. */
export async function getSyncExecution(db: Executor, tenantId: string, id: string, opts: { lock?: boolean } = {}) {
  const query = db
    .select()
    .from(syncExecutions)
    .where(and(eq(syncExecutions.tenantId, tenantId), eq(syncExecutions.id, id)));
  const [row] = opts.lock ? await query.for("update") : await query;
  return row ?? null;
}

/**
 * Where queued syncs of a tenant stand: how many of the tenant's queued runs
 * are claimed before each (in the claim order), and whether it waits for a
 * running sync of its integration. Other tenants' runs are not counted.
 */
export async function queuePlaces(db: Executor, tenantId: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, { place: number; waitsForRun: boolean }>();
  const rows = await db.execute<{ id: string; place: number; waits_for_run: boolean }>(sql`
    select s.id,
           1 + (select count(*) from ${syncExecutions} q
                 where q.tenant_id = s.tenant_id and q.status = 'queued'
                   and (q.run_after, q.queued_at, q.id) < (s.run_after, s.queued_at, s.id))::int as place,
           exists (select 1 from ${syncExecutions} r where r.integration_id = s.integration_id and r.status = 'syncing') as waits_for_run
      from ${syncExecutions} s
     where s.tenant_id = ${tenantId} and s.id in (${sql.join(
       ids.map((id) => sql`${id}::uuid`),
       sql`, `,
     )}) and s.status = 'queued'`);
  return new Map(rows.map((r) => [r.id, { place: Number(r.place), waitsForRun: r.waits_for_run }]));
}

const CANCELLED_BY = (by: { id: string | null; name: string }) => ({ cancelledById: by.id, cancelledByName: by.name });

/** Ends a sync that is not running (queued or held) as cancelled; null when it is no longer in one of those states. */
export async function cancelWaitingSync(db: Executor, id: string, by: { id: string | null; name: string }, message: string) {
  const [row] = await db
    .update(syncExecutions)
    .set({ status: "cancelled", endedAt: sql`now()`, message, ...CANCELLED_BY(by) })
    .where(and(eq(syncExecutions.id, id), inArray(syncExecutions.status, ["queued", "held"])))
    .returning();
  return row ?? null;
}

/**
 * Asks the worker running a sync to stop it: the request is on the row (the
 * worker's heartbeat reads it, and the apply will not commit past it) and is
 * announced on SYNC_CANCEL_CHANNEL when the caller's transaction commits.
 */
export async function requestSyncCancel(db: Executor, id: string, by: { id: string | null; name: string }) {
  const [row] = await db
    .update(syncExecutions)
    .set({ cancelRequestedAt: sql`now()`, ...CANCELLED_BY(by) })
    .where(and(eq(syncExecutions.id, id), eq(syncExecutions.status, "syncing"), sql`${syncExecutions.cancelRequestedAt} is null`))
    .returning();
  if (row) await db.execute(sql`select pg_notify(${SYNC_CANCEL_CHANNEL}, ${id})`);
  return row ?? null;
}

/** Newest first, keyset on (queued_at, id). */
export async function listSyncExecutions(
  db: Executor,
  tenantId: string,
  integrationId: string,
  opts: { after?: { ts: string; id: string }; limit: number },
) {
  const conditions: SQL[] = [eq(syncExecutions.tenantId, tenantId), eq(syncExecutions.integrationId, integrationId)];
  if (opts.after) {
    conditions.push(sql`(${syncExecutions.queuedAt}, ${syncExecutions.id}) < (${opts.after.ts}::timestamptz, ${opts.after.id}::uuid)`);
  }
  return db
    .select({
      id: syncExecutions.id,
      status: syncExecutions.status,
      mode: syncExecutions.mode,
      trigger: syncExecutions.trigger,
      startedByType: syncExecutions.startedByType,
      startedByName: syncExecutions.startedByName,
      message: syncExecutions.message,
      queuedAt: syncExecutions.queuedAt,
      startedAt: syncExecutions.startedAt,
      endedAt: syncExecutions.endedAt,
      processed: syncExecutions.processed,
      total: syncExecutions.total,
      counts: syncExecutions.counts,
      phase: syncExecutions.phase,
      heartbeatAt: syncExecutions.heartbeatAt,
      cancelRequestedAt: syncExecutions.cancelRequestedAt,
      cancelledByName: syncExecutions.cancelledByName,
      phaseStartedAt: syncExecutions.phaseStartedAt,
      deadlineAt: syncExecutions.deadlineAt,
      runDeadlineAt: syncExecutions.runDeadlineAt,
      maxRunSeconds: integrations.maxRunSeconds,
      // The database's clock, which set the deadlines: the page says how overdue a run is by it.
      dbNow: sql<string>`now()`,
      cursorTs: sql<string>`${syncExecutions.queuedAt}::text`,
    })
    .from(syncExecutions)
    .innerJoin(integrations, eq(integrations.id, syncExecutions.integrationId))
    .where(and(...conditions))
    .orderBy(sql`${syncExecutions.queuedAt} desc nulls last`, sql`${syncExecutions.id} desc nulls last`)
    .limit(opts.limit);
}

/** The last sync whose data became the integration's current state. */
export async function lastCompletedSync(db: Executor, integrationId: string, excludeId?: string) {
  const [row] = await db
    .select()
    .from(syncExecutions)
    .where(
      and(
        eq(syncExecutions.integrationId, integrationId),
        inArray(syncExecutions.status, APPLIED_SYNC_STATUSES),
        excludeId ? sql`${syncExecutions.id} <> ${excludeId}` : undefined,
      ),
    )
    .orderBy(sql`${syncExecutions.endedAt} desc nulls last`)
    .limit(1);
  return row ?? null;
}

/**
 * Claims the oldest runnable queued sync whose integration has none running.
 * Two workers racing for the same integration are settled by the partial
 * unique index: the loser gets a unique violation and tries again.
 */
export async function claimNextSync(db: Executor, workerId: string): Promise<SyncExecutionRow | null> {
  const rows = await db.execute<{ id: string }>(sql`
    update ${syncExecutions}
       set status = 'syncing', started_at = coalesce(started_at, now()), heartbeat_at = now(),
           worker_id = ${workerId}, attempts = attempts + 1, backend_pid = pg_backend_pid(),
           phase = case when released_by_name is null then 'connecting' else 'applying' end,
           phase_started_at = now(),
           run_deadline_at = now() + (select make_interval(secs => i.max_run_seconds) from ${integrations} i where i.id = integration_id),
           deadline_at = now() + (select make_interval(secs => i.max_run_seconds) from ${integrations} i where i.id = integration_id)
     where id = (
       select s.id from ${syncExecutions} s
        where s.status = 'queued' and s.run_after <= now()
          and not exists (select 1 from ${syncExecutions} r where r.integration_id = s.integration_id and r.status = 'syncing')
        order by s.run_after, s.queued_at
        for update skip locked
        limit 1)
    returning id`);
  if (rows.length === 0) return null;
  const [row] = await db.select().from(syncExecutions).where(eq(syncExecutions.id, rows[0].id));
  return row ?? null;
}

/**
 * Marks syncs whose worker stopped sending heartbeats as failed; their staged
 * data is never applied. One whose cancel was requested ends as cancelled:
 * that is what its canceller asked for, and what happened. The backend each
 * dead run was claimed on is then stopped, so a statement its worker left
 * running does not go on using the database (and holding its locks).
 */
export async function failStaleSyncs(db: Executor, staleAfterSeconds: number) {
  const stale = await db.execute<{ id: string; backend_pid: number | null; heartbeat_at: string }>(sql`
    update ${syncExecutions}
       set status = case when cancel_requested_at is null then 'error' else 'cancelled' end, ended_at = now(),
           message = case when cancel_requested_at is null then 'The worker running this sync stopped responding (last heartbeat '
                          else 'Cancelled by ' || coalesce(cancelled_by_name, 'unknown') || '; its worker stopped responding before it stopped the run (last heartbeat ' end ||
                     to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') ||
                     ' UTC). Nothing it extracted was applied; the current data is unchanged.'
     where status = 'syncing' and heartbeat_at < now() - make_interval(secs => ${staleAfterSeconds})
    returning id, backend_pid, heartbeat_at`);
  const stopped: number[] = [];
  for (const run of stale) {
    if (run.backend_pid !== null && (await stopDeadBackend(db, run.backend_pid, run.heartbeat_at))) stopped.push(run.backend_pid);
  }
  return stale.map((run) => ({ id: run.id, stoppedBackend: run.backend_pid !== null && stopped.includes(run.backend_pid) }));
}

/**
 * Cancels the statement of a dead run's backend and, when the backend is still
 * busy after that (a statement that ignores the cancel, or a transaction left
 * open and holding locks), terminates it. Only a backend that connected before
 * the run's last heartbeat is touched: a pid reused by a newer connection is
 * someone else's. The app's role may signal backends of its own role, which
 * is what its workers connect as; any other backend is left alone.
 */
async function stopDeadBackend(db: Executor, pid: number, lastHeartbeat: string): Promise<boolean> {
  const busy = () =>
    db.execute<{ pid: number }>(sql`
      select pid from pg_stat_activity
       where pid = ${pid} and pid <> pg_backend_pid() and usename = current_user
         and backend_start < ${lastHeartbeat}::timestamptz and state is distinct from 'idle'`);
  if ((await busy()).length === 0) return false;
  await db.execute(sql`select pg_cancel_backend(${pid})`).catch(() => {});
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if ((await busy()).length === 0) return true;
  }
  await db.execute(sql`select pg_terminate_backend(${pid})`).catch(() => {});
  return true;
}

/**
 * Records that the worker is alive and how far the run got; the phase rides
 * along, so reporting it costs no round trip of its own. A new phase starts
 * its clock, and the run's deadline becomes the earlier of the run's own and
 * the phase's (`phaseBudgetMs` from its start; none for a phase bounded by the
 * run alone). Answers whether the run is still this worker's, whether someone
 * asked to cancel it (a lost notification still stops the run within one
 * heartbeat) and, when it is past its deadline, what the deadline was.
 */
export async function heartbeat(
  db: Executor,
  id: string,
  workerId: string,
  progress: { processed: number; total: number | null; phase: ProgressPhase | null },
  phaseBudgetMs: number | null = null,
): Promise<{ running: boolean; cancelRequested: boolean; overdue: boolean; deadline: (RunDeadlineRow & { dbNow: string }) | null }> {
  const phaseStart = sql`case when coalesce(${progress.phase}, s.phase) is distinct from s.phase or s.phase_started_at is null
                              then now() else s.phase_started_at end`;
  const rows = await db.execute<{ cancel_requested: boolean; overdue: boolean; dbNow: string } & RunDeadlineRow>(sql`
    update ${syncExecutions} s set heartbeat_at = now(), processed = ${progress.processed}, total = ${progress.total},
           phase = coalesce(${progress.phase}, s.phase),
           phase_started_at = ${phaseStart},
           deadline_at = least(s.run_deadline_at, ${phaseStart} + make_interval(secs => ${phaseBudgetMs}::float8 / 1000))
     where s.id = ${id} and s.worker_id = ${workerId} and s.status = 'syncing'
    returning s.cancel_requested_at is not null as cancel_requested, s.deadline_at <= now() as overdue, now() as "dbNow",
              ${RUN_DEADLINE_COLUMNS}`);
  const row = rows[0];
  return {
    running: rows.length > 0,
    cancelRequested: row?.cancel_requested ?? false,
    overdue: row?.overdue ?? false,
    deadline: row ?? null,
  };
}

/** What a message about a run's deadline is made of (lib/syncs/deadline.ts). */
export type RunDeadlineRow = {
  phase: ProgressPhase | null;
  processed: number;
  phaseStartedAt: string | null;
  deadlineAt: string | null;
  runDeadlineAt: string | null;
  maxRunSeconds: number;
};
const RUN_DEADLINE_COLUMNS = sql.raw(`s.phase, s.processed, s.phase_started_at as "phaseStartedAt", s.deadline_at as "deadlineAt",
  s.run_deadline_at as "runDeadlineAt",
  (select i.max_run_seconds from integrations i where i.id = s.integration_id) as "maxRunSeconds"`);

/**
 * The application name a run's own connections carry (its apply transaction,
 * its COPY lanes), so whoever ends the run past its deadline can find the
 * statements it left running and cancel them.
 */
export function runConnectionTag(syncId: string): string {
  return `syncledger sync ${syncId}`;
}

/**
 * Tags the caller's transaction with the run's connection tag and, when the
 * phase has a deadline, limits each of its statements to what is left of it
 * (at least a second). Both end with the transaction.
 */
export async function limitRunTransaction(tx: Executor, tag: string, timeoutMs: number | null) {
  const timeout = timeoutMs === null ? null : String(Math.max(1000, Math.round(timeoutMs)));
  await tx.execute(sql`select set_config('application_name', ${tag}, true),
                              set_config('statement_timeout', coalesce(${timeout}::text, current_setting('statement_timeout')), true)`);
}

/**
 * Ends a running sync past its deadline `error` with `describe`'s message
 * (which names the phase) and cancels what its connections are still running,
 * so a statement that never returns cannot keep the integration's next sync
 * waiting. Only runs past `deadline_at` by `graceSeconds` are ended: the worker
 * that runs a sync ends it itself at its deadline; the grace leaves it that
 * chance before another worker's sweep does. The run's apply cannot commit
 * afterwards: completeSync matches only a run still syncing.
 */
export async function failOverdueSyncs(
  db: Executor,
  describe: (run: RunDeadlineRow) => string,
  opts: {
    graceSeconds: number;
    id?: string;
    /** Told of each run ended, before its statements are cancelled: its worker stops it first, so the cancels are not taken for a fault. */
    onEnded?: (id: string, message: string) => void;
  },
): Promise<{ id: string; message: string; cancelledBackends: number }[]> {
  const due = await db.execute<{ id: string } & RunDeadlineRow>(sql`
    select s.id, ${RUN_DEADLINE_COLUMNS} from ${syncExecutions} s
     where s.status = 'syncing' and s.deadline_at < now() - make_interval(secs => ${opts.graceSeconds})
       ${opts.id ? sql`and s.id = ${opts.id}` : sql``}`);
  const ended: { id: string; message: string; cancelledBackends: number }[] = [];
  for (const run of due) {
    const message = describe(run);
    const counts = await countsFor(db, run.id);
    const [row] = await db.execute<{ id: string }>(sql`
      update ${syncExecutions} set status = 'error', ended_at = now(), message = ${message}, counts = ${JSON.stringify(counts)}::jsonb
       where id = ${run.id} and status = 'syncing' and deadline_at < now() - make_interval(secs => ${opts.graceSeconds})
      returning id`);
    if (!row) continue;
    opts.onEnded?.(run.id, message);
    ended.push({ id: run.id, message, cancelledBackends: await stopRunBackends(db, run.id) });
  }
  return ended;
}

/**
 * Cancels the statements of a run's tagged connections and terminates any
 * still busy a second later (a COPY waiting on a lock, a transaction left open).
 */
async function stopRunBackends(db: Executor, syncId: string): Promise<number> {
  const busy = () =>
    db.execute<{ pid: number }>(sql`
      select pid from pg_stat_activity
       where application_name = ${runConnectionTag(syncId)} and pid <> pg_backend_pid() and usename = current_user
         and state is distinct from 'idle'`);
  const first = await busy();
  if (first.length === 0) return 0;
  for (const { pid } of first) await db.execute(sql`select pg_cancel_backend(${pid})`).catch(() => {});
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if ((await busy()).length === 0) return first.length;
  }
  for (const { pid } of await busy()) await db.execute(sql`select pg_terminate_backend(${pid})`).catch(() => {});
  return first.length;
}

/** Who asked to cancel a run and the phase it was in then; null when no cancel was requested. */
export async function cancelRequestOf(db: Executor, id: string) {
  const [row] = await db.execute<{ cancelled_by_name: string | null; phase: ProgressPhase | null }>(sql`
    select cancelled_by_name, phase from ${syncExecutions} where id = ${id} and cancel_requested_at is not null`);
  return row ? { by: row.cancelled_by_name ?? "unknown", phase: row.phase } : null;
}

/** The run takes the mode its source actually delivered (a delta the source could not give is read in full). */
export async function setSyncMode(db: Executor, id: string, mode: SyncExecutionRow["mode"]) {
  await db.execute(sql`update ${syncExecutions} set mode = ${mode} where id = ${id}`);
}

/** The identity_states version a run's staged outcomes are computed against. */
export async function setSyncStateVersion(db: Executor, id: string, version: number) {
  await db.execute(sql`update ${syncExecutions} set state_version = ${version} where id = ${id}`);
}

/**
 * The apply's last statement: the run is completed with its counts, unless a
 * cancel was requested, which leaves the row unmatched (false): the caller
 * rolls the apply back.
 */
export async function completeSync(tx: Executor, id: string, counts: SyncCounts, message: string): Promise<boolean> {
  const completed = await tx.execute(sql`
      update ${syncExecutions} set status = 'completed', ended_at = now(), counts = ${JSON.stringify(counts)}::jsonb,
             message = ${message}
       where id = ${id} and cancel_requested_at is null and status = 'syncing'
      returning id`);
  return completed.length > 0;
}

/** After the apply committed: what follows a completed sync is done. */
export async function markPostSyncCompleted(db: Executor, id: string) {
  await db.execute(sql`update ${syncExecutions} set status = 'post_sync_completed' where id = ${id} and status = 'completed'`);
}

/** Ends a run that failed, or that the drop guard held for an admin, keeping what it staged for the Sync Log. */
export async function endFailedSync(db: Executor, id: string, status: "held" | "error", message: string, counts: SyncCounts) {
  await db.execute(sql`
      update ${syncExecutions} set status = ${status}, ended_at = now(), message = ${message},
             counts = ${JSON.stringify(counts)}::jsonb
       where id = ${id} and status = 'syncing'`);
}

/**
 * Ends a run whose database connection was lost, once the database answers
 * again. The apply may have committed just before the connection went (its
 * reply lost): then the run stands as completed. Otherwise it ends `error` and,
 * unless it is a retry itself or a released held run (whose held data a new run
 * would not apply), a new run of the same kind is queued in its place, or the
 * run already queued for the integration is left to do the work.
 */
export async function endLostConnectionSync(
  db: Database,
  exec: SyncExecutionRow,
  describe: (phase: ProgressPhase | null) => string,
): Promise<{ status: "post_sync_completed" | "error"; retry: SyncExecutionRow | null }> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(syncExecutions).where(eq(syncExecutions.id, exec.id)).for("update");
    if (row?.status === "completed" || row?.status === "post_sync_completed") {
      await markPostSyncCompleted(tx, exec.id);
      return { status: "post_sync_completed" as const, retry: null };
    }
    // Ended meanwhile by someone else (past its deadline, or cancelled): that end stands, and no retry is queued.
    if (row?.status !== "syncing") return { status: "error" as const, retry: null };
    const retryable = exec.retryOfId === null && exec.releasedByName === null;
    let message = describe(row?.phase ?? null);
    let retry: SyncExecutionRow | null = null;
    if (retryable) {
      const queued = await enqueueSyncExecution(tx, {
        tenantId: exec.tenantId,
        integrationId: exec.integrationId,
        mode: exec.mode,
        trigger: exec.trigger,
        startedByType: exec.startedByType,
        startedById: exec.startedById,
        startedByName: exec.startedByName,
        retryOfId: exec.id,
        message: "Queued again: the run before it lost its database connection.",
      });
      retry = queued.sync;
      message += queued.joined
        ? " The sync queued since for this integration runs in its place."
        : " It was queued again now that the database is back.";
    } else if (exec.retryOfId !== null) {
      message += " It was already a retry of a run cut off the same way, so it was not queued again.";
    }
    const counts = await countsFor(tx, exec.id);
    await tx.execute(sql`
      update ${syncExecutions} set status = 'error', ended_at = now(), message = ${message}, counts = ${JSON.stringify(counts)}::jsonb
       where id = ${exec.id} and status = 'syncing'`);
    return { status: "error" as const, retry };
  });
}

/** Ends a running sync that was cancelled, keeping what it staged for the Sync Log. */
export async function endCancelledSync(db: Executor, id: string, message: string, counts: SyncCounts) {
  await db.execute(sql`
    update ${syncExecutions} set status = 'cancelled', ended_at = now(), message = ${message}, counts = ${JSON.stringify(counts)}::jsonb
     where id = ${id} and status = 'syncing'`);
}

/** Queues a held run again to apply what it staged, without extracting again; the worker is woken when the caller commits. */
export async function releaseHeldSyncExecution(tx: Executor, id: string, byName: string) {
  const [row] = await tx
    .update(syncExecutions)
    .set({
      status: "queued",
      releasedByName: byName,
      runAfter: new Date(),
      endedAt: null,
      message: `Released by ${byName}; applying the held data.`,
    })
    .where(eq(syncExecutions.id, id))
    .returning();
  await tx.execute(sql`select pg_notify(${SYNC_QUEUED_CHANNEL}, ${id})`);
  return row ?? null;
}

/**
 * Gives a run interrupted by a worker shutdown back to the queue. When a
 * request for the integration queued meanwhile, there may be only one queued
 * run: the interrupted one ends and the queued one takes its place (full if
 * either was), as two queued requests would have joined.
 */
export async function requeueInterruptedSync(
  db: Database,
  exec: Pick<SyncExecutionRow, "id" | "integrationId" | "mode">,
): Promise<"queued" | "cancelled"> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await requeueOrYield(db, exec);
    } catch (e) {
      // A request queued between the look and the requeue: look again.
      if (pgErrorCode(e) !== "23505" || attempt >= 2) throw e;
    }
  }
}

async function requeueOrYield(db: Database, exec: Pick<SyncExecutionRow, "id" | "integrationId" | "mode">) {
  return db.transaction(async (tx) => {
    const [took] = await tx.execute<{ id: string }>(sql`
      update ${syncExecutions} set mode = case when ${exec.mode} = 'full' then 'full' else mode end
       where integration_id = ${exec.integrationId} and status = 'queued' and released_by_name is null and id <> ${exec.id}
      returning id`);
    if (!took) {
      await tx.execute(
        sql`update ${syncExecutions} set status = 'queued', worker_id = null, run_after = now() where id = ${exec.id} and status = 'syncing'`,
      );
      return "queued" as const;
    }
    await tx.execute(sql`
      update ${syncExecutions}
         set status = 'cancelled', ended_at = now(), cancelled_by_name = 'system',
             message = 'Stopped when its worker shut down; the sync queued since for this integration runs in its place.'
       where id = ${exec.id} and status = 'syncing'`);
    return "cancelled" as const;
  });
}

/**
 * Queues a sync for every active scheduled integration whose time has come;
 * one that already has a sync queued keeps that one (it reads everything the
 * scheduled delta would).
 */
export async function queueScheduledSyncs(db: Executor) {
  await db.execute(sql`
    with due as (
      update ${integrations} set next_sync_at = now() + make_interval(mins => schedule_minutes)
       where deleted_at is null and active and schedule_minutes is not null and next_sync_at <= now()
      returning id, tenant_id)
    insert into ${syncExecutions} (tenant_id, integration_id, trigger, started_by_type, started_by_name, mode)
    select tenant_id, id, 'schedule', 'schedule', 'schedule', 'delta' from due
    on conflict (integration_id) where status = 'queued' and released_by_name is null do nothing`);
}

/** One object type's counts before anything is counted. */
export function emptyTypeCounts(): SyncTypeCounts {
  return { extracted: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, skipped: 0, errors: 0 };
}

export async function countsFor(db: Executor, syncId: string): Promise<SyncCounts> {
  const counts: SyncCounts = {};
  const add = (objectType: string, outcome: string | null, n: number) => {
    const c = (counts[objectType as keyof SyncCounts] ??= emptyTypeCounts());
    if (outcome === null) return;
    c[outcome === "error" ? "errors" : (outcome as Exclude<SyncRecordOutcome, "error">)] += n;
  };
  // A staged row is an extracted record and, once compared, its own log entry.
  const staged = await db.execute<{ object_type: string; outcome: string | null; n: number }>(sql`
    select object_type, outcome, count(*)::int as n from ${extractedObjects} where sync_execution_id = ${syncId} group by 1, 2`);
  for (const r of staged) {
    add(r.object_type, r.outcome, r.n);
    counts[r.object_type as keyof SyncCounts]!.extracted += r.n;
  }
  const others = await db.execute<{ object_type: string; outcome: string; n: number }>(sql`
    select object_type, outcome, count(*)::int as n from ${syncRecords} where sync_execution_id = ${syncId} group by 1, 2`);
  for (const r of others) add(r.object_type, r.outcome, r.n);
  return counts;
}

/** A re-run (after a graceful shutdown) starts from a clean slate: what an earlier attempt staged and logged goes. */
export async function clearSyncStaging(db: Executor, syncId: string) {
  await db.execute(sql`delete from ${extractedObjects} where sync_execution_id = ${syncId}`);
  await db.execute(sql`delete from ${syncRecords} where sync_execution_id = ${syncId}`);
}

/** A record the sync could not stage; its canonical fields, when it had any, give its name in the Sync Log. */
export type SkippedRecord = { objectType: string; externalId: string; reason: string; fields?: Record<string, string | null> | null };

/**
 * Logs skipped records as the pages come. The sync's own staged rows are not
 * visible yet (their COPY is still open), so a membership is named by its ids.
 */
export async function insertSkippedRecords(db: Executor, tenantId: string, syncId: string, rows: SkippedRecord[]) {
  if (rows.length === 0) return;
  for (let i = 0; i < rows.length; i += 5000) {
    const batch = rows.slice(i, i + 5000).map((r) => ({
      object_type: r.objectType,
      external_id: r.externalId,
      reason: r.reason.slice(0, 1000),
      fields: r.fields ?? null,
    }));
    await db.execute(sql`
      insert into ${syncRecords} (tenant_id, sync_execution_id, object_type, external_id, name, outcome, reason)
      select ${tenantId}, ${syncId}, r.object_type, r.external_id, ${sql.raw(recordNameSql("r", "ids"))}, 'skipped', r.reason
        from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as r(object_type text, external_id text, reason text, fields jsonb)`);
  }
}

/**
 * The canonical fields that name a record in the Sync Log, the first with a
 * value winning. A membership has no name of its own: it is named after its
 * member and its group (see recordNameSql).
 */
const NAME_FIELDS = {
  account: ["username", "displayName", "email"],
  group: ["name"],
  role: ["name"],
  entitlement: ["name"],
} as const satisfies { [T in Exclude<ObjectType, "membership">]: readonly CanonicalField<T>[] };
/** What a membership's two ends can be, looked up in this order. */
const MEMBER_TYPES = ["account", "group"] as const satisfies readonly (keyof typeof NAME_FIELDS)[];
const GROUP_TYPES = ["group", "role", "entitlement"] as const satisfies readonly (keyof typeof NAME_FIELDS)[];

const quoted = (values: readonly string[]) => values.map((v) => `'${v}'`).join(", ");

/** The name of a `type` object in row `alias`, from its own fields. */
function namedBySql(type: keyof typeof NAME_FIELDS, alias: string): string {
  return `coalesce(${NAME_FIELDS[type].map((f) => `${alias}.fields->>'${f}'`).join(", ")})`;
}

/** The name of an account, group, role or entitlement in row `alias`. */
function ownNameSql(alias: string): string {
  const types = Object.keys(NAME_FIELDS) as (keyof typeof NAME_FIELDS)[];
  return `case ${alias}.object_type ${types.map((t) => `when '${t}' then ${namedBySql(t, alias)}`).join(" ")} end`;
}

/**
 * How a membership's two ends are named:
 * - "probe": one index probe per row into the membership's own sync, for a
 *   page of rows or the rows a statement logs. `alias.sync_execution_id` must
 *   be a column of an outer row, never a literal: given a literal sync id with
 *   stale statistics the planner believes the sync holds one row and may pick
 *   an index that reads all of it per probe; for a column it reckons with an
 *   average sync and probes (sync, object type, external id).
 * - { map }: a jsonb { "type:externalId": name } of the sync built once
 *   (syncNamesMapSql), for a filter that names every row it scans.
 * - "ids": the external ids only, for rows logged while the sync's own rows
 *   are still being staged (not yet visible to a lookup).
 */
export type EndNames = "probe" | "ids" | { map: string };

function endNameSql(
  alias: string,
  idField: "memberExternalId" | "groupExternalId",
  types: readonly (keyof typeof NAME_FIELDS)[],
  ends: EndNames,
): string {
  const id = `(${alias}.fields->>'${idField}')`;
  if (ends === "ids") return id;
  if (ends !== "probe") return `coalesce(${types.map((t) => `${ends.map}->>('${t}:' || ${id})`).join(", ")}, ${id})`;
  // One probe per type, in order: an end is nearly always of the first type, so one probe it is.
  const end = `${alias}_${idField === "memberExternalId" ? "member" : "group"}`;
  const probes = types.map(
    (t) => `(select ${namedBySql(t, end)} from extracted_objects ${end}
              where ${end}.sync_execution_id = ${alias}.sync_execution_id and ${end}.object_type = '${t}' and ${end}.external_id = ${id} limit 1)`,
  );
  return `coalesce(${probes.join(", ")}, ${id})`;
}

/**
 * The one rule for a record's name in the Sync Log, as SQL over row `alias`,
 * which has the record's object_type and canonical `fields` (and, to probe,
 * sync_execution_id): an account's username, else its display name, else its
 * email; a group's, role's or entitlement's name; a membership reads
 * "member in group" with the names the same sync staged for them, else their
 * external ids. Null when the fields give none.
 *
 * The Sync Log computes it for its staged rows (page, filter and export);
 * the deleted and skipped rows of sync_records store it when they are logged.
 * Text, so it nests in Drizzle (`sql.raw`) and postgres.js (`sql.unsafe`).
 */
export function recordNameSql(alias: string, ends: EndNames = "probe"): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`recordNameSql: not a plain alias: ${alias}`);
  const member = endNameSql(alias, "memberExternalId", MEMBER_TYPES, ends);
  const group = endNameSql(alias, "groupExternalId", GROUP_TYPES, ends);
  return `(case when ${alias}.object_type = 'membership' then ${member} || ' in ' || ${group} else ${ownNameSql(alias)} end)`;
}

/** The names of one sync's accounts, groups, roles and entitlements as jsonb { "type:externalId": name }: one pass over the sync. */
function syncNamesMapSql(syncId: string): SQL {
  const types = Object.keys(NAME_FIELDS);
  return sql`select jsonb_object_agg(x.object_type || ':' || x.external_id, ${sql.raw(ownNameSql("x"))}) as map
               from ${extractedObjects} x
              where x.sync_execution_id = ${syncId} and x.object_type in (${sql.raw(quoted(types))})`;
}

export type SyncLogEntry = {
  id: number;
  objectType: string;
  externalId: string;
  /** Username, display name or group name; for a membership "member in group". */
  name: string | null;
  outcome: SyncRecordOutcome;
  reason: string | null;
};

/**
 * One page of a sync's log: its staged rows (created / updated / unchanged)
 * and its sync_records (deleted / skipped / error) share one numbering, so
 * one keyset cursor pages through both and the two index scans merge by id.
 * Rows staged before outcomes were kept on them have none and are left out:
 * their log entries are in sync_records.
 *
 * Names of staged rows are worked out for the page's rows only, after the
 * limit; the free-text filter `q` matches the external id or the name, so
 * with it each branch names the rows it scans.
 */
export async function listSyncRecords(
  db: Executor,
  tenantId: string,
  syncId: string,
  opts: { outcome?: SyncRecordOutcome; objectType?: string; q?: string; afterId?: number; limit: number },
): Promise<SyncLogEntry[]> {
  const filters = (alias: "e" | "r", name: SQL): SQL[] => {
    const col = (c: string) => sql.raw(`${alias}.${c}`);
    // The sync id as a value the planner cannot look up: as a literal, a sync that statistics have
    // not seen yet is estimated at one row, and the page is then planned as a sort of the whole
    // sync instead of a walk of its (sync, id) key that stops after one page.
    const c: SQL[] = [sql`${col("tenant_id")} = ${tenantId}`, sql`${col("sync_execution_id")} = (select ${syncId}::uuid)`];
    if (opts.outcome) c.push(sql`${col("outcome")} = ${opts.outcome}`);
    if (opts.objectType) c.push(sql`${col("object_type")} = ${opts.objectType}`);
    if (opts.q) {
      const pattern = `%${opts.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      c.push(sql`(${col("external_id")} ilike ${pattern} or ${name} ilike ${pattern})`);
    }
    if (opts.afterId) c.push(sql`${col("id")} > ${opts.afterId}`);
    return c;
  };
  const staged = (STAGED_OUTCOMES as readonly string[]).includes(opts.outcome ?? "created");
  const parts: SQL[] = [];
  // A search names every staged row it scans: through a map of the sync's names built once
  // (an init plan, whatever the statistics say), not two index probes per membership.
  const names = staged && opts.q ? sql`with sync_log_names as materialized (${syncNamesMapSql(syncId)}) ` : sql``;
  if (staged) {
    const name = sql.raw(recordNameSql("e", { map: "(select map from sync_log_names)" }));
    parts.push(sql`(select e.id, e.sync_execution_id, e.object_type, e.external_id, e.outcome, null::text as reason, null::text as name, e.fields
                      from ${extractedObjects} e where ${and(...filters("e", name), sql`e.outcome is not null`)}
                     order by e.id limit ${opts.limit})`);
  }
  parts.push(sql`(select r.id, r.sync_execution_id, r.object_type, r.external_id, r.outcome, r.reason, r.name, null::jsonb as fields
                    from ${syncRecords} r where ${and(...filters("r", sql`r.name`))}
                   order by r.id limit ${opts.limit})`);
  const rows = await db.execute<{
    id: string | number;
    object_type: string;
    external_id: string;
    name: string | null;
    outcome: SyncRecordOutcome;
    reason: string | null;
  }>(sql`${names}select log.id, log.object_type, log.external_id, log.outcome, log.reason,
                case when log.fields is null then log.name else ${sql.raw(recordNameSql("log"))} end as name
           from (select * from (${sql.join(parts, sql` union all `)}) merged order by id limit ${opts.limit}) log
          order by log.id`);
  return rows.map((r) => ({
    id: Number(r.id),
    objectType: r.object_type,
    externalId: r.external_id,
    name: r.name,
    outcome: r.outcome,
    reason: r.reason,
  }));
}

export type TenantSyncLogEntry = SyncLogEntry & {
  syncId: string;
  integrationId: string;
  integrationName: string;
  syncStartedAt: Date;
};

/**
 * One page of the Sync Logs of every sync of a tenant, newest record first.
 * Both tables are walked backwards along (tenant_id, id)
 * (extracted_objects_tenant_log_idx, sync_records_tenant_idx) and the two
 * walks merge by id, as listSyncRecords does per sync; each stops after one
 * page. With an integration or a date range, each chosen sync's own key is
 * walked instead (see `branch`). Outcome, object type and text filters are
 * checked on the rows walked: unscoped and rare, they read much of the
 * tenant's history (docs/benchmarks.md, "Sync Logs").
 *
 * The free-text filter matches the external id or the record's own name; a
 * membership matches by its member's and group's external ids (naming both
 * ends of every membership scanned would mean two lookups per row across all
 * of the tenant's history). Names are worked out for the page's rows only.
 */
export async function listTenantSyncRecords(
  db: Executor,
  tenantId: string,
  opts: {
    outcome?: SyncRecordOutcome;
    objectType?: string;
    q?: string;
    integrationId?: string;
    from?: Date;
    to?: Date;
    beforeId?: number;
    limit: number;
  },
): Promise<TenantSyncLogEntry[]> {
  const scoped = Boolean(opts.integrationId || opts.from || opts.to);
  const syncFilter: SQL[] = [sql`s.tenant_id = ${tenantId}`];
  if (opts.integrationId) syncFilter.push(sql`s.integration_id = ${opts.integrationId}`);
  if (opts.from) syncFilter.push(sql`coalesce(s.started_at, s.queued_at) >= ${opts.from.toISOString()}::timestamptz`);
  if (opts.to) syncFilter.push(sql`coalesce(s.started_at, s.queued_at) <= ${opts.to.toISOString()}::timestamptz`);
  const filters = (alias: "e" | "r", name: SQL): SQL[] => {
    const col = (c: string) => sql.raw(`${alias}.${c}`);
    // Scoped, each branch runs once per chosen sync and names it by the outer row's column (see listSyncRecords on literals).
    // Scoped, the syncs are already this tenant's, and a tenant_id condition would tempt the
    // planner to combine both indexes and sort each sync instead of walking its key.
    const c: SQL[] = [scoped ? sql`${col("sync_execution_id")} = sc.id` : sql`${col("tenant_id")} = ${tenantId}`];
    if (opts.outcome) c.push(sql`${col("outcome")} = ${opts.outcome}`);
    if (opts.objectType) c.push(sql`${col("object_type")} = ${opts.objectType}`);
    if (opts.q) {
      const pattern = `%${opts.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      c.push(sql`(${col("external_id")} ilike ${pattern} or ${name} ilike ${pattern})`);
    }
    if (opts.beforeId) c.push(sql`${col("id")} < ${opts.beforeId}`);
    return c;
  };
  /**
   * Unscoped, a branch walks the tenant's (tenant_id, id) index backwards. Scoped to an
   * integration or dates, it walks each chosen sync's own (sync, id) key backwards instead,
   * one page per sync at most, so its cost follows the syncs chosen, not the tenant's history.
   */
  const branch = (select: SQL): SQL =>
    scoped
      ? sql`(select x.* from (select s.id from ${syncExecutions} s where ${and(...syncFilter)}) sc
               cross join lateral (${select}) x order by x.id desc limit ${opts.limit})`
      : sql`(${select})`;
  const staged = (STAGED_OUTCOMES as readonly string[]).includes(opts.outcome ?? "created");
  const parts: SQL[] = [];
  if (staged) {
    parts.push(
      branch(sql`select e.id, e.sync_execution_id, e.object_type, e.external_id, e.outcome, null::text as reason, null::text as name, e.fields
                   from ${extractedObjects} e where ${and(...filters("e", sql.raw(recordNameSql("e", "ids"))), sql`e.outcome is not null`)}
                  order by e.id desc limit ${opts.limit}`),
    );
  }
  parts.push(
    branch(sql`select r.id, r.sync_execution_id, r.object_type, r.external_id, r.outcome, r.reason, r.name, null::jsonb as fields
                 from ${syncRecords} r where ${and(...filters("r", sql`r.name`))}
                order by r.id desc limit ${opts.limit}`),
  );
  const rows = await db.execute<{
    id: string | number;
    sync_execution_id: string;
    integration_id: string;
    integration_name: string;
    sync_started_at: string | Date;
    object_type: string;
    external_id: string;
    name: string | null;
    outcome: SyncRecordOutcome;
    reason: string | null;
  }>(sql`select log.id, log.sync_execution_id, s.integration_id, i.name as integration_name,
                coalesce(s.started_at, s.queued_at) as sync_started_at,
                log.object_type, log.external_id, log.outcome, log.reason,
                case when log.fields is null then log.name else ${sql.raw(recordNameSql("log"))} end as name
           from (select * from (${sql.join(parts, sql` union all `)}) merged order by id desc limit ${opts.limit}) log
           join ${syncExecutions} s on s.id = log.sync_execution_id
           join integrations i on i.id = s.integration_id
          order by log.id desc`);
  return rows.map((r) => ({
    id: Number(r.id),
    syncId: r.sync_execution_id,
    integrationId: r.integration_id,
    integrationName: r.integration_name,
    syncStartedAt: new Date(r.sync_started_at),
    objectType: r.object_type,
    externalId: r.external_id,
    name: r.name,
    outcome: r.outcome,
    reason: r.reason,
  }));
}
