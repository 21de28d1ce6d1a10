/**
 * GET /api/campaigns/{id}/report?format=pdf|zip — Generate Audit Report for the
 * signed-in user (campaigns:write: admins and auditors), streamed as an
 * attachment. Audited.
 */
import { searchParamsObject, withSession } from "@/lib/api/handler";
import { generateCampaignReport } from "@/lib/campaigns/report/service";
import { attachmentResponse } from "@/lib/http/attachment";

export const runtime = "nodejs";

export const GET = withSession("campaigns:write", async (ctx, req, params) =>
  attachmentResponse(await generateCampaignReport(ctx, String(params.id), searchParamsObject(req))),
);
