/**
 * The ledger as users and API clients see it: the overview, verification
 * (whole tenant, or one evidence record for its badge) and offline proof
 * bundles. Every entry point checks the caller's tenant and permission.
 */
import "server-only";
import { sha256Hex } from "@/lib/crypto/hash";
import { getDb } from "@/db/client";
import * as ledgerQueries from "@/db/queries/ledger";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { loadEvidenceDocuments } from "@/lib/evidence/record";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { z } from "zod";
import { getObjectStore } from "@/lib/storage";
import { parseInput } from "@/lib/validation";
import { latestCheckpoint, noteObjectKey, sealTenant, tenantOrigin, toEntry, writeCheckpoint, type CheckpointRow } from "./chain";
import { entryHash, type LedgerEntry } from "./entry";
import { currentSigningKey, knownPublicKeys } from "./keys";
import { leafHash, verifyInclusion } from "./merkle";
import { NoteError, openCheckpointNote, parseCheckpointText, signCheckpointNote, verifierKey } from "./note";
import { PROOF_BUNDLE_FORMAT, verifyBundle, type ProofBundle } from "./bundle";
import { storedConsistencyProof, storedInclusionProof, storedProofs } from "./subtrees";
import { verifyCheckpointSignature } from "./signing";
import { formatTrustFile, parseTrustFile, TrustFileError, type TrustFile } from "./trust";
import { witnessesConfig } from "./witnessing";
import { hashObject, readObjectText, verifyTenantLedger, type VerifyOptions, type VerifyResult } from "./verify";

/** Why a tenant's ledger is not being signed. */
export type LedgerIntegrityAlert = {
  /** "Entry 12" or "Checkpoint 20": the first bad one. */
  subject: string;
  reason: string;
  detectedAt: string;
};

/**
 * Why the tenant's ledger is not being signed, naming the first bad entry or
 * checkpoint; null while it is. For the Ledger page and the app shell's banner.
 */
export async function ledgerIntegrityAlert(ctx: ServiceContext): Promise<LedgerIntegrityAlert | null> {
  authorize(ctx, "ledger:read");
  const failure = await ledgerQueries.integrityFailure(getDb(), ctx.tenantId);
  if (!failure) return null;
  const subject =
    failure.firstBadSeq !== null
      ? `Entry ${failure.firstBadSeq}`
      : failure.firstBadCheckpoint !== null
        ? `Checkpoint ${failure.firstBadCheckpoint}`
        : "The ledger";
  return { subject, reason: failure.reason, detectedAt: new Date(failure.detectedAt).toISOString() };
}

export async function ledgerOverview(ctx: ServiceContext) {
  authorize(ctx, "ledger:read");
  const db = getDb();
  const counts = await ledgerQueries.ledgerCounts(db, ctx.tenantId);
  const checkpoint = await latestCheckpoint(db, ctx.tenantId);
  return {
    entries: counts.entries,
    pending: counts.pending,
    integrity: await ledgerIntegrityAlert(ctx),
    checkpoint: checkpoint && {
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash,
      keyId: checkpoint.keyId,
      createdAt: checkpoint.createdAt,
    },
  };
}

const verifyInputSchema = z.object({
  trust: z
    .string()
    .max(64 * 1024, "a trust file is a few lines, not 64 KiB")
    .optional(),
});

/**
 * Verifies the caller's tenant ledger end to end; the verification is itself
 * audited. `trust` is the text of a trust file (npm run ledger:trust): with it
 * nothing the operator holds is trusted but what the pinned keys and witnesses vouch for.
 */
export async function verifyLedger(
  ctx: ServiceContext,
  opts: Omit<VerifyOptions, "sources" | "trust"> & { trust?: string } = {},
): Promise<VerifyResult> {
  authorize(ctx, "ledger:read");
  const { trust: trustText } = parseInput(verifyInputSchema, { trust: opts.trust });
  let trust: TrustFile | undefined;
  if (trustText !== undefined) {
    try {
      trust = parseTrustFile(trustText);
    } catch (e) {
      if (!(e instanceof TrustFileError)) throw e;
      throw new AppError("bad_request:trust_file", `The trust file cannot be read: ${e.message}.`, { trust: [e.message] });
    }
  }
  const db = getDb();
  await sealTenant(db, ctx.tenantId);
  const result = await verifyTenantLedger(db, ctx.tenantId, { ...opts, trust });
  await recordAuditEvent(getDb(), ctx, {
    entityType: "Ledger",
    action: "Verify",
    entityName: "Ledger",
    details: result.ok
      ? `Verified ${result.entries} entries and ${result.filesChecked} files${trust ? " against a trust file" : ""}: intact`
      : `Verification found ${result.problems.length} problem(s); first: ${result.problems[0].reason}`,
  });
  return result;
}

