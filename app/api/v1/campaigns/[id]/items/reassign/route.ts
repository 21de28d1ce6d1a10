/** POST /api/v1/campaigns/{id}/items/reassign — move items (by `itemIds` or `filter`) to another reviewer. */
import { readJson, withApiKey } from "@/lib/api/handler";
import { reassignItems } from "@/lib/campaigns/review";

export const POST = withApiKey("campaigns:write", async (ctx, req, params) => ({
  data: await reassignItems(ctx, String(params.id), await readJson(req)),
}));
