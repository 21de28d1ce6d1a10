/**
 * Data access for the ledger: the queue writers append to, the per-tenant
 * hash chain the sealer extends, signed checkpoints and the signing keys'
 * public halves. The sealing and signing logic is lib/ledger/chain.ts.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { LedgerEntryKind } from "@/lib/domain/enums";
import type { Executor } from "../client";
import {
  auditEvents,
  ledgerCheckpoints,
  ledgerCosignatures,
  ledgerEntries,
  ledgerIntegrityFailures,
  ledgerKeys,
  ledgerQueue,
  ledgerSubtrees,
  syncExecutions,
  tenants,
} from "../schema";

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
  // Two index probes per tenant (the worker asks every second): grouping the entries read all of them.
  return db.execute<{ tenantId: string }>(sql`
    select t.id as "tenantId"
      from ${tenants} t
      cross join lateral (select seq from ${ledgerEntries} e where e.tenant_id = t.id order by seq desc limit 1) e
      left join lateral (select tree_size from ${ledgerCheckpoints} c where c.tenant_id = t.id order by tree_size desc limit 1) c on true
     where c.tree_size is null or c.tree_size < e.seq`);
}

/**
 * Records a key's public half once, through the checked function: the app role holds no INSERT on ledger_keys.
 * Every key after the first needs the rotation statement its predecessor signed.
 */
export async function insertLedgerKey(
  db: Executor,
  keyId: string,
  publicKeyPem: string,
  rotation?: { statement: string; signature: string },
): Promise<boolean> {
  const [{ inserted }] = await db.execute<{ inserted: boolean }>(
    sql`select ledger_register_key(${keyId}, ${publicKeyPem}, ${rotation?.statement ?? null}, ${rotation?.signature ?? null}) as inserted`,
  );
  return inserted;
}

export type LedgerKeyRow = { keyId: string; publicKeyPem: string; rotationStatement: string | null; rotationSignature: string | null };

/** Every signing key's public half with its rotation statement, oldest first. */
export async function listLedgerKeys(db: Executor): Promise<LedgerKeyRow[]> {
  return db.execute<LedgerKeyRow>(sql`
    select key_id as "keyId", public_key_pem as "publicKeyPem", rotation_statement as "rotationStatement",
           rotation_signature as "rotationSignature"
      from ${ledgerKeys} order by created_at, key_id`);
}

/** One key's row, or null. */
export async function getLedgerKey(db: Executor, keyId: string): Promise<LedgerKeyRow | null> {
  const [row] = await db.execute<LedgerKeyRow>(sql`
    select key_id as "keyId", public_key_pem as "publicKeyPem", rotation_statement as "rotationStatement",
           rotation_signature as "rotationSignature"
      from ${ledgerKeys} where key_id = ${keyId}`);
  return row ?? null;
}

/** Entries in (after, upTo], in seq order, with what the sealer checks before signing: one batch. */
export async function entriesBetween(db: Executor, tenantId: string, after: number, upTo: number, limit: number) {
  return db.execute<StoredEntryRow>(sql`
    select tenant_id as "tenantId", seq, kind, ref_id as "refId", created_at as "createdAt", prev_hash as "prevHash", hash, record as "recordJson"
      from ${ledgerEntries} where tenant_id = ${tenantId} and seq > ${after} and seq <= ${upTo} order by seq limit ${limit}`);
}

export type IntegrityFailureRow = {
  tenantId: string;
  detectedAt: string;
  firstBadSeq: number | null;
  firstBadCheckpoint: number | null;
  reason: string;
};

/** Flags the tenant; false when it already was (the first finding stands). */
export async function flagIntegrityFailure(
  db: Executor,
  f: { tenantId: string; firstBadSeq: number | null; firstBadCheckpoint: number | null; reason: string },
): Promise<boolean> {
  const rows = await db.execute<{ tenantId: string }>(sql`
    insert into ${ledgerIntegrityFailures} (tenant_id, first_bad_seq, first_bad_checkpoint, reason)
    values (${f.tenantId}, ${f.firstBadSeq}, ${f.firstBadCheckpoint}, ${f.reason})
    on conflict (tenant_id) do nothing returning tenant_id as "tenantId"`);
  return rows.length > 0;
}

const integrityColumns = sql`tenant_id as "tenantId", detected_at as "detectedAt", first_bad_seq::int as "firstBadSeq",
  first_bad_checkpoint::int as "firstBadCheckpoint", reason`;

