/**
 * Runs one claimed sync execution: extract pages from the connector, compare
 * each page with the current state and stream it into per-sync staging
 * (COPY), each row carrying its outcome; refuse to apply a result that shrank
 * past the integration's threshold (held); then make it the current state in
 * one transaction, logging deletions and recording the campaign revokes it
 * proves carried out. Any failure before that transaction
 * leaves the current state exactly as it was.
 */
import "server-only";
import type { Database, Executor } from "@/db/client";
import { isConnectionLost, pgErrorCode } from "@/db/errors";
import { pingDatabase } from "@/db/queries/health";
import { allowApplyMemory } from "@/db/queries/identity-state";
import { saveCursorPosition } from "@/db/queries/integrations";
import type { SkippedRecord, SyncExecutionRow } from "@/db/queries/syncs";
import * as syncQueries from "@/db/queries/syncs";
import { OBJECT_TYPE_LABELS as label, type SyncCounts } from "@/lib/domain/enums";
import { applyMapping } from "@/lib/connectors/canonical";
import { assertEndpointsAllowed, getConnector } from "@/lib/connectors/registry";
import { ConnectorError, OBJECT_TYPES, type ExtractPage, type ExtractResult, type ObjectType } from "@/lib/connectors/types";
import { getObjectStore } from "@/lib/storage";
import { loadIntegrationForSync } from "@/lib/integrations/loader";
import { verifyRemediations } from "@/lib/provisioning/remediation";
import { phaseWords, readingPhase, type ProgressPhase } from "./progress";
import { StagingWriter, prepareRow, type StagedOutcome, type StagedRow } from "./staging";
import { applyDelta, applyFull, currentHashes, lockState, outcomeOf, readState, recompareOutcomes, type Deletions } from "./state";

export type SyncRunContext = {
  db: Database;
  workerId: string;
  /** Stops the run: aborted when the worker shuts down or someone cancels the run. */
  signal: AbortSignal;
  /**
   * The worker's shutdown alone, to tell it from a cancel: a shutdown gives
   * the run back to the queue. Without it, an abort that is not a cancel
   * recorded on the run counts as a shutdown.
   */
  shutdown?: AbortSignal;
  /** Called after each page so the worker can heartbeat and publish progress (and the phase the page was read in). */
  onProgress(processed: number, total: number | null, phase?: ProgressPhase): Promise<void>;
  /** Called when the run moves on to a phase after reading. */
  onPhase?(phase: ProgressPhase): Promise<void>;
  /** Filled with the milliseconds each phase took, for the worker's log and the benchmark. */
  timings?: Partial<Record<SyncPhase, number>>;
  /**
   * The run's deadline as the worker keeps it: how long the current phase may
   * still take (its statements get that as their timeout; null: no limit), and
   * the message that ends a run past it, naming the phase.
   */
  deadline?: { remainingMs(): number | null; message(): string };
};

export type SyncPhase = "extract" | "sourceWait" | "compare" | "stagingWait" | "guard" | "apply";

async function timed<T>(ctx: SyncRunContext, phase: SyncPhase, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    if (ctx.timings) ctx.timings[phase] = (ctx.timings[phase] ?? 0) + Math.round(performance.now() - start);
  }
}

export class SyncHeld extends Error {}

/** The reason a run's signal is aborted with when the worker ends it past its deadline. */
export class RunDeadlineExceeded extends Error {}

/** Postgres stopped a statement at the timeout the apply set from the phase's deadline (not a cancel someone sent). */
function isStatementTimeout(e: unknown): boolean {
  if (pgErrorCode(e) !== "57014") return false;
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++, cur = (cur as { cause?: unknown }).cause) {
    if (/statement timeout/.test(String((cur as Error).message ?? ""))) return true;
  }
  return false;
}

/** The apply found a cancel requested at its last step, and rolled back. */
class CancelledBeforeCommit extends Error {}

