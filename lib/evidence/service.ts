/**
 * Audit evidence: notes and files attached to the sync a save starts. Files
 * are uploaded first (lib/uploads: streamed, content-checked, hashed); a save
 * then links them to a new evidence record inside the same transaction as the
 * sync it starts, writes the manifest beside the files, and queues the record
 * for the ledger. Evidence is never edited: a change is a new record.
 */
import "server-only";
import { z } from "zod";
import { getDb } from "@/db/client";
import * as evidenceQueries from "@/db/queries/evidence";
import { getIntegration } from "@/db/queries/integrations";
import * as uploadQueries from "@/db/queries/uploads";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { parseNotes, renderNotesHtml, type NotesDocument } from "@/lib/evidence/notes";
import { getObjectStore } from "@/lib/storage";
import { assertMayStartSyncForEvidence, enqueueSync } from "@/lib/syncs/queue";
import { isUuid, parseInput } from "@/lib/validation";
import { attachEvidence, notesGiven, withManifestCleanup } from "./internal";

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
    if (upload?.purpose !== "evidence") {
      throw new AppError("unprocessable:validation", `Uploaded file ${id} was not found; upload it again.`, {
        "evidence.uploadIds": ["An uploaded file was not found; upload it again."],
      });
    }
    if (upload.attachedAt)
      throw new AppError("conflict:upload_attached", `"${upload.filename}" is already attached to other evidence; upload it again.`);
  }
  return { notes, uploads: ids.map((id) => byId.get(id)!) };
}

export type PreparedEvidence = Awaited<ReturnType<typeof prepareEvidence>>;

/** Adds evidence to an integration without changing its configuration: starts a new sync that owns it. */
export async function addEvidence(ctx: ServiceContext, integrationId: string, input: unknown) {
  authorize(ctx, "evidence:write");
  assertMayStartSyncForEvidence(ctx);
  const prepared = await prepareEvidence(ctx, input);
  return withManifestCleanup((written) =>
    getDb().transaction(async (tx) => {
      const integration = await getIntegration(tx, ctx.tenantId, integrationId, { lock: true });
      if (!integration) throw new AppError("not_found:integration", "No such integration.");
      if (!integration.active)
        throw new AppError("conflict:integration_inactive", `"${integration.name}" is deactivated; activate it to add evidence.`);
      const { sync } = await enqueueSync(tx, ctx, integrationId, { trigger: "evidence_updated" });
      const evidence = await attachEvidence(
        tx,
        ctx,
        { integrationId, integrationName: integration.name, syncExecutionId: sync.id },
        prepared,
        written,
      );
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
  if (!isUuid(syncId)) return null;
  const found = await evidenceQueries.getEvidenceOfSync(getDb(), ctx.tenantId, syncId);
  if (!found) return null;
  const { row, files } = found;
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
  return evidenceQueries.syncIdsWithEvidence(getDb(), tenantId, syncIds);
}

/**
 * A short-lived attachment link for one evidence file, after the caller's
 * tenant and role are checked; the download is an audit event.
 */
export async function evidenceDownloadLink(ctx: ServiceContext, fileId: string): Promise<string> {
  authorize(ctx, "evidence:read");
  if (!isUuid(fileId)) throw new AppError("not_found:evidence_file", "No such evidence file.");
  const file = await evidenceQueries.getEvidenceFile(getDb(), ctx.tenantId, fileId);
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
