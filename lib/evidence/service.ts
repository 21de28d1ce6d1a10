/**
 * Audit evidence: notes and files attached to the sync a save starts. Files
 * are uploaded first (lib/uploads: streamed, content-checked, hashed); a save
 * then links them to a new evidence record inside the same transaction as the
 * sync it starts, writes the manifest beside the files, and queues the record
 * for the ledger. Evidence is never edited: a change is a new record.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { getDb, type Executor } from "@/db/client";
import { syncIdsWithEvidence } from "@/db/queries/evidence";
import { getIntegration } from "@/db/queries/integrations";
import * as uploadQueries from "@/db/queries/uploads";
import { evidenceFiles, evidenceRecords } from "@/db/schema";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { canonicalJson } from "@/lib/ledger/canonical";
import { notesPlainText, parseNotes, renderNotesHtml, type NotesDocument } from "@/lib/evidence/notes";
import { getObjectStore } from "@/lib/storage";
import { assertMayStartSyncForEvidence, enqueueSync } from "@/lib/syncs/service";
import { parseInput } from "@/lib/validation";
import { sql } from "drizzle-orm";
import { evidenceDocument, manifestKeyFor, type EvidenceDocument } from "./record";

export { MAX_EVIDENCE_FILES as MAX_FILES_PER_SYNC } from "@/lib/uploads/limits";
import { MAX_EVIDENCE_FILES as MAX_FILES_PER_SYNC } from "@/lib/uploads/limits";
export const DOWNLOAD_LINK_SECONDS = 300;

export const evidenceInputSchema = z
  .object({
    notes: z.unknown().optional(),
    uploadIds: z
      .array(z.uuid({ error: "is not an uploaded file id" }))
      .max(MAX_FILES_PER_SYNC, `At most ${MAX_FILES_PER_SYNC} files can be attached to one sync`)
      .default([]),
  })
  .strict();
export type EvidenceInput = z.infer<typeof evidenceInputSchema>;

function notesGiven(notes: unknown): boolean {
  if (notes === undefined || notes === null) return false;
  if (typeof notes === "string") return notes.trim() !== "";
  return true;
}

/** Whether a save carries any evidence at all. */
export function hasEvidence(input: unknown): boolean {
  if (!input || typeof input !== "object") return false;
  const { notes, uploadIds } = input as { notes?: unknown; uploadIds?: unknown };
  return notesGiven(notes) || (Array.isArray(uploadIds) && uploadIds.length > 0);
}

/**
 * Validates evidence before any transaction starts: the notes parse, and every
 * upload is this tenant's, an evidence file, and not attached elsewhere.
 */
export async function prepareEvidence(ctx: ServiceContext, input: unknown) {
  authorize(ctx, "evidence:write");
  const data = parseInput(evidenceInputSchema, input ?? {});
  const notes = notesGiven(data.notes) ? parseNotes(data.notes) : null;
  const ids = [...new Set(data.uploadIds)];
  if (!notes && ids.length === 0) throw new AppError("unprocessable:validation", "Add notes or at least one file as evidence.");
  const uploads = await uploadQueries.findUploadsById(getDb(), ctx.tenantId, ids);
  const byId = new Map(uploads.map((u) => [u.id, u]));
  for (const id of ids) {
    const upload = byId.get(id);
    if (!upload || upload.purpose !== "evidence") {
      throw new AppError("unprocessable:validation", `Uploaded file ${id} was not found; upload it again.`, { "evidence.uploadIds": ["An uploaded file was not found; upload it again."] });
    }
    if (upload.attachedAt) throw new AppError("conflict:upload_attached", `"${upload.filename}" is already attached to other evidence; upload it again.`);
  }
  return { notes, uploads: ids.map((id) => byId.get(id)!) };
}

export type PreparedEvidence = Awaited<ReturnType<typeof prepareEvidence>>;

