/**
 * GET /api/v1/integrations/{id}/syncs — Sync History, newest first.
 * POST — start a sync; an Idempotency-Key header makes retries return the same sync.
 * While one is queued for the integration, the request joins it (`joined: true`).
 */
import { NextResponse } from "next/server";
import { searchParamsObject, withApiKey } from "@/lib/api/handler";
import { listSyncHistory, requestSync } from "@/lib/syncs/service";

export const GET = withApiKey("syncs:read", async (ctx, req, params) => {
  const { cursor, limit } = searchParamsObject(req);
  const { syncs, nextCursor } = await listSyncHistory(ctx, String(params.id), { cursor, limit: limit ? Number(limit) : undefined });
  return { data: syncs, nextCursor };
});

export const POST = withApiKey("syncs:run", async (ctx, req, params) => {
  const body = req.headers.get("content-length") && req.headers.get("content-length") !== "0" ? await req.json().catch(() => ({})) : {};
  const idempotencyKey = req.headers.get("idempotency-key") ?? undefined;
  const { sync, replayed, joined } = await requestSync(ctx, String(params.id), { ...body, idempotencyKey }, "api");
  return NextResponse.json({ data: sync, joined }, { status: replayed ? 200 : 202 });
});
