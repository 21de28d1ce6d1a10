/**
 * Serves the local object store's signed download links
 * (`/api/objects?key=…&exp=…&name=…&sig=…`). The signature is the
 * authorization: it was minted by a service that had already checked the
 * caller may read the object, and it expires within five minutes. With the S3
 * driver, links point at the bucket and this route answers 404.
 */
import type { Readable } from "node:stream";
import { isAppError, type AppError } from "@/lib/errors";
import { getObjectLinkSecret, getObjectStore, LocalObjectStore, verifyLocalDownload } from "@/lib/storage";
import { contentDisposition, safeContentType } from "@/lib/storage/content-disposition";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const store = getObjectStore();
  if (!(store instanceof LocalObjectStore)) {
    return errorResponse(404, "not_found", "Not found");
  }

  let opened;
  let link;
  try {
    link = verifyLocalDownload(new URL(request.url).searchParams, getObjectLinkSecret());
    opened = await store.open(link.key);
  } catch (error) {
    if (isAppError(error)) return appErrorResponse(error);
    throw error;
  }

  const contentType = safeContentType(link.contentType) ?? safeContentType(opened.object.contentType) ?? "application/octet-stream";
  return new Response(toWebStream(opened.stream), {
    status: 200,
    headers: {
      "Content-Type": contentType,
      "Content-Length": String(opened.object.size),
      "Content-Disposition": contentDisposition(link.filename),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      // The link carries its signature in the query string; do not leak it onwards.
      "Referrer-Policy": "no-referrer",
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
    },
  });
}

/**
 * Pull-based bridge: a chunk is read from the file only when the client is
 * ready for it, so a slow download never buffers the file in memory.
 */
function toWebStream(stream: Readable): ReadableStream<Uint8Array> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      // Closes the file handle when the client goes away mid-download.
      await chunks.return?.();
    },
  });
}

function appErrorResponse(error: AppError): Response {
  // A malformed key in a link is as much a refused link as a bad signature.
  const status = error.kind === "bad_request" ? 403 : error.status;
  return errorResponse(status, error.code, error.message);
}

function errorResponse(status: number, code: string, message: string): Response {
  return Response.json(
    { error: { code, message } },
    { status, headers: { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } },
  );
}
