/**
 * GET /api/campaigns/{id}/logos/{position} — the logo an integration had when
 * the campaign was created, served from the campaign's own copy (so a new logo
 * or a deleted integration does not change it), for a signed-in member who may
 * read the campaign. Served as the type it was checked to be, never sniffed,
 * with a policy that lets nothing in it run. The copy never changes, so it may
 * be cached.
 */
import { withSession } from "@/lib/api/handler";
import { getSyncContextLogo } from "@/lib/campaigns/service";
import { indexParam } from "../../params";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withSession("campaigns:read", async (ctx, _req, params) => {
  const logo = await getSyncContextLogo(ctx, String(params.id), indexParam(params.position, "logo"));
  return new Response(new Uint8Array(logo.bytes), {
    status: 200,
    headers: {
      "Content-Type": logo.contentType,
      "Content-Length": String(logo.bytes.length),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": "private, max-age=86400, immutable",
      ...(logo.sha256 ? { ETag: `"${logo.sha256}"` } : {}),
    },
  });
});
