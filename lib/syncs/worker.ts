/**
 * The sync worker: claims queued sync executions one at a time, runs them,
 * heartbeats while it does, stops a run someone cancels (told by a
 * notification or by its heartbeat), fails runs whose worker died, and queues
 * scheduled syncs when they fall due, seals queued records into the ledger
 * and signs checkpoints when due, and at start and hourly removes uploads that
 * were never attached to anything and what interrupted uploads left behind. Several workers may run side by side.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import "server-only";
import type { Database } from "@/db/client";
import {
  claimNextSync,
  failStaleSyncs,
  heartbeat,
  queueScheduledSyncs,
  SYNC_CANCEL_CHANNEL,
  SYNC_QUEUED_CHANNEL,
} from "@/db/queries/syncs";
import { log } from "@/lib/log";
import { cleanupOrphanUploads, sweepTemporaryUploads } from "@/lib/uploads/internal";
import { LEDGER_QUEUED_CHANNEL, maintainLedger } from "@/lib/ledger/chain";
import { runSync, type SyncRunContext } from "./engine";

export type WorkerOptions = {
  db: Database;
  /** Seconds without a heartbeat after which a running sync counts as dead. */
  staleAfterSeconds?: number;
  heartbeatSeconds?: number;
  idlePollSeconds?: number;
};

export type Worker = { id: string; stop(): Promise<void>; done: Promise<void> };

export function startWorker(options: WorkerOptions): Worker {
  const { db } = options;
  // LISTEN needs the driver itself; Drizzle has no word for it.
  const listener = db.$client;
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const staleAfter = options.staleAfterSeconds ?? 60;
  const beatEvery = (options.heartbeatSeconds ?? 10) * 1000;
  const idle = (options.idlePollSeconds ?? 5) * 1000;
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
        await maintainLedger(db);
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
        await queueScheduledSyncs(db);
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
        // A released held run applies what it read before: its figures stand. A re-run reads from the start.
        const progress: Parameters<typeof heartbeat>[3] = exec.releasedByName
          ? { processed: exec.processed, total: exec.total, phase: null }
          : { processed: 0, total: null, phase: null };
        // The heartbeat also learns of a cancel, so a lost notification still stops the run within one beat.
        const beatNow = async () => {
          const { cancelRequested } = await heartbeat(db, exec.id, id, progress);
          if (cancelRequested) cancel.abort(new Error("cancelled"));
        };
        const beat = setInterval(() => void beatNow().catch(() => {}), beatEvery);
        const timings: SyncRunContext["timings"] = {};
        try {
          const status = await runSync(exec, {
            db,
            timings,
            workerId: id,
            signal: AbortSignal.any([controller.signal, cancel.signal]),
            shutdown: controller.signal,
            onProgress: async (processed, total, phase) => {
              Object.assign(progress, { processed, total, phase: phase ?? progress.phase });
              await beatNow();
            },
            onPhase: async (phase) => {
              progress.phase = phase;
              await beatNow();
            },
          });
          log.info({ sync: exec.id, status, ms: timings }, "sync finished");
        } finally {
          clearInterval(beat);
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
      await Promise.all([done, ledgerDone]);
    },
  };
}
