/**
 * Evidence helpers for other services, which call them inside their own
 * authorized transaction: none of these checks a permission, so nothing
 * outside lib/<domain>/service.ts may call them. A page, action or route calls
 * lib/evidence/service.ts instead.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import type { Executor } from "@/db/client";
import * as evidenceQueries from "@/db/queries/evidence";
import { queueLedgerRecord } from "@/db/queries/ledger";
import * as uploadQueries from "@/db/queries/uploads";
import type { ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { AppError } from "@/lib/errors";
import { notesPlainText } from "@/lib/evidence/notes";
import { getObjectStore } from "@/lib/storage";
import { evidenceDocument, manifestKeyFor, type EvidenceDocument } from "./record";
import type { PreparedEvidence } from "./service";

export function notesGiven(notes: unknown): boolean {
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
  if (await evidenceQueries.syncHasEvidence(tx, target.syncExecutionId)) {
    throw new AppError(
      "conflict:sync_has_evidence",
      `A sync of "${target.integrationName}" is already queued with evidence of its own; add this evidence once it has started.`,
    );
  }
  await evidenceQueries.insertEvidence(tx, row, files);
  const claimed = await uploadQueries.claimUploads(
    tx,
    ctx.tenantId,
    prepared.uploads.map((u) => u.id),
  );
  if (claimed !== prepared.uploads.length)
    throw new AppError("conflict:upload_attached", "A file was attached to other evidence at the same moment; upload it again.");

  const doc = evidenceDocument(row, files);
  written.push(manifestKey);
  await getObjectStore().put(manifestKey, canonicalJson(doc), { contentType: "application/json" });
  await queueLedgerRecord(tx, { tenantId: ctx.tenantId, kind: "evidence", refId: id, record: doc, createdAt: row.createdAt });
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
    await Promise.all(
      written.map((key) =>
        getObjectStore()
          .delete(key)
          .catch(() => undefined),
      ),
    );
    throw error;
  }
}
