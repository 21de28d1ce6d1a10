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

/** Whether a sync already owns an evidence record (a sync owns one at most). */
export async function syncHasEvidence(db: Executor, syncExecutionId: string): Promise<boolean> {
  const [owned] = await db
    .select({ id: evidenceRecords.id })
    .from(evidenceRecords)
    .where(sql`${evidenceRecords.syncExecutionId} = ${syncExecutionId}`);
  return !!owned;
}

/** Writes an evidence record and its files. */
export async function insertEvidence(
  tx: Executor,
  record: typeof evidenceRecords.$inferInsert,
  files: (typeof evidenceFiles.$inferInsert)[],
) {
  await tx.insert(evidenceRecords).values(record);
  if (files.length) await tx.insert(evidenceFiles).values(files);
}

/** One tenant's evidence record of a sync, with its files in order; null when the sync has none. */
export async function getEvidenceOfSync(db: Executor, tenantId: string, syncId: string) {
  const [row] = await db
    .select()
    .from(evidenceRecords)
    .where(sql`${evidenceRecords.tenantId} = ${tenantId} and ${evidenceRecords.syncExecutionId} = ${syncId}`);
  if (!row) return null;
  const files = await db
    .select()
    .from(evidenceFiles)
    .where(sql`${evidenceFiles.tenantId} = ${tenantId} and ${evidenceFiles.evidenceId} = ${row.id}`)
    .orderBy(evidenceFiles.position);
  return { row, files };
}

/** One of a tenant's evidence files. */
export async function getEvidenceFile(db: Executor, tenantId: string, fileId: string) {
  const [file] = await db
    .select()
    .from(evidenceFiles)
    .where(sql`${evidenceFiles.tenantId} = ${tenantId} and ${evidenceFiles.id} = ${fileId}`);
  return file ?? null;
}
