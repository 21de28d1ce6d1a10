/**
 * GET /api/v1/syncs/{id}/log — one page (100 rows) of a sync's Sync Log in id
 * order, each row with the record's name, filtered as on the page; `cursor`
 * is the previous page's nextCursor.
 */
import { searchParamsObject, withApiKey } from "@/lib/api/handler";
import { listSyncLog } from "@/lib/syncs/service";

export const GET = withApiKey("syncs:read", async (ctx, req, params) => {
  const { outcome, objectType, q, cursor } = searchParamsObject(req);
  const { records, next } = await listSyncLog(ctx, String(params.id), { outcome, objectType, q, after: cursor });
  return { data: records, nextCursor: next };
});
