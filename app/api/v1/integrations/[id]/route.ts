/**
 * GET/PATCH/DELETE /api/v1/integrations/{id} — secrets are write-only. PATCH
 * starts a sync like a save in the UI when something changed and the key has
 * syncs:run; otherwise `sync` is null and `notice` says why.
 */
import { readJson, withApiKey } from "@/lib/api/handler";
import { deleteIntegration, getIntegration, updateIntegration } from "@/lib/integrations/service";

export const GET = withApiKey("integrations:read", async (ctx, _req, params) => ({
  data: await getIntegration(ctx, String(params.id)),
}));

export const PATCH = withApiKey("integrations:write", async (ctx, req, params) => {
  const { integration, sync, notice } = await updateIntegration(ctx, String(params.id), await readJson(req));
  return { data: integration, sync, ...(notice ? { notice } : {}) };
});

export const DELETE = withApiKey("integrations:write", async (ctx, _req, params) => {
  await deleteIntegration(ctx, String(params.id));
  return new Response(null, { status: 204 });
});