/**
 * Inside the caller's transaction: writes the evidence record for `syncExecutionId`,
 * its manifest, and its ledger queue entry. Returns the manifest key so the caller
 * can remove it if the transaction does not commit.
 */
export async function attachEvidence(
  tx: Executor,
  ctx: ServiceContext,
  target: { integrationId: string; integrationName: string; syncExecutionId: string },
  prepared: PreparedEvidence,
  written: string[],
): Promise<EvidenceDocument> {
  const id = randomUUID();
  const manifestKey = manifestKeyFor(ctx.tenantId, id);
  const row = {
    id,
    tenantId: ctx.tenantId,
    integrationId: target.integrationId,
    syncExecutionId: target.syncExecutionId,
    notes: prepared.notes as Record<string, unknown> | null,
    notesText: prepared.notes ? notesPlainText(prepared.notes).slice(0, 10_000) : null,
    manifestKey,
    createdById: ctx.actor.id ?? null,
    createdByName: ctx.actor.name,
    createdAt: new Date().toISOString(),
  };
  const files = prepared.uploads.map((u, position) => ({
    id: randomUUID(),
    tenantId: ctx.tenantId,
    evidenceId: id,
    position,
    objectKey: u.objectKey,
    filename: u.filename,
    contentType: u.contentType,
    size: u.size,
    sha256: u.sha256,
    versionId: u.versionId,
  }));
  // The sync may be one already queued that this save joined; a sync owns one evidence record.
  const [owned] = await tx
    .select({ id: evidenceRecords.id })
    .from(evidenceRecords)
    .where(sql`${evidenceRecords.syncExecutionId} = ${target.syncExecutionId}`);
  if (owned) {
    throw new AppError(
      "conflict:sync_has_evidence",
      `A sync of "${target.integrationName}" is already queued with evidence of its own; add this evidence once it has started.`,
    );
  }
  await tx.insert(evidenceRecords).values(row);
  if (files.length) await tx.insert(evidenceFiles).values(files);
  const claimed = await uploadQueries.claimUploads(tx, ctx.tenantId, prepared.uploads.map((u) => u.id));
  if (claimed !== prepared.uploads.length) throw new AppError("conflict:upload_attached", "A file was attached to other evidence at the same moment; upload it again.");

  const doc = evidenceDocument(row, files);
  written.push(manifestKey);
  await getObjectStore().put(manifestKey, canonicalJson(doc), { contentType: "application/json" });
  await tx.execute(sql`
    insert into ledger_queue (tenant_id, kind, ref_id, record, created_at)
    values (${ctx.tenantId}, 'evidence', ${id}, ${JSON.stringify(doc)}::jsonb, ${row.createdAt})`);
  await tx.execute(sql`select pg_notify('ledger_queued', ${ctx.tenantId})`);
  await recordAuditEvent(tx, ctx, {
    entityType: "Evidence",
    action: "Create",
    entityId: id,
    entityName: `${target.integrationName} evidence`,
    details: `Attached evidence to a sync of "${target.integrationName}": ${prepared.notes ? "notes" : "no notes"}, ${files.length} file${files.length === 1 ? "" : "s"}`,
    after: { notes: prepared.notes ? "(rich text)" : null, files: files.map((f) => `${f.filename} (${f.sha256.slice(0, 12)}…)`) },
  });
  return doc;
}

/** Runs `work` with evidence attached; manifests written by a transaction that failed are removed. */
export async function withManifestCleanup<T>(work: (written: string[]) => Promise<T>): Promise<T> {
  const written: string[] = [];
  try {
    return await work(written);
  } catch (error) {
    await Promise.all(written.map((key) => getObjectStore().delete(key).catch(() => undefined)));
    throw error;
  }
}

