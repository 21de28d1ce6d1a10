/**
 * Verifies a tenant's ledger against the database and the object store:
 *
 * - the chain: sequence numbers without gaps, each entry linking to the one
 *   before, each hash matching its contents (catches edited, deleted from the
 *   middle and swapped entries);
 * - the sources: each entry's record still equals the live audit event, sync
 *   execution, evidence record, campaign Sync Context, campaign decisions
 *   (rebuilt from the items), provisioning task or confirmation it covers (catches a source row edited with
 *   the triggers disabled);
 * - the evidence objects: each manifest equals its ledger record and each
 *   file's bytes still hash to the recorded SHA-256;
 * - the checkpoints: every signature verifies with a known key, every tree
 *   head matches the entries it covers, and no checkpoint covers more entries
 *   than remain (catches the newest entries deleted).
 *
 * Entries are streamed in seq order, so memory stays flat for millions.
 */
import { createHash } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import "server-only";
import postgres from "postgres";
import type { Executor } from "@/db/client";
import {
  chainSize,
  ledgerKeysWithStatements,
  liveAuditRecords,
  liveSyncRecords,
  sourcesWithoutEntries,
  storedCosignatures,
} from "@/db/queries/ledger";
import { getObjectStore } from "@/lib/storage";
import { getConfig } from "@/lib/config";
import { isUuid } from "@/lib/validation";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { listCheckpoints, noteObjectKey, tenantOrigin, type CheckpointRow } from "./chain";
import { GENESIS_HASH, type StoredEntry } from "./entry";
import { HashPool, type BatchResult } from "./hash-pool";
import { knownPublicKeys } from "./keys";
import { MerkleBuilder } from "./merkle";
import { verifyCheckpointSignature } from "./signing";
import { checkpointText, NoteError, openCheckpointNote, verifierKey } from "./note";
import { trustedPublicKeys } from "./rotation";
import { verifyCosignature } from "./cosignature";
import type { TrustFile } from "./trust";
import { fetchWitnessed } from "./witness-client";
import { loadCampaignDocuments, loadCompletionDocuments } from "@/lib/campaigns/record";
import { loadEvidenceDocuments } from "@/lib/evidence/record";
import { loadTaskRecords } from "@/lib/provisioning/record";

/** seq names the first bad entry; checkpoint the tree size of a bad checkpoint, when the fault is there. */
export type VerifyProblem = { seq?: number; checkpoint?: number; reason: string };
export type VerifyResult = {
  ok: boolean;
  tenantId: string;
  entries: number;
  checkpoint: { treeSize: number; keyId: string; createdAt: string } | null;
  filesChecked: number;
  problems: VerifyProblem[];
  durationMs: number;
};
export type VerifyOptions = {
  /** Compare entries with the live rows they record (default true). */
  sources?: boolean;
  /** Re-hash evidence files and manifests in the object store (default true). */
  files?: boolean;
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /**
   * The auditor's trust file. With it only the pinned log key and keys it
   * reaches through rotation statements count, every stored checkpoint copy is
   * checked, the latest checkpoint needs the quorum of cosignatures, and each
   * pinned witness is asked for the newest checkpoint it cosigned.
   */
  trust?: TrustFile;
};

const BATCH = 10_000;

