/**
 * GET /api/evidence/files/{id} — for the signed-in user with evidence:read:
 * audits the download and redirects to a 5-minute signed attachment link.
 */
import { withSession } from "@/lib/api/handler";
import { evidenceDownloadLink } from "@/lib/evidence/service";

export const GET = withSession("evidence:read", async (ctx, req, params) => {
  const link = await evidenceDownloadLink(ctx, String(params.id));
  return new Response(null, { status: 303, headers: { Location: new URL(link, req.url).toString(), "Cache-Control": "no-store" } });
});
