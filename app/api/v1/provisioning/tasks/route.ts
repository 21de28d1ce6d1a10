/**
 * GET /api/v1/provisioning/tasks — the Synchronization Logs, newest first, in
 * keyset pages (`cursor` = the previous page's nextCursor, `limit` ≤ 1000,
 * default 100), with the page's filters.
 * POST — a manual operation: one task, queued for the workers.
 */
import { NextResponse } from "next/server";
import { readJson, searchParamsObject, withApiKey } from "@/lib/api/handler";
import { createManualTask, getTask, listTasks } from "@/lib/provisioning/service";

export const GET = withApiKey("provisioning:read", async (ctx, req) => {
  const { cursor, ...filters } = searchParamsObject(req);
  const page = await listTasks(ctx, { ...filters, ...(cursor ? { after: cursor } : {}) });
  return { data: page.items, nextCursor: page.next === null ? null : String(page.next) };
});

export const POST = withApiKey("provisioning:write", async (ctx, req) => {
  const created = await createManualTask(ctx, await readJson(req));
  return NextResponse.json({ data: await getTask(ctx, created.id) }, { status: 201 });
});
