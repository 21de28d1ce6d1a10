/**
 * GET /api/sync-logs/export?integrationId=&outcome=&objectType=&q=&from=&to= —
 * the Sync Logs of every sync of the tenant as CSV for the signed-in user
 * (syncs:read), newest first, with the same filters as the page. Cells that a
 * spreadsheet would run as a formula are neutralised. Each export is an audit event.
 */
import { searchParamsObject, withSession } from "@/lib/api/handler";
import { attachmentResponse } from "@/lib/http/attachment";
import { csvStream } from "@/lib/http/csv";
import { exportTenantSyncLog, type TenantSyncLogEntry } from "@/lib/syncs/tenant-log";

const COLUMNS = ["integration", "sync_id", "sync_started_at", "record_id", "object_type", "external_id", "name", "outcome", "reason"];

export const GET = withSession("syncs:read", async (ctx, req) => {
  const { integrationId, outcome, objectType, q, from, to } = searchParamsObject(req);
  const rows = await exportTenantSyncLog(ctx, { integrationId, outcome, objectType, q, from, to });
  const body = await csvStream(COLUMNS, rows, (r: TenantSyncLogEntry) => [
    r.integrationName,
    r.syncId,
    r.syncStartedAt.toISOString(),
    r.id,
    r.objectType,
    r.externalId,
    r.name ?? "",
    r.outcome,
    r.reason ?? "",
  ]);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return attachmentResponse({ filename: `sync-logs-${stamp}.csv`, contentType: "text/csv; charset=utf-8", body });
});
