/**
 * Upload housekeeping for the worker: it acts on every tenant's uploads and
 * checks no permission, so only the worker calls it.
 */
import "server-only";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/uploads";
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
