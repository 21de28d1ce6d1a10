/** GET/PATCH/DELETE /api/v1/integrations/{id} — secrets are write-only; PATCH starts a sync like a save in the UI. */
import { readJson, withApiKey } from "@/lib/api/handler";
import { deleteIntegration, getIntegration, updateIntegration } from "@/lib/integrations/service";

export const GET = withApiKey("integrations:read", async (ctx, _req, params) => ({
  data: await getIntegration(ctx, String(params.id)),
}));

export const PATCH = withApiKey("integrations:write", async (ctx, req, params) => {
  const { integration, sync } = await updateIntegration(ctx, String(params.id), await readJson(req));
  return { data: integration, sync };
});

export const DELETE = withApiKey("integrations:write", async (ctx, _req, params) => {
  await deleteIntegration(ctx, String(params.id));
  return new Response(null, { status: 204 });
});
