/**
 * The database side of the ledger: sealing queued records into the per-tenant
 * hash chain, and writing signed checkpoints (Merkle tree heads) to the
 * database and to object storage.
 *
 * Writers never touch the chain: they insert into ledger_queue inside their
 * own transaction (triggers do it for audit events and finished syncs). The
 * sealer holds a per-tenant advisory lock, so exactly one process extends a
 * tenant's chain at a time: sequence numbers cannot fork or skip, however
 * many writers there are.
 */
import type postgres from "postgres";
import { getObjectStore } from "@/lib/storage";
import { canonicalJson } from "./canonical";
import { entryHash, GENESIS_HASH, type LedgerEntry, type StoredEntry } from "./entry";
import { registerCurrentKey } from "./keys";
import { leafHash, MerkleBuilder } from "./merkle";
import { signCheckpoint, type SignedCheckpoint } from "./signing";

export const LEDGER_QUEUED_CHANNEL = "ledger_queued";
const SEAL_BATCH = 2000;
/** A checkpoint is written after this many new entries… */
export const CHECKPOINT_EVERY_ENTRIES = 500;
/** …or, when there is anything new at all, once the last one is this old. */
export const CHECKPOINT_EVERY_MS = 5 * 1000;

/** A ledger_entries row as selected with STORED_COLUMNS. */
export type StoredRow = Omit<StoredEntry, "seq"> & { seq: number | string };

export function toEntry(row: StoredRow): LedgerEntry {
  const { recordJson, ...rest } = row;
  return { ...rest, seq: Number(row.seq), record: JSON.parse(recordJson) };
}

