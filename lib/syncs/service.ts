/** Sync executions as users and API clients see them: request, history, detail, Sync Log, release. */
import "server-only";
import { overdueOf } from "./deadline";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/syncs";
import { getIntegration } from "@/db/queries/integrations";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { describeFilters, recordAuditEvent } from "@/lib/audit/service";
import { decodeCursor, encodeCursor } from "@/lib/pagination";
import { AppError } from "@/lib/errors";
import { isUuid, parseInput } from "@/lib/validation";
import { enqueueSync } from "./queue";

/** The checks a caller makes before a change that starts a sync. */
export { assertMayStartSyncForEvidence, mayStartSync } from "./queue";
import { requestSyncSchema, syncLogFiltersSchema, type SyncLogFilters } from "./schemas";
import { phaseWords } from "./progress";

export type { SyncTrigger } from "@/lib/domain/enums";
import type { SyncTrigger } from "@/lib/domain/enums";
export type SyncLogEntry = queries.SyncLogEntry;

function assertId(id: string, what: string) {
  if (!isUuid(id)) throw new AppError(`not_found:${what}`, `No such ${what.replace("_", " ")}.`);
}

export async function requestSync(ctx: ServiceContext, integrationId: string, input: unknown, trigger: SyncTrigger = "manual") {
  authorize(ctx, "syncs:run");
  assertId(integrationId, "integration");
  const data = parseInput(requestSyncSchema, input ?? {});
  return getDb().transaction(async (tx) => {
    const integration = await getIntegration(tx, ctx.tenantId, integrationId);
    if (!integration) throw new AppError("not_found:integration", "No such integration.");
    if (!integration.active)
      throw new AppError("conflict:integration_inactive", `"${integration.name}" is deactivated; activate it to sync.`);
    if (data.idempotencyKey) {
      const existing = await queries.findByIdempotencyKey(tx, ctx.tenantId, integrationId, data.idempotencyKey);
      if (existing) return { sync: existing, replayed: true, joined: false };
    }
    const { sync, joined } = await enqueueSync(tx, ctx, integrationId, { trigger, mode: data.mode, idempotencyKey: data.idempotencyKey });
    return { sync, replayed: false, joined };
  });
}

