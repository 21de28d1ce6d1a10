/**
 * GET /api/syncs/:id/log?outcome=&objectType=&q= — the Sync Log of one sync
 * as CSV for the signed-in user (syncs:read), streamed in id order with the
 * same filters as the page. Cells that a spreadsheet would run as a formula
 * are neutralised. Each export is an audit event.
 */
import { stringify as stringifyCsv } from "csv-stringify/sync";
import { searchParamsObject, withSession } from "@/lib/api/handler";
import { neutraliseFormula } from "@/lib/audit/service";
import { attachmentResponse } from "@/lib/http/attachment";
import { exportSyncLog, type SyncLogEntry } from "@/lib/syncs/service";

const COLUMNS = ["sync_id", "record_id", "object_type", "external_id", "name", "outcome", "reason"];

export const GET = withSession("syncs:read", async (ctx, req, params) => {
  const id = String(params.id);
  const { outcome, objectType, q } = searchParamsObject(req);
  const { sync, rows } = await exportSyncLog(ctx, id, { outcome, objectType, q });
  const first = await rows.next();

  const encoder = new TextEncoder();
  const line = (r: SyncLogEntry) =>
    stringifyCsv([[sync.id, String(r.id), r.objectType, r.externalId, r.name ?? "", r.outcome, r.reason ?? ""].map(neutraliseFormula)]);
  let pending = first;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\uFEFF${stringifyCsv([COLUMNS])}`));
    },
    async pull(controller) {
      let chunk = "";
      // ~64 KB per chunk keeps memory flat whatever the size of the log.
      while (chunk.length < 65536) {
        if (pending.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += line(pending.value);
        pending = await rows.next();
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });

  const stamp = (sync.startedAt ?? sync.queuedAt).toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return attachmentResponse({ filename: `sync-log-${stamp}-${sync.id.slice(0, 8)}.csv`, contentType: "text/csv; charset=utf-8", body });
});