/** Seals everything queued for one tenant; returns how many entries were added. */
export async function sealTenant(sql: postgres.Sql, tenantId: string): Promise<number> {
  let sealed = 0;
  for (;;) {
    const n = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtextextended(${`ledger:${tenantId}`}, 0))`;
      const queued = await tx<{ id: string; kind: LedgerEntry["kind"]; refId: string; record: Record<string, unknown>; createdAt: string }[]>`
        select id, kind, ref_id as "refId", record, created_at as "createdAt"
          from ledger_queue where tenant_id = ${tenantId} order by id limit ${SEAL_BATCH}`;
      if (queued.length === 0) return 0;
      const [last] = await tx<{ seq: string; hash: string }[]>`
        select seq, hash from ledger_entries where tenant_id = ${tenantId} order by seq desc limit 1`;
      let seq = last ? Number(last.seq) : 0;
      let prevHash = last?.hash ?? GENESIS_HASH;
      const rows = queued.map((q) => {
        seq += 1;
        const entry = { tenantId, seq, kind: q.kind, refId: q.refId, createdAt: q.createdAt, prevHash, record: q.record };
        const hash = entryHash(entry);
        prevHash = hash;
        return {
          tenant_id: tenantId,
          seq,
          kind: q.kind,
          ref_id: q.refId,
          created_at: q.createdAt,
          prev_hash: entry.prevHash,
          hash,
          record: canonicalJson(q.record),
        };
      });
      await tx`
        insert into ledger_entries (tenant_id, seq, kind, ref_id, created_at, prev_hash, hash, record)
        select tenant_id, seq, kind, ref_id, created_at, prev_hash, hash, record
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
            as x(tenant_id uuid, seq bigint, kind text, ref_id text, created_at text, prev_hash text, hash text, record text)`;
      // Exactly the rows sealed: a writer whose lower id commits only now is sealed next time, not lost.
      // The app role may not delete queue rows; ledger_dequeue removes only rows now in the chain.
      await tx`select ledger_dequeue(${tenantId}, ${queued.map((q) => q.id)}::bigint[])`;
      return queued.length;
    });
    sealed += n;
    if (n < SEAL_BATCH) return sealed;
  }
}

/** Seals every tenant that has something queued. */
export async function sealAll(sql: postgres.Sql): Promise<number> {
  const tenants = await sql<{ tenantId: string }[]>`select distinct tenant_id as "tenantId" from ledger_queue`;
  let total = 0;
  for (const { tenantId } of tenants) total += await sealTenant(sql, tenantId);
  return total;
}

export type CheckpointRow = SignedCheckpoint & { objectKey: string };

export async function latestCheckpoint(sql: postgres.Sql, tenantId: string): Promise<CheckpointRow | null> {
  const [row] = await sql<CheckpointRow[]>`
    select 1 as v, tenant_id as "tenantId", tree_size::int as "treeSize", root_hash as "rootHash", created_at as "createdAt",
           key_id as "keyId", signature, object_key as "objectKey"
      from ledger_checkpoints where tenant_id = ${tenantId} order by tree_size desc limit 1`;
  return row ?? null;
}

export async function listCheckpoints(sql: postgres.Sql, tenantId: string): Promise<CheckpointRow[]> {
  return sql<CheckpointRow[]>`
    select 1 as v, tenant_id as "tenantId", tree_size::int as "treeSize", root_hash as "rootHash", created_at as "createdAt",
           key_id as "keyId", signature, object_key as "objectKey"
      from ledger_checkpoints where tenant_id = ${tenantId} order by tree_size`;
}

/** Leaf hashes of the first `size` entries, in seq order, streamed in batches. */
export async function* leafHashes(sql: postgres.Sql, tenantId: string, size?: number, from = 0): AsyncGenerator<Buffer[]> {
  let after = from;
  for (;;) {
    const rows = await sql<{ seq: string; hash: string }[]>`
      select seq, hash from ledger_entries
       where tenant_id = ${tenantId} and seq > ${after} ${size !== undefined ? sql`and seq <= ${size}` : sql``}
       order by seq limit 20000`;
    if (rows.length === 0) return;
    yield rows.map((r) => leafHash(r.hash));
    after = Number(rows[rows.length - 1].seq);
  }
}

export function checkpointObjectKey(tenantId: string, treeSize: number) {
  return `tenants/${tenantId}/ledger/checkpoints/${String(treeSize).padStart(12, "0")}.json`;
}

/**
 * Signs the tenant's current tree head, unless the latest checkpoint already
 * covers every entry. With `due`, only when enough entries or time have passed.
 */
export async function writeCheckpoint(
  sql: postgres.Sql,
  tenantId: string,
  opts: { due?: boolean } = {},
): Promise<CheckpointRow | null> {
  const [{ size }] = await sql<{ size: string | null }[]>`select max(seq) as size from ledger_entries where tenant_id = ${tenantId}`;
  const treeSize = Number(size ?? 0);
  const previous = await latestCheckpoint(sql, tenantId);
  if (treeSize === 0 || (previous && previous.treeSize >= treeSize)) return previous;
  if (opts.due && previous) {
    const age = Date.now() - Date.parse(previous.createdAt);
    if (treeSize - previous.treeSize < CHECKPOINT_EVERY_ENTRIES && age < CHECKPOINT_EVERY_MS) return previous;
  }
  // Resume from the previous checkpoint's frontier: only the new leaves are hashed.
  let builder = new MerkleBuilder();
  if (previous) {
    const [row] = await sql<{ frontier: string }[]>`
      select frontier from ledger_checkpoints where tenant_id = ${tenantId} and tree_size = ${previous.treeSize}`;
    builder = MerkleBuilder.restore(previous.treeSize, (JSON.parse(row.frontier) as string[]).map((h) => Buffer.from(h, "hex")));
  }
  for await (const batch of leafHashes(sql, tenantId, treeSize, builder.size)) for (const leaf of batch) builder.push(leaf);
  const key = await registerCurrentKey(sql);
  const signed = signCheckpoint(
    { v: 1, tenantId, treeSize, rootHash: builder.root().toString("hex"), createdAt: new Date().toISOString(), keyId: key.keyId },
    key.privateKeyPem,
  );
  const objectKey = checkpointObjectKey(tenantId, treeSize);
  await getObjectStore().put(objectKey, canonicalJson(signed), { contentType: "application/json" });
  // Only through the checked function: the app role holds no INSERT on ledger_checkpoints.
  const [{ inserted }] = await sql<{ inserted: boolean }[]>`
    select ledger_append_checkpoint(${tenantId}, ${treeSize}, ${signed.rootHash}, ${signed.keyId}, ${signed.signature},
             ${signed.createdAt}, ${objectKey}, ${JSON.stringify(builder.snapshot().frontier.map((b) => b.toString("hex")))}) as inserted`;
  if (!inserted) return latestCheckpoint(sql, tenantId); // another process signed this size, or a larger one, first
  return { ...signed, objectKey };
}

/** The worker's ledger duty: seal what is queued, then sign checkpoints that are due. */
export async function maintainLedger(sql: postgres.Sql): Promise<{ sealed: number; checkpoints: number }> {
  const sealed = await sealAll(sql);
  const stale = await sql<{ tenantId: string }[]>`
    select e.tenant_id as "tenantId"
      from (select tenant_id, max(seq) as size from ledger_entries group by tenant_id) e
      left join (select tenant_id, max(tree_size) as size from ledger_checkpoints group by tenant_id) c using (tenant_id)
     where c.size is null or c.size < e.size`;
  let checkpoints = 0;
  for (const { tenantId } of stale) {
    const before = await latestCheckpoint(sql, tenantId);
    const after = await writeCheckpoint(sql, tenantId, { due: true });
    if (after && after.treeSize !== before?.treeSize) checkpoints++;
  }
  return { sealed, checkpoints };
}
