/**
 * GET /api/v1/campaigns/{id}/items — review items in id order, filtered by
 * reviewerId, integrationId, objectType, status (undecided|approve|revoke) and
 * q; `cursor` is the previous page's nextCursor.
 */
import { searchParamsObject, withApiKey } from "@/lib/api/handler";
import { listItems } from "@/lib/campaigns/review";

export const GET = withApiKey("campaigns:read", async (ctx, req, params) => {
  const { cursor, ...filters } = searchParamsObject(req);
  const page = await listItems(ctx, String(params.id), { ...filters, after: cursor || filters.after || undefined });
  return { data: page.items, nextCursor: page.next === null ? null : String(page.next) };
});
