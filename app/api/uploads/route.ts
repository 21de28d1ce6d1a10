/**
 * POST /api/uploads?purpose=csv|evidence&filename=NAME — the raw file as the
 * request body, with its Content-Length. Streamed into the object store (never
 * buffered whole), checked by content, and answered with the stored file's
 * key, size and SHA-256. The browser sends it with XHR to show progress.
 */
import { searchParamsObject, withSession } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { receiveUpload } from "@/lib/uploads/service";

export const runtime = "nodejs";

export const POST = withSession(null, async (ctx, req) => {
  assertSameOrigin(req);
  const { purpose, filename } = searchParamsObject(req);
  const upload = await receiveUpload(ctx, {
    purpose,
    filename,
    contentLength: req.headers.get("content-length") ?? undefined,
    body: req.body,
  });
  return Response.json(upload, { status: 201 });
});

/** A cross-site page may not post files with the user's cookie. */
function assertSameOrigin(req: Request) {
  const origin = req.headers.get("origin");
  if (!origin) return;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (new URL(origin).host !== host) throw new AppError("forbidden:origin", "Uploads must come from this site.");
}
