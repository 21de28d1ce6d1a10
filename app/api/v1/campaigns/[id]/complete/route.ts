/**
 * POST /api/v1/campaigns/{id}/complete — freeze an active campaign and seal
 * its decisions into the ledger. Refused while items are undecided unless the
 * body is `{"force": true}` (then the record says how many were left).
 */
import { readJson, withApiKey } from "@/lib/api/handler";
import { completeCampaign } from "@/lib/campaigns/lifecycle";

export const POST = withApiKey("campaigns:write", async (ctx, req, params) => {
  const hasBody = (req.headers.get("content-length") ?? "0") !== "0" || req.headers.get("content-type")?.includes("json");
  return { data: await completeCampaign(ctx, String(params.id), hasBody ? await readJson(req) : {}) };
});
