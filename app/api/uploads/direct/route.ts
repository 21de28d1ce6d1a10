/**
 * POST /api/uploads/direct {purpose, filename, size, sha256} — with S3, a
 * presigned PUT for exactly that length and SHA-256 plus a completion token;
 * with the local store, {mode: "stream"} (use POST /api/uploads instead).
 */
import { assertSameOrigin, readJson, withSession } from "@/lib/api/handler";
import { startDirectUpload } from "@/lib/uploads/direct";

export const POST = withSession("evidence:write", async (ctx, req) => {
  assertSameOrigin(req);
  return startDirectUpload(ctx, await readJson(req));
});
