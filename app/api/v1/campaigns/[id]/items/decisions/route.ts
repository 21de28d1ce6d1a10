/**
 * POST /api/v1/campaigns/{id}/items/decisions — approve or revoke items named
 * by `itemIds`, or every item matching `filter`; `comment` is required to revoke.
 */
import { readJson, withApiKey } from "@/lib/api/handler";
import { decideItems } from "@/lib/campaigns/review";

export const POST = withApiKey("campaigns:decide", async (ctx, req, params) => ({
  data: await decideItems(ctx, String(params.id), await readJson(req)),
}));
