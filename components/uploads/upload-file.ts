/**
 * Sends one file to POST /api/uploads as the raw request body. XHR rather
 * than fetch because only XHR reports upload progress. Resolves with the
 * stored file, or rejects with the server's message (which names the file).
 */
import type { UploadSummary } from "@/lib/uploads/service";

export type { UploadSummary };

export class UploadError extends Error {}

export function uploadFile(
  file: File,
  purpose: "csv" | "evidence",
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadSummary> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const query = new URLSearchParams({ purpose, filename: file.name });
    xhr.open("POST", `/api/uploads?${query}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
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
