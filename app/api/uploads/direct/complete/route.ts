/** POST /api/uploads/direct/complete {token} — checks the object the browser PUT (size, SHA-256, type by content) and records it. */
import { assertSameOrigin, readJson, withSession } from "@/lib/api/handler";
import { completeDirectUpload } from "@/lib/uploads/direct";

export const runtime = "nodejs";

export const POST = withSession("evidence:write", async (ctx, req) => {
  assertSameOrigin(req);
  return Response.json(await completeDirectUpload(ctx, await readJson(req)), { status: 201 });
});
