/**
 * Sends one file to storage, with progress. Evidence files go straight to S3
 * when the server signs a PUT for their exact length and SHA-256 (computed
 * here first); otherwise, and for CSV sources, the file streams through POST
 * /api/uploads. XHR rather than fetch because only XHR reports upload
 * progress. Resolves with the stored file, or rejects with the server's
 * message (which names the file).
 */
import type { UploadSummary } from "@/lib/uploads/service";

export type { UploadSummary };

export class UploadError extends Error {}

export async function uploadFile(
  file: File,
  purpose: "csv" | "evidence" | "logo",
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadSummary> {
  let sha256: string | undefined;
  if (purpose === "evidence" && globalThis.crypto?.subtle) {
    sha256 = toHex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
    const start = await postJson<{ mode: "stream" } | { mode: "presigned"; url: string; headers: Record<string, string>; token: string }>(
      "/api/uploads/direct",
      { purpose, filename: file.name, size: file.size, sha256 },
      file.name,
    );
    if (start.mode === "presigned") {
      await send("PUT", start.url, file, start.headers, onProgress, signal, file.name, (status) => status >= 200 && status < 300);
      const done = await postJson<UploadSummary>("/api/uploads/direct/complete", { token: start.token }, file.name);
      onProgress(1);
      return done;
    }
  }
  return streamThroughServer(file, purpose, onProgress, signal, sha256);
}

function toHex(buffer: ArrayBuffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function postJson<T>(url: string, body: unknown, filename: string): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await response.json().catch(() => null);
  if (!response.ok) throw new UploadError(json?.error?.message ?? `Uploading "${filename}" failed (HTTP ${response.status}).`);
  return json as T;
}

function send(
  method: string,
  url: string,
  file: File,
  headers: Record<string, string>,
  onProgress: (fraction: number) => void,
  signal: AbortSignal | undefined,
  filename: string,
  ok: (status: number) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () =>
      ok(xhr.status) ? resolve(xhr.responseText) : reject(new UploadError(`Storage refused "${filename}" (HTTP ${xhr.status}).`));
    xhr.onerror = () => reject(new UploadError(`Uploading "${filename}" failed: the connection was lost.`));
    xhr.onabort = () => reject(new UploadError(`Uploading "${filename}" was cancelled.`));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

function streamThroughServer(
  file: File,
  purpose: "csv" | "evidence" | "logo",
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
  sha256?: string,
): Promise<UploadSummary> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const query = new URLSearchParams({ purpose, filename: file.name });
    xhr.open("POST", `/api/uploads?${query}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    if (sha256) xhr.setRequestHeader("X-Content-SHA256", sha256);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: { error?: { message?: string } } & Partial<UploadSummary> = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // fall through to the generic message
      }
      if (xhr.status === 201 && body.key) {
        onProgress(1);
        resolve(body as UploadSummary);
      } else {
        reject(new UploadError(body.error?.message ?? `Uploading "${file.name}" failed (HTTP ${xhr.status}).`));
      }
    };
    xhr.onerror = () => reject(new UploadError(`Uploading "${file.name}" failed: the connection was lost.`));
    xhr.onabort = () => reject(new UploadError(`Uploading "${file.name}" was cancelled.`));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