export async function integrityFailure(db: Executor, tenantId: string): Promise<IntegrityFailureRow | null> {
  const [row] = await db.execute<IntegrityFailureRow>(
    sql`select ${integrityColumns} from ${ledgerIntegrityFailures} where tenant_id = ${tenantId}`,
  );
  return row ?? null;
}

/** How many tenants' sealers have stopped signing. */
export async function countIntegrityFailures(db: Executor): Promise<number> {
  const [{ n }] = await db.execute<{ n: number }>(sql`select count(*)::int as n from ${ledgerIntegrityFailures}`);
  return n;
}

/** The tenant's chain length and how many records wait to be sealed. */
export async function ledgerCounts(db: Executor, tenantId: string) {
  const [counts] = await db.execute<{ entries: string | null; pending: string }>(sql`
    select (select max(seq) from ${ledgerEntries} where tenant_id = ${tenantId}) as entries,
           (select count(*) from ${ledgerQueue} where tenant_id = ${tenantId}) as pending`);
  return { entries: Number(counts.entries ?? 0), pending: Number(counts.pending) };
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

/** How many leaves the stored subtree hashes cover: twice the number of level-1 nodes. */
export async function subtreeCoverage(db: Executor, tenantId: string): Promise<number> {
  const [{ n }] = await db.execute<{ n: string | null }>(
    sql`select max(idx) + 1 as n from ${ledgerSubtrees} where tenant_id = ${tenantId} and level = 1`,
  );
  return 2 * Number(n ?? 0);
}

/** Stored subtree hashes at (level, idx) pairs; level 0 comes from ledger_entries as the entry hash. One statement. */
export async function subtreeNodes(db: Executor, tenantId: string, nodes: { level: number; idx: number }[]) {
  const inner = nodes.filter((n) => n.level > 0);
  const leaves = nodes.filter((n) => n.level === 0).map((n) => n.idx + 1);
  // One primary-key probe per node, whatever the statistics say: a join the planner may pick from
  // stale statistics reads the whole tenant's subtrees.
  const rows = await db.execute<{ level: number; idx: string; hash: string }>(sql`
    select w.level, w.idx, s.hash
      from unnest(${sql.param(inner.map((n) => n.level))}::smallint[], ${sql.param(inner.map((n) => n.idx))}::bigint[]) as w(level, idx)
      cross join lateral (
        select hash from ${ledgerSubtrees} s where s.tenant_id = ${tenantId} and s.level = w.level and s.idx = w.idx) s
    union all
    select 0, seq, hash from ${ledgerEntries} where tenant_id = ${tenantId} and seq = any(${sql.param(leaves)}::bigint[])`);
  return {
    inner: rows.filter((r) => Number(r.level) > 0).map((r) => ({ level: Number(r.level), idx: Number(r.idx), hash: r.hash })),
    leaves: rows.filter((r) => Number(r.level) === 0).map((r) => ({ seq: Number(r.idx), hash: r.hash })),
  };
}

/** Appends subtree hashes in one statement; a row already there is kept. */
export async function insertSubtrees(db: Executor, tenantId: string, rows: { level: number; idx: number; hash: string }[]) {
  for (let i = 0; i < rows.length; i += 50_000) {
    const chunk = rows.slice(i, i + 50_000);
    await db.execute(sql`
      insert into ${ledgerSubtrees} (tenant_id, level, idx, hash)
      select ${tenantId}, level, idx, hash
        from unnest(${sql.param(chunk.map((r) => r.level))}::smallint[], ${sql.param(chunk.map((r) => r.idx))}::bigint[],
                    ${sql.param(chunk.map((r) => r.hash))}::text[]) as x(level, idx, hash)
      on conflict do nothing`);
  }
}

/**
 * Source rows with no ledger entry and nothing queued for them: audit events,
 * finished syncs, evidence records, campaigns and ended provisioning tasks
 * whose record never reached the chain (or whose entry was deleted).
 */
export async function sourcesWithoutEntries(db: Executor, tenantId: string, limit = 100) {
  return db.execute<{ kind: LedgerEntryKind; refId: string }>(sql`
    with sources(kind, ref_id) as (
      select 'audit', id::text from audit_events where tenant_id = ${tenantId}
      union all select 'sync', id::text from sync_executions
        where tenant_id = ${tenantId} and status in ('post_sync_completed', 'error', 'cancelled')
      union all select 'evidence', id::text from evidence_records where tenant_id = ${tenantId}
      union all select 'campaign', id::text from campaigns where tenant_id = ${tenantId}
      union all select 'provisioning_task', id::text from provisioning_tasks where tenant_id = ${tenantId} and outcome is not null
    )
    select s.kind, s.ref_id as "refId" from sources s
     where not exists (select 1 from ${ledgerEntries} e where e.tenant_id = ${tenantId} and e.kind = s.kind and e.ref_id = s.ref_id)
       and not exists (select 1 from ${ledgerQueue} q where q.tenant_id = ${tenantId} and q.kind = s.kind and q.ref_id = s.ref_id)
     order by s.kind, s.ref_id limit ${limit}`);
}

/** Every key with the rotation statement that vouches for it, when it has one (read as JSON so older schemas still answer). */
export async function ledgerKeysWithStatements(db: Executor) {
  return db.execute<{ keyId: string; publicKeyPem: string; rotationStatement: string | null; rotationSignature: string | null }>(sql`
    select k.key_id as "keyId", k.public_key_pem as "publicKeyPem",
           to_jsonb(k) ->> 'rotation_statement' as "rotationStatement", to_jsonb(k) ->> 'rotation_signature' as "rotationSignature"
      from ${ledgerKeys} k order by k.created_at`);
}

/** The cosignatures stored for a tenant's checkpoints (ledger_cosignatures), oldest tree first. */
export async function storedCosignatures(db: Executor, tenantId: string) {
  return db.execute<{ treeSize: number; witnessKey: string; signature: string }>(sql`
    select tree_size::float8 as "treeSize", witness_key as "witnessKey", signature
      from ${ledgerCosignatures} where tenant_id = ${tenantId} order by tree_size`);
}

/** Entries by seq: a bundled entry's neighbours. */
export async function entriesAt(db: Executor, tenantId: string, seqs: number[]) {
  return db.execute<{ seq: string; hash: string; prevHash: string }>(sql`
    select seq, hash, prev_hash as "prevHash" from ${ledgerEntries}
     where tenant_id = ${tenantId} and seq = any(${sql.param(seqs)}::bigint[]) order by seq`);
}

/**
 * The newest checkpoint in [min, max] (below `below` when given) that at least
 * `quorum` witnesses cosigned; with quorum 0, the newest checkpoint there.
 */
export async function witnessedCheckpoint(
  db: Executor,
  tenantId: string,
  range: { min?: number; below?: number },
  quorum: number,
): Promise<CheckpointRow | null> {
  return (await witnessedCheckpoints(db, tenantId, range, quorum, 1))[0] ?? null;
}

/** The `limit` newest checkpoints of witnessedCheckpoint, newest first. */
export async function witnessedCheckpoints(
  db: Executor,
  tenantId: string,
  range: { min?: number; below?: number },
  quorum: number,
  limit: number,
): Promise<CheckpointRow[]> {
  const min = range.min ?? 0;
  const max = range.below !== undefined ? range.below - 1 : Number.MAX_SAFE_INTEGER;
  return db.execute<CheckpointRow>(sql`
    select 1 as v, c.tenant_id as "tenantId", c.tree_size::int as "treeSize", c.root_hash as "rootHash", c.created_at as "createdAt",
           c.key_id as "keyId", c.signature, c.object_key as "objectKey"
      from ${ledgerCheckpoints} c
     where c.tenant_id = ${tenantId} and c.tree_size between ${min} and ${max}
       and (${quorum} = 0 or (select count(distinct w.witness_key) from ${ledgerCosignatures} w
                               where w.tenant_id = c.tenant_id and w.tree_size = c.tree_size) >= ${quorum})
     order by c.tree_size desc limit ${limit}`);
}

/** The cosignature lines stored for some checkpoints, by tree size. */
export async function cosignaturesAt(db: Executor, tenantId: string, treeSizes: number[]) {
  return db.execute<{ treeSize: number; witnessName: string; witnessKey: string; signature: string }>(sql`
    select tree_size::int as "treeSize", witness_name as "witnessName", witness_key as "witnessKey", signature
      from ${ledgerCosignatures} where tenant_id = ${tenantId} and tree_size = any(${sql.param(treeSizes)}::bigint[])
     order by tree_size, witness_name`);
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
