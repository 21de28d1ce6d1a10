/** POST /api/v1/campaigns/{id}/cancel — end a draft or active campaign; `reason` is required. */
import { readJson, withApiKey } from "@/lib/api/handler";
import { cancelCampaign } from "@/lib/campaigns/lifecycle";

export const POST = withApiKey("campaigns:write", async (ctx, req, params) => ({
  data: await cancelCampaign(ctx, String(params.id), await readJson(req)),
}));