/**
 * The tenant's trust file, for an auditor to keep from onboarding: the log's
 * note verifier key (the current signing key under the tenant's origin), the
 * witnesses of LEDGER_WITNESSES_FILE and the quorum (LEDGER_WITNESS_QUORUM,
 * default all of them).
 */
export async function ledgerTrustFile(ctx: ServiceContext): Promise<string> {
  authorize(ctx, "ledger:read");
  const origin = await tenantOrigin(getDb(), ctx.tenantId);
  const { witnesses, quorum } = witnessesConfig();
  return formatTrustFile({
    origin,
    log: verifierKey(origin, currentSigningKey().publicKeyPem),
    witnesses: witnesses.map((w) => ({ url: w.url, key: w.verifierKey })),
    quorum,
  });
}

export type CheckpointNote = {
  origin: string;
  treeSize: number;
  /** base64, as in the note */
  rootHash: string;
  createdAt: string;
  /** C2SP signed note: the tlog-checkpoint body and its Ed25519 signature. */
  note: string;
  /** `<origin>+<key hash>+<key>`: what golang.org/x/mod/sumdb/note.NewVerifier and other note verifiers take. */
  verifierKey: string;
};

/**
 * The latest checkpoint as a C2SP signed note, with the verifier key that
 * opens it. Only a note that opens with the checkpoint's own key and says what
 * the checkpoint says is served.
 */
export async function latestCheckpointNote(ctx: ServiceContext): Promise<CheckpointNote> {
  authorize(ctx, "ledger:read");
  const db = getDb();
  const cp = await latestCheckpoint(db, ctx.tenantId);
  if (!cp)
    throw new AppError("not_found:checkpoint", "The ledger has no signed checkpoint yet; one is signed within seconds of the first entry.");
  const publicKeyPem = (await knownPublicKeys(db)).find((k) => k.keyId === cp.keyId)?.publicKeyPem;
  if (!publicKeyPem)
    throw new AppError(
      "conflict:checkpoint_key",
      `The key ${cp.keyId} that signed checkpoint ${cp.treeSize} is not on record; run a ledger verification.`,
    );
  const note = (await readObjectText(noteObjectKey(cp.objectKey))) ?? (await backfillNote(cp, publicKeyPem));
  try {
    const origin = parseCheckpointText(note.slice(0, note.lastIndexOf("\n\n") + 1)).origin;
    const vkey = verifierKey(origin, publicKeyPem);
    const opened = openCheckpointNote(note, vkey);
    if (opened.treeSize !== cp.treeSize || opened.rootHash.toString("hex") !== cp.rootHash)
      throw new NoteError("it names another tree head");
    return {
      origin,
      treeSize: cp.treeSize,
      rootHash: opened.rootHash.toString("base64"),
      createdAt: cp.createdAt,
      note,
      verifierKey: vkey,
    };
  } catch (e) {
    if (!(e instanceof NoteError)) throw e;
    throw new AppError(
      "conflict:checkpoint_note",
      `The stored signed note of checkpoint ${cp.treeSize} does not match the checkpoint (${e.message}); run a ledger verification.`,
    );
  }
}

/**
 * Checkpoints signed before notes existed get theirs on first request, signed
 * by the same key and only over a tree head that key already signed.
 */
