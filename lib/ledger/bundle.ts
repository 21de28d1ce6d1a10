/**
 * Proof bundles: a self-contained JSON file that proves a set of ledger entries
 * (typically one evidence record) belongs to a tenant's signed ledger, and the
 * offline verifier for it. Verification needs no database and no network.
 */
import { z } from "zod";
import { canonicalJson } from "@/lib/crypto/canonical-json";
import { sha256Hex } from "@/lib/crypto/hash";
import { entryHash, GENESIS_HASH, HEX_SHA256, LEDGER_ENTRY_KINDS, type LedgerEntry } from "@/lib/ledger/entry";
import { leafHash, verifyConsistency, verifyInclusion } from "@/lib/ledger/merkle";
import { openCheckpointNote, verifierKey } from "@/lib/ledger/note";
import { trustedPublicKeys } from "@/lib/ledger/rotation";
import { splitNote, verifyCosignature } from "@/lib/ledger/cosignature";
import type { TrustFile } from "@/lib/ledger/trust";
import { keyIdOf, verifyCheckpointSignature, type SignedCheckpoint } from "@/lib/ledger/signing";

export const PROOF_BUNDLE_FORMAT = "syncledger-proof-bundle/1";

const hex64 = z.string().regex(HEX_SHA256, "expected 64 lowercase hex characters");
const jsonObject = z.custom<Record<string, unknown>>(
  (v) => v !== null && typeof v === "object" && !Array.isArray(v),
  "expected a JSON object",
);

export const ledgerEntrySchema = z.object({
  tenantId: z.string().min(1),
  seq: z.number().int().positive(),
  kind: z.enum(LEDGER_ENTRY_KINDS),
  refId: z.string().min(1),
  createdAt: z.string(),
  prevHash: hex64,
  record: jsonObject,
  hash: hex64,
});

