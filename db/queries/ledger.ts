/**
 * Data access for the ledger: the queue writers append to, the per-tenant
 * hash chain the sealer extends, signed checkpoints and the signing keys'
 * public halves. The sealing and signing logic is lib/ledger/chain.ts.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { LedgerEntryKind } from "@/lib/domain/enums";
import type { Executor } from "../client";
import { auditEvents, ledgerCheckpoints, ledgerEntries, ledgerKeys, ledgerQueue, syncExecutions } from "../schema";

/** A signed checkpoint as stored (object key included). */
export type CheckpointRow = {
  v: 1;
  tenantId: string;
  treeSize: number;
  rootHash: string;
  createdAt: string;
  keyId: string;
  signature: string;
  objectKey: string;
};

/** Holds the tenant's chain for the caller's transaction: one sealer per tenant at a time. */
export async function lockTenantChain(tx: Executor, tenantId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`ledger:${tenantId}`}, 0))`);
}

/** lockTenantChain when no other transaction holds it; false otherwise. */
export async function tryLockTenantChain(tx: Executor, tenantId: string): Promise<boolean> {
  const [row] = await tx.execute<{ locked: boolean }>(
    sql`select pg_try_advisory_xact_lock(hashtextextended(${`ledger:${tenantId}`}, 0)) as locked`,
  );
  return row?.locked === true;
}

/** The oldest queued records of a tenant, in the order they are sealed. */
export async function queuedRecords(db: Executor, tenantId: string, limit: number) {
  return db.execute<{ id: string; kind: LedgerEntryKind; refId: string; record: Record<string, unknown>; createdAt: string }>(sql`
        select id, kind, ref_id as "refId", record, created_at as "createdAt"
          from ${ledgerQueue} where tenant_id = ${tenantId} order by id limit ${limit}`);
}

/** The tenant's newest entry: the link the next one hangs from. */
export async function lastEntry(db: Executor, tenantId: string) {
  const [last] = await db.execute<{ seq: string; hash: string }>(sql`
        select seq, hash from ${ledgerEntries} where tenant_id = ${tenantId} order by seq desc limit 1`);
  return last ?? null;
}

export type NewLedgerEntry = {
  tenant_id: string;
  seq: number;
  kind: LedgerEntryKind;
  ref_id: string;
  created_at: string;
  prev_hash: string;
  hash: string;
  /** Canonical JSON text: exactly the bytes hashed. */
  record: string;
};

/** Appends sealed entries in one statement. */
export async function insertEntries(tx: Executor, rows: NewLedgerEntry[]) {
  await tx.execute(sql`
        insert into ${ledgerEntries} (tenant_id, seq, kind, ref_id, created_at, prev_hash, hash, record)
        select tenant_id, seq, kind, ref_id, created_at, prev_hash, hash, record
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
            as x(tenant_id uuid, seq bigint, kind text, ref_id text, created_at text, prev_hash text, hash text, record text)`);
}

/**
 * Removes exactly the queue rows sealed: a writer whose lower id commits only now is sealed next time, not lost.
 * The app role may not delete queue rows; ledger_dequeue removes only rows now in the tenant's chain.
 */
export async function deleteQueued(tx: Executor, tenantId: string, ids: string[]) {
  await tx.execute(sql`select ledger_dequeue(${tenantId}, ${sql.param(ids)}::bigint[])`);
}

/** Tenants with records waiting to be sealed. */
export async function tenantsWithQueuedRecords(db: Executor) {
  return db.execute<{ tenantId: string }>(sql`select distinct tenant_id as "tenantId" from ${ledgerQueue}`);
}

export async function latestCheckpoint(db: Executor, tenantId: string): Promise<CheckpointRow | null> {
  const [row] = await db.execute<CheckpointRow>(sql`
    select 1 as v, tenant_id as "tenantId", tree_size::int as "treeSize", root_hash as "rootHash", created_at as "createdAt",
           key_id as "keyId", signature, object_key as "objectKey"
      from ${ledgerCheckpoints} where tenant_id = ${tenantId} order by tree_size desc limit 1`);
  return row ?? null;
}

export async function listCheckpoints(db: Executor, tenantId: string): Promise<CheckpointRow[]> {
  return db.execute<CheckpointRow>(sql`
    select 1 as v, tenant_id as "tenantId", tree_size::int as "treeSize", root_hash as "rootHash", created_at as "createdAt",
           key_id as "keyId", signature, object_key as "objectKey"
      from ${ledgerCheckpoints} where tenant_id = ${tenantId} order by tree_size`);
}

/** The Merkle frontier stored with a checkpoint (hex JSON array). */
export async function checkpointFrontier(db: Executor, tenantId: string, treeSize: number): Promise<string> {
  const [row] = await db.execute<{ frontier: string }>(sql`
      select frontier from ${ledgerCheckpoints} where tenant_id = ${tenantId} and tree_size = ${treeSize}`);
  return row.frontier;
}

/** Entry hashes after `after`, up to `size` when given, in seq order: one batch. */
export async function entryHashesAfter(db: Executor, tenantId: string, after: number, size: number | undefined, limit: number) {
  return db.execute<{ seq: string; hash: string }>(sql`
      select seq, hash from ${ledgerEntries}
       where tenant_id = ${tenantId} and seq > ${after} ${size !== undefined ? sql`and seq <= ${size}` : sql``}
       order by seq limit ${limit}`);
}

/** How many entries the tenant's chain holds (its last seq). */
export async function chainSize(db: Executor, tenantId: string): Promise<number> {
  const [{ size }] = await db.execute<{ size: string | null }>(
    sql`select max(seq) as size from ${ledgerEntries} where tenant_id = ${tenantId}`,
  );
  return Number(size ?? 0);
}

/** Stores a signed checkpoint; false when another process signed this size first. */
export async function insertCheckpoint(db: Executor, c: Omit<CheckpointRow, "v"> & { frontier: string }): Promise<boolean> {
  // Only through the checked function: the app role holds no INSERT on ledger_checkpoints.
  const [{ inserted }] = await db.execute<{ inserted: boolean }>(sql`
    select ledger_append_checkpoint(${c.tenantId}, ${c.treeSize}, ${c.rootHash}, ${c.keyId}, ${c.signature},
             ${c.createdAt}, ${c.objectKey}, ${c.frontier}) as inserted`);
  return inserted;
}

/** Tenants whose chain has grown past their latest checkpoint (or that have none). */
export async function tenantsBehindCheckpoint(db: Executor) {
  return db.execute<{ tenantId: string }>(sql`
    select e.tenant_id as "tenantId"
      from (select tenant_id, max(seq) as size from ${ledgerEntries} group by tenant_id) e
      left join (select tenant_id, max(tree_size) as size from ${ledgerCheckpoints} group by tenant_id) c using (tenant_id)
     where c.size is null or c.size < e.size`);
}

/** Records a signing key's public half (once). */
/** Records a key's public half once, through the checked function: the app role holds no INSERT on ledger_keys. */
export async function insertLedgerKey(db: Executor, keyId: string, publicKeyPem: string) {
  await db.execute(sql`select ledger_register_key(${keyId}, ${publicKeyPem})`);
}

/** Every signing key's public half, oldest first. */
export async function listLedgerKeys(db: Executor) {
  return db.execute<{ keyId: string; publicKeyPem: string }>(
    sql`select key_id as "keyId", public_key_pem as "publicKeyPem" from ${ledgerKeys} order by created_at`,
  );
}

/** The tenant's chain length and how many records wait to be sealed. */
export async function ledgerCounts(db: Executor, tenantId: string) {
  const [counts] = await db.execute<{ entries: string | null; pending: string }>(sql`
    select (select max(seq) from ${ledgerEntries} where tenant_id = ${tenantId}) as entries,
           (select count(*) from ${ledgerQueue} where tenant_id = ${tenantId}) as pending`);
  return { entries: Number(counts.entries ?? 0), pending: Number(counts.pending) };
}

/** How many entries the tenant's chain holds, counted. */
export async function countEntries(db: Executor, tenantId: string): Promise<number> {
  const [{ total }] = await db.execute<{ total: string }>(
    sql`select count(*) as total from ${ledgerEntries} where tenant_id = ${tenantId}`,
  );
  return Number(total);
}

/** A stored entry with its record as the canonical JSON text that was hashed. */
export type StoredEntryRow = {
  tenantId: string;
  seq: number | string;
  kind: LedgerEntryKind;
  refId: string;
  createdAt: string;
  prevHash: string;
  hash: string;
  recordJson: string;
};

/** The first entry recording one row (an evidence record, a sync, an audit event). */
export async function findEntry(db: Executor, tenantId: string, kind: LedgerEntryKind, refId: string) {
  const [row] = await db.execute<StoredEntryRow>(sql`
    select tenant_id as "tenantId", seq, kind, ref_id as "refId", created_at as "createdAt", prev_hash as "prevHash", hash, record as "recordJson"
      from ${ledgerEntries} where tenant_id = ${tenantId} and kind = ${kind} and ref_id = ${refId} order by seq limit 1`);
  return row ?? null;
}

/** Every entry of some kinds about one record (a campaign and its completion), oldest first. */
export async function findEntries(db: Executor, tenantId: string, kinds: LedgerEntryKind[], refId: string) {
  return db.execute<StoredEntryRow>(sql`
    select tenant_id as "tenantId", seq, kind, ref_id as "refId", created_at as "createdAt", prev_hash as "prevHash", hash, record as "recordJson"
      from ${ledgerEntries} where tenant_id = ${tenantId} and kind = any(${sql.param(kinds)}::text[]) and ref_id = ${refId} order by seq`);
}

/** The ledger records of live audit events, as the database's own ledger_record_audit builds them. */
export async function liveAuditRecords(db: Executor, tenantId: string, ids: string[]) {
  return db.execute<{ id: string; record: unknown }>(sql`
      select a.id::text as id, ledger_record_audit(a) as record from ${auditEvents} a
       where a.tenant_id = ${tenantId} and a.id = any(${sql.param(ids)}::uuid[])`);
}

/** The ledger records of live sync executions, as the database's own ledger_record_sync builds them. */
export async function liveSyncRecords(db: Executor, tenantId: string, ids: string[]) {
  return db.execute<{ id: string; record: unknown }>(sql`
      select s.id::text as id, ledger_record_sync(s) as record from ${syncExecutions} s
       where s.tenant_id = ${tenantId} and s.id = any(${sql.param(ids)}::uuid[])`);
}

/** Wakes the ledger's sealer: carries the tenant id. */
export const LEDGER_QUEUED_CHANNEL = "ledger_queued";

/**
 * Queues a record for the ledger inside the writer's transaction; the sealer
 * is told when it commits. Writers never touch the chain itself.
 */
export async function queueLedgerRecord(
  tx: Executor,
  r: { tenantId: string; kind: LedgerEntryKind; refId: string; record: Record<string, unknown>; createdAt: string },
) {
  await tx.execute(sql`
    insert into ${ledgerQueue} (tenant_id, kind, ref_id, record, created_at)
    values (${r.tenantId}, ${r.kind}, ${r.refId}, ${JSON.stringify(r.record)}::jsonb, ${r.createdAt})`);
  await tx.execute(sql`select pg_notify(${LEDGER_QUEUED_CHANNEL}, ${r.tenantId})`);
}

/** Queues many records in one statement, and wakes the sealer once per tenant. */
export async function queueLedgerRecords(
  tx: Executor,
  records: { tenantId: string; kind: LedgerEntryKind; refId: string; record: Record<string, unknown>; createdAt: string }[],
) {
  if (records.length === 0) return;
  await tx.execute(sql`
    insert into ${ledgerQueue} (tenant_id, kind, ref_id, record, created_at)
    select r.tenant_id, r.kind, r.ref_id, r.record, r.created_at
      from jsonb_to_recordset(${JSON.stringify(
        records.map((r) => ({ tenant_id: r.tenantId, kind: r.kind, ref_id: r.refId, record: r.record, created_at: r.createdAt })),
      )}::jsonb) as r(tenant_id uuid, kind text, ref_id text, record jsonb, created_at text)`);
  for (const tenantId of new Set(records.map((r) => r.tenantId))) {
    await tx.execute(sql`select pg_notify(${LEDGER_QUEUED_CHANNEL}, ${tenantId})`);
  }
}
