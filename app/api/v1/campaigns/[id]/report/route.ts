/**
 * GET /api/v1/campaigns/{id}/report?format=pdf|zip (scope campaigns:write) — the
 * campaign's Audit Report, streamed as an attachment. A key with only
 * campaigns:read is refused: the report carries every decision and comment.
 * Audited.
 */
import { searchParamsObject, withApiKey } from "@/lib/api/handler";
import { generateCampaignReport } from "@/lib/campaigns/report/service";
import { attachmentResponse } from "@/lib/http/attachment";

export const runtime = "nodejs";

export const GET = withApiKey("campaigns:write", async (ctx, req, params) =>
  attachmentResponse(await generateCampaignReport(ctx, String(params.id), searchParamsObject(req))),
);