export async function listSyncHistory(ctx: ServiceContext, integrationId: string, input: { cursor?: string; limit?: number } = {}) {
  authorize(ctx, "syncs:read");
  assertId(integrationId, "integration");
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  const after = input.cursor ? decodeCursor(input.cursor) : undefined;
  if (after === null) throw new AppError("bad_request:cursor", "The page cursor is not valid; start from the first page.");
  // Both read within the caller's tenant, so they run side by side: under load each
  // round trip waits its turn on the pool and the event loop (docs/benchmarks.md, bench:api).
  const [integration, rows] = await Promise.all([
    // A deleted integration keeps its history for the auditors.
    getIntegration(getDb(), ctx.tenantId, integrationId, { includeDeleted: true }),
    queries.listSyncExecutions(getDb(), ctx.tenantId, integrationId, { after, limit: limit + 1 }),
  ]);
  if (!integration) throw new AppError("not_found:integration", "No such integration.");
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const places = await queries.queuePlaces(
    getDb(),
    ctx.tenantId,
    page.filter((s) => s.status === "queued").map((s) => s.id),
  );
  return {
    integration: {
      id: integration.id,
      name: integration.name,
      connector: integration.connector,
      logoUploadId: integration.logoUploadId,
      active: integration.active,
      deleted: integration.deletedAt !== null,
    },
    // A running sync past 80 % of its deadline is overdue: the page shows it before the deadline ends it.
    syncs: page.map(({ cursorTs: _c, dbNow, maxRunSeconds, ...s }) => ({
      ...s,
      queue: places.get(s.id) ?? null,
      overdue: overdueOf({ ...s, maxRunSeconds }, dbNow),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ ts: last.cursorTs, id: last.id }) : null,
  };
}

/** A sync as users and API clients see it: which worker and database backend ran it and the client's idempotency key stay inside. */
function publicView(sync: queries.SyncExecutionRow) {
  const { workerId: _w, backendPid: _p, idempotencyKey: _k, ...rest } = sync;
  return rest;
}

export async function getSync(ctx: ServiceContext, id: string) {
  authorize(ctx, "syncs:read");
  assertId(id, "sync");
  const sync = await queries.getSyncExecution(getDb(), ctx.tenantId, id);
  if (!sync) throw new AppError("not_found:sync", "No such sync.");
  const rest = publicView(sync);
  const queue = sync.status === "queued" ? ((await queries.queuePlaces(getDb(), ctx.tenantId, [sync.id])).get(sync.id) ?? null) : null;
  return { ...rest, queue };
}

export async function listSyncLog(ctx: ServiceContext, syncId: string, input: unknown) {
  authorize(ctx, "syncs:read");
  assertId(syncId, "sync");
  const raw = (input ?? {}) as Record<string, unknown>;
  const filters = parseInput(syncLogFiltersSchema, raw);
  const afterId = raw.after ? Number(raw.after) : undefined;
  const limit = 100;
  // The page is read within the caller's tenant beside the sync's own lookup (see listSyncHistory).
  const [sync, rows] = await Promise.all([
    queries.getSyncExecution(getDb(), ctx.tenantId, syncId),
    queries.listSyncRecords(getDb(), ctx.tenantId, syncId, {
      ...filters,
      afterId: Number.isSafeInteger(afterId) ? afterId : undefined,
      limit: limit + 1,
    }),
  ]);
  if (!sync) throw new AppError("not_found:sync", "No such sync.");
  const page = rows.slice(0, limit);
  return { records: page, next: rows.length > limit ? String(page.at(-1)!.id) : null };
}

/**
 * The Sync Log rows matching the filters, for CSV export. Validation and the
 * sync lookup happen before anything is returned, so a bad filter or a missing
 * sync is an error answer, not a broken download; the export is audited then.
 */
export async function exportSyncLog(ctx: ServiceContext, syncId: string, input: unknown) {
  authorize(ctx, "syncs:read");
  assertId(syncId, "sync");
  const filters = parseInput(syncLogFiltersSchema, input ?? {});
  const sync = await queries.getSyncExecution(getDb(), ctx.tenantId, syncId);
  if (!sync) throw new AppError("not_found:sync", "No such sync.");
  const integration = await getIntegration(getDb(), ctx.tenantId, sync.integrationId);
  const described = describeFilters(filters);
  await recordAuditEvent(getDb(), ctx, {
    entityType: "SyncLog",
    action: "Export",
    entityId: sync.id,
    entityName: `${integration?.name ?? "integration"} sync`,
    details: `Exported the Sync Log as CSV${described ? ` (${described})` : ""}`,
  });
  return { sync, rows: iterateSyncRecords(ctx.tenantId, sync.id, filters) };
}

async function* iterateSyncRecords(tenantId: string, syncId: string, filters: SyncLogFilters) {
  let afterId: number | undefined;
  for (;;) {
    const rows = await queries.listSyncRecords(getDb(), tenantId, syncId, { ...filters, afterId, limit: 2000 });
    yield* rows;
    if (rows.length < 2000) return;
    afterId = rows[rows.length - 1].id;
  }
}

/** Applies a held run's staged data after an admin reviewed why it was held. */
export async function releaseHeldSync(ctx: ServiceContext, syncId: string) {
  authorize(ctx, "syncs:release");
  assertId(syncId, "sync");
  return getDb().transaction(async (tx) => {
    const sync = await queries.getSyncExecution(tx, ctx.tenantId, syncId);
    if (!sync) throw new AppError("not_found:sync", "No such sync.");
    if (sync.status !== "held") throw new AppError("conflict:sync_not_held", `This sync is ${sync.status}, not held.`);
    const integration = await getIntegration(tx, ctx.tenantId, sync.integrationId);
    const updated = await queries.releaseHeldSyncExecution(tx, sync.id, ctx.actor.name);
    await recordAuditEvent(tx, ctx, {
      entityType: "SyncExecution",
      action: "Release",
      entityId: sync.id,
      entityName: `${integration?.name ?? "integration"} sync`,
      details: `Released a held sync: ${sync.message ?? ""}`.trim(),
      before: { status: "held" },
      after: { status: "queued" },
    });
    return updated!;
  });
}

function endedWords(sync: queries.SyncExecutionRow): string {
  if (sync.status === "cancelled") return `it was cancelled${sync.cancelledByName ? ` by ${sync.cancelledByName}` : ""}`;
  if (sync.status === "error") return "it failed";
  return "it completed and its data was applied";
}

/**
 * Cancels a sync. One that has not run (queued, or held for review) ends at
 * once and nothing of it is applied; a running one is asked to stop, and its
 * worker ends it within seconds. The request and the sync's end cannot both
 * win: the row is locked here, and the apply commits only while no cancel has
 * been requested, so a cancel either stops the apply or finds the sync ended.
 */
export async function cancelSync(ctx: ServiceContext, syncId: string) {
  authorize(ctx, "syncs:run");
  assertId(syncId, "sync");
  return getDb().transaction(async (tx) => {
    const sync = await queries.getSyncExecution(tx, ctx.tenantId, syncId, { lock: true });
    if (!sync) throw new AppError("not_found:sync", "No such sync.");
    const integration = await getIntegration(tx, ctx.tenantId, sync.integrationId, { includeDeleted: true });
    const entityName = `${integration?.name ?? "integration"} sync`;
    const by = { id: ctx.actor.id ?? null, name: ctx.actor.name };
    let cancelled: queries.SyncExecutionRow | null;
    let details: string;
    if (sync.status === "queued" || sync.status === "held") {
      const what =
        sync.status === "held"
          ? "while it was held; its data will not be applied"
          : sync.releasedByName
            ? "before it applied the held data"
            : "before it started";
      cancelled = await queries.cancelWaitingSync(tx, sync.id, by, `Cancelled by ${ctx.actor.name} ${what}.`);
      details = `Cancelled a ${sync.status} sync`;
    } else if (sync.status === "syncing") {
      if (sync.cancelRequestedAt) {
        throw new AppError(
          "conflict:sync_cancelling",
          `This sync is already being cancelled (asked by ${sync.cancelledByName ?? "someone"}).`,
        );
      }
      cancelled = await queries.requestSyncCancel(tx, sync.id, by);
      details = `Cancelled a running sync while ${phaseWords(sync.phase)}`;
    } else {
      throw new AppError("conflict:sync_ended", `This sync already ended: ${endedWords(sync)}.`);
    }
    if (!cancelled) throw new AppError("conflict:sync_ended", "This sync changed while it was being cancelled; reload and try again.");
    await recordAuditEvent(tx, ctx, {
      entityType: "SyncExecution",
      action: "Cancel",
      entityId: sync.id,
      entityName,
      details,
      before: { status: sync.status },
      after: { status: cancelled.status === "cancelled" ? "cancelled" : "cancelling" },
    });
    return publicView(cancelled);
  });
}
