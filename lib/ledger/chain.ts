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
import "server-only";
import type { Executor } from "@/db/client";
import * as ledgerQueries from "@/db/queries/ledger";
import { getTenant } from "@/db/queries/tenants";
import { getConfig } from "@/lib/config";
import { getObjectStore } from "@/lib/storage";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { entryHash, GENESIS_HASH, type LedgerEntry, type StoredEntry } from "./entry";
import { registerCurrentKey } from "./keys";
import { leafHash, MerkleBuilder } from "./merkle";
import { ledgerOrigin, originHost, signCheckpointNote } from "./note";
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

/**
 * Seals everything queued for one tenant; returns how many entries were added.
 * `ifFree`: when another process holds the tenant's chain, leave its queue to
 * that process instead of waiting for it (the workers' ledger loops, which all
 * wake on every queued record; what that process misses the next wake-up or
 * poll seals).
 */
export async function sealTenant(db: Executor, tenantId: string, opts: { ifFree?: boolean } = {}): Promise<number> {
  let sealed = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      if (opts.ifFree) {
        if (!(await ledgerQueries.tryLockTenantChain(tx, tenantId))) return 0;
      } else {
        await ledgerQueries.lockTenantChain(tx, tenantId);
      }
      const queued = await ledgerQueries.queuedRecords(tx, tenantId, SEAL_BATCH);
      if (queued.length === 0) return 0;
      const last = await ledgerQueries.lastEntry(tx, tenantId);
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
      await ledgerQueries.insertEntries(tx, rows);
      await ledgerQueries.deleteQueued(
        tx,
        tenantId,
        queued.map((q) => q.id),
      );
      return queued.length;
    });
    sealed += n;
    if (n < SEAL_BATCH) return sealed;
  }
}

/** Seals every tenant that has something queued. */
export async function sealAll(db: Executor, opts: { ifFree?: boolean } = {}): Promise<number> {
  const tenants = await ledgerQueries.tenantsWithQueuedRecords(db);
  let total = 0;
  for (const { tenantId } of tenants) total += await sealTenant(db, tenantId, opts);
  return total;
}

export type CheckpointRow = SignedCheckpoint & { objectKey: string };

export async function latestCheckpoint(db: Executor, tenantId: string): Promise<CheckpointRow | null> {
  return ledgerQueries.latestCheckpoint(db, tenantId);
}

export async function listCheckpoints(db: Executor, tenantId: string): Promise<CheckpointRow[]> {
  return ledgerQueries.listCheckpoints(db, tenantId);
}

/** Leaf hashes of the first `size` entries, in seq order, streamed in batches. */
export async function* leafHashes(db: Executor, tenantId: string, size?: number, from = 0): AsyncGenerator<Buffer[]> {
  let after = from;
  for (;;) {
    const rows = await ledgerQueries.entryHashesAfter(db, tenantId, after, size, 20000);
    if (rows.length === 0) return;
    yield rows.map((r) => leafHash(r.hash));
    after = Number(rows[rows.length - 1].seq);
  }
}

export function checkpointObjectKey(tenantId: string, treeSize: number) {
  return `tenants/${tenantId}/ledger/checkpoints/${String(treeSize).padStart(12, "0")}.json`;
}

/**
 * Where the C2SP signed note of a checkpoint lives: beside its JSON copy, the
 * same name ending in .note (tenants/<id>/ledger/checkpoints/<size>.note).
 */
export function noteObjectKey(checkpointObjectKey: string) {
  return checkpointObjectKey.replace(/\.json$/, ".note");
}

/** The tenant's log origin, `<host>/ledger/<tenant slug>`: the first line of its notes and the name of their key. */
export async function tenantOrigin(db: Executor, tenantId: string): Promise<string> {
  const tenant = await getTenant(db, tenantId);
  if (!tenant) throw new Error(`tenantOrigin: no tenant ${tenantId}`);
  return ledgerOrigin(originHost(getConfig()), tenant.slug);
}

/**
 * Signs the tenant's current tree head, unless the latest checkpoint already
 * covers every entry. With `due`, only when enough entries or time have passed.
 */
export async function writeCheckpoint(db: Executor, tenantId: string, opts: { due?: boolean } = {}): Promise<CheckpointRow | null> {
  const treeSize = await ledgerQueries.chainSize(db, tenantId);
  const previous = await latestCheckpoint(db, tenantId);
  if (treeSize === 0 || (previous && previous.treeSize >= treeSize)) return previous;
  if (opts.due && previous) {
    const age = Date.now() - Date.parse(previous.createdAt);
    if (treeSize - previous.treeSize < CHECKPOINT_EVERY_ENTRIES && age < CHECKPOINT_EVERY_MS) return previous;
  }
  // Resume from the previous checkpoint's frontier: only the new leaves are hashed.
  let builder = new MerkleBuilder();
  if (previous) {
    const frontier = await ledgerQueries.checkpointFrontier(db, tenantId, previous.treeSize);
    builder = MerkleBuilder.restore(
      previous.treeSize,
      (JSON.parse(frontier) as string[]).map((h) => Buffer.from(h, "hex")),
    );
  }
  for await (const batch of leafHashes(db, tenantId, treeSize, builder.size)) for (const leaf of batch) builder.push(leaf);
  const key = await registerCurrentKey(db);
  const signed = signCheckpoint(
    { v: 1, tenantId, treeSize, rootHash: builder.root().toString("hex"), createdAt: new Date().toISOString(), keyId: key.keyId },
    key.privateKeyPem,
  );
  const objectKey = checkpointObjectKey(tenantId, treeSize);
  await getObjectStore().put(objectKey, canonicalJson(signed), { contentType: "application/json" });
  const note = signCheckpointNote({ origin: await tenantOrigin(db, tenantId), treeSize, rootHash: builder.root() }, key.privateKeyPem);
  await getObjectStore().put(noteObjectKey(objectKey), note, { contentType: "text/plain; charset=utf-8" });
  const inserted = await ledgerQueries.insertCheckpoint(db, {
    ...signed,
    objectKey,
    frontier: JSON.stringify(builder.snapshot().frontier.map((b) => b.toString("hex"))),
  });
  if (!inserted) return latestCheckpoint(db, tenantId); // another process signed this size, or a larger one, first
  return { ...signed, objectKey };
}

/** The worker's ledger duty: seal what is queued, then sign checkpoints that are due. */
export async function maintainLedger(db: Executor): Promise<{ sealed: number; checkpoints: number }> {
  const sealed = await sealAll(db, { ifFree: true });
  const stale = await ledgerQueries.tenantsBehindCheckpoint(db);
  let checkpoints = 0;
  for (const { tenantId } of stale) {
    const before = await latestCheckpoint(db, tenantId);
    const after = await writeCheckpoint(db, tenantId, { due: true });
    if (after && after.treeSize !== before?.treeSize) checkpoints++;
  }
  return { sealed, checkpoints };
}
