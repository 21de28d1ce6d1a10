/**
 * GET /api/integrations/{id}/logo — an integration's uploaded logo, for a
 * signed-in member who may read integrations in the integration's tenant
 * (another tenant's integration is a 404). Served as the image type its bytes
 * were checked to be, never sniffed, with a policy that lets nothing in it run.
 * Pages link it with `?v=<upload id>`: that URL's bytes never change, so a
 * matching version may be cached; any other is revalidated.
 */
import { Readable } from "node:stream";
import { withSession } from "@/lib/api/handler";
import { getIntegrationLogo } from "@/lib/integrations/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withSession("integrations:read", async (ctx, req, params) => {
  const logo = await getIntegrationLogo(ctx, String(params.id));
  const current = new URL(req.url).searchParams.get("v") === logo.uploadId;
  return new Response(Readable.toWeb(logo.body) as ReadableStream<Uint8Array>, {
    status: 200,
    headers: {
      "Content-Type": logo.contentType,
      "Content-Length": String(logo.size),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": current ? "private, max-age=86400, immutable" : "private, no-cache",
    },
  });
});
