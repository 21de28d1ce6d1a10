/**
 * The sync worker: claims queued sync executions one at a time, runs them,
 * heartbeats while it does, stops a run someone cancels (told by a
 * notification or by its heartbeat), fails runs whose worker died, and queues
 * scheduled syncs when they fall due, seals queued records into the ledger
 * and signs checkpoints when due, runs provisioning tasks (lib/provisioning/worker.ts), and at start and hourly removes uploads that
 * were never attached to anything and what interrupted uploads left behind. Several workers may run side by side.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import "server-only";
import type { Database } from "@/db/client";
import type { SyncExecutionRow } from "@/db/queries/syncs";
import {
  claimNextSync,
  failOverdueSyncs,
  failStaleSyncs,
  heartbeat,
  type RunDeadlineRow,
  queueScheduledSyncs,
  SYNC_CANCEL_CHANNEL,
  SYNC_QUEUED_CHANNEL,
} from "@/db/queries/syncs";
import { log } from "@/lib/log";
import { queueExpiredGrants } from "@/lib/provisioning/expiry";
import { cleanupOrphanUploads, sweepTemporaryUploads } from "@/lib/uploads/internal";
import { LEDGER_QUEUED_CHANNEL, maintainLedger } from "@/lib/ledger/chain";
import { DEFAULT_PHASE_BUDGET, deadlineMessage, phaseBudgetMs, type PhaseBudget } from "./deadline";
import { RunDeadlineExceeded, runSync, type SyncRunContext } from "./engine";
import type { RetryPolicy } from "@/lib/provisioning/engine";
import { startTaskLoop } from "@/lib/provisioning/worker";

export type WorkerOptions = {
  db: Database;
  /** Seconds without a heartbeat after which a running sync counts as dead. */
  staleAfterSeconds?: number;
  heartbeatSeconds?: number;
  idlePollSeconds?: number;
  /** The deadline of the phases after reading: a base and an allowance per 1,000 records read. */
  phaseBudget?: PhaseBudget;
  /**
   * Seconds past a run's deadline after which any worker's sweep ends it; the
   * worker running it ends it at the deadline itself, at its next heartbeat.
   */
  overdueGraceSeconds?: number;
  /** Provisioning tasks run side by side by one worker (0: this worker runs none). */
  provisioningConcurrency?: number;
  /** How provisioning retries transient failures (engine defaults otherwise). */
  provisioningRetry?: RetryPolicy;
  /** How long a callback endpoint may take to accept an operation. */
  callbackRequestTimeoutMs?: number;
};

/** How long a run ended past its deadline may take to unwind before its worker moves on without it. */
const STUCK_RUN_GRACE_MS = 15_000;

export type Worker = { id: string; stop(): Promise<void>; done: Promise<void> };

