/**
 * POST /api/v1/provisioning/tasks/{id}/retry — Retry After Modification: the
 * edited `parameters` run as a new task linked to this one, which becomes
 * superseded. Answers 201 with the new task.
 */
import { NextResponse } from "next/server";
import { readJson, withApiKey } from "@/lib/api/handler";
import { getTask, retryTask } from "@/lib/provisioning/service";

export const POST = withApiKey("provisioning:write", async (ctx, req, params) => {
  const created = await retryTask(ctx, String(params.id), await readJson(req));
  return NextResponse.json({ data: await getTask(ctx, created.id) }, { status: 201 });
});
