/**
 * Browser-to-S3 uploads of evidence files. The server signs a PUT for the
 * exact length and SHA-256 the browser declared (S3 refuses any other body),
 * and hands out a token that names the generated key. When the browser says
 * it is done, the server reads the object back, streaming: it checks the size,
 * recomputes the SHA-256, checks the type by content, and only then records
 * the upload. A file that fails any check is deleted. With the local store
 * there is nothing to sign and the browser streams to POST /api/uploads.
 */
import "server-only";
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { getDb } from "@/db/client";
import * as queries from "@/db/queries/uploads";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { getObjectStore } from "@/lib/storage";
import { parseInput } from "@/lib/validation";
import { EVIDENCE_MAX_BYTES, evidenceTypeFor, HEAD_BYTES, MarkupScanner, UPLOAD_RULES, extensionOf } from "./rules";
import { formatBytes } from "@/lib/format";
import { filenameSchema, readHead, tenantUploadPrefix, type UploadSummary } from "./service";

/** How long the browser has to PUT the file. */
export const DIRECT_UPLOAD_SECONDS = 300;

const startSchema = z.object({
  purpose: z.literal("evidence", { error: "Only evidence files are uploaded directly" }),
  filename: filenameSchema,
  size: z
    .number({ error: "Send the file size" })
    .int()
    .min(1, "The file is empty")
    .max(EVIDENCE_MAX_BYTES, `The limit is ${formatBytes(EVIDENCE_MAX_BYTES)}`),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "Send the file's SHA-256 as 64 lowercase hex characters"),
});

type Ticket = { t: string; a: string; f: string; s: number; h: string; k: string; c: string; e: number };

function secret(): string {
  const value = getConfig().NEXTAUTH_SECRET;
  if (!value) throw new AppError("unavailable:config", "NEXTAUTH_SECRET is not set.");
  return value;
}

function sign(ticket: Ticket): string {
  const body = Buffer.from(JSON.stringify(ticket)).toString("base64url");
  return `${body}.${createHmac("sha256", secret()).update(`direct-upload.${body}`).digest("base64url")}`;
}

function open(token: unknown): Ticket {
  const [body, mac] = typeof token === "string" ? token.split(".") : [];
  if (!body || !mac) throw new AppError("bad_request:token", "The upload token is missing or malformed.");
  const expected = createHmac("sha256", secret()).update(`direct-upload.${body}`).digest();
  const given = Buffer.from(mac, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new AppError("bad_request:token", "The upload token is not valid.");
  return JSON.parse(Buffer.from(body, "base64url").toString()) as Ticket;
}

function actorKey(ctx: ServiceContext) {
  return `${ctx.actor.type}:${ctx.actor.id ?? ctx.actor.name}`;
}

/**
 * Signs a direct upload when the store can take one; `{ mode: "stream" }`
 * tells the browser to stream through the server instead.
 */
export async function startDirectUpload(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "evidence:write");
  const data = parseInput(startSchema, input);
  const type = evidenceTypeFor(data.filename);
  if (!type)
    throw new AppError(
      "unprocessable:file_type",
      `"${data.filename}" was refused: ${extensionOf(data.filename) || "a file without extension"} is not an accepted evidence type.`,
    );
  const store = getObjectStore();
  if (!store.presignedPut) return { mode: "stream" as const };
  const key = `${tenantUploadPrefix(ctx.tenantId)}evidence/${randomUUID()}${extensionOf(data.filename)}`;
  const { url, headers } = await store.presignedPut(key, {
    contentLength: data.size,
    sha256: data.sha256,
    contentType: type.contentType,
    expiresInSeconds: DIRECT_UPLOAD_SECONDS,
  });
  const token = sign({
    t: ctx.tenantId,
    a: actorKey(ctx),
    f: data.filename,
    s: data.size,
    h: data.sha256,
    k: key,
    c: type.contentType,
    e: Date.now() + (DIRECT_UPLOAD_SECONDS + 60) * 1000,
  });
  return { mode: "presigned" as const, url, headers, token, expiresIn: DIRECT_UPLOAD_SECONDS };
}

/** Checks what arrived in the store and records it; deletes it when anything is wrong. */
export async function completeDirectUpload(ctx: ServiceContext, input: unknown): Promise<UploadSummary> {
  authorize(ctx, "evidence:write");
  const ticket = open((input as { token?: unknown } | null)?.token);
  if (ticket.t !== ctx.tenantId || ticket.a !== actorKey(ctx))
    throw new AppError("forbidden:token", "This upload was started by someone else.");
  if (Date.now() > ticket.e) throw new AppError("unprocessable:token_expired", `The upload of "${ticket.f}" expired; upload it again.`);
  const [already] = await queries.findUploadsByKey(getDb(), ctx.tenantId, [ticket.k]);
  if (already) {
    return {
      id: already.id,
      key: already.objectKey,
      filename: already.filename,
      contentType: already.contentType,
      size: already.size,
      sha256: already.sha256,
    };
  }
  const store = getObjectStore();
  const refuse = async (reason: string): Promise<never> => {
    await store.delete(ticket.k).catch(() => undefined);
    throw new AppError("unprocessable:file_type", `"${ticket.f}" was refused: ${reason}.`);
  };
  const object = await store.head(ticket.k);
  if (!object) throw new AppError("unprocessable:not_uploaded", `"${ticket.f}" has not arrived in storage; upload it again.`);
  if (object.size !== ticket.s) await refuse(`it is ${formatBytes(object.size)}, not the declared ${formatBytes(ticket.s)}`);

  const source = await store.get(ticket.k);
  const { head, rest } = await readHead(source, HEAD_BYTES);
  const verdict = UPLOAD_RULES.evidence.check(head, ticket.f, ticket.s);
  const hash = createHash("sha256").update(head);
  // Markup anywhere in a binary type refuses the file, not only in its head.
  const scanner = verdict.ok && verdict.markupScan ? new MarkupScanner(verdict.markupScan.label) : null;
  let markup = scanner?.push(head.subarray(-32)) ?? null;
  for (;;) {
    const { value, done } = await rest.next();
    if (done) break;
    hash.update(value);
    if (scanner && !markup) markup = scanner.push(value);
  }
  const sha256 = hash.digest("hex");
  if (sha256 !== ticket.h) await refuse("its bytes do not match the SHA-256 the browser declared");
  if (!verdict.ok) await refuse(verdict.reason);
  if (markup) await refuse(markup);

  const row = await queries.insertUpload(getDb(), {
    tenantId: ctx.tenantId,
    purpose: "evidence",
    objectKey: ticket.k,
    filename: ticket.f,
    contentType: ticket.c,
    size: object.size,
    sha256,
    versionId: object.versionId ?? null,
    createdById: ctx.actor.type === "user" ? (ctx.actor.id ?? null) : null,
    createdByName: ctx.actor.name,
  });
  return { id: row.id, key: row.objectKey, filename: row.filename, contentType: row.contentType, size: row.size, sha256: row.sha256 };
}
