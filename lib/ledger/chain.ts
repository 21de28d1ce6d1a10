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
import { StringDecoder } from "node:string_decoder";
import postgres from "postgres";
import type { Executor } from "@/db/client";
import * as ledgerQueries from "@/db/queries/ledger";
import { fixLedgerOrigin, getTenant } from "@/db/queries/tenants";
import { getConfig } from "@/lib/config";
import { isUuid } from "@/lib/validation";
import { getObjectStore } from "@/lib/storage";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { entryHash, GENESIS_HASH, type LedgerEntry, type StoredEntry } from "./entry";
import { recordAuditEvent } from "@/lib/audit/service";
import { systemContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { ledgerKeyRecords, registerCurrentKey, type SigningKey } from "./keys";
import { leafHash, MerkleBuilder } from "./merkle";
import { ledgerOrigin, openCheckpointNote, originHost, signCheckpointNote, verifierKey } from "./note";
import { parseRotationStatement, trustedPublicKeys, verifyRotationStatement } from "./rotation";
import { keyIdOf, signCheckpoint, verifyCheckpointSignature, type SignedCheckpoint } from "./signing";
import { storeSubtrees } from "./subtrees";
import { witnessInBackground } from "./witnessing";

export const LEDGER_QUEUED_CHANNEL = "ledger_queued";
const SEAL_BATCH = 2000;
/** The most one maintainLedger round seals for a tenant; the worker starts the next round at once when there is more. */
const SEAL_PER_ROUND = 4 * SEAL_BATCH;
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
export async function sealTenant(db: Executor, tenantId: string, opts: { ifFree?: boolean; limit?: number } = {}): Promise<number> {
  let sealed = 0;
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  while (sealed < limit) {
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
  return sealed;
}

/** Seals every tenant that has something queued; `backlog` when one of them had more than `limit`. */
export async function sealAll(db: Executor, opts: { ifFree?: boolean; limit?: number } = {}) {
  const tenants = await ledgerQueries.tenantsWithQueuedRecords(db);
  let sealed = 0;
  let backlog = false;
  for (const { tenantId } of tenants) {
    const n = await sealTenant(db, tenantId, opts);
    sealed += n;
    if (opts.limit !== undefined && n >= opts.limit) backlog = true;
  }
  return { sealed, backlog };
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

/**
 * The tenant's log origin, `<host>/ledger/<tenant slug>`: the first line of its
 * notes and the name of their key. Fixed (stored on the tenant) when the first
 * checkpoint is signed (`fix`); until then it follows the configured host and
 * the slug.
 */
export async function tenantOrigin(db: Executor, tenantId: string, opts: { fix?: boolean } = {}): Promise<string> {
  const tenant = await getTenant(db, tenantId);
  if (!tenant) throw new Error(`tenantOrigin: no tenant ${tenantId}`);
  if (tenant.ledgerOrigin) return tenant.ledgerOrigin;
  const origin = ledgerOrigin(originHost(getConfig()), tenant.slug);
  return opts.fix ? ((await fixLedgerOrigin(db, tenantId, origin)) ?? origin) : origin;
}

/**
 * What this process last signed or verified for a tenant: the one thing an
 * operator with the database cannot rewrite. The next checkpoint is signed
 * only if the stored history still extends it.
 */
type SignedState = { treeSize: number; rootHash: string; frontier: Buffer[]; lastHash: string };
// On globalThis, so that every bundle of the app that loads this module (Next.js may load it more than once) shares one memory.
const sealerMemory = globalThis as unknown as {
  __syncledgerSigned?: Map<string, SignedState>;
  __syncledgerHalted?: Map<string, IntegrityFinding>;
};
sealerMemory.__syncledgerSigned ??= new Map();
sealerMemory.__syncledgerHalted ??= new Map();
const signedStates = sealerMemory.__syncledgerSigned;
/** Tenants this process found tampered with: it signs nothing more for them, whatever the flag row says. */
const halted = sealerMemory.__syncledgerHalted;

export type IntegrityFinding = { firstBadSeq: number | null; firstBadCheckpoint: number | null; reason: string };

class IntegrityFailure extends Error {
  constructor(readonly finding: IntegrityFinding) {
    super(finding.reason);
  }
}

const fail = (finding: IntegrityFinding): never => {
  throw new IntegrityFailure(finding);
};

/**
 * Signs the tenant's current tree head, unless the latest checkpoint already
 * covers every entry. With `due`, only when enough entries or time have passed.
 *
 * Before signing, the sealer checks that what it is about to sign extends
 * what it signed before, from data it holds itself: the previous checkpoint's
 * signatures (JSON and note) against its own key or the keys its rotation
 * statements link it to, the root and last entry hash it remembers (or, the
 * first time in this process, the root rebuilt from every leaf), the links of
 * the new entries to that hash and each new entry's recomputed hash. If any of
 * it fails the tenant is flagged and nothing is signed (integrityFailed).
 */
export async function writeCheckpoint(db: Executor, tenantId: string, opts: { due?: boolean } = {}): Promise<CheckpointRow | null> {
  const stopped = halted.get(tenantId) ?? (await ledgerQueries.integrityFailure(db, tenantId));
  if (stopped) throw refusal(stopped);
  const treeSize = await ledgerQueries.chainSize(db, tenantId);
  const previous = await latestCheckpoint(db, tenantId);
  if (treeSize === 0 || (previous && previous.treeSize >= treeSize)) return previous;
  if (opts.due && previous) {
    const age = Date.now() - Date.parse(previous.createdAt);
    if (treeSize - previous.treeSize < CHECKPOINT_EVERY_ENTRIES && age < CHECKPOINT_EVERY_MS) return previous;
  }
  const key = await registerCurrentKey(db);
  let builder: MerkleBuilder;
  let lastHash: string;
  try {
    ({ builder, lastHash } = await verifiedBase(db, tenantId, previous, key));
    lastHash = await extendVerified(db, tenantId, builder, lastHash, treeSize);
  } catch (e) {
    if (e instanceof IntegrityFailure) throw await integrityFailed(db, tenantId, await diagnose(db, tenantId, e.finding));
    throw e;
  }
  const rootHash = builder.root().toString("hex");
  const signed = signCheckpoint(
    { v: 1, tenantId, treeSize, rootHash, createdAt: new Date().toISOString(), keyId: key.keyId },
    key.privateKeyPem,
  );
  const objectKey = checkpointObjectKey(tenantId, treeSize);
  await getObjectStore().put(objectKey, canonicalJson(signed), { contentType: "application/json" });
  const origin = await tenantOrigin(db, tenantId, { fix: true });
  const note = signCheckpointNote({ origin, treeSize, rootHash: builder.root() }, key.privateKeyPem);
  await getObjectStore().put(noteObjectKey(objectKey), note, { contentType: "text/plain; charset=utf-8" });
  const frontier = builder.snapshot().frontier;
  const inserted = await ledgerQueries.insertCheckpoint(db, {
    ...signed,
    objectKey,
    frontier: JSON.stringify(frontier.map((b) => b.toString("hex"))),
  });
  if (!inserted) return latestCheckpoint(db, tenantId); // another process signed this size, or a larger one, first
  remember(tenantId, { treeSize, rootHash, frontier, lastHash });
  return { ...signed, objectKey };
}

function remember(tenantId: string, state: SignedState) {
  const known = signedStates.get(tenantId);
  if (!known || known.treeSize <= state.treeSize) signedStates.set(tenantId, state);
}

/**
 * The keys whose signatures this sealer accepts on earlier checkpoints: its
 * own, the chain of predecessors its rotation statements name (each statement
 * checked with the key it names as old, whose id is the hash of its bytes),
 * and keys its own key handed over to. A key merely present in ledger_keys
 * counts for nothing.
 */
async function acceptedKeys(db: Executor, key: SigningKey): Promise<Map<string, string>> {
  const rows = await ledgerKeyRecords(db);
  const accepted = trustedPublicKeys(key.publicKeyPem, rows);
  for (let id: string | null = key.keyId; id; ) {
    const row = rows.find((r) => r.keyId === id);
    if (!row?.rotationStatement || !row.rotationSignature) break;
    let oldKeyId: string;
    try {
      oldKeyId = parseRotationStatement(row.rotationStatement).oldKeyId;
    } catch {
      break;
    }
    const old = rows.find((r) => r.keyId === oldKeyId);
    if (!old || accepted.has(oldKeyId) || keyIdOf(old.publicKeyPem) !== oldKeyId) break;
    const statement = verifyRotationStatement(row.rotationStatement, row.rotationSignature, old.publicKeyPem);
    if (statement?.newKeyId !== row.keyId) break;
    accepted.set(oldKeyId, old.publicKeyPem);
    id = oldKeyId;
  }
  return accepted;
}

/** Throws unless the stored checkpoint carries valid signatures, JSON and note, by a key this sealer accepts. */
async function checkSignatures(tenantId: string, cp: CheckpointRow, keys: Map<string, string>) {
  const pem = keys.get(cp.keyId);
  const bad = (why: string) => fail({ firstBadSeq: null, firstBadCheckpoint: cp.treeSize, reason: `checkpoint ${cp.treeSize} ${why}` });
  if (!pem) bad(`is signed by key ${cp.keyId}, which is not this sealer's key nor linked to it by a rotation statement`);
  if (!verifyCheckpointSignature(cp, pem!)) bad(`has a signature that does not verify with key ${cp.keyId}`);
  // Only a missing object counts as missing: an object store that is down is retried, not flagged.
  const note = await getObjectStore()
    .get(noteObjectKey(cp.objectKey))
    .then(streamText)
    .catch((e: { code?: string }) => {
      if (e.code?.startsWith("not_found")) return null;
      throw e;
    });
  // Checkpoints signed before notes existed have none; their JSON signature above is the same key over the same head.
  if (note === null) {
    log.warn({ tenantId, treeSize: cp.treeSize }, "ledger checkpoint has no signed note; its JSON signature was checked");
    return;
  }
  try {
    // The note is named after the origin it was signed under, which follows the tenant's slug at that time.
    const origin = note.slice(0, note.indexOf("\n"));
    const opened = openCheckpointNote(note, verifierKey(origin, pem!));
    if (opened.treeSize !== cp.treeSize || opened.rootHash.toString("hex") !== cp.rootHash) bad("has a note for another tree head");
  } catch (e) {
    if (e instanceof IntegrityFailure) throw e;
    bad(`has a note that does not verify (${e instanceof Error ? e.message : e})`);
  }
}

async function streamText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The tree this sealer may extend: the previous checkpoint, checked against
 * what this process remembers signing, or (the first time) against every leaf
 * rebuilt from the start.
 */
async function verifiedBase(
  db: Executor,
  tenantId: string,
  previous: CheckpointRow | null,
  key: SigningKey,
): Promise<{ builder: MerkleBuilder; lastHash: string }> {
  const known = signedStates.get(tenantId);
  if (!previous) {
    if (known)
      fail({
        firstBadSeq: null,
        firstBadCheckpoint: known.treeSize,
        reason: `checkpoint ${known.treeSize}, signed by this sealer, is gone`,
      });
    return { builder: new MerkleBuilder(), lastHash: GENESIS_HASH };
  }
  const keys = await acceptedKeys(db, key);
  await checkSignatures(tenantId, previous, keys);
  if (!known) {
    const rebuilt = await rebuild(db, tenantId, previous, keys);
    remember(tenantId, {
      treeSize: previous.treeSize,
      rootHash: previous.rootHash,
      frontier: rebuilt.builder.snapshot().frontier,
      lastHash: rebuilt.lastHash,
    });
    return rebuilt;
  }
  if (previous.treeSize < known.treeSize) {
    fail({
      firstBadSeq: null,
      firstBadCheckpoint: known.treeSize,
      reason: `checkpoint ${known.treeSize}, signed by this sealer, is gone: the newest stored checkpoint is ${previous.treeSize}`,
    });
  }
  if (previous.treeSize === known.treeSize && previous.rootHash !== known.rootHash) {
    fail({
      firstBadSeq: null,
      firstBadCheckpoint: previous.treeSize,
      reason: `checkpoint ${previous.treeSize} has a root this sealer did not sign`,
    });
  }
  const builder = MerkleBuilder.restore(known.treeSize, known.frontier);
  // Another process signed further: its checkpoint must extend what this one remembers.
  const lastHash = await extendVerified(db, tenantId, builder, known.lastHash, previous.treeSize);
  if (builder.root().toString("hex") !== previous.rootHash) {
    fail({
      firstBadSeq: null,
      firstBadCheckpoint: previous.treeSize,
      reason: `checkpoint ${previous.treeSize} does not extend checkpoint ${known.treeSize} that this sealer signed`,
    });
  }
  remember(tenantId, { treeSize: previous.treeSize, rootHash: previous.rootHash, frontier: builder.snapshot().frontier, lastHash });
  return { builder, lastHash };
}

/**
 * Rebuilds the tree from every leaf (once per tenant and process), checking
 * each entry's link to the one before and each signed checkpoint's root on the
 * way, so the first checkpoint the stored entries no longer match is named.
 */
async function rebuild(db: Executor, tenantId: string, previous: CheckpointRow, keys: Map<string, string>) {
  const checkpoints = (await listCheckpoints(db, tenantId)).filter((c) => c.treeSize <= previous.treeSize);
  let next = 0;
  let verifiedUpTo = 0;
  const builder = new MerkleBuilder();
  let lastHash = GENESIS_HASH;
  for await (const lines of entryLinkLines(tenantId, previous.treeSize)) {
    for (const line of lines) {
      const [seqText, prevHash, hash] = line.split("\t");
      const seq = Number(seqText);
      if (seq !== builder.size + 1)
        fail({ firstBadSeq: builder.size + 1, firstBadCheckpoint: null, reason: `entry ${builder.size + 1} is missing` });
      if (prevHash !== lastHash)
        fail({ firstBadSeq: seq, firstBadCheckpoint: null, reason: `entry ${seq} does not link to entry ${seq - 1}` });
      builder.push(leafHash(hash));
      lastHash = hash;
      while (next < checkpoints.length && checkpoints[next].treeSize === seq) {
        const cp = checkpoints[next++];
        const pem = keys.get(cp.keyId);
        const signedOk = pem !== undefined && verifyCheckpointSignature(cp, pem);
        if (signedOk && cp.rootHash !== builder.root().toString("hex")) {
          fail({
            firstBadSeq: null,
            firstBadCheckpoint: cp.treeSize,
            reason: `the stored entries no longer match checkpoint ${cp.treeSize}: the change lies in entries ${verifiedUpTo + 1} to ${cp.treeSize}`,
          });
        }
        if (signedOk) verifiedUpTo = cp.treeSize;
      }
    }
  }
  if (builder.size !== previous.treeSize) {
    fail({ firstBadSeq: builder.size + 1, firstBadCheckpoint: null, reason: `entry ${builder.size + 1} is missing` });
  }
  if (builder.root().toString("hex") !== previous.rootHash) {
    fail({
      firstBadSeq: null,
      firstBadCheckpoint: previous.treeSize,
      reason: `the stored entries no longer match checkpoint ${previous.treeSize}`,
    });
  }
  return { builder, lastHash };
}

/**
 * After a mismatch against what this process remembers, the same walk over
 * every leaf names the first signed checkpoint the stored entries no longer
 * match, which is closer to the change than the entry where it was noticed.
 */
async function diagnose(db: Executor, tenantId: string, finding: IntegrityFinding): Promise<IntegrityFinding> {
  try {
    const previous = await latestCheckpoint(db, tenantId);
    if (!previous) return finding;
    await rebuild(db, tenantId, previous, await acceptedKeys(db, await registerCurrentKey(db)));
  } catch (e) {
    if (e instanceof IntegrityFailure) {
      const earlier = e.finding.firstBadCheckpoint ?? e.finding.firstBadSeq ?? Infinity;
      const noticed = finding.firstBadCheckpoint ?? finding.firstBadSeq ?? Infinity;
      return earlier <= noticed ? e.finding : finding;
    }
  }
  return finding;
}

/**
 * `seq \t prev_hash \t hash` of the tenant's first `upTo` entries, in batches,
 * read with COPY: a million rows as text lines cost a fraction of a million
 * row objects. On a connection of its own, closed afterwards (see streamLines
 * in verify.ts for why a COPY connection must not go back to the pool).
 */
async function* entryLinkLines(tenantId: string, upTo: number): AsyncGenerator<string[]> {
  if (!isUuid(tenantId) || !Number.isSafeInteger(upTo)) throw new Error("entryLinkLines: bad tenant id or size");
  const url = getConfig().DATABASE_URL;
  if (!url) throw new Error("entryLinkLines: DATABASE_URL is not set");
  const connection = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const stream = await connection
      .unsafe(
        `copy (select seq, prev_hash, hash from ledger_entries where tenant_id = '${tenantId}' and seq <= ${upTo} order by seq) to stdout`,
      )
      .readable();
    const decoder = new StringDecoder("utf8");
    let rest = "";
    for await (const chunk of stream) {
      const lines = (rest + decoder.write(chunk)).split("\n");
      rest = lines.pop() ?? "";
      if (lines.length) yield lines;
    }
    if (rest) yield [rest];
  } finally {
    await connection.end({ timeout: 0 });
  }
}

/** Pushes entries builder.size+1 … upTo, each linked to the one before and with a hash that recomputes; returns the last hash. */
async function extendVerified(db: Executor, tenantId: string, builder: MerkleBuilder, lastHash: string, upTo: number): Promise<string> {
  while (builder.size < upTo) {
    const rows = await ledgerQueries.entriesBetween(db, tenantId, builder.size, upTo, 5000);
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== builder.size + 1)
        fail({ firstBadSeq: builder.size + 1, firstBadCheckpoint: null, reason: `entry ${builder.size + 1} is missing` });
      if (row.prevHash !== lastHash) {
        fail({
          firstBadSeq: seq,
          firstBadCheckpoint: null,
          reason: `entry ${seq} does not link to entry ${seq - 1} as this sealer signed it: entries up to ${seq - 1} were changed or removed`,
        });
      }
      let recomputed: string | null;
      try {
        recomputed = entryHash(toEntry(row));
      } catch {
        recomputed = null;
      }
      if (recomputed !== row.hash)
        fail({ firstBadSeq: seq, firstBadCheckpoint: null, reason: `entry ${seq}'s hash does not match its contents` });
      builder.push(leafHash(row.hash));
      lastHash = row.hash;
    }
  }
  if (builder.size !== upTo)
    fail({ firstBadSeq: builder.size + 1, firstBadCheckpoint: null, reason: `entry ${builder.size + 1} is missing` });
  return lastHash;
}

