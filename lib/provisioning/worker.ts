/**
 * The provisioning task loop inside the sync worker: a few lanes claim and
 * run batches of tasks side by side (lib/provisioning/engine.ts), woken by the
 * provisioning_queued notification or a short poll (a retry's backoff has no
 * notification). One lane also sweeps: tasks of workers that stopped
 * heartbeating go back to the queue, and callbacks that expired end
 * `no_callback`.
 */
import "server-only";
import type { Database } from "@/db/client";
import { claimTasks, heartbeatTasks, releaseTasks, requeueStaleTasks } from "@/db/queries/provisioning";
import { log } from "@/lib/log";
import { executeBatch, sweepExpiredCallbacks, type RetryPolicy } from "./engine";
import { PROVISIONING_QUEUED_CHANNEL } from "./internal";

export type TaskLoopOptions = {
  db: Database;
  workerId: string;
  signal: AbortSignal;
  concurrency: number;
  idleMs: number;
  beatEveryMs: number;
  staleAfterSeconds: number;
  retry?: RetryPolicy;
  callbackRequestTimeoutMs?: number;
  /**
   * Tasks a lane claims at once (never two of one object) and whose ends it
   * writes in one transaction: one claim, one commit and one wake-up of the
   * ledger sealer per batch instead of per task.
   */
  batchSize?: number;
};

export const DEFAULT_TASK_BATCH = 16;

export function startTaskLoop(opts: TaskLoopOptions): Promise<void> {
  const { db, workerId, signal } = opts;
  const sleepers = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...sleepers]) wake();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  signal.addEventListener("abort", wakeAll, { once: true });
  const beat = setInterval(() => void heartbeatTasks(db, workerId).catch(() => {}), opts.beatEveryMs);
  let lastSweep = 0;

  const lane = async (n: number) => {
    while (!signal.aborted) {
      try {
        if (n === 0 && Date.now() - lastSweep >= Math.min(opts.idleMs * 5, 1000)) {
          lastSweep = Date.now();
          const stale = await requeueStaleTasks(db, opts.staleAfterSeconds);
          if (stale.length) log.warn({ tasks: stale.map((t) => t.id) }, "queued again provisioning tasks whose worker stopped responding");
          const expired = await sweepExpiredCallbacks(db);
          if (expired) log.info({ expired }, "ended provisioning tasks whose callback never came");
        }
        const tasks = await claimTasks(db, workerId, opts.batchSize ?? DEFAULT_TASK_BATCH);
        if (tasks.length === 0) {
          await sleep(opts.idleMs);
          continue;
        }
        // Another lane may find the next one at once.
        if (sleepers.size) wakeAll();
        try {
          await executeBatch(db, tasks, {
            workerId,
            retry: opts.retry,
            callbackRequestTimeoutMs: opts.callbackRequestTimeoutMs,
            signal,
          });
        } catch (e) {
          // The heartbeat would keep the batch's unfinished tasks this worker's for ever: they go back to the queue.
          await releaseTasks(
            db,
            tasks.map((t) => t.id),
            workerId,
          ).catch(() => {});
          throw e;
        }
      } catch (e) {
        if (signal.aborted) break;
        log.error({ err: e, worker: workerId }, "provisioning task loop failed; retrying");
        await sleep(opts.idleMs);
      }
    }
  };

  return (async () => {
    const listener = await db.$client.listen(PROVISIONING_QUEUED_CHANNEL, wakeAll).catch(() => null);
    try {
      await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, (_, i) => lane(i)));
    } finally {
      clearInterval(beat);
      await listener?.unlisten().catch(() => {});
    }
  })();
}