/** Adds evidence to an integration without changing its configuration: starts a new sync that owns it. */
export async function addEvidence(ctx: ServiceContext, integrationId: string, input: unknown) {
  authorize(ctx, "evidence:write");
  assertMayStartSyncForEvidence(ctx);
  const prepared = await prepareEvidence(ctx, input);
  return withManifestCleanup((written) =>
    getDb().transaction(async (tx) => {
      const integration = await getIntegration(tx, ctx.tenantId, integrationId, { lock: true });
      if (!integration) throw new AppError("not_found:integration", "No such integration.");
      if (!integration.active) throw new AppError("conflict:integration_inactive", `"${integration.name}" is deactivated; activate it to add evidence.`);
      const { sync } = await enqueueSync(tx, ctx, integrationId, { trigger: "evidence_updated" });
      const evidence = await attachEvidence(tx, ctx, { integrationId, integrationName: integration.name, syncExecutionId: sync.id }, prepared, written);
      return { sync, evidence };
    }),
  );
}

export type EvidenceView = {
  id: string;
  syncExecutionId: string;
  integrationId: string;
  createdAt: string;
  createdByName: string;
  notesHtml: string | null;
  files: { id: string; name: string; contentType: string; size: number; sha256: string }[];
};

/** The evidence of one sync, or null when it has none. */
export async function getEvidenceForSync(ctx: ServiceContext, syncId: string): Promise<EvidenceView | null> {
  authorize(ctx, "evidence:read");
  if (!z.uuid().safeParse(syncId).success) return null;
  const [row] = await getDb()
    .select()
    .from(evidenceRecords)
    .where(sql`${evidenceRecords.tenantId} = ${ctx.tenantId} and ${evidenceRecords.syncExecutionId} = ${syncId}`);
  if (!row) return null;
  const files = await getDb()
    .select()
    .from(evidenceFiles)
    .where(sql`${evidenceFiles.tenantId} = ${ctx.tenantId} and ${evidenceFiles.evidenceId} = ${row.id}`)
    .orderBy(evidenceFiles.position);
  return {
    id: row.id,
    syncExecutionId: row.syncExecutionId,
    integrationId: row.integrationId,
    createdAt: row.createdAt,
    createdByName: row.createdByName,
    notesHtml: row.notes ? renderNotesHtml(row.notes as unknown as NotesDocument) : null,
    files: files.map((f) => ({ id: f.id, name: f.filename, contentType: f.contentType, size: f.size, sha256: f.sha256 })),
  };
}

/** Which syncs of a list have evidence (for Sync History). */
export async function syncsWithEvidence(ctx: ServiceContext, syncIds: string[]): Promise<Set<string>> {
  authorize(ctx, "evidence:read");
  const tenantId = ctx.tenantId;
  if (syncIds.length === 0) return new Set();
  return syncIdsWithEvidence(getDb(), tenantId, syncIds);
}

/**
 * A short-lived attachment link for one evidence file, after the caller's
 * tenant and role are checked; the download is an audit event.
 */
export async function evidenceDownloadLink(ctx: ServiceContext, fileId: string): Promise<string> {
  authorize(ctx, "evidence:read");
  if (!z.uuid().safeParse(fileId).success) throw new AppError("not_found:evidence_file", "No such evidence file.");
  const [file] = await getDb()
    .select()
    .from(evidenceFiles)
    .where(sql`${evidenceFiles.tenantId} = ${ctx.tenantId} and ${evidenceFiles.id} = ${fileId}`);
  if (!file) throw new AppError("not_found:evidence_file", "No such evidence file.");
  await recordAuditEvent(getDb(), ctx, {
    entityType: "Evidence",
    action: "Download",
    entityId: file.evidenceId,
    entityName: file.filename,
    details: `Downloaded evidence file "${file.filename}" (SHA-256 ${file.sha256})`,
  });
  return getObjectStore().signedDownloadUrl(file.objectKey, {
    filename: file.filename,
    contentType: file.contentType,
    expiresInSeconds: DOWNLOAD_LINK_SECONDS,
  });
}