export async function verifyTenantLedger(db: Executor, tenantId: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const started = Date.now();
  const problems: VerifyProblem[] = [];
  const checkpoints = await listCheckpoints(db, tenantId);
  const bySize = new Map(checkpoints.map((c) => [c.treeSize, c]));
  // For the progress figure only: the newest sequence number is one index probe, a count reads every entry.
  const totalEntries = await chainSize(db, tenantId);
  const builder = new MerkleBuilder();
  const trust = opts.trust ? await loadTrust(db, tenantId, opts.trust) : null;
  if (trust) problems.push(...trust.problems);
  const rootsAt = new Map<number, string>((trust?.witnessed ?? []).map((w) => [w.treeSize, ""]));
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let filesChecked = 0;

  // Batches are hashed on worker threads (a few in flight) and joined here in order.
  const pool = new HashPool();
  const inFlight: { lines: string[]; result: Promise<BatchResult> }[] = [];
  const settle = async () => {
    const { lines, result } = inFlight.shift()!;
    const r = await result;
    if (r.count === 0) return;
    if (r.firstSeq !== expected) {
      problems.push({
        seq: expected,
        reason:
          r.firstSeq > expected
            ? `entries ${expected}–${r.firstSeq - 1} are missing: the chain jumps from ${expected - 1} to ${r.firstSeq}`
            : `entry ${r.firstSeq} appears twice`,
      });
    } else if (r.firstPrevHash !== prevHash) {
      problems.push({ seq: r.firstSeq, reason: `entry ${r.firstSeq} does not link to entry ${r.firstSeq - 1} (its prev_hash differs)` });
    }
    problems.push(...r.problems);
    prevHash = r.lastHash;
    expected = r.lastSeq + 1;
    for (let i = 0; i < r.count; i++) {
      builder.push(r.leaves.subarray(i * 32, i * 32 + 32));
      if (rootsAt.has(builder.size)) rootsAt.set(builder.size, builder.root().toString("hex"));
      const cp = bySize.get(builder.size);
      if (cp && builder.root().toString("hex") !== cp.rootHash) {
        problems.push({
          seq: builder.size,
          checkpoint: cp.treeSize,
          reason: `the checkpoint of tree size ${cp.treeSize} does not match the entries up to ${builder.size}`,
        });
      }
    }
    count += r.count;
    if (opts.sources !== false || opts.files !== false) {
      const entries = lines.map((line) => parseLine(tenantId, line));
      if (opts.sources !== false) problems.push(...(await checkSources(db, tenantId, entries)));
      if (opts.files !== false) {
        const checked = await checkEvidenceObjects(entries);
        filesChecked += checked.files;
        problems.push(...checked.problems);
      }
    }
    await opts.onProgress?.(count, totalEntries);
  };
  try {
    for await (const lines of streamLines(tenantId)) {
      inFlight.push({ lines, result: pool.check(tenantId, lines) });
      if (inFlight.length >= 4) await settle();
    }
    while (inFlight.length) await settle();
  } finally {
    await pool.close();
  }

  const keys = trust?.keys ?? new Map((await knownPublicKeys(db)).map((k) => [k.keyId, k.publicKeyPem]));
  for (const cp of checkpoints) {
    const key = keys.get(cp.keyId);
    const { objectKey: _objectKey, ...signed } = cp;
    if (!key)
      problems.push({
        checkpoint: cp.treeSize,
        reason: trust
          ? `the checkpoint of tree size ${cp.treeSize} is signed with key ${cp.keyId}, which is neither the pinned log key nor reached from it by a rotation statement`
          : `the checkpoint of tree size ${cp.treeSize} names key ${cp.keyId}, which is not a known ledger key`,
      });
    else if (!verifyCheckpointSignature(signed, key)) {
      problems.push({
        checkpoint: cp.treeSize,
        reason: `the checkpoint of tree size ${cp.treeSize} has a signature that does not verify with key ${cp.keyId}`,
      });
    }
    if (cp.treeSize > count) {
      problems.push({
        seq: count + 1,
        checkpoint: cp.treeSize,
        reason: `the checkpoint of tree size ${cp.treeSize} covers ${cp.treeSize} entries but only ${count} remain: entries ${count + 1}–${cp.treeSize} were deleted`,
      });
    }
  }
  const latest = checkpoints.at(-1) ?? null;
  if (trust) {
    problems.push(...(await checkTrusted(db, tenantId, opts.trust!, trust, checkpoints, count, rootsAt)));
  } else if (latest) {
    const stored = await readObjectText(latest.objectKey);
    const { objectKey: _k, ...signed } = latest;
    if (stored === null) problems.push({ reason: `the checkpoint of tree size ${latest.treeSize} is missing from object storage` });
    else if (stored !== canonicalJson(signed)) {
      problems.push({ reason: `the checkpoint of tree size ${latest.treeSize} in object storage differs from the database` });
    }
  }

  if (opts.sources !== false) {
    for (const s of await sourcesWithoutEntries(db, tenantId)) {
      problems.push({
        reason: `the ${SOURCE_LABELS[s.kind] ?? s.kind} ${s.refId} has no ledger entry: its entry was deleted or never written`,
      });
    }
  }

  problems.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity) || (a.checkpoint ?? Infinity) - (b.checkpoint ?? Infinity));
  return {
    ok: problems.length === 0,
    tenantId,
    entries: count,
    checkpoint: latest ? { treeSize: latest.treeSize, keyId: latest.keyId, createdAt: latest.createdAt } : null,
    filesChecked,
    problems,
    durationMs: Date.now() - started,
  };
}

