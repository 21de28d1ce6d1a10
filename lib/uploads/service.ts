/**
 * Receiving files: a request body is streamed into the object store under a
 * generated key in the tenant's upload prefix, with its SHA-256 computed on
 * the way. The first bytes are checked before anything is stored, so a file
 * that is not what it claims to be is refused and leaves nothing behind; the
 * rest is checked for markup as it streams, and a file refused there is
 * removed. The upload row is written last: a row always points at a stored,
 * checked object.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { z } from "zod";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/uploads";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import type { Permission } from "@/lib/auth/permissions";
import { AppError, isAppError } from "@/lib/errors";
import { getObjectStore } from "@/lib/storage";
import { formatBytes } from "@/lib/format";
import { parseInput } from "@/lib/validation";
import { MarkupScanner, UPLOAD_RULES, type UploadPurpose, UPLOAD_PURPOSES, HEAD_BYTES } from "./rules";

export type { UploadPurpose } from "./rules";

/** Where a tenant's uploaded files live in the object store. */
export function tenantUploadPrefix(tenantId: string) {
  return `tenants/${tenantId}/uploads/`;
}

/** Files not attached to anything after this long are removed by cleanupOrphanUploads. */
export const ORPHAN_AFTER_MS = 24 * 60 * 60 * 1000;

const PERMISSION: Record<UploadPurpose, Permission> = {
  csv: "integrations:write",
  evidence: "evidence:write",
  logo: "integrations:write",
};

export const filenameSchema = z
  .string({ error: "Name the file" })
  .trim()
  .min(1, "Name the file")
  .max(255, "The file name is longer than 255 characters")
  .refine((n) => !/[\u0000-\u001f\u007f/\\]/.test(n), "The file name may not contain slashes or control characters")
  // Right-to-left overrides and isolates make "report\u202Efdp.exe" read as "reportexe.pdf".
  .refine(
    (n) => !/[\u202a-\u202e\u2066-\u2069]/.test(n),
    "The file name may not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)",
  );

