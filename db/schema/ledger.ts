/** The hash-chained ledger: queue, entries, checkpoints and signing keys. */
import { sql } from "drizzle-orm";
import { bigint, bigserial, index, primaryKey, jsonb, pgTable, smallint, text, timestamp } from "drizzle-orm/pg-core";
import { LEDGER_ENTRY_KINDS } from "@/lib/domain/enums";
import { tenantId } from "./tenants";
import { createdAt } from "./columns";

/**
 * Records waiting to be sealed into the ledger. Writers only insert here, in
 * the same transaction as the record; one sealer per tenant gives them their
 * sequence numbers and hashes, so concurrent writers can never fork the chain.
 */
export const ledgerQueue = pgTable(
  "ledger_queue",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: tenantId(),
    kind: text("kind", { enum: LEDGER_ENTRY_KINDS }).notNull(),
    refId: text("ref_id").notNull(),
    record: jsonb("record").$type<Record<string, unknown>>().notNull(),
    createdAt: text("created_at").notNull().default(sql`to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`),
  },
  (t) => [index("ledger_queue_tenant_id_id_idx").on(t.tenantId, t.id)],
);

/** The per-tenant hash chain. Append-only for every role. */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    tenantId: tenantId(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    kind: text("kind", { enum: LEDGER_ENTRY_KINDS }).notNull(),
    refId: text("ref_id").notNull(),
    createdAt: text("created_at").notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    /** The record as RFC 8785 canonical JSON text: exactly the bytes the hash covers, never re-serialised. */
    record: text("record").notNull(),
    sealedAt: timestamp("sealed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.seq] }),
    // The tenant last: an index that starts with tenant_id alone looks as good as the primary key to a
    // planner whose statistics predate a large import, and it picked this one for seq lookups, reading
    // every entry of the tenant. Lookups by record always name all three columns.
    index("ledger_entries_kind_ref_id_tenant_id_idx").on(t.kind, t.refId, t.tenantId),
  ],
);

/** Signed Merkle tree heads over a tenant's entries (also written to object storage). */
export const ledgerCheckpoints = pgTable(
  "ledger_checkpoints",
  {
    tenantId: tenantId(),
    treeSize: bigint("tree_size", { mode: "number" }).notNull(),
    rootHash: text("root_hash").notNull(),
    keyId: text("key_id").notNull(),
    signature: text("signature").notNull(),
    createdAt: text("created_at").notNull(),
    objectKey: text("object_key").notNull(),
    /** Roots of the complete subtrees at this size (hex, JSON array): the next checkpoint extends them instead of rehashing every leaf. */
    frontier: text("frontier").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.treeSize] })],
);

/**
 * Roots of the complete, aligned subtrees of each tenant's Merkle tree
 * (level L, index i covers leaves i·2^L … (i+1)·2^L − 1; level 0 is read from
 * ledger_entries), written when checkpoints are sealed. An inclusion or
 * consistency proof reads O(log n) of them instead of every leaf. Only a
 * cache: every proof built from it is checked against a signed root before it
 * is served, so a wrong row makes a proof fail, never pass.
 */
export const ledgerSubtrees = pgTable(
  "ledger_subtrees",
  {
    tenantId: tenantId(),
    level: smallint("level").notNull(),
    idx: bigint("idx", { mode: "number" }).notNull(),
    /** Hex SHA-256 node hash. */
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.level, t.idx] })],
);

/**
 * Public halves of the checkpoint signing keys, current and retired. Every key
 * but the first carries the rotation statement its predecessor signed
 * (lib/ledger/rotation.ts); verifiers who pinned a key trust only the keys its
 * statements reach.
 */
export const ledgerKeys = pgTable("ledger_keys", {
  keyId: text("key_id").primaryKey(),
  publicKeyPem: text("public_key_pem").notNull(),
  createdAt: createdAt(),
  rotationStatement: text("rotation_statement"),
  /** base64 Ed25519 signature of rotation_statement by the previous key. */
  rotationSignature: text("rotation_signature"),
});

/**
 * Tenants whose sealer stopped signing because the stored ledger no longer
 * extends what it signed before (lib/ledger/chain.ts). One row per tenant; the
 * app may add it but not clear it: an operator clears it as the schema owner
 * once the cause is understood.
 */
export const ledgerIntegrityFailures = pgTable("ledger_integrity_failures", {
  tenantId: tenantId().primaryKey(),
  detectedAt: timestamp("detected_at", { withTimezone: true }).notNull().defaultNow(),
  /** The first entry that does not match what was signed, when an entry is to blame. */
  firstBadSeq: bigint("first_bad_seq", { mode: "number" }),
  /** The tree size of the first checkpoint that does not check, when a checkpoint is to blame. */
  firstBadCheckpoint: bigint("first_bad_checkpoint", { mode: "number" }),
  reason: text("reason").notNull(),
});

/**
 * Witness cosignatures (C2SP cosignature/v1) of a tenant's checkpoints, one row
 * per cosignature received: a heartbeat adds a row for the same tree size with
 * a later timestamp. Written only through ledger_record_cosignature.
 */
export const ledgerCosignatures = pgTable(
  "ledger_cosignatures",
  {
    tenantId: tenantId(),
    treeSize: bigint("tree_size", { mode: "number" }).notNull(),
    witnessName: text("witness_name").notNull(),
    /** The witness's note verifier key (`<name>+<key id>+<key>`), as configured when the cosignature was checked. */
    witnessKey: text("witness_key").notNull(),
    /** Unix seconds, as signed by the witness. */
    timestamp: bigint("timestamp", { mode: "number" }).notNull(),
    /** The whole note signature line, `— <name> <base64>` and its newline. */
    signature: text("signature").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "ledger_cosignatures_pk", columns: [t.tenantId, t.witnessKey, t.treeSize, t.timestamp] }),
    index("ledger_cosignatures_tenant_id_tree_size_idx").on(t.tenantId, t.treeSize),
  ],
);

/** What each witness last cosigned for a tenant, and how the last attempt went. Written only through the ledger_witness_* functions. */
export const ledgerWitnessState = pgTable(
  "ledger_witness_state",
  {
    tenantId: tenantId(),
    witnessKey: text("witness_key").notNull(),
    witnessUrl: text("witness_url").notNull(),
    /** Tree size of the newest checkpoint this witness cosigned; 0 before the first. */
    size: bigint("size", { mode: "number" }).notNull().default(0),
    /** The cosignature timestamp (unix seconds) of that checkpoint's newest cosignature. */
    cosignedAt: bigint("cosigned_at", { mode: "number" }),
    lastOkAt: timestamp("last_ok_at", { withTimezone: true }),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    lastError: text("last_error"),
    /** Failed attempts since the last success: the back-off grows with it. */
    failures: bigint("failures", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.witnessKey] })],
);