/** Records mapped, compared and staged together. */
const SLICE = 5_000;

function describeError(e: unknown): string {
  if (e instanceof ConnectorError) return e.message;
  if (e instanceof Error && e.message) return e.message;
  return typeof e === "string" ? e : "The sync failed for an unknown reason.";
}

async function extract(exec: SyncExecutionRow, ctx: SyncRunContext) {
  const { db } = ctx;
  const integration = await loadIntegrationForSync(db, exec.integrationId);
  const connector = getConnector(integration.connector);
  await assertEndpointsAllowed(integration.connector, integration.config);
  const objectTypes = connector.capabilities.objectTypes;
  // A re-run (after a graceful shutdown) starts from a clean slate.
  await syncQueries.clearSyncStaging(db, exec.id);
  // Outcomes are computed against this version of the current state; an
  // integration with nothing applied yet needs no lookups: everything is new.
  const state = await readState(db, exec.integrationId);
  await syncQueries.setSyncStateVersion(db, exec.id, state.version);
  exec.stateVersion = state.version;

  const cursors = connector.capabilities.delta && exec.mode === "delta" ? integration.cursors : null;
  const store = connector.type === "csv" ? getObjectStore() : null;
  const pages = connector.extract(integration.config, {
    objectTypes,
    cursors: cursors && Object.keys(cursors).length ? cursors : null,
    signal: ctx.signal,
    openObject: store ? (key) => store.get(key) : undefined,
  });
  let processed = 0;
  const totals: Partial<Record<ObjectType, number>> = {};
  // External ids met so far, per object type: a repeat is logged as skipped and never
  // staged, so the staged rows of a sync have unique keys with no pass over them after.
  const seen = new Map<ObjectType, Set<string>>();
  const staging = await StagingWriter.open(exec.tenantId, exec.id, { applicationName: syncQueries.runConnectionTag(exec.id) });
  // Slices whose comparison with the current state is under way: the next slice's runs
  // while a lane takes in this one, so two run at most.
  const compared: { rows: Omit<StagedRow, "outcome">[]; current: Promise<Map<string, string> | null> }[] = [];
  // What the Sync Log will say, counted as rows are staged and skipped, so neither the
  // drop guard nor the apply has to count a sync's rows again.
  const counts: SyncCounts = {};
  const tally = (objectType: ObjectType, outcome: StagedOutcome | "skipped", n = 1) => {
    const c = (counts[objectType] ??= syncQueries.emptyTypeCounts());
    if (outcome !== "skipped") c.extracted += n;
    c[outcome] += n;
  };
  const stageOldest = async () => {
    const { rows, current } = compared.shift()!;
    const [hashes] = await Promise.all([current, timed(ctx, "stagingWait", () => staging.ready())]);
    const staged = rows.map((r) => ({ ...r, outcome: outcomeOf(hashes?.get(r.externalId), r.hash) }));
    for (const r of staged) tally(r.objectType as ObjectType, r.outcome);
    await staging.write(staged);
  };
  let next: IteratorResult<ExtractPage, ExtractResult>;
  // A COPY the server stopped (its backend cancelled past the run's deadline) never
  // finishes on this side: a stopped run abandons its lanes at once.
  const abandonStaging = () => void staging.abort().catch(() => {});
  ctx.signal.addEventListener("abort", abandonStaging, { once: true });
  try {
    next = await timed(ctx, "sourceWait", () => pages.next());
    while (!next.done) {
      ctx.signal.throwIfAborted();
      const page = next.value;
      // The connector reads the next page while this one is mapped and staged.
      const following = pages.next();
      following.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
      if (page.total !== undefined) totals[page.objectType] = page.total;
      const mapping = integration.mapping[page.objectType] ?? connector.defaultMapping[page.objectType] ?? {};
      // Mapped like the records, so a rejected row the source named is logged with its name.
      const skipped: SkippedRecord[] = (page.rejected ?? []).map((r) => ({
        objectType: page.objectType,
        externalId: r.externalId ?? (r.line !== undefined ? `line ${r.line}` : "unknown"),
        reason: r.reason,
        fields: r.attributes
          ? applyMapping({ objectType: page.objectType, externalId: "", attributes: r.attributes }, mapping).fields
          : null,
      }));
      const ids = seen.get(page.objectType) ?? seen.set(page.objectType, new Set()).get(page.objectType)!;
      // A large page (a page of groups brings tens of thousands of memberships) goes in
      // slices, so memory stays flat and Postgres gets work while the next slice is prepared.
      for (let start = 0; start < page.records.length; start += SLICE) {
        const rows: Omit<StagedRow, "outcome">[] = [];
        for (const record of page.records.slice(start, start + SLICE)) {
          const mapped = applyMapping(record, mapping);
          if (!mapped.externalId) {
            skipped.push({
              objectType: page.objectType,
              externalId: record.externalId || "unknown",
              reason: "no external id after mapping",
              fields: mapped.fields,
            });
            continue;
          }
          if (ids.has(mapped.externalId)) {
            skipped.push({
              objectType: page.objectType,
              externalId: mapped.externalId,
              reason: "duplicate external id in the source",
              fields: mapped.fields,
            });
            continue;
          }
          ids.add(mapped.externalId);
          rows.push(prepareRow(page.objectType, mapped.externalId, mapped.fields));
        }
        const current =
          state.version > 0
            ? timed(ctx, "compare", () =>
                currentHashes(
                  db,
                  state,
                  page.objectType,
                  rows.map((r) => r.externalId),
                ),
              )
            : Promise.resolve(null);
        current.catch(() => {}); // awaited when the slice is staged
        compared.push({ rows, current });
        if (compared.length > 1) await stageOldest();
      }
      await syncQueries.insertSkippedRecords(db, exec.tenantId, exec.id, skipped);
      if (skipped.length > 0) tally(page.objectType, "skipped", skipped.length);
      processed += page.records.length + (page.rejected?.length ?? 0);
      const known = Object.values(totals).reduce((a, b) => a + (b ?? 0), 0);
      await ctx.onProgress(processed, known > 0 ? Math.max(known, processed) : null, readingPhase(page.objectType));
      next = await timed(ctx, "sourceWait", () => following);
    }
    // The source is read: what is left is comparing the last slices and staging them.
    await ctx.onPhase?.("comparing");
    while (compared.length > 0) await stageOldest();
    await timed(ctx, "stagingWait", () => staging.finish());
  } catch (error) {
    await staging.abort();
    throw error;
  } finally {
    ctx.signal.removeEventListener("abort", abandonStaging);
  }
  return { integration, result: next.value, counts };
}