async function backfillNote(cp: CheckpointRow, publicKeyPem: string): Promise<string> {
  const key = currentSigningKey();
  const { objectKey, ...signed } = cp;
  if (key.keyId !== cp.keyId || !verifyCheckpointSignature(signed, publicKeyPem)) {
    throw new AppError(
      "unavailable:checkpoint_note",
      `Checkpoint ${cp.treeSize} has no signed note and was signed by a key that is no longer current; the next checkpoint will have one.`,
    );
  }
  const origin = await tenantOrigin(getDb(), cp.tenantId);
  const note = signCheckpointNote({ origin, treeSize: cp.treeSize, rootHash: Buffer.from(cp.rootHash, "hex") }, key.privateKeyPem);
  await getObjectStore().put(noteObjectKey(objectKey), note, { contentType: "text/plain; charset=utf-8" });
  return note;
}

const proofQuerySchema = z
  .object({
    seq: z.coerce.number().int().min(1).optional(),
    from: z.coerce.number().int().min(1).optional(),
  })
  .refine((q) => (q.seq === undefined) !== (q.from === undefined), {
    message: "give exactly one of seq (an inclusion proof for that entry) or from (a consistency proof from that tree size)",
    path: ["seq"],
  });

export type LedgerProof =
  | {
      type: "inclusion";
      treeSize: number;
      rootHash: string;
      seq: number;
      index: number;
      entryHash: string;
      leafHash: string;
      proof: string[];
    }
  | { type: "consistency"; treeSize: number; rootHash: string; oldSize: number; oldRootHash: string; proof: string[] };

/**
 * RFC 9162 proofs against the latest checkpoint, hashes in base64: inclusion
 * of entry `seq` (leaf index seq - 1), or consistency from tree size `from`.
 */
export async function ledgerProof(ctx: ServiceContext, query: unknown): Promise<LedgerProof> {
  authorize(ctx, "ledger:read");
  const q = parseInput(proofQuerySchema, query);
  const db = getDb();
  const cp = await latestCheckpoint(db, ctx.tenantId);
  if (!cp)
    throw new AppError("not_found:checkpoint", "The ledger has no signed checkpoint yet; one is signed within seconds of the first entry.");
  const asked = q.seq ?? (q.from as number);
  if (asked > cp.treeSize) {
    throw new AppError(
      "not_found:checkpoint",
      `The latest checkpoint covers ${cp.treeSize} entries, not ${asked}; a newer one is signed within seconds, ask again then.`,
    );
  }
  const b64 = (b: Buffer) => b.toString("base64");
  const rootHash = Buffer.from(cp.rootHash, "hex").toString("base64");
  if (q.seq !== undefined) {
    const entry = await ledgerQueries.entryHashesAfter(db, ctx.tenantId, q.seq - 1, q.seq, 1);
    return {
      type: "inclusion",
      treeSize: cp.treeSize,
      rootHash,
      seq: q.seq,
      index: q.seq - 1,
      entryHash: entry[0].hash,
      leafHash: b64(leafHash(entry[0].hash)),
      proof: (await storedInclusionProof(db, ctx.tenantId, q.seq - 1, cp.treeSize)).map(b64),
    };
  }
  const oldSize = q.from as number;
  const { proof, oldRoot } = await storedConsistencyProof(db, ctx.tenantId, oldSize, cp.treeSize);
  return { type: "consistency", treeSize: cp.treeSize, rootHash, oldSize, oldRootHash: b64(oldRoot), proof: proof.map(b64) };
}

export type EvidenceVerification =
  | { status: "verified"; seq: number; treeSize: number; keyId: string }
  | { status: "pending"; reason: string }
  | { status: "failed"; seq?: number; reasons: string[] };

/** What is wrong with an evidence entry against the live record, its manifest and its files; empty when nothing. */
async function evidenceProblems(tenantId: string, evidenceId: string, entry: LedgerEntry): Promise<string[]> {
  const reasons: string[] = [];
  const { hash, ...body } = entry;
  if (entryHash(body) !== hash) reasons.push("The ledger entry does not match its hash.");
  const record = entry.record as { manifestKey: string; files: { name: string; objectKey: string; sha256: string }[] };
  const [docs, manifest, hashes] = await Promise.all([
    loadEvidenceDocuments(getDb(), tenantId, [evidenceId]),
    hashObject(record.manifestKey),
    Promise.all(record.files.map((f) => hashObject(f.objectKey))),
  ]);
  const live = docs.get(evidenceId);
  if (!live || canonicalJson(live) !== canonicalJson(entry.record))
    reasons.push("The evidence record differs from what the ledger recorded.");
  if (manifest === null) reasons.push("The manifest is missing from object storage.");
  else if (manifest !== sha256Hex(canonicalJson(entry.record))) reasons.push("The manifest in object storage was edited.");
  record.files.forEach((f, i) => {
    if (hashes[i] !== f.sha256)
      reasons.push(hashes[i] === null ? `File "${f.name}" is missing.` : `File "${f.name}" changed since it was recorded.`);
  });
  return reasons;
}

