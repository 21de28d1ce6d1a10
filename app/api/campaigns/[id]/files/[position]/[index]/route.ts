/**
 * GET /api/campaigns/{id}/files/{position}/{index} — one evidence file as the
 * campaign's Sync Context recorded it, for a signed-in member who may read the
 * campaign and download evidence: audits the download and redirects to a
 * 5-minute signed attachment link, exactly as the evidence panel does.
 */
import { withSession } from "@/lib/api/handler";
import { syncContextFileLink } from "@/lib/campaigns/service";
import { indexParam } from "../../../params";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withSession("evidence:read", async (ctx, req, params) => {
  const link = await syncContextFileLink(
    ctx,
    String(params.id),
    indexParam(params.position, "evidence_file"),
    indexParam(params.index, "evidence_file"),
  );
  return new Response(null, { status: 303, headers: { Location: new URL(link, req.url).toString(), "Cache-Control": "no-store" } });
});