/** Refuses a full result that shrank by more than the threshold against the last applied sync. */
async function guardAgainstDrop(db: Executor, exec: SyncExecutionRow, thresholdPercent: number, now: SyncCounts) {
  const previous = await syncQueries.lastCompletedSync(db, exec.integrationId, exec.id);
  if (!previous) return;
  for (const type of OBJECT_TYPES) {
    const before = previous.counts[type]?.extracted ?? 0;
    const after = now[type]?.extracted ?? 0;
    if (before === 0) continue;
    const drop = ((before - after) / before) * 100;
    if (drop > thresholdPercent) {
      throw new SyncHeld(
        `${label[type]} dropped from ${before.toLocaleString("en")} to ${after.toLocaleString("en")} (−${drop.toFixed(0)} %), ` +
          `more than the ${thresholdPercent} % threshold. Held: the current data is unchanged until an admin releases this run.`,
      );
    }
  }
}

/**
 * Makes the staged data the integration's current state, atomically: a full
 * sync becomes the state by reference, a delta is laid over it. The staged
 * rows already carry their outcomes, compared again first if the state moved
 * since they were computed.
 */
async function apply(
  db: Database,
  exec: SyncExecutionRow,
  mode: "full" | "delta",
  signal: AbortSignal,
  deadline: SyncRunContext["deadline"],
  cursors: Partial<Record<ObjectType, string>> = {},
  /** What the run counted while staging; a released run has none and is counted here. */
  staged?: SyncCounts,
) {
  // A cancel stops the transaction between its statements; nothing it did commits.
  return db.transaction(async (tx) => {
    // A statement stuck past the phase's deadline (a lock that is never granted) is
    // stopped by Postgres itself, and the tag lets whoever ends the run find this one.
    await syncQueries.limitRunTransaction(tx, syncQueries.runConnectionTag(exec.id), deadline?.remainingMs() ?? null);
    await allowApplyMemory(tx);
    const state = await lockState(tx, exec);
    signal.throwIfAborted();
    const recompared = exec.stateVersion === null || state.version !== Number(exec.stateVersion);
    if (recompared) await recompareOutcomes(tx, exec, state);
    signal.throwIfAborted();
    const known = recompared ? undefined : staged;
    const deleted = mode === "full" ? await applyFull(tx, exec, known) : await applyDelta(tx, exec);
    signal.throwIfAborted();
    // New cursors commit with the data they describe, never without it.
    await saveCursors(tx, exec, cursors);
    // Revokes carried out whose object this state no longer holds are proven by this sync, atomically with it.
    await verifyRemediations(tx, { id: exec.id, integrationId: exec.integrationId });
    const counts = known ? withDeletions(known, deleted) : await syncQueries.countsFor(tx, exec.id);
    signal.throwIfAborted();
    // The last word belongs to a cancel: one requested after the checks above (its
    // notification not yet here) leaves this row unmatched and the apply rolls back.
    // A cancel that comes after this update waits for the commit and finds the run ended.
    if (!(await syncQueries.completeSync(tx, exec.id, counts, summarise(counts))))
      throw new CancelledBeforeCommit("cancelled before the apply committed");
    return counts;
  });
}