/**
 * The sealer will not sign this tenant's ledger again: the stored history no
 * longer extends what it signed. Flags the tenant (read by /api/health and the
 * Ledger page), records one audit event, logs, and returns the error to throw.
 * Appends still queue and seal; only signing stops.
 */
async function integrityFailed(db: Executor, tenantId: string, finding: IntegrityFinding): Promise<AppError> {
  halted.set(tenantId, finding);
  log.error({ tenantId, ...finding }, `LEDGER INTEGRITY FAILURE: not signing tenant ${tenantId}'s ledger: ${finding.reason}`);
  await db.transaction(async (tx) => {
    if (!(await ledgerQueries.flagIntegrityFailure(tx, { tenantId, ...finding }))) return;
    await recordAuditEvent(tx, systemContext(tenantId, "system:ledger-sealer"), {
      entityType: "Ledger",
      action: "IntegrityFailure",
      entityName: "Ledger",
      details: `Signing stopped: ${finding.reason}`,
    });
  });
  return refusal(finding);
}

function refusal(finding: IntegrityFinding): AppError {
  return new AppError(
    "unavailable:ledger_integrity",
    `The ledger is not being signed: the stored history no longer matches what was signed (${finding.reason}).`,
  );
}

/** Forgets what this process signed: for tests that simulate a sealer restart. */
export function forgetSignedStates() {
  signedStates.clear();
  halted.clear();
}

/** The worker's ledger duty: seal what is queued, then sign checkpoints that are due. */
export async function maintainLedger(db: Executor): Promise<{ sealed: number; checkpoints: number; backlog: boolean }> {
  // A round seals at most SEAL_PER_ROUND entries per tenant before it checkpoints, so that a
  // tenant writing without pause still gets its checkpoints (and their cosignatures) on time.
  const { sealed, backlog } = await sealAll(db, { ifFree: true, limit: SEAL_PER_ROUND });
  const stale = await ledgerQueries.tenantsBehindCheckpoint(db);
  let checkpoints = 0;
  for (const { tenantId } of stale) {
    const before = await latestCheckpoint(db, tenantId);
    try {
      const after = await writeCheckpoint(db, tenantId, { due: true });
      if (after && after.treeSize !== before?.treeSize) checkpoints++;
      if (after) await storeSubtrees(db, tenantId, after.treeSize);
    } catch (e) {
      // One tenant's refusal (logged where it was found) must not hold back the others.
      if (!(e instanceof AppError && e.kind === "unavailable")) throw e;
    }
  }
  witnessInBackground(db);
  return { sealed, checkpoints, backlog };
}