/** Each entry's record against the live row it covers. */
async function checkSources(db: Executor, tenantId: string, entries: StoredEntry[]): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  const byKind = (kind: StoredEntry["kind"]) => entries.filter((e) => e.kind === kind);
  const compare = (kindLabel: string, list: StoredEntry[], live: Map<string, unknown>) => {
    for (const e of list) {
      const current = live.get(e.refId);
      if (current === undefined)
        problems.push({ seq: e.seq, reason: `entry ${e.seq}: the ${kindLabel} it records (${e.refId}) no longer exists` });
      else if (canonicalJson(current) !== e.recordJson) {
        problems.push({ seq: e.seq, reason: `entry ${e.seq}: the ${kindLabel} ${e.refId} was changed after it was recorded` });
      }
    }
  };
  const audits = byKind("audit");
  if (audits.length) {
    const rows = await liveAuditRecords(
      db,
      tenantId,
      audits.map((e) => e.refId),
    );
    compare("audit event", audits, new Map(rows.map((r) => [r.id, r.record])));
  }
  const syncs = byKind("sync");
  if (syncs.length) {
    const rows = await liveSyncRecords(
      db,
      tenantId,
      syncs.map((e) => e.refId),
    );
    compare("sync execution", syncs, new Map(rows.map((r) => [r.id, r.record])));
  }
  const evidence = byKind("evidence");
  if (evidence.length) {
    const docs = await loadEvidenceDocuments(
      db,
      tenantId,
      evidence.map((e) => e.refId),
    );
    compare("evidence record", evidence, docs);
  }
  const campaignEntries = byKind("campaign");
  if (campaignEntries.length) {
    const docs = await loadCampaignDocuments(
      db,
      tenantId,
      campaignEntries.map((e) => e.refId),
    );
    compare("campaign's Sync Context", campaignEntries, docs);
  }
  const completions = byKind("campaign_completion");
  if (completions.length) {
    const docs = await loadCompletionDocuments(
      db,
      tenantId,
      completions.map((e) => e.refId),
    );
    compare("completed campaign's decisions", completions, docs);
  }
  const tasks = byKind("provisioning_task");
  if (tasks.length) {
    const docs = await loadTaskRecords(
      db,
      tenantId,
      tasks.map((e) => e.refId),
      "task",
    );
    compare("provisioning task", tasks, docs);
  }
  const confirmations = byKind("provisioning_confirmation");
  if (confirmations.length) {
    const docs = await loadTaskRecords(
      db,
      tenantId,
      confirmations.map((e) => e.refId),
      "confirmation",
    );
    compare("provisioning task's confirmation", confirmations, docs);
  }
  return problems;
}