/**
 * The per-evidence badge: entry, live record, manifest, files, and inclusion
 * in a signed checkpoint. The inclusion proof comes from stored subtree
 * hashes: O(log n) reads however long the ledger.
 */
export async function verifyEvidenceRecord(ctx: ServiceContext, evidenceId: string): Promise<EvidenceVerification> {
  authorize(ctx, "evidence:read");
  const db = getDb();
  const entry = await findEntry(ctx.tenantId, "evidence", evidenceId);
  if (!entry) return { status: "pending", reason: "The record is waiting to be sealed into the ledger." };
  // The record's own checks and the checkpoint's are independent: run them side by side.
  const [reasons, checkpoint, keyRows] = await Promise.all([
    evidenceProblems(ctx.tenantId, evidenceId, entry),
    latestCheckpoint(db, ctx.tenantId),
    knownPublicKeys(db),
  ]);
  if (!checkpoint || checkpoint.treeSize < entry.seq) {
    if (reasons.length) return { status: "failed", seq: entry.seq, reasons };
    return { status: "pending", reason: "Sealed, waiting for the next signed checkpoint." };
  }
  const keys = new Map(keyRows.map((k) => [k.keyId, k.publicKeyPem]));
  const { objectKey: _k, ...signed } = checkpoint;
  const key = keys.get(checkpoint.keyId);
  if (!key || !verifyCheckpointSignature(signed, key)) reasons.push("The latest checkpoint's signature does not verify.");
  const proof = await storedInclusionProof(db, ctx.tenantId, entry.seq - 1, checkpoint.treeSize).catch(() => []);
  if (!verifyInclusion(leafHash(entry.hash), entry.seq - 1, checkpoint.treeSize, proof, Buffer.from(checkpoint.rootHash, "hex"))) {
    reasons.push(`The entry is not included in the signed checkpoint of tree size ${checkpoint.treeSize}.`);
  }
  if (reasons.length) return { status: "failed", seq: entry.seq, reasons };
  return { status: "verified", seq: entry.seq, treeSize: checkpoint.treeSize, keyId: checkpoint.keyId };
}

/**
 * What every bundle of a tenant reads, whichever entries it proves: the two
 * newest witnessed checkpoints, the log origin and the keys. Started before the
 * entries are looked up, so that both take one round trip.
 */
function bundleBasis(tenantId: string) {
  const db = getDb();
  const basis = Promise.all([
    ledgerQueries.witnessedCheckpoints(db, tenantId, {}, witnessesConfig().quorum, 2),
    tenantOrigin(db, tenantId),
    ledgerQueries.ledgerKeysWithStatements(db),
  ]);
  basis.catch(() => undefined); // awaited by bundleParts; a caller that stops before it must not leave it unhandled
  return basis;
}
type BundleBasis = ReturnType<typeof bundleBasis>;

/**
 * The parts every proof bundle shares, read in O(log n): the newest witnessed
 * checkpoint covering the entries (a signed note with its cosignatures), the
 * previous witnessed one with a consistency proof, inclusion proofs from stored
 * subtree hashes, the entries' neighbours, and the keys by name and hash.
 */