function withDeletions(counts: SyncCounts, deleted: Deletions): SyncCounts {
  const out: SyncCounts = structuredClone(counts);
  for (const [type, n] of Object.entries(deleted) as [ObjectType, number][]) {
    const c = (out[type] ??= syncQueries.emptyTypeCounts());
    c.deleted += n;
  }
  return out;
}

export function summarise(counts: SyncCounts): string {
  const parts = Object.entries(counts).map(([type, c]) => {
    const changes = [
      c.created && `${c.created} created`,
      c.updated && `${c.updated} updated`,
      c.deleted && `${c.deleted} deleted`,
      c.skipped && `${c.skipped} skipped`,
    ]
      .filter(Boolean)
      .join(", ");
    return `${label[type as ObjectType]}: ${c.extracted}${changes ? ` (${changes})` : ""}`;
  });
  return parts.length ? parts.join("; ") : "The source returned no records.";
}

async function saveCursors(db: Executor, exec: SyncExecutionRow, cursors: Partial<Record<ObjectType, string>>) {
  for (const [objectType, position] of Object.entries(cursors)) {
    if (position === undefined) continue;
    await saveCursorPosition(db, { tenantId: exec.tenantId, integrationId: exec.integrationId, objectType, position });
  }
}

/** How long a run cut off by a lost database connection waits for the database to answer again. */
const DATABASE_BACK_WAIT_MS = 40_000;

/** A lost connection to Postgres; a connector's own network errors come wrapped as ConnectorError. */
function lostDatabase(e: unknown): boolean {
  return !(e instanceof ConnectorError) && !(e instanceof SyncHeld) && isConnectionLost(e);
}

/**
 * A run whose database connection was lost (a restart) ends with a sentence
 * instead of the driver's words, once the database answers again, and is
 * queued again once. Nothing was applied: the apply is one transaction, and
 * one that did commit is found and kept. When the database stays away past
 * the wait, the run is left to the stale-heartbeat sweep.
 */
