/**
 * GET/POST /api/v1/integrations — list integrations; create one, which starts
 * its first sync when the key also has syncs:run (otherwise it is saved with
 * `sync: null` and a `notice` that says no sync was started).
 */
import { NextResponse } from "next/server";
import { readJson, withApiKey } from "@/lib/api/handler";
import { createIntegration, listIntegrations } from "@/lib/integrations/service";

export const GET = withApiKey("integrations:read", async (ctx) => ({ data: await listIntegrations(ctx) }));

export const POST = withApiKey("integrations:write", async (ctx, req) => {
  const { integration, sync, notice } = await createIntegration(ctx, await readJson(req));
  return NextResponse.json({ data: integration, sync, ...(notice ? { notice } : {}) }, { status: 201 });
});
