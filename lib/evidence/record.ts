/**
 * The canonical form of an evidence record: what is hashed into the ledger,
 * written as the manifest beside the files, and rebuilt from the live rows
 * when the ledger is verified. One builder, so all three always agree.
 */
import "server-only";
import type { Executor } from "@/db/client";
import { evidenceFilesOf, evidenceRowsOf, type EvidenceFileRow, type EvidenceRow } from "@/db/queries/evidence";

export type EvidenceFileDoc = {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  objectKey: string;
  versionId: string | null;
};

export type EvidenceDocument = {
  v: 1;
  id: string;
  tenantId: string;
  integrationId: string;
  syncExecutionId: string;
  createdAt: string;
  createdBy: { id: string | null; name: string };
  notes: Record<string, unknown> | null;
  manifestKey: string;
  files: EvidenceFileDoc[];
};

export type { EvidenceFileRow, EvidenceRow };

export function evidenceDocument(row: EvidenceRow, files: EvidenceFileRow[]): EvidenceDocument {
  return {
    v: 1,
    id: row.id,
    tenantId: row.tenantId,
    integrationId: row.integrationId,
    syncExecutionId: row.syncExecutionId,
    createdAt: row.createdAt,
    createdBy: { id: row.createdById, name: row.createdByName },
    notes: row.notes,
    manifestKey: row.manifestKey,
    files: [...files]
      .sort((a, b) => a.position - b.position)
      .map((f) => ({
        name: f.filename,
        contentType: f.contentType,
        size: Number(f.size),
        sha256: f.sha256,
        objectKey: f.objectKey,
        versionId: f.versionId,
      })),
  };
}

export function manifestKeyFor(tenantId: string, evidenceId: string) {
  return `tenants/${tenantId}/evidence/${evidenceId}/manifest.json`;
}

/** Rebuilds the documents of the given evidence records from the live rows. */
export async function loadEvidenceDocuments(db: Executor, tenantId: string, ids: string[]): Promise<Map<string, EvidenceDocument>> {
  const out = new Map<string, EvidenceDocument>();
  if (ids.length === 0) return out;
  const [rows, files] = await Promise.all([evidenceRowsOf(db, tenantId, ids), evidenceFilesOf(db, tenantId, ids)]);
  for (const row of rows)
    out.set(
      row.id,
      evidenceDocument(
        row,
        files.filter((f) => f.evidenceId === row.id),
      ),
    );
  return out;
}
