/** Data access for evidence records and their files, as the ledger records them. */
import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "../client";
import { evidenceFiles, evidenceRecords } from "../schema";

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

/** Evidence records by id, as text the ledger's documents are built from. */
export async function evidenceRowsOf(db: Executor, tenantId: string, ids: string[]) {
  return db.execute<EvidenceRow>(sql`
    select id::text, tenant_id::text as "tenantId", integration_id::text as "integrationId",
           sync_execution_id::text as "syncExecutionId", notes, manifest_key as "manifestKey",
           created_by_id as "createdById", created_by_name as "createdByName", created_at as "createdAt"
      from ${evidenceRecords} where tenant_id = ${tenantId} and id = any(${sql.param(ids)}::uuid[])`);
}

/** The files of some evidence records. */
export async function evidenceFilesOf(db: Executor, tenantId: string, ids: string[]) {
  return db.execute<EvidenceFileRow>(sql`
    select evidence_id::text as "evidenceId", position, filename, content_type as "contentType", size, sha256,
           object_key as "objectKey", version_id as "versionId"
      from ${evidenceFiles} where tenant_id = ${tenantId} and evidence_id = any(${sql.param(ids)}::uuid[])`);
}

/** Which of some syncs have evidence attached. */
export async function syncIdsWithEvidence(db: Executor, tenantId: string, syncIds: string[]): Promise<Set<string>> {
  const rows = await db.execute<{ id: string }>(sql`
    select sync_execution_id::text as id from ${evidenceRecords} where tenant_id = ${tenantId} and sync_execution_id = any(${sql.param(syncIds)}::uuid[])`);
  return new Set(rows.map((r) => r.id));
}