const uploadInputSchema = z.object({
  purpose: z.enum(UPLOAD_PURPOSES, { error: `purpose must be one of ${UPLOAD_PURPOSES.join(", ")}` }),
  filename: filenameSchema,
  /** Unknown for a multipart part: the size limit is then enforced while streaming. */
  contentLength: z.preprocess(
    (v) => (v === null || v === "" ? undefined : v),
    z.coerce
      .number({ error: "Send the file's size in the Content-Length header" })
      .int("Send the file's size in the Content-Length header")
      .nonnegative("Send the file's size in the Content-Length header")
      .optional(),
  ),
  /** The SHA-256 the sender computed; when given, a body with another digest is refused and not kept. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "X-Content-SHA256 must be 64 lowercase hex characters")
    .optional(),
});

export type UploadSummary = {
  id: string;
  key: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
};

/**
 * Stores one uploaded file. Refuses, naming the file, an empty file, one over
 * the purpose's size limit, one whose bytes are not of an allowed type for its
 * extension, and a body longer or shorter than its declared length.
 */
export async function receiveUpload(
  ctx: ServiceContext,
  input: {
    purpose: unknown;
    filename: unknown;
    contentLength?: unknown;
    sha256?: unknown;
    body: ReadableStream<Uint8Array> | Readable | null;
  },
): Promise<UploadSummary> {
  const { purpose, filename, contentLength, sha256 } = parseInput(uploadInputSchema, input);
  authorize(ctx, PERMISSION[purpose]);
  const rules = UPLOAD_RULES[purpose];
  if (contentLength === 0 || !input.body) throw new AppError("unprocessable:empty_file", `"${filename}" is empty.`);
  if (contentLength !== undefined && contentLength > rules.maxBytes) {
    throw new AppError(
      "unprocessable:file_too_large",
      `"${filename}" is ${formatBytes(contentLength)}; the limit is ${formatBytes(rules.maxBytes)}.`,
    );
  }

  const source = input.body instanceof Readable ? input.body : Readable.fromWeb(input.body as import("node:stream/web").ReadableStream);
  const { head, rest } = await readHead(source, HEAD_BYTES);
  if (head.length === 0) throw new AppError("unprocessable:empty_file", `"${filename}" is empty.`);
  const verdict = rules.check(head, filename, contentLength ?? (head.length < HEAD_BYTES ? head.length : Infinity));
  if (!verdict.ok) {
    source.destroy();
    throw new AppError("unprocessable:file_type", `"${filename}" was refused: ${verdict.reason}.`);
  }

  const key = `${tenantUploadPrefix(ctx.tenantId)}${purpose}/${randomUUID()}${verdict.extension}`;
  const store = getObjectStore();
  const body = limited(head, rest, contentLength, rules.maxBytes, filename);
  const stored = await store
    .put(key, Readable.from(verdict.markupScan ? scanned(body, verdict.markupScan.label, head.length, filename) : body), {
      contentLength,
      expectedSha256: sha256,
      contentType: verdict.contentType,
      metadata: { purpose },
    })
    .catch(async (error) => {
      // A store may keep what arrived before the stream failed: nothing of a refused file is left.
      await store.delete(key).catch(() => undefined);
      if (isAppError(error) && error.code === "unprocessable:checksum") {
        const what = /SHA-256/.test(error.message)
          ? "its bytes do not match the SHA-256 that was sent"
          : error.message.replace(/^The upload/, "it");
        throw new AppError("unprocessable:checksum", `"${filename}" did not arrive intact: ${what}. Upload it again.`);
      }
      throw error;
    });
  try {
    const row = await queries.insertUpload(getDb(), {
      tenantId: ctx.tenantId,
      purpose,
      objectKey: key,
      filename,
      contentType: verdict.contentType,
      size: stored.size,
      sha256: stored.sha256,
      versionId: stored.versionId ?? null,
      createdById: ctx.actor.type === "user" ? (ctx.actor.id ?? null) : null,
      createdByName: ctx.actor.name,
    });
    return { id: row.id, key, filename, contentType: row.contentType, size: row.size, sha256: row.sha256 };
  } catch (error) {
    await store.delete(key).catch(() => undefined);
    throw error;
  }
}

/** Reads from `source` until at least `bytes` are in hand (or the stream ends). */
export async function readHead(source: Readable, bytes: number) {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const { value, done } = await iterator.next();
    if (done) break;
    const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
    chunks.push(chunk);
    length += chunk.length;
  }
  return { head: Buffer.concat(chunks), rest: iterator };
}

/** The head, then the rest of the body, refusing more bytes than were declared or allowed. */
async function* limited(head: Buffer, rest: AsyncIterator<Buffer>, declared: number | undefined, max: number, filename: string) {
  const tooLong = () =>
    declared !== undefined
      ? new AppError("unprocessable:length_mismatch", `"${filename}" is longer than its declared size.`)
      : new AppError("unprocessable:file_too_large", `"${filename}" is larger than the limit of ${formatBytes(max)}.`);
  const limit = declared ?? max;
  let seen = head.length;
  if (seen > limit) throw tooLong();
  yield head;
  for (;;) {
    const { value, done } = await rest.next();
    if (done) return;
    seen += value.length;
    if (seen > limit) {
      await rest.return?.();
      throw tooLong();
    }
    yield value;
  }
}

/** Passes the body through, refusing the file when markup appears after the head (which was checked already). */
async function* scanned(body: AsyncGenerator<Buffer>, label: string, headLength: number, filename: string) {
  const scanner = new MarkupScanner(label);
  let skipped = 0;
  for await (const chunk of body) {
    // The head was scanned by the verdict; only its last bytes are fed again, for a needle that spans into the rest.
    const fresh = skipped < headLength ? chunk.subarray(Math.max(0, headLength - skipped - 32)) : chunk;
    skipped += chunk.length;
    const markup = scanner.push(fresh);
    if (markup) throw new AppError("unprocessable:file_type", `"${filename}" was refused: ${markup}.`);
    yield chunk;
  }
}

/** Removes uploads that a failed request stored (best effort; the orphan sweep catches the rest). */
export async function discardUploads(tenantId: string, ids: string[]) {
  const rows = await queries.findUploadsById(getDb(), tenantId, ids);
  for (const row of rows) {
    if (row.attachedAt) continue;
    await getObjectStore()
      .delete(row.objectKey)
      .catch(() => undefined);
    await queries.deleteUpload(getDb(), row.id).catch(() => undefined);
  }
}