export const signedCheckpointSchema = z.object({
  v: z.literal(1),
  tenantId: z.string().min(1),
  treeSize: z.number().int().nonnegative(),
  rootHash: hex64,
  createdAt: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

const publicKeySchema = z.object({ keyId: z.string(), publicKeyPem: z.string() });

/** An entry next to a bundled one: its hash and link, and its own inclusion proof. */
const neighbourSchema = z.object({ seq: z.number().int().positive(), hash: hex64, prevHash: hex64, proof: z.array(hex64) });

/**
 * The checkpoint as a C2SP signed note with the witnesses' cosignature lines,
 * and the previous witnessed checkpoint with a consistency proof to it, so a
 * verifier sees the log only grew between the two.
 */
const witnessedSchema = z.object({
  note: z.string(),
  previous: z.object({ note: z.string(), consistency: z.array(hex64) }).nullable(),
});

/** Names and key hashes of the log key and the witness keys, as signed notes name them. */
const keyNameSchema = z.object({ role: z.enum(["log", "witness"]), name: z.string(), keyHash: z.string(), verifierKey: z.string() });

const rotationSchema = z.object({
  keyId: z.string(),
  publicKeyPem: z.string(),
  rotationStatement: z.string().nullable(),
  rotationSignature: z.string().nullable(),
});

export const proofBundleSchema = z.object({
  format: z.literal(PROOF_BUNDLE_FORMAT),
  tenantId: z.string().min(1),
  subject: z.object({
    type: z.enum(["evidence", "campaign", "entries"]),
    id: z.string(),
    description: z.string().optional(),
  }),
  entries: z.array(ledgerEntrySchema),
  proofs: z.array(z.object({ seq: z.number().int().positive(), proof: z.array(hex64) })),
  checkpoint: signedCheckpointSchema,
  publicKeys: z.array(publicKeySchema),
  files: z
    .array(z.object({ entrySeq: z.number().int().positive(), name: z.string(), sha256: hex64, size: z.number().int().nonnegative() }))
    .optional(),
  /** File name → SHA-256: what a copy of each file must be called and hash to. */
  manifest: z.record(z.string(), hex64).optional(),
  neighbours: z.array(neighbourSchema).optional(),
  witnessed: witnessedSchema.optional(),
  keys: z.array(keyNameSchema).optional(),
  /** ledger_keys rows with the statements that hand signing on from one key to the next. */
  rotations: z.array(rotationSchema).optional(),
  createdAt: z.string(),
});

export type ProofBundle = {
  format: typeof PROOF_BUNDLE_FORMAT;
  tenantId: string;
  subject: { type: "evidence" | "campaign" | "entries"; id: string; description?: string };
  entries: LedgerEntry[];
  /** Inclusion proof (hex, RFC 9162 PATH) of each entry in the checkpoint's tree. */
  proofs: { seq: number; proof: string[] }[];
  checkpoint: SignedCheckpoint;
  publicKeys: PublicKeyRef[];
  /** Files the evidence records list, with the entry whose record lists each. */
  files?: { entrySeq: number; name: string; sha256: string; size: number }[];
  manifest?: Record<string, string>;
  neighbours?: z.infer<typeof neighbourSchema>[];
  witnessed?: z.infer<typeof witnessedSchema>;
  keys?: z.infer<typeof keyNameSchema>[];
  rotations?: z.infer<typeof rotationSchema>[];
  createdAt: string;
};

export type PublicKeyRef = { keyId: string; publicKeyPem: string };

export type BundleProblem = { seq?: number; reason: string };

export type BundleVerification = {
  ok: boolean;
  /** Number of entries examined. */
  checked: number;
  problems: BundleProblem[];
  /** Where the checkpoint's public key came from: the caller's trusted keys, or the bundle itself (which proves only self-consistency). */
  keySource: "trusted" | "bundle";
  checkpoint?: { tenantId: string; treeSize: number; rootHash: string; keyId: string; createdAt: string };
};

export type VerifyBundleOptions = {
  /** When given, the checkpoint must be signed by one of these and every key the bundle offers must be one of these. */
  trustedKeys?: PublicKeyRef[];
  /**
   * Local copies of files (keyed by a label such as their path) that must each be one of the bundle's files.
   * With a name (a file inside a downloaded report), the bundle must list a file of that name with that hash.
   */
  files?: Map<string, { sha256: string; size: number; name?: string }>;
  /** A campaign's Sync Context as a report carries it: it must be exactly what the campaign's ledger entry recorded. */
  campaignSnapshot?: { label: string; text: string };
  /**
   * The auditor's trust file: the checkpoint must be signed by the pinned log
   * key or a key it rotated to, carry the quorum of pinned witnesses'
   * cosignatures, and be consistent with the previous witnessed checkpoint.
   */
  trust?: TrustFile;
};

export function verifyBundle(bundle: unknown, opts: VerifyBundleOptions = {}): BundleVerification {
  const keySource = opts.trustedKeys || opts.trust ? "trusted" : "bundle";
  const parsed = proofBundleSchema.safeParse(bundle);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join(".") : "(top level)"}: ${i.message}`)
      .join("; ");
    return { ok: false, checked: 0, keySource, problems: [{ reason: `not a SyncLedger proof bundle (${issues})` }] };
  }
  const b = parsed.data;
  const cp = b.checkpoint;
  const problems: BundleProblem[] = [];
  const problem = (reason: string, seq?: number) => problems.push(seq === undefined ? { reason } : { seq, reason });

  if (cp.tenantId !== b.tenantId) problem(`checkpoint is for tenant ${cp.tenantId}, not the bundle's tenant ${b.tenantId}`);
  if (b.entries.length === 0) problem("bundle contains no entries");

  let trustedKeys = opts.trustedKeys;
  if (opts.trust) {
    trustedKeys = [...trustedPublicKeys(opts.trust.logPublicKeyPem, b.rotations ?? []).entries()].map(([keyId, publicKeyPem]) => ({
      keyId,
      publicKeyPem,
    }));
  }
  checkSignature(b.publicKeys, cp, trustedKeys, problem);
  checkWitnessed(b, trustedKeys ?? b.publicKeys, opts.trust, problem);

  const root = Buffer.from(cp.rootHash, "hex");
  const proofs = new Map<number, string[]>();
  for (const p of b.proofs) {
    if (proofs.has(p.seq)) problem(`entry ${p.seq}: more than one inclusion proof`, p.seq);
    proofs.set(p.seq, p.proof);
  }

  const entries = new Map<number, LedgerEntry>();
  for (const e of [...b.entries].sort((x, y) => x.seq - y.seq)) {
    if (entries.has(e.seq)) {
      problem(`entry ${e.seq}: appears more than once`, e.seq);
      continue;
    }
    entries.set(e.seq, e);
    if (e.tenantId !== b.tenantId) problem(`entry ${e.seq}: belongs to tenant ${e.tenantId}, not ${b.tenantId}`, e.seq);
    let recomputed: string | null = null;
    try {
      recomputed = entryHash(e);
    } catch (err) {
      problem(`entry ${e.seq}: cannot be hashed (${err instanceof Error ? err.message : String(err)})`, e.seq);
    }
    if (recomputed !== null && recomputed !== e.hash) problem(`entry ${e.seq}: hash does not match its contents`, e.seq);
    if (e.seq === 1 && e.prevHash !== GENESIS_HASH) problem("entry 1: prevHash is not the genesis hash", 1);
    const before = entries.get(e.seq - 1);
    if (before && e.prevHash !== before.hash) problem(`entry ${e.seq}: prevHash does not match the hash of entry ${e.seq - 1}`, e.seq);
    const proof = proofs.get(e.seq);
    if (!proof) {
      problem(`entry ${e.seq}: no inclusion proof`, e.seq);
      continue;
    }
    // The stored hash is what the tree committed to; a record edited after the
    // fact is caught above, by its hash no longer matching its contents.
    const included = verifyInclusion(
      leafHash(e.hash),
      e.seq - 1,
      cp.treeSize,
      proof.map((h) => Buffer.from(h, "hex")),
      root,
    );
    if (!included) problem(`entry ${e.seq}: not included in the checkpoint's tree of size ${cp.treeSize}`, e.seq);
  }
  for (const n of b.neighbours ?? []) {
    const next = entries.get(n.seq - 1);
    const before = entries.get(n.seq + 1);
    if (!next && !before) problem(`neighbour ${n.seq}: is next to no bundled entry`, n.seq);
    const inTree = verifyInclusion(
      leafHash(n.hash),
      n.seq - 1,
      cp.treeSize,
      n.proof.map((h) => Buffer.from(h, "hex")),
      root,
    );
    if (!inTree) problem(`neighbour ${n.seq}: its hash is not the leaf at that place in the checkpoint's tree`, n.seq);
    if (next && n.prevHash !== next.hash) problem(`entry ${next.seq}: the entry after it does not link to it (prevHash differs)`, next.seq);
    if (before && before.prevHash !== n.hash)
      problem(`entry ${before.seq}: does not link to the entry before it (prevHash differs)`, before.seq);
  }
  if (b.manifest) {
    const listed = new Map((b.files ?? []).map((f) => [f.name, f.sha256]));
    for (const [name, sha256] of Object.entries(b.manifest)) {
      if (listed.get(name) !== sha256)
        problem(`manifest: "${name}" with sha256 ${sha256} is not a file the bundled records list under that name`);
    }
    for (const [name] of listed) if (!(name in b.manifest)) problem(`manifest: does not list the file "${name}"`);
  }

  for (const seq of proofs.keys()) {
    if (!entries.has(seq)) problem(`entry ${seq}: the bundle has a proof for it but not the entry`, seq);
  }

  if (b.subject.type === "evidence" && ![...entries.values()].some((e) => e.kind === "evidence" && e.refId === b.subject.id)) {
    problem(`subject: no evidence entry for ${b.subject.id}`);
  }

  if (b.subject.type === "campaign" && ![...entries.values()].some((e) => e.kind === "campaign" && e.refId === b.subject.id)) {
    problem(`subject: no campaign entry for ${b.subject.id}`);
  }

  for (const f of b.files ?? []) {
    const e = entries.get(f.entrySeq);
    if (!e) {
      problem(`file ${f.name}: entry ${f.entrySeq} is not in the bundle`, f.entrySeq);
      continue;
    }
    const listed = filesListedIn(e);
    // A file is the one the record lists only if both its name and its hash agree.
    const match = listed.find((x) => x.sha256 === f.sha256 && x.name === f.name);
    if (!match) {
      const sameHash = listed.find((x) => x.sha256 === f.sha256);
      problem(
        sameHash
          ? `file ${f.name}: the record of entry ${f.entrySeq} lists sha256 ${f.sha256} under the name "${String(sameHash.name)}"`
          : `file ${f.name}: sha256 ${f.sha256} is not listed in the record of entry ${f.entrySeq}`,
        f.entrySeq,
      );
    } else if (match.size !== f.size) {
      problem(
        `file ${f.name}: size ${f.size} differs from the ${String(match.size)} bytes the record of entry ${f.entrySeq} lists`,
        f.entrySeq,
      );
    }
  }

  for (const [label, local] of opts.files ?? []) {
    const sha = local.sha256.toLowerCase();
    const candidates = (b.files ?? []).filter((f) => f.sha256 === sha);
    const known = local.name === undefined ? candidates[0] : candidates.find((f) => f.name === local.name);
    if (!known) {
      problem(
        candidates.length && local.name !== undefined
          ? `file ${label}: its sha256 ${local.sha256} belongs to "${candidates[0].name}" in the bundle, not "${local.name}"`
          : `file ${label}: its sha256 ${local.sha256} is not one of the bundle's files`,
      );
    } else if (known.size !== local.size) problem(`file ${label}: ${local.size} bytes, the bundle lists ${known.size}`, known.entrySeq);
  }

  if (opts.campaignSnapshot) checkCampaignSnapshot(b.subject, [...entries.values()], opts.campaignSnapshot, problem);

  return {
    ok: problems.length === 0,
    checked: b.entries.length,
    problems,
    keySource,
    checkpoint: { tenantId: cp.tenantId, treeSize: cp.treeSize, rootHash: cp.rootHash, keyId: cp.keyId, createdAt: cp.createdAt },
  };
}

/**
 * The checkpoint's signed note: signed by a trusted log key, naming the same
 * tree head as the JSON checkpoint, with the quorum of the pinned witnesses'
 * cosignatures; and the previous witnessed checkpoint, which the new one
 * must extend (consistency proof).
 */
function checkWitnessed(
  b: z.infer<typeof proofBundleSchema>,
  logKeys: PublicKeyRef[],
  trust: TrustFile | undefined,
  problem: (reason: string) => void,
): void {
  const cp = b.checkpoint;
  if (!b.witnessed) {
    if (trust) problem("the bundle carries no witnessed checkpoint (signed note with cosignatures), which the trust file requires");
    return;
  }
  const origin = trust?.origin ?? b.keys?.find((k) => k.role === "log")?.name;
  if (!origin) {
    problem("the bundle does not name its log (no log key name)");
    return;
  }
  const vkeys: string[] = [];
  for (const k of logKeys) {
    try {
      vkeys.push(verifierKey(origin, k.publicKeyPem));
    } catch {
      // reported by checkSignature
    }
  }
  const witnesses = trust
    ? trust.witnesses.map((w) => ({ name: w.name, key: w.key }))
    : (b.keys ?? []).filter((k) => k.role === "witness").map((k) => ({ name: k.name, key: k.verifierKey }));
  const quorum = trust?.quorum ?? 0;
  const open = (note: string, what: string) => {
    for (const vkey of vkeys) {
      try {
        return openCheckpointNote(note, vkey);
      } catch {
        // try the next trusted key
      }
    }
    problem(`${what}: its signed note does not verify with a ${trust ? "pinned" : "bundled"} log key for ${origin}`);
    return null;
  };
  const cosigners = (note: string, what: string) => {
    let split: { body: string; lines: string[] };
    try {
      split = splitNote(note);
    } catch {
      problem(`${what}: its signed note is malformed`);
      return;
    }
    const valid = new Set<string>();
    for (const line of split.lines) {
      const w = witnesses.find((x) => line.startsWith(`\u2014 ${x.name} `));
      if (!w) continue;
      if (verifyCosignature(w.key, split.body, line)) valid.add(w.name);
      else problem(`${what}: the cosignature by ${w.name} does not verify`);
    }
    if (valid.size < quorum)
      problem(`${what}: ${valid.size} valid cosignature(s) from pinned witnesses; the trust file requires ${quorum}`);
  };
  const head = open(b.witnessed.note, `checkpoint ${cp.treeSize}`);
  if (head && (head.treeSize !== cp.treeSize || head.rootHash.toString("hex") !== cp.rootHash)) {
    problem(`checkpoint ${cp.treeSize}: its signed note names another tree head (size ${head.treeSize})`);
  }
  cosigners(b.witnessed.note, `checkpoint ${cp.treeSize}`);
  const prev = b.witnessed.previous;
  if (!prev) return;
  const old = open(prev.note, "the previous witnessed checkpoint");
  if (!old) return;
  cosigners(prev.note, `the previous witnessed checkpoint (tree size ${old.treeSize})`);
  const consistent = verifyConsistency(
    old.treeSize,
    cp.treeSize,
    old.rootHash,
    Buffer.from(cp.rootHash, "hex"),
    prev.consistency.map((h) => Buffer.from(h, "hex")),
  );
  if (!consistent) {
    problem(
      `checkpoint ${cp.treeSize} does not extend the previous witnessed checkpoint of tree size ${old.treeSize}: the consistency proof fails`,
    );
  }
}

function checkSignature(
  bundleKeys: PublicKeyRef[],
  cp: SignedCheckpoint,
  trustedKeys: PublicKeyRef[] | undefined,
  problem: (reason: string) => void,
): void {
  const offered = indexKeys(bundleKeys, "bundle key", problem);
  let pem: string | undefined;
  if (trustedKeys) {
    const trusted = indexKeys(trustedKeys, "trusted key", problem);
    for (const keyId of offered.keys()) {
      if (!trusted.has(keyId)) problem(`bundle key ${keyId} is not a trusted key`);
    }
    pem = trusted.get(cp.keyId);
    if (!pem) problem(`checkpoint is signed with key ${cp.keyId}, which is not a trusted key`);
  } else {
    pem = offered.get(cp.keyId);
    if (!pem) problem(`checkpoint is signed with key ${cp.keyId}, which the bundle does not include`);
  }
  if (pem && !verifyCheckpointSignature(cp, pem)) problem(`checkpoint signature does not verify with key ${cp.keyId}`);
}

/** Keys by the id computed from the key itself; a label that disagrees is a problem. */
function indexKeys(keys: PublicKeyRef[], what: string, problem: (reason: string) => void): Map<string, string> {
  const byId = new Map<string, string>();
  for (const k of keys) {
    let keyId: string;
    try {
      keyId = keyIdOf(k.publicKeyPem);
    } catch {
      problem(`${what} ${k.keyId} is not an Ed25519 public key`);
      continue;
    }
    if (keyId !== k.keyId) problem(`${what} labelled ${k.keyId} is really key ${keyId}`);
    byId.set(keyId, k.publicKeyPem);
  }
  return byId;
}

type ListedFile = { name?: unknown; sha256?: unknown; size?: unknown };

/** The files an entry's record lists: an evidence record's own, or every evidence file of a campaign's Sync Context. */
function filesListedIn(e: LedgerEntry): ListedFile[] {
  const objects = (v: unknown): ListedFile[] => (Array.isArray(v) ? v.filter(isObject) : []);
  if (e.kind === "campaign") {
    const contexts = Array.isArray(e.record.syncContext) ? e.record.syncContext.filter(isObject) : [];
    return contexts.flatMap((c) => (isObject(c.evidence) ? objects(c.evidence.files) : []));
  }
  return objects(e.record.files);
}

/**
 * The Sync Context a report carries against the campaign entry that sealed it:
 * the same document, so the same canonical JSON and the same snapshot hash.
 */
function checkCampaignSnapshot(
  subject: { type: string; id: string },
  entries: LedgerEntry[],
  snapshot: { label: string; text: string },
  problem: (reason: string, seq?: number) => void,
): void {
  const entry = entries.find((e) => e.kind === "campaign" && (subject.type !== "campaign" || e.refId === subject.id));
  if (!entry) {
    problem(`${snapshot.label}: the bundle has no campaign entry to check it against`);
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(snapshot.text);
  } catch (e) {
    problem(`${snapshot.label}: is not JSON (${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ")})`, entry.seq);
    return;
  }
  let actual: string;
  try {
    actual = sha256Hex(canonicalJson(doc));
  } catch (e) {
    problem(`${snapshot.label}: cannot be put in canonical form (${e instanceof Error ? e.message : String(e)})`, entry.seq);
    return;
  }
  const recorded = sha256Hex(canonicalJson(entry.record));
  if (actual !== recorded) {
    problem(
      `${snapshot.label}: snapshot hash ${actual} differs from ${recorded}, the Sync Context ledger entry ${entry.seq} recorded (the file was changed)`,
      entry.seq,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
