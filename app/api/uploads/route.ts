/**
 * POST /api/uploads?purpose=csv|evidence&filename=NAME — the raw file as the
 * request body, with its Content-Length. Streamed into the object store (never
 * buffered whole), checked by content, and answered with the stored file's
 * key, size and SHA-256. The browser sends it with XHR to show progress, and
 * the SHA-256 it computed in X-Content-SHA256: a body with another digest is
 * refused and not kept.
 */
import { assertSameOrigin, searchParamsObject, withSession } from "@/lib/api/handler";
import { receiveUpload } from "@/lib/uploads/service";

export const runtime = "nodejs";

export const POST = withSession(null, async (ctx, req) => {
  assertSameOrigin(req);
  const { purpose, filename } = searchParamsObject(req);
  const upload = await receiveUpload(ctx, {
    purpose,
    filename,
    contentLength: req.headers.get("content-length") ?? undefined,
    sha256: req.headers.get("x-content-sha256") ?? undefined,
    body: req.body,
  });
  return Response.json(upload, { status: 201 });
});
