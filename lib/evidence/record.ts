/**
 * The canonical form of an evidence record: what is hashed into the ledger,
 * written as the manifest beside the files, and rebuilt from the live rows
 * when the ledger is verified. One builder, so all three always agree.
 */
import type postgres from "postgres";

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

export type EvidenceRow = {
  id: string;
  tenantId: string;
  integrationId: string;
  syncExecutionId: string;
  notes: Record<string, unknown> | null;
  manifestKey: string;
  createdById: string | null;
  createdByName: string;
  createdAt: string;
};

export type EvidenceFileRow = {
  evidenceId: string;
  position: number;
  filename: string;
  contentType: string;
  size: number | string;
  sha256: string;
  objectKey: string;
  versionId: string | null;
};

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
export async function loadEvidenceDocuments(sql: postgres.Sql, tenantId: string, ids: string[]): Promise<Map<string, EvidenceDocument>> {
  const out = new Map<string, EvidenceDocument>();
  if (ids.length === 0) return out;
  const rows = await sql<EvidenceRow[]>`
    select id::text, tenant_id::text as "tenantId", integration_id::text as "integrationId",
           sync_execution_id::text as "syncExecutionId", notes, manifest_key as "manifestKey",
           created_by_id as "createdById", created_by_name as "createdByName", created_at as "createdAt"
      from evidence_records where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`;
  const files = await sql<EvidenceFileRow[]>`
    select evidence_id::text as "evidenceId", position, filename, content_type as "contentType", size, sha256,
           object_key as "objectKey", version_id as "versionId"
      from evidence_files where tenant_id = ${tenantId} and evidence_id = any(${ids}::uuid[])`;
  for (const row of rows) out.set(row.id, evidenceDocument(row, files.filter((f) => f.evidenceId === row.id)));
  return out;
}