async function bundleParts(tenantId: string, entries: LedgerEntry[], basis: BundleBasis = bundleBasis(tenantId)) {
  const db = getDb();
  const newest = Math.max(...entries.map((e) => e.seq));
  const { witnesses, quorum } = witnessesConfig();
  const [[newestWitnessed, previousWitnessed], origin, basisKeys] = await basis;
  let keyRows = basisKeys;
  let checkpoint: CheckpointRow | null = newestWitnessed ?? null;
  let prev: CheckpointRow | null = previousWitnessed ?? null;
  if (!checkpoint || checkpoint.treeSize < newest) {
    // Nothing signed covers the entries yet: sign now (cosignatures follow within seconds).
    const latest = await writeCheckpoint(db, tenantId);
    if (!latest) throw new AppError("unavailable:checkpoint", "No checkpoint could be signed.");
    checkpoint = await ledgerQueries.witnessedCheckpoint(db, tenantId, { min: newest }, quorum);
    prev = checkpoint ? await ledgerQueries.witnessedCheckpoint(db, tenantId, { below: checkpoint.treeSize }, quorum) : null;
    keyRows = await ledgerQueries.ledgerKeysWithStatements(db); // signing may have registered the key just now
  }
  if (!checkpoint) {
    throw new AppError(
      "unavailable:witnessed_checkpoint",
      `Entry ${newest} is not yet in a checkpoint that ${quorum} witness(es) cosigned. Witnesses cosign within seconds; try again shortly, or see the witness lag on the Ledger page.`,
    );
  }
  const size = checkpoint.treeSize;
  const bundled = new Set(entries.map((e) => e.seq));
  const around = [...new Set(entries.flatMap((e) => [e.seq - 1, e.seq + 1]))].filter((s) => s >= 1 && s <= size && !bundled.has(s));
  const pem = keyRows.find((k) => k.keyId === checkpoint.keyId)?.publicKeyPem;
  if (!pem) throw new AppError("conflict:checkpoint_key", `The key ${checkpoint.keyId} that signed checkpoint ${size} is not on record.`);
  // One round trip for the rest: neighbours, both notes (object store) with their cosignatures, and every proof.
  const signedHeads = prev ? [checkpoint, prev] : [checkpoint];
  const hex = (bs: Buffer[]) => bs.map((b) => b.toString("hex"));
  const [aroundRows, storedNotes, cosignatures, { inclusion: paths, consistency }] = await Promise.all([
    around.length ? ledgerQueries.entriesAt(db, tenantId, around) : Promise.resolve([]),
    Promise.all(signedHeads.map((cp) => readObjectText(noteObjectKey(cp.objectKey)))),
    ledgerQueries.cosignaturesAt(
      db,
      tenantId,
      signedHeads.map((cp) => cp.treeSize),
    ),
    storedProofs(db, tenantId, size, [...entries.map((e) => e.seq - 1), ...around.map((s) => s - 1)], prev?.treeSize ?? null),
  ]);
  const witnessedNote = async (cp: CheckpointRow, stored: string | null) =>
    (stored ?? (await backfillNote(cp, pem))) +
    cosignatures
      .filter((c) => c.treeSize === cp.treeSize)
      .map((c) => `${c.signature.replace(/\n$/, "")}\n`)
      .join("");
  const note = await witnessedNote(checkpoint, storedNotes[0]);
  const previous = prev && consistency ? { note: await witnessedNote(prev, storedNotes[1]), consistency: hex(consistency.proof) } : null;
  const proofs = entries.map((e, i) => ({ seq: e.seq, proof: hex(paths[i]) }));
  const neighbours = aroundRows.map((n) => ({
    seq: Number(n.seq),
    hash: n.hash,
    prevHash: n.prevHash,
    proof: hex(paths[entries.length + around.indexOf(Number(n.seq))]),
  }));
  const { objectKey: _k, ...signed } = checkpoint;
  return {
    checkpoint: signed,
    proofs,
    neighbours,
    witnessed: { note, previous },
    publicKeys: [{ keyId: checkpoint.keyId, publicKeyPem: pem }],
    keys: [
      { role: "log" as const, ...keyName(verifierKey(origin, pem)) },
      ...witnesses.map((w) => ({ role: "witness" as const, ...keyName(w.verifierKey) })),
    ],
    rotations: keyRows,
  };
}

function keyName(vkey: string) {
  const [name, keyHash] = vkey.split("+");
  return { name, keyHash, verifierKey: vkey };
}

/**
 * An offline proof bundle for one evidence record: the entry with its record,
 * its neighbours, the file manifest, its inclusion proof, the witnessed
 * checkpoint and the previous one with a consistency proof, and the keys. Seals
 * and signs first. A bundle that does not verify, or whose record, manifest or
 * files no longer match, is refused with the reason rather than served.
 */
