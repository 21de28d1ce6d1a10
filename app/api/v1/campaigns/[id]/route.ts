/** GET /api/v1/campaigns/{id} — the campaign with its progress per integration and reviewer. */
import { withApiKey } from "@/lib/api/handler";
import { getCampaign } from "@/lib/campaigns/service";

export const GET = withApiKey("campaigns:read", async (ctx, _req, params) => {
  const { campaign, progress } = await getCampaign(ctx, String(params.id));
  return { data: { ...campaign, progress } };
});