export function startWorker(options: WorkerOptions): Worker {
  const { db } = options;
  // LISTEN needs the driver itself; Drizzle has no word for it.
  const listener = db.$client;
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const staleAfter = options.staleAfterSeconds ?? 60;
  const beatEvery = (options.heartbeatSeconds ?? 10) * 1000;
  const idle = (options.idlePollSeconds ?? 5) * 1000;
  const budget = options.phaseBudget ?? DEFAULT_PHASE_BUDGET;
  const overdueGrace = options.overdueGraceSeconds ?? 30;
  const cleanupEvery = 60 * 60 * 1000;
  let lastCleanup = 0;
  const controller = new AbortController();
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  let unlisten: (() => Promise<void>) | undefined;
  // The run in progress, so a cancel notification can reach it.
  let current: { id: string; cancel: AbortController } | null = null;

  // The ledger has its own loop, so a long sync never delays sealing.
  let ledgerWake: (() => void) | null = null;
  const ledgerDone = (async () => {
    while (!controller.signal.aborted) {
      try {
        // More queued than one round seals: go on at once.
        if ((await maintainLedger(db)).backlog) continue;
      } catch (e) {
        log.error({ err: e, worker: id }, "ledger sealing failed; retrying");
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(idle, 1000));
        ledgerWake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  // Provisioning tasks have their own lanes, so a long sync never delays a write and a slow target never delays a sync.
  const provisioningConcurrency = options.provisioningConcurrency ?? 4;
  const provisioningDone =
    provisioningConcurrency > 0
      ? startTaskLoop({
          db,
          workerId: id,
          signal: controller.signal,
          concurrency: provisioningConcurrency,
          idleMs: Math.min(idle, 1000),
          beatEveryMs: beatEvery,
          staleAfterSeconds: staleAfter,
          retry: options.provisioningRetry,
          callbackRequestTimeoutMs: options.callbackRequestTimeoutMs,
        })
      : Promise.resolve();

  const done = (async () => {
    const queuedListener = await listener.listen(SYNC_QUEUED_CHANNEL, () => wake?.()).catch(() => null);
    const ledgerListener = await listener.listen(LEDGER_QUEUED_CHANNEL, () => ledgerWake?.()).catch(() => null);
    const cancelListener = await listener
      .listen(SYNC_CANCEL_CHANNEL, (syncId) => {
        if (current?.id === syncId) current.cancel.abort(new Error("cancelled"));
      })
      .catch(() => null);
    unlisten = async () => {
      await queuedListener?.unlisten();
      await ledgerListener?.unlisten();
      await cancelListener?.unlisten();
    };
    while (!controller.signal.aborted) {
      try {
        const stale = await failStaleSyncs(db, staleAfter);
        if (stale.length) log.warn({ runs: stale }, "failed syncs whose worker stopped responding");
        const overdue = await failOverdueSyncs(db, deadlineMessage, { graceSeconds: overdueGrace });
        if (overdue.length) log.warn({ runs: overdue }, "ended syncs past their deadline whose worker did not");
        await queueScheduledSyncs(db);
        await queueExpiredGrants(db);
        if (Date.now() - lastCleanup > cleanupEvery) {
          lastCleanup = Date.now();
          const removed = await cleanupOrphanUploads();
          if (removed) log.info({ removed }, "removed orphaned uploads");
          await sweepTemporaryUploads().catch((e) => log.warn({ err: e }, "could not sweep temporary upload objects"));
        }
        const exec = await claimNextSync(db, id).catch((e) => {
          if ((e as { code?: string }).code === "23505") return null; // another worker took that integration
          throw e;
        });
        if (!exec) {
          await sleep(idle);
          continue;
        }
        log.info({ sync: exec.id, integration: exec.integrationId, worker: id }, "sync started");
        const cancel = new AbortController();
        current = { id: exec.id, cancel };
        try {
          await superviseRun(db, exec, { workerId: id, cancel, shutdown: controller.signal, beatEvery, budget });
        } finally {
          current = null;
        }
      } catch (e) {
        log.error({ err: e, worker: id }, "worker loop failed; retrying");
        await sleep(idle);
      }
    }
    await unlisten?.();
  })();

  return {
    id,
    done,
    async stop() {
      controller.abort();
      wake?.();
      ledgerWake?.();
      await Promise.all([done, ledgerDone, provisioningDone]);
    },
  };
}

/**
 * Runs one claimed sync to its end: heartbeats while it runs, carrying its
 * progress and phase and learning of a cancel and of its deadline; ends it
 * `error` when it is past its deadline (cancelling what its connections still
 * run), and gives up waiting for a run so ended that does not unwind, so a call
 * that never returns cannot hold the worker.
 */
export async function superviseRun(
  db: Database,
  exec: SyncExecutionRow,
  opts: { workerId: string; cancel: AbortController; shutdown: AbortSignal; beatEvery: number; budget: PhaseBudget },
): Promise<SyncExecutionRow["status"]> {
  const { workerId: id, cancel, budget } = opts;
  // A released held run applies what it read before: its figures stand. A re-run reads from the start.
  const progress: Parameters<typeof heartbeat>[3] = exec.releasedByName
    ? { processed: exec.processed, total: exec.total, phase: null }
    : { processed: 0, total: null, phase: null };
  // What the last heartbeat said of the run's deadline, and the database's clock against ours then.
  let deadline: RunDeadlineRow | null = null;
  let skewMs = 0;
  let endedPastDeadline: (() => void) | null = null;
  const pastDeadline = new Promise<void>((resolve) => (endedPastDeadline = resolve));
  const endPastDeadline = async () => {
    if (cancel.signal.aborted) return;
    const [ended] = await failOverdueSyncs(db, deadlineMessage, {
      graceSeconds: 0,
      id: exec.id,
      onEnded: (_, message) => cancel.abort(new RunDeadlineExceeded(message)),
    });
    if (!ended) return; // it ended meanwhile (completed, or cancelled)
    log.warn({ sync: exec.id, worker: id, message: ended.message, cancelledBackends: ended.cancelledBackends }, "sync past its deadline");
    endedPastDeadline?.();
  };
  // The heartbeat also learns of a cancel, so a lost notification still stops the run within one beat,
  // and of the run's deadline, which it moves with the phase.
  const beatNow = async () => {
    const beat = await heartbeat(db, exec.id, id, progress, phaseBudgetMs(progress.phase, progress.processed, budget));
    if (beat.cancelRequested) cancel.abort(new Error("cancelled"));
    deadline = beat.deadline;
    skewMs = beat.deadline?.dbNow ? new Date(beat.deadline.dbNow).getTime() - Date.now() : 0;
    if (beat.overdue) await endPastDeadline();
  };
  const beat = setInterval(() => void beatNow().catch(() => {}), opts.beatEvery);
  const timings: SyncRunContext["timings"] = {};
  let gaveUp: ReturnType<typeof setTimeout> | undefined;
  try {
    const run = runSync(exec, {
      db,
      timings,
      workerId: id,
      signal: AbortSignal.any([opts.shutdown, cancel.signal]),
      shutdown: opts.shutdown,
      onProgress: async (processed, total, phase) => {
        Object.assign(progress, { processed, total, phase: phase ?? progress.phase });
        await beatNow();
      },
      onPhase: async (phase) => {
        progress.phase = phase;
        await beatNow();
      },
      deadline: {
        remainingMs: () => (deadline?.deadlineAt ? new Date(deadline.deadlineAt).getTime() - (Date.now() + skewMs) : null),
        message: () =>
          deadlineMessage(deadline ?? { ...progress, phaseStartedAt: null, deadlineAt: null, runDeadlineAt: null, maxRunSeconds: 0 }),
      },
    });
    const status = await Promise.race([
      run,
      pastDeadline.then(() => new Promise<"error">((resolve) => (gaveUp = setTimeout(() => resolve("error"), STUCK_RUN_GRACE_MS)))),
    ]);
    log.info({ sync: exec.id, status, ms: timings }, "sync finished");
    return status;
  } finally {
    clearInterval(beat);
    clearTimeout(gaveUp);
  }
}