export async function evidenceProofBundle(ctx: ServiceContext, evidenceId: string): Promise<ProofBundle> {
  authorize(ctx, "evidence:read");
  const db = getDb();
  // A record saved moments ago may still be queued: seal only then.
  const basis = bundleBasis(ctx.tenantId);
  let entry = await findEntry(ctx.tenantId, "evidence", evidenceId);
  if (!entry) {
    await sealTenant(db, ctx.tenantId);
    entry = await findEntry(ctx.tenantId, "evidence", evidenceId);
  }
  if (!entry) throw new AppError("not_found:evidence", "No such evidence record.");
  const [parts, problems] = await Promise.all([
    bundleParts(ctx.tenantId, [entry], basis),
    evidenceProblems(ctx.tenantId, evidenceId, entry),
  ]);
  const record = entry.record as { files: { name: string; sha256: string; size: number }[] };
  const bundle: ProofBundle = {
    format: PROOF_BUNDLE_FORMAT,
    tenantId: ctx.tenantId,
    subject: { type: "evidence", id: evidenceId, description: `Audit evidence ${evidenceId}` },
    entries: [entry],
    files: record.files.map((f) => ({ entrySeq: entry.seq, name: f.name, sha256: f.sha256, size: f.size })),
    manifest: Object.fromEntries(record.files.map((f) => [f.name, f.sha256])),
    ...parts,
    createdAt: new Date().toISOString(),
  };
  const reasons = [...problems, ...verifyBundle(bundle).problems.map((p) => p.reason)];
  if (reasons.length) {
    throw new AppError(
      "conflict:proof_bundle",
      `The proof bundle of this evidence record does not verify, so it is not served: ${reasons.join(" ")} Run a ledger verification to find the first bad entry.`,
    );
  }
  await recordAuditEvent(getDb(), ctx, {
    entityType: "Evidence",
    action: "ExportProof",
    entityId: evidenceId,
    entityName: "Proof bundle",
    details: `Downloaded the proof bundle of ledger entry ${entry.seq} (checkpoint of tree size ${parts.checkpoint.treeSize})`,
  });
  return bundle;
}

/** The entries that seal a campaign: its Sync Context at creation and, once completed, its completion. */
export const CAMPAIGN_ENTRY_KINDS: LedgerEntry["kind"][] = ["campaign", "campaign_completion"];

/**
 * An offline proof bundle for one campaign: its ledger entries (the Sync
 * Context and, once completed, the completion), their inclusion proofs, the
 * witnessed checkpoint with its keys, and the Sync Context's evidence files
 * so a verifier can check copies of them. Seals and signs first. Not audited
 * here: it is handed out only inside the Audit Report, whose generation is.
 */
export async function campaignProofBundle(ctx: ServiceContext, campaignId: string): Promise<ProofBundle> {
  authorize(ctx, "campaigns:write");
  const db = getDb();
  await sealTenant(db, ctx.tenantId);
  const entries = (await ledgerQueries.findEntries(db, ctx.tenantId, CAMPAIGN_ENTRY_KINDS, campaignId)).map(toEntry);
  const created = entries.find((e) => e.kind === "campaign");
  if (!created) throw new AppError("not_found:campaign", "No such campaign in the ledger.");
  const parts = await bundleParts(ctx.tenantId, entries);
  const record = created.record as {
    name?: string;
    syncContext?: { evidence: { files: { name: string; sha256: string; size: number }[] } | null }[];
  };
  const files = (record.syncContext ?? []).flatMap((c) => c.evidence?.files ?? []);
  return {
    format: PROOF_BUNDLE_FORMAT,
    tenantId: ctx.tenantId,
    subject: { type: "campaign", id: campaignId, description: `Campaign "${record.name ?? campaignId}"` },
    entries,
    files: files.map((f) => ({ entrySeq: created.seq, name: f.name, sha256: f.sha256, size: f.size })),
    ...parts,
    createdAt: new Date().toISOString(),
  };
}

async function findEntry(tenantId: string, kind: LedgerEntry["kind"], refId: string): Promise<LedgerEntry | null> {
  const row = await ledgerQueries.findEntry(getDb(), tenantId, kind, refId);
  return row ? toEntry(row) : null;
}