/** Manifests and file bytes of the evidence entries in a batch. */
async function checkEvidenceObjects(entries: StoredEntry[]): Promise<{ files: number; problems: VerifyProblem[] }> {
  const problems: VerifyProblem[] = [];
  let files = 0;
  for (const e of entries) {
    if (e.kind !== "evidence") continue;
    let record: { manifestKey?: string; files?: { name: string; objectKey: string; sha256: string }[] };
    try {
      record = JSON.parse(e.recordJson);
    } catch {
      problems.push({ seq: e.seq, reason: `entry ${e.seq}: its record is not valid JSON` });
      continue;
    }
    if (record.manifestKey) {
      const manifest = await readObjectText(record.manifestKey);
      if (manifest === null) problems.push({ seq: e.seq, reason: `entry ${e.seq}: the evidence manifest is missing from object storage` });
      else if (manifest !== e.recordJson)
        problems.push({ seq: e.seq, reason: `entry ${e.seq}: the evidence manifest in object storage was edited` });
    }
    for (const f of record.files ?? []) {
      files++;
      const actual = await hashObject(f.objectKey);
      if (actual === null) problems.push({ seq: e.seq, reason: `entry ${e.seq}: file "${f.name}" is missing from object storage` });
      else if (actual !== f.sha256)
        problems.push({ seq: e.seq, reason: `entry ${e.seq}: file "${f.name}" changed: its bytes no longer hash to the recorded SHA-256` });
    }
  }
  return { files, problems };
}

/** An object's bytes as UTF-8 text; null when the object is gone. */
export async function readObjectText(key: string): Promise<string | null> {
  return missingAsNull(async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of await getObjectStore().get(key)) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString("utf8");
  });
}

/** SHA-256 of an object's bytes, streamed; null when the object is gone. */
export async function hashObject(key: string): Promise<string | null> {
  return missingAsNull(async () => {
    const hash = createHash("sha256");
    for await (const chunk of await getObjectStore().get(key)) hash.update(chunk);
    return hash.digest("hex");
  });
}

async function missingAsNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("not_found")) return null;
    throw error;
  }
}

/**
 * The tenant's entries in seq order, in batches, read with COPY … TO STDOUT:
 * raw tab-separated lines instead of one JS object per row, which halves the
 * cost of reading a million entries. The COPY runs on a connection of its own
 * that is closed afterwards: postgres.js can leave a connection that finished
 * a COPY with its socket paused, and such a connection must not go back to the pool.
 */
async function* streamLines(tenantId: string): AsyncGenerator<string[]> {
  if (!isUuid(tenantId)) throw new Error("verifyTenantLedger: tenantId must be a uuid");
  const url = getConfig().DATABASE_URL;
  if (!url) throw new Error("verifyTenantLedger: DATABASE_URL is not set");
  const connection = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const stream = await connection
      .unsafe(
        `copy (select seq, kind, ref_id, created_at, prev_hash, hash, record from ledger_entries where tenant_id = '${tenantId}' order by seq) to stdout`,
      )
      .readable();
    const decoder = new StringDecoder("utf8");
    let rest = "";
    let batch: string[] = [];
    for await (const chunk of stream) {
      const lines = (rest + decoder.write(chunk)).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) batch.push(line);
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  } finally {
    await connection.end({ timeout: 0 });
  }
}

/** One COPY line as a stored entry. */
function parseLine(tenantId: string, line: string): StoredEntry {
  const f = line.split("\t");
  return {
    tenantId,
    seq: Number(f[0]),
    kind: f[1] as StoredEntry["kind"],
    refId: copyUnescape(f[2]),
    createdAt: copyUnescape(f[3]),
    prevHash: f[4],
    hash: f[5],
    recordJson: copyUnescape(f[6]),
  };
}

/** COPY's text format escapes backslashes and control characters; canonical JSON has no raw control characters. */
function copyUnescape(field: string): string {
  if (!field.includes("\\")) return field;
  return field.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : c));
}

const SOURCE_LABELS: Record<string, string> = {
  audit: "audit event",
  sync: "finished sync",
  evidence: "evidence record",
  campaign: "campaign",
  provisioning_task: "provisioning task",
};

