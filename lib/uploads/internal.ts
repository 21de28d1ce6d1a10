/**
 * Upload housekeeping for the worker: it acts on every tenant's uploads and
 * checks no permission, so only the worker calls it.
 */
import "server-only";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/uploads";
import { getConfig } from "@/lib/config";
import { log } from "@/lib/log";
import { getObjectStore } from "@/lib/storage";
import { ORPHAN_AFTER_MS } from "./service";

/**
 * Deletes uploads never attached to anything, object first, then row; a
 * failure leaves the row so the next run retries. Returns how many went.
 */
export async function cleanupOrphanUploads(now = new Date()): Promise<number> {
  const store = getObjectStore();
  let removed = 0;
  for (;;) {
    const batch = await queries.listOrphanUploads(getDb(), new Date(now.getTime() - ORPHAN_AFTER_MS), 200);
    if (batch.length === 0) return removed;
    for (const upload of batch) {
      try {
        await store.delete(upload.objectKey);
        await queries.deleteUpload(getDb(), upload.id);
        removed++;
      } catch (error) {
        log.warn({ err: error, key: upload.objectKey }, "could not remove an orphaned upload");
        return removed;
      }
    }
  }
}

/**
 * Removes temporary upload objects older than the configured age (uploads cut
 * off by a process that died mid-way) and logs what went. Returns the sweep.
 */
export async function sweepTemporaryUploads(olderThanMs = getConfig().TEMP_UPLOAD_MAX_AGE_MINUTES * 60_000) {
  const store = getObjectStore();
  const sweep = await store.sweepTemporary(olderThanMs);
  if (sweep.removed.length)
    log.info(
      { store: store.kind, count: sweep.removed.length, keys: sweep.removed },
      "removed temporary upload objects left by interrupted uploads",
    );
  if (sweep.skipped) log.warn({ store: store.kind }, `temporary upload sweep skipped ${sweep.skipped}`);
  return sweep;
}
