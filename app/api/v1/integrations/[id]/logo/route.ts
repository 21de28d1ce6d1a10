/**
 * PUT /api/v1/integrations/{id}/logo — the raw image as the body (PNG, JPEG,
 * WebP or GIF, up to 256 KB; the type is read from the bytes, SVG is refused),
 * stored and set as the integration's logo (audited; starts no sync).
 * DELETE removes the logo. Scope integrations:write.
 */
import { withApiKey } from "@/lib/api/handler";
import { updateIntegration } from "@/lib/integrations/service";
import { discardUploads, receiveUpload } from "@/lib/uploads/service";

export const runtime = "nodejs";

export const PUT = withApiKey("integrations:write", async (ctx, req, params) => {
  const upload = await receiveUpload(ctx, {
    purpose: "logo",
    filename: "logo",
    contentLength: req.headers.get("content-length") ?? undefined,
    body: req.body,
  });
  try {
    const { integration } = await updateIntegration(ctx, String(params.id), { logoUploadId: upload.id });
    return { data: integration };
  } catch (error) {
    await discardUploads(ctx.tenantId, [upload.id]);
    throw error;
  }
});

export const DELETE = withApiKey("integrations:write", async (ctx, _req, params) => {
  const { integration } = await updateIntegration(ctx, String(params.id), { logoUploadId: null });
  return { data: integration };
});