type WitnessedCheckpoint = { witness: string; treeSize: number; rootHash: string };
type LoadedTrust = {
  /** Key id → PEM: the pinned key and the keys its rotation statements reach. */
  keys: Map<string, string>;
  /** The same keys as note verifier keys under the log's origin. */
  verifierKeys: string[];
  witnessed: WitnessedCheckpoint[];
  problems: VerifyProblem[];
};

/** The keys the trust file lets through, and what each pinned witness last cosigned. */
async function loadTrust(db: Executor, tenantId: string, trust: TrustFile): Promise<LoadedTrust> {
  const problems: VerifyProblem[] = [];
  const origin = await tenantOrigin(db, tenantId);
  if (origin !== trust.origin) {
    problems.push({ reason: `the trust file is for the log ${trust.origin}, but this tenant's log is ${origin}` });
  }
  const keys = trustedPublicKeys(trust.logPublicKeyPem, await ledgerKeysWithStatements(db));
  const verifierKeys = [...keys.values()].map((pem) => verifierKey(trust.origin, pem));
  const seen: WitnessedCheckpoint[] = [];
  await Promise.all(
    trust.witnesses.map(async (w) => {
      let witnessed: Awaited<ReturnType<typeof fetchWitnessed>>;
      try {
        // The witness's own cosignature must verify with its pinned key.
        witnessed = await fetchWitnessed(w.url, trust.origin, w.key);
      } catch (e) {
        problems.push({
          reason: `witness ${w.name} (${w.url}) could not be asked for the newest checkpoint it cosigned: ${(e as Error).message}`,
        });
        return;
      }
      if (witnessed === null) return; // the witness has never cosigned this log
      let cp: { treeSize: number; rootHash: Buffer };
      try {
        cp = openWithAny(witnessed.note, verifierKeys);
      } catch (e) {
        problems.push({ reason: `witness ${w.name} holds a checkpoint that the pinned log key did not sign (${(e as Error).message})` });
        return;
      }
      seen.push({ witness: w.name, treeSize: cp.treeSize, rootHash: cp.rootHash.toString("hex") });
    }),
  );
  return { keys, verifierKeys, witnessed: seen, problems };
}

