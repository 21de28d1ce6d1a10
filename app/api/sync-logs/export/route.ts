/**
 * GET /api/sync-logs/export?integrationId=&outcome=&objectType=&q=&from=&to= —
 * the Sync Logs of every sync of the tenant as CSV for the signed-in user
 * (syncs:read), newest first, with the same filters as the page. Cells that a
 * spreadsheet would run as a formula are neutralised. Each export is an audit event.
 */
import { stringify as stringifyCsv } from "csv-stringify/sync";
import { searchParamsObject, withSession } from "@/lib/api/handler";
import { neutraliseFormula } from "@/lib/audit/service";
import { attachmentResponse } from "@/lib/http/attachment";
import { exportTenantSyncLog, type TenantSyncLogEntry } from "@/lib/syncs/tenant-log";

const COLUMNS = ["integration", "sync_id", "sync_started_at", "record_id", "object_type", "external_id", "name", "outcome", "reason"];

export const GET = withSession("syncs:read", async (ctx, req) => {
  const { integrationId, outcome, objectType, q, from, to } = searchParamsObject(req);
  const rows = await exportTenantSyncLog(ctx, { integrationId, outcome, objectType, q, from, to });
  const encoder = new TextEncoder();
  const line = (r: TenantSyncLogEntry) =>
    stringifyCsv([
      [
        r.integrationName,
        r.syncId,
        r.syncStartedAt.toISOString(),
        String(r.id),
        r.objectType,
        r.externalId,
        r.name ?? "",
        r.outcome,
        r.reason ?? "",
      ].map(neutraliseFormula),
    ]);
  let pending = await rows.next();
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
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return attachmentResponse({ filename: `sync-logs-${stamp}.csv`, contentType: "text/csv; charset=utf-8", body });
});