async function endAfterLostConnection(exec: SyncExecutionRow, ctx: SyncRunContext): Promise<SyncExecutionRow["status"]> {
  const { db } = ctx;
  const deadline = Date.now() + DATABASE_BACK_WAIT_MS;
  for (;;) {
    try {
      await pingDatabase(db);
      break;
    } catch (e) {
      if (Date.now() > deadline || ctx.shutdown?.aborted) throw e;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const cancel = await syncQueries.cancelRequestOf(db, exec.id);
  if (cancel) {
    const counts = await syncQueries.countsFor(db, exec.id);
    await syncQueries.endCancelledSync(
      db,
      exec.id,
      `Cancelled by ${cancel.by} while ${phaseWords(cancel.phase)}; nothing was applied.`,
      counts,
    );
    return "cancelled";
  }
  const ended = await syncQueries.endLostConnectionSync(
    db,
    exec,
    (phase) => `The database connection was lost while ${phaseWords(phase)}; nothing was applied.`,
  );
  return ended.status;
}

/** Runs a claimed execution to its end state; never throws for a sync failure. */
export async function runSync(exec: SyncExecutionRow, ctx: SyncRunContext): Promise<SyncExecutionRow["status"]> {
  const { db, signal } = ctx;
  const enter = async (phase: ProgressPhase) => {
    signal.throwIfAborted();
    await ctx.onPhase?.(phase);
  };
  try {
    if (exec.releasedByName) {
      await enter("applying");
      await timed(ctx, "apply", () => apply(db, exec, exec.mode, signal, ctx.deadline));
    } else {
      const { integration, result, counts } = await timed(ctx, "extract", () => extract(exec, ctx));
      if (result.mode !== exec.mode) await syncQueries.setSyncMode(db, exec.id, result.mode);
      if (result.mode === "full") {
        await enter("checking");
        await timed(ctx, "guard", () => guardAgainstDrop(db, exec, integration.dropThresholdPercent, counts));
      }
      await enter("applying");
      await timed(ctx, "apply", () => apply(db, exec, result.mode, signal, ctx.deadline, result.cursors, counts));
    }
    await syncQueries.markPostSyncCompleted(db, exec.id);
    return "post_sync_completed";
  } catch (e) {
    const pastDeadline = signal.reason instanceof RunDeadlineExceeded;
    if (lostDatabase(e) && !pastDeadline && !(ctx.shutdown ?? signal).aborted) return endAfterLostConnection(exec, ctx);
    // Whatever stopped the run, a cancel recorded on it decides how it ends: its
    // notification may not have arrived, or the apply found it at its last step.
    const cancel = await syncQueries.cancelRequestOf(db, exec.id).catch(() => null);
    if (cancel) {
      const counts = await syncQueries.countsFor(db, exec.id).catch(() => ({}));
      await syncQueries.endCancelledSync(
        db,
        exec.id,
        `Cancelled by ${cancel.by} while ${phaseWords(cancel.phase)}; nothing was applied.`,
        counts,
      );
      return "cancelled";
    }
    if ((ctx.shutdown ?? signal).aborted) {
      // Graceful shutdown: give the run back to the queue; staging is cleared when it starts again.
      return syncQueries.requeueInterruptedSync(db, exec);
    }
    const held = e instanceof SyncHeld;
    const counts = await syncQueries.countsFor(db, exec.id).catch(() => ({}));
    // Past its deadline: the worker may have ended the run already (this update then
    // changes nothing), or Postgres stopped a statement at the phase's timeout.
    const overdue = pastDeadline || isStatementTimeout(e);
    const message = overdue && ctx.deadline ? ctx.deadline.message() : describeError(e);
    await syncQueries.endFailedSync(db, exec.id, held ? "held" : "error", message, counts);
    return held ? "held" : "error";
  }
}
