/** A streamed download response: always an attachment, never sniffed, never cached. */
import { contentDisposition } from "@/lib/storage/content-disposition";

export function attachmentResponse(file: { filename: string; contentType: string; body: ReadableStream<Uint8Array> }) {
  return new Response(file.body, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Disposition": contentDisposition(file.filename),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    },
  });
}
