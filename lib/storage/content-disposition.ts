/** How a stored object is served: only safe content types inline, and a Content-Disposition that cannot be turned into a path or a header injection. */

/**
 * Types a browser may be told about. Anything else (HTML, SVG, XML, scripts…)
 * is served as application/octet-stream so an uploaded file can never run in
 * the app's origin, even if a browser ignored `attachment`.
 */
const SAFE_CONTENT_TYPES = new Set([
  "application/pdf",
  "application/json",
  "application/zip",
  "application/gzip",
  "application/x-ndjson",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.ms-excel",
  "application/msword",
  "text/csv",
  "text/plain",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
]);

/** The media type to serve, or undefined when the stored one is not on the safe list. */
export function safeContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const [essenceRaw, ...params] = contentType.split(";");
  const essence = essenceRaw.trim().toLowerCase();
  if (!SAFE_CONTENT_TYPES.has(essence)) return undefined;
  const charset = params.map((p) => p.trim().match(/^charset=([A-Za-z0-9._-]{1,40})$/i)?.[1]).find(Boolean);
  return essence.startsWith("text/") && charset ? `${essence}; charset=${charset}` : essence;
}

/**
 * `attachment; filename="ascii-fallback"; filename*=UTF-8''percent-encoded`
 * (RFC 6266 with RFC 5987 for names that are not plain ASCII).
 */
export function contentDisposition(filename: string): string {
  const name = cleanFilename(filename);
  const fallback = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  if (fallback === name) return `attachment; filename="${name}"`;
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** Drops what could make a name a path or break the header; never returns "". */
function cleanFilename(filename: string): string {
  const cleaned = filename
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    .replace(/[/\\]/g, "_")
    .trim()
    .slice(0, 200);
  return cleaned === "" || cleaned === "." || cleaned === ".." ? "download" : cleaned;
}

function encodeRfc5987(value: string): string {
  // encodeURIComponent leaves ' ( ) * unescaped, which are not attr-chars.
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
