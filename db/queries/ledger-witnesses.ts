/**
 * Data access for witness cosignatures: what each witness last cosigned per
 * tenant, and the cosignatures themselves. The app role only reads these
 * tables; writes go through ledger_record_cosignature and
 * ledger_record_witness_error (db/migrations/0031_ledger_witness_functions.sql).
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "../client";
import { ledgerCheckpoints, ledgerCosignatures, ledgerWitnessState } from "../schema";

export type WitnessStateRow = {
  tenantId: string;
  witnessKey: string;
  witnessUrl: string;
  size: number;
  cosignedAt: number | null;
  lastOkAt: Date | null;
  lastAttemptAt: Date | null;
  lastError: string | null;
  failures: number;
};

/** Each tenant's newest checkpoint: what the witnesses are asked to cosign. */
export async function latestCheckpointPerTenant(db: Executor) {
  return db.execute<{ tenantId: string; treeSize: number; rootHash: string; objectKey: string; createdAt: string }>(sql`
    select distinct on (tenant_id) tenant_id as "tenantId", tree_size::float8 as "treeSize", root_hash as "rootHash",
           object_key as "objectKey", created_at as "createdAt"
      from ${ledgerCheckpoints} order by tenant_id, tree_size desc`);
}

/** The witness state rows of one tenant, or of every tenant. */
export async function witnessStates(db: Executor, tenantId?: string): Promise<WitnessStateRow[]> {
  const rows = await db.execute<WitnessStateRow & { lastOkAt: string | Date | null; lastAttemptAt: string | Date | null }>(sql`
    select tenant_id as "tenantId", witness_key as "witnessKey", witness_url as "witnessUrl", size::float8 as size,
           cosigned_at::float8 as "cosignedAt", last_ok_at as "lastOkAt", last_attempt_at as "lastAttemptAt",
           last_error as "lastError", failures::float8 as failures
      from ${ledgerWitnessState} ${tenantId ? sql`where tenant_id = ${tenantId}` : sql``}`);
  const date = (v: string | Date | null) => (v === null ? null : new Date(v));
  return rows.map((r) => ({ ...r, lastOkAt: date(r.lastOkAt), lastAttemptAt: date(r.lastAttemptAt) }));
}

export async function recordCosignature(
  db: Executor,
  c: { tenantId: string; witnessKey: string; witnessUrl: string; treeSize: number; timestamp: number; signature: string },
) {
  await db.execute(sql`select ledger_record_cosignature(${c.tenantId}, ${c.witnessKey}, ${c.witnessUrl},
    ${c.treeSize}::bigint, ${c.timestamp}::bigint, ${c.signature})`);
}

export async function recordWitnessError(db: Executor, e: { tenantId: string; witnessKey: string; witnessUrl: string; error: string }) {
  await db.execute(sql`select ledger_record_witness_error(${e.tenantId}, ${e.witnessKey}, ${e.witnessUrl}, ${e.error})`);
}

/** Cosignatures of one checkpoint, newest first per witness. */
export async function cosignaturesOf(db: Executor, tenantId: string, treeSize: number) {
  return db.execute<{ witnessName: string; witnessKey: string; timestamp: number; signature: string }>(sql`
    select witness_name as "witnessName", witness_key as "witnessKey", timestamp::float8 as timestamp, signature
      from ${ledgerCosignatures} where tenant_id = ${tenantId} and tree_size = ${treeSize}
     order by witness_key, timestamp desc`);
}

/** Creation time (ISO text) of the tenant's oldest checkpoint larger than `size`: since when a witness at `size` has been behind. */
export async function firstCheckpointAfter(db: Executor, tenantId: string, size: number): Promise<string | null> {
  const [row] = await db.execute<{ createdAt: string }>(sql`
    select created_at as "createdAt" from ${ledgerCheckpoints}
     where tenant_id = ${tenantId} and tree_size > ${size} order by tree_size limit 1`);
  return row?.createdAt ?? null;
}
