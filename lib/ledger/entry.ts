/**
 * Ledger entries: the shape of one link in a tenant's append-only hash chain
 * and the hash that binds it to its contents and to the entry before it.
 */
import { sha256Hex } from "@/lib/crypto/hash";
import { canonicalJson } from "@/lib/crypto/canonical-json";

export { LEDGER_ENTRY_KINDS, type LedgerEntryKind } from "@/lib/domain/enums";
import { LEDGER_ENTRY_KINDS, type LedgerEntryKind } from "@/lib/domain/enums";

export type LedgerEntry = {
  tenantId: string;
  /** 1, 2, 3, … with no gaps, per tenant. */
  seq: number;
  kind: LedgerEntryKind;
  /** Id of the record the entry covers. */
  refId: string;
  /** ISO 8601 UTC in Date#toISOString form, e.g. "2026-11-22T01:02:03.456Z". */
  createdAt: string;
  /** The previous entry's hash; GENESIS_HASH for seq 1. */
  prevHash: string;
  record: Record<string, unknown>;
  /** Lowercase hex SHA-256, see entryHash. */
  hash: string;
};

/** prevHash of the first entry of every ledger. */
export const GENESIS_HASH = "0".repeat(64);

export const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Lowercase hex SHA-256 of the UTF-8 bytes of
 * canonicalJson({ v: 1, tenantId, seq, kind, refId, createdAt, prevHash, record }).
 *
 * Throws rather than hash a value whose JSON form would not survive a round trip
 * through storage unchanged (a seq read back from a bigint column as a string, a
 * Date or a microsecond timestamp as createdAt): such an entry would be written
 * with a hash that no later verification could reproduce.
 */
export function entryHash(e: Omit<LedgerEntry, "hash">): string {
  if (typeof e.tenantId !== "string" || e.tenantId === "") throw new Error("entryHash: tenantId must be a non-empty string");
  if (!Number.isSafeInteger(e.seq) || e.seq < 1) throw new Error(`entryHash: seq must be a positive integer, got ${JSON.stringify(e.seq)}`);
  if (!LEDGER_ENTRY_KINDS.includes(e.kind)) throw new Error(`entryHash: unknown kind ${JSON.stringify(e.kind)}`);
  if (typeof e.refId !== "string" || e.refId === "") throw new Error("entryHash: refId must be a non-empty string");
  if (!isCanonicalTimestamp(e.createdAt)) {
    throw new Error(
      `entryHash: createdAt must be an ISO 8601 UTC string like 2026-11-22T01:02:03.456Z, got ${JSON.stringify(e.createdAt)}`,
    );
  }
  if (typeof e.prevHash !== "string" || !HEX_SHA256.test(e.prevHash))
    throw new Error("entryHash: prevHash must be 64 lowercase hex characters");
  if (e.record === null || typeof e.record !== "object" || Array.isArray(e.record))
    throw new Error("entryHash: record must be a JSON object");
  const body = canonicalJson({
    v: 1,
    tenantId: e.tenantId,
    seq: e.seq,
    kind: e.kind,
    refId: e.refId,
    createdAt: e.createdAt,
    prevHash: e.prevHash,
    record: e.record,
  });
  return sha256Hex(body);
}

/** The entry that follows `prev` (null for a tenant's first entry), with seq, prevHash and hash filled in. */
export function chainEntry(
  prev: Pick<LedgerEntry, "seq" | "hash"> | null,
  fields: Omit<LedgerEntry, "seq" | "prevHash" | "hash">,
): LedgerEntry {
  const unhashed = {
    tenantId: fields.tenantId,
    seq: prev ? prev.seq + 1 : 1,
    kind: fields.kind,
    refId: fields.refId,
    createdAt: fields.createdAt,
    prevHash: prev ? prev.hash : GENESIS_HASH,
    record: fields.record,
  };
  return { ...unhashed, hash: entryHash(unhashed) };
}

function isCanonicalTimestamp(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const t = Date.parse(value);
  return Number.isFinite(t) && new Date(t).toISOString() === value;
}

/** The stored form of an entry: the record kept as its canonical JSON text. */
export type StoredEntry = Omit<LedgerEntry, "record"> & { recordJson: string };

/**
 * entryHash for a stored entry without parsing its record: JCS orders the
 * envelope's keys (createdAt, kind, prevHash, record, refId, seq, tenantId,
 * v) and writes strings as JSON.stringify does, so the canonical envelope is
 * assembled around the record's canonical text. Equal to entryHash of the
 * parsed entry whenever recordJson is canonical (the sealer stores it so).
 */
export function storedEntryHash(e: Omit<StoredEntry, "hash">): string {
  return sha256Hex(
    `{"createdAt":${JSON.stringify(e.createdAt)},"kind":${JSON.stringify(e.kind)},"prevHash":${JSON.stringify(e.prevHash)},` +
      `"record":${e.recordJson},"refId":${JSON.stringify(e.refId)},"seq":${e.seq},"tenantId":${JSON.stringify(e.tenantId)},"v":1}`,
  );
}
