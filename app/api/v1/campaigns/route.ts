/**
 * GET /api/v1/campaigns — campaigns newest first, in keyset pages (`cursor`, `limit`).
 * POST — create one: the Sync Context is frozen and the review items copied in one go.
 */
import { NextResponse } from "next/server";
import { readJson, searchParamsObject, withApiKey } from "@/lib/api/handler";
import { createCampaign, listCampaigns } from "@/lib/campaigns/service";

export const GET = withApiKey("campaigns:read", async (ctx, req) => {
  const { cursor, limit } = searchParamsObject(req);
  const page = await listCampaigns(ctx, { after: cursor || null, limit: limit ? Number(limit) || undefined : undefined });
  return { data: page.campaigns, nextCursor: page.next };
});

export const POST = withApiKey("campaigns:write", async (ctx, req) => {
  const created = await createCampaign(ctx, await readJson(req));
  return NextResponse.json({ data: created }, { status: 201 });
});
