/** POST /api/v1/campaigns/{id}/start — open a draft to its reviewers. */
import { withApiKey } from "@/lib/api/handler";
import { startCampaign } from "@/lib/campaigns/lifecycle";

export const POST = withApiKey("campaigns:write", async (ctx, _req, params) => ({ data: await startCampaign(ctx, String(params.id)) }));