function openWithAny(note: string, verifierKeys: string[]) {
  let last: unknown = new NoteError("no pinned key");
  for (const vkey of verifierKeys) {
    try {
      return openCheckpointNote(note, vkey);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/**
 * What only a verifier holding a trust file can check: every checkpoint copy
 * in the object store against its row and the pinned key, no orphans, sizes
 * and times that only grow, the cosignatures, and the witnesses' view.
 */
async function checkTrusted(
  db: Executor,
  tenantId: string,
  file: TrustFile,
  trust: LoadedTrust,
  checkpoints: CheckpointRow[],
  count: number,
  rootsAt: Map<number, string>,
): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  const prefix = `tenants/${tenantId}/ledger/checkpoints/`;
  const listed = new Set<string>();
  for await (const o of getObjectStore().list(prefix)) listed.add(o.key);
  const expected = new Set<string>();
  let previous: CheckpointRow | null = null;
  for (const cp of checkpoints) {
    const at = { checkpoint: cp.treeSize };
    const { objectKey, ...signed } = cp;
    const noteKey = noteObjectKey(objectKey);
    expected.add(objectKey).add(noteKey);
    if (previous && cp.createdAt < previous.createdAt) {
      problems.push({
        ...at,
        reason: `the checkpoint of tree size ${cp.treeSize} was signed at ${cp.createdAt}, before the smaller checkpoint of tree size ${previous.treeSize} (${previous.createdAt})`,
      });
    }
    previous = cp;
    const json = listed.has(objectKey) ? await readObjectText(objectKey) : null;
    if (json === null)
      problems.push({ ...at, reason: `the checkpoint of tree size ${cp.treeSize} is missing from object storage (${objectKey})` });
    else if (json !== canonicalJson(signed))
      problems.push({
        ...at,
        reason: `the checkpoint of tree size ${cp.treeSize} in object storage differs from the database (${objectKey})`,
      });
    const note = listed.has(noteKey) ? await readObjectText(noteKey) : null;
    if (note === null) {
      problems.push({ ...at, reason: `the signed note of checkpoint ${cp.treeSize} is missing from object storage (${noteKey})` });
      continue;
    }
    try {
      const opened = openWithAny(note, trust.verifierKeys);
      if (opened.treeSize !== cp.treeSize || opened.rootHash.toString("hex") !== cp.rootHash) {
        problems.push({
          ...at,
          reason: `the signed note of checkpoint ${cp.treeSize} names another tree head (size ${opened.treeSize}) than the database`,
        });
      }
    } catch (e) {
      problems.push({
        ...at,
        reason: `the signed note of checkpoint ${cp.treeSize} does not verify with the pinned key (${(e as Error).message})`,
      });
    }
  }
  for (const key of listed) {
    if (expected.has(key)) continue;
    const size = /(\d+)\.(json|note)$/.exec(key);
    problems.push({
      checkpoint: size ? Number(size[1]) : undefined,
      reason: `${key} is an orphan: no checkpoint in the database${size ? ` has tree size ${Number(size[1])}` : " matches it"}`,
    });
  }

  // Cosignatures: each must be a pinned witness's signature over the checkpoint of its size.
  const bySize = new Map(checkpoints.map((c) => [c.treeSize, c]));
  const pinned = new Map(file.witnesses.map((w) => [w.key, w]));
  const cosignedLatest = new Set<string>();
  const cosignedSizes = new Set<number>();
  const latest = checkpoints.at(-1);
  for (const row of await storedCosignatures(db, tenantId)) {
    const w = pinned.get(row.witnessKey);
    if (!w) continue;
    const cp = bySize.get(row.treeSize);
    if (!cp) {
      problems.push({
        checkpoint: row.treeSize,
        reason: `witness ${w.name} cosigned a checkpoint of tree size ${row.treeSize}, which is no longer in the database`,
      });
      continue;
    }
    const body = checkpointText({ origin: file.origin, treeSize: cp.treeSize, rootHash: Buffer.from(cp.rootHash, "hex") });
    if (!verifyCosignature(w.key, body, row.signature)) {
      problems.push({
        checkpoint: cp.treeSize,
        reason: `the checkpoint of tree size ${cp.treeSize} is not the one witness ${w.name} cosigned: its cosignature does not verify`,
      });
    } else {
      cosignedSizes.add(cp.treeSize);
      if (cp === latest) cosignedLatest.add(w.key);
    }
  }
  if (latest && cosignedLatest.size < file.quorum) {
    problems.push({
      checkpoint: latest.treeSize,
      reason: `the latest checkpoint (tree size ${latest.treeSize}) has ${cosignedLatest.size} valid cosignature(s) from pinned witnesses; the trust file requires ${file.quorum}`,
    });
  }

  // The witnesses' own record: the ledger must reach as far, with the same root.
  for (const w of trust.witnessed) {
    if (w.treeSize > count) {
      // Entries after the last checkpoint a witness vouched for may have been replaced as well as cut.
      const lastGood = Math.max(0, ...[...cosignedSizes].filter((size) => size <= count));
      problems.push({
        seq: lastGood + 1,
        checkpoint: w.treeSize,
        reason:
          `witness ${w.witness} cosigned a tree of ${w.treeSize} entries, but the ledger holds only ${count}: entries were removed` +
          (lastGood < count ? `, and those after ${lastGood}, the last witnessed checkpoint, are not the ones the witness saw` : ""),
      });
    } else if (rootsAt.get(w.treeSize) !== w.rootHash) {
      problems.push({
        checkpoint: w.treeSize,
        reason: `the ledger's first ${w.treeSize} entries are not the tree witness ${w.witness} cosigned at that size: history was rewritten`,
      });
    }
  }
  return problems;
}
