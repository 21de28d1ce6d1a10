/**
 * GET /api/syncs/:id/log?outcome=&objectType=&q= — the Sync Log of one sync
 * as CSV for the signed-in user (syncs:read), streamed in id order with the
 * same filters as the page. Cells that a spreadsheet would run as a formula
 * are neutralised. Each export is an audit event.
 */
import { searchParamsObject, withSession } from "@/lib/api/handler";
import { attachmentResponse } from "@/lib/http/attachment";
import { csvStream } from "@/lib/http/csv";
import { exportSyncLog, type SyncLogEntry } from "@/lib/syncs/service";

const COLUMNS = ["sync_id", "record_id", "object_type", "external_id", "name", "outcome", "reason"];

export const GET = withSession("syncs:read", async (ctx, req, params) => {
  const id = String(params.id);
  const { outcome, objectType, q } = searchParamsObject(req);
  const { sync, rows } = await exportSyncLog(ctx, id, { outcome, objectType, q });
  const body = await csvStream(COLUMNS, rows, (r: SyncLogEntry) => [
    sync.id,
    r.id,
    r.objectType,
    r.externalId,
    r.name ?? "",
    r.outcome,
    r.reason ?? "",
  ]);

  const stamp = (sync.startedAt ?? sync.queuedAt).toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return attachmentResponse({ filename: `sync-log-${stamp}-${sync.id.slice(0, 8)}.csv`, contentType: "text/csv; charset=utf-8", body });
});
