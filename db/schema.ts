/**
 * The database schema. Every tenant-owned table carries tenant_id and every
 * query filters by it. Tables are plural snake_case; fields camelCase.
 */
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  check,
  bigserial,
  boolean,
  index,
  integer,
  primaryKey,
  inet,
  jsonb,
  pgSequence,
  pgTable,
  pgView,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const tenants = pgTable("tenants", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  active: boolean("active").notNull().default(true),
  deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash"),
    isPlatformAdmin: boolean("is_platform_admin").notNull().default(false),
    active: boolean("active").notNull().default(true),
    /**
     * Carried in the session token and compared on every request: bumping it
     * (sign-out, a role change, removal from a tenant) ends every session the
     * user holds, though their JWT cookies have not expired.
     */
    sessionVersion: integer("session_version").notNull().default(0),
    /** The tenant a new session opens in: the one the user last switched to or joined. */
    lastTenantId: uuid("last_tenant_id").references((): AnyPgColumn => tenants.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_lower_uq").on(sql`lower(${t.email})`)],
);

export const memberships = pgTable(
  "memberships",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["admin", "operator", "auditor", "reviewer", "viewer"] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("memberships_tenant_user_uq").on(t.tenantId, t.userId),
    index("memberships_user_idx").on(t.userId),
  ],
);

/**
 * An admin's offer of a role in a tenant to an email address. Membership is
 * created only when the invitee accepts (signed in as that address) or, for an
 * address with no account, sets a password through the link. The link's token
 * is 256-bit random and only its SHA-256 is kept; a link is single-use and expires.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: text("role", { enum: ["admin", "operator", "auditor", "reviewer", "viewer"] }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    invitedById: uuid("invited_by_id").references(() => users.id, { onDelete: "set null" }),
    invitedByName: text("invited_by_name").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedById: uuid("accepted_by_id").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    // One open invitation per address and tenant: inviting again replaces it.
    uniqueIndex("invitations_open_uq")
      .on(t.tenantId, t.email)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
    index("invitations_tenant_idx").on(t.tenantId, t.createdAt),
    check("invitations_email_lower", sql`${t.email} = lower(${t.email})`),
  ],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The public part shown in lists, e.g. "slk_3f9a1c2b". */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the full key; keys are 256-bit random so a fast hash is enough. */
    secretHash: text("secret_hash").notNull().unique(),
    scopes: text("scopes").array().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    createdByName: text("created_by_name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("api_keys_tenant_idx").on(t.tenantId, t.createdAt)],
);

export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    ip: text("ip"),
    succeeded: boolean("succeeded").notNull(),
    attemptedAt: timestamp("attempted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("login_attempts_email_idx").on(sql`lower(${t.email})`, t.attemptedAt),
    index("login_attempts_ip_idx").on(t.ip, t.attemptedAt),
  ],
);

export type FieldChange = { field: string; before: unknown; after: unknown };

/**
 * Append-only: triggers refuse UPDATE, DELETE and TRUNCATE, and the app's
 * database role holds only SELECT and INSERT on it.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorType: text("actor_type", { enum: ["user", "api_key", "system"] }).notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id"),
    entityName: text("entity_name").notNull(),
    details: text("details").notNull(),
    changes: jsonb("changes").$type<FieldChange[]>().notNull().default([]),
    ip: inet("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    searchText: text("search_text")
      .notNull()
      .generatedAlwaysAs(sql`lower(entity_name || ' ' || details)`),
  },
  (t) => [
    index("audit_events_tenant_time_idx").on(t.tenantId, t.occurredAt.desc(), t.id.desc()),
    index("audit_events_tenant_entity_action_idx").on(
      t.tenantId,
      t.entityType,
      t.action,
      t.occurredAt.desc(),
      t.id.desc(),
    ),
    index("audit_events_tenant_action_idx").on(t.tenantId, t.action, t.occurredAt.desc(), t.id.desc()),
    index("audit_events_tenant_actor_idx").on(t.tenantId, sql`lower(${t.actorName})`, t.occurredAt.desc(), t.id.desc()),
    index("audit_events_search_trgm_idx").using("gin", sql`${t.searchText} gin_trgm_ops`),
  ],
);

/**
 * The platform's own audit log: what platform administrators did to tenants
 * and to the set of platform administrators. Kept apart from audit_events so
 * that each tenant's ledger-chained log stays exactly what happened in that
 * tenant; a tenant change is recorded in both. Append-only like audit_events.
 */
export const platformAuditEvents = pgTable(
  "platform_audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorType: text("actor_type", { enum: ["user", "api_key", "system"] }).notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id"),
    entityName: text("entity_name").notNull(),
    /** The tenant the event concerns, if any (a tenant change); none for a platform admin granted or removed. */
    tenantId: uuid("tenant_id").references(() => tenants.id),
    details: text("details").notNull(),
    changes: jsonb("changes").$type<FieldChange[]>().notNull().default([]),
    ip: inet("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
  },
  (t) => [
    index("platform_audit_events_time_idx").on(t.occurredAt.desc(), t.id.desc()),
    index("platform_audit_events_action_idx").on(t.action, t.occurredAt.desc(), t.id.desc()),
  ],
);

export const OBJECT_TYPE_VALUES = ["account", "group", "role", "entitlement", "membership"] as const;
export const SYNC_STATUSES = ["queued", "syncing", "completed", "post_sync_completed", "error", "held", "cancelled"] as const;
/** Where a running sync is, in order: shown as its progress, with what was read so far. */
export const SYNC_PHASES = [
  "connecting",
  "reading_accounts",
  "reading_groups",
  "reading_roles",
  "reading_entitlements",
  "reading_memberships",
  "comparing",
  "checking",
  "applying",
] as const;
export const SYNC_TRIGGERS = ["config_saved", "evidence_updated", "manual", "schedule", "api"] as const;
export type SyncCounts = Partial<
  Record<
    (typeof OBJECT_TYPE_VALUES)[number],
    { extracted: number; created: number; updated: number; unchanged: number; deleted: number; skipped: number; errors: number }
  >
>;

/** A direct configuration integration (connection profile). Secrets live only in `secrets`, encrypted. */
export const integrations = pgTable(
  "integrations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    name: text("name").notNull(),
    connector: text("connector", { enum: ["ldap", "scim", "csv"] }).notNull(),
    /** Settings without secret fields. */
    config: jsonb("config").$type<Record<string, unknown>>().notNull(),
    /** AES-256-GCM ciphertext of the secret fields as JSON. */
    secrets: text("secrets"),
    ownerId: uuid("owner_id").references(() => users.id, { onDelete: "set null" }),
    /** The uploaded logo image (lib/uploads, purpose "logo"), served by /api/integrations/{id}/logo. */
    logoUploadId: uuid("logo_upload_id").references((): AnyPgColumn => uploads.id, { onDelete: "set null" }),
    active: boolean("active").notNull().default(true),
    scheduleMinutes: integer("schedule_minutes"),
    nextSyncAt: timestamp("next_sync_at", { withTimezone: true }),
    dropThresholdPercent: integer("drop_threshold_percent").notNull().default(30),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    index("integrations_tenant_idx").on(t.tenantId, t.name),
    index("integrations_due_idx").on(t.nextSyncAt).where(sql`deleted_at is null and active and schedule_minutes is not null`),
  ],
);

/** Source attribute → canonical field, per object type; one per integration. */
export const mappingConfigs = pgTable(
  "mapping_configs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    mapping: jsonb("mapping").$type<Record<string, Record<string, string>>>().notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("mapping_configs_integration_uq").on(t.integrationId)],
);

/** Delta-sync position per object type. */
export const extractionCursors = pgTable(
  "extraction_cursors",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    objectType: text("object_type", { enum: OBJECT_TYPE_VALUES }).notNull(),
    position: text("position").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("extraction_cursors_integration_type_uq").on(t.integrationId, t.objectType)],
);

/**
 * One run of a connector. The row is also the job: workers claim queued rows
 * with SKIP LOCKED, and a partial unique index allows one running sync per
 * integration.
 */
export const syncExecutions = pgTable(
  "sync_executions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    status: text("status", { enum: SYNC_STATUSES }).notNull().default("queued"),
    mode: text("mode", { enum: ["full", "delta"] }).notNull().default("full"),
    trigger: text("trigger", { enum: SYNC_TRIGGERS }).notNull(),
    startedByType: text("started_by_type", { enum: ["user", "api_key", "schedule", "system"] }).notNull(),
    startedById: text("started_by_id"),
    startedByName: text("started_by_name").notNull(),
    idempotencyKey: text("idempotency_key"),
    /** Set when an admin releases a held run: the worker applies its staged data without extracting again. */
    releasedByName: text("released_by_name"),
    message: text("message"),
    queuedAt: timestamp("queued_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    workerId: text("worker_id"),
    attempts: integer("attempts").notNull().default(0),
    runAfter: timestamp("run_after", { withTimezone: true }).notNull().defaultNow(),
    counts: jsonb("counts").$type<SyncCounts>().notNull().default({}),
    processed: integer("processed").notNull().default(0),
    total: integer("total"),
    /** The identity_states version the staged outcomes were computed against. */
    stateVersion: bigint("state_version", { mode: "number" }),
    /** Where a running sync is; kept after it ends, so a failed run shows the phase it failed in. */
    phase: text("phase", { enum: SYNC_PHASES }),
    /** Set by whoever cancels a running sync; the worker stops the run and ends it `cancelled`. */
    cancelRequestedAt: timestamp("cancel_requested_at", { withTimezone: true }),
    cancelledById: text("cancelled_by_id"),
    cancelledByName: text("cancelled_by_name"),
  },
  (t) => [
    index("sync_executions_history_idx").on(t.tenantId, t.integrationId, t.queuedAt.desc(), t.id.desc()),
    index("sync_executions_queue_idx").on(t.runAfter).where(sql`status = 'queued'`),
    index("sync_executions_status_idx").on(t.tenantId, t.status, t.endedAt),
    uniqueIndex("sync_executions_one_running_uq").on(t.integrationId).where(sql`status = 'syncing'`),
    // A second request while one is queued joins it instead of queueing another (a released
    // held run is queued too, but it applies data already read, so it is not one of these).
    uniqueIndex("sync_executions_one_queued_uq").on(t.integrationId).where(sql`status = 'queued' and released_by_name is null`),
    uniqueIndex("sync_executions_idempotency_uq").on(t.tenantId, t.integrationId, t.idempotencyKey),
  ],
);

/**
 * One numbering for the Sync Log, whose entries live in two tables: the
 * staged rows (created / updated / unchanged) and sync_records (deleted /
 * skipped / error). Read together in id order, they are the log in the order
 * the sync met them.
 */
export const syncLogIdSeq = pgSequence("sync_log_id_seq");
const syncLogId = () => bigint("id", { mode: "number" }).notNull().default(sql`nextval('sync_log_id_seq')`);

export const SYNC_RECORD_OUTCOMES = ["created", "updated", "unchanged", "deleted", "skipped", "error"] as const;
/** The outcomes a staged row can have; the others are kept in sync_records. */
export const STAGED_OUTCOMES = ["created", "updated", "unchanged"] as const;

/**
 * What a sync saw, kept per sync so a campaign can show exactly what it was
 * based on. Each row carries its outcome against the current state it was
 * compared with, so it is also that record's Sync Log entry.
 */
export const extractedObjects = pgTable(
  "extracted_objects",
  {
    id: syncLogId(),
    tenantId: uuid("tenant_id").notNull(),
    syncExecutionId: uuid("sync_execution_id")
      .notNull()
      .references(() => syncExecutions.id),
    objectType: text("object_type", { enum: OBJECT_TYPE_VALUES }).notNull(),
    externalId: text("external_id").notNull(),
    fields: jsonb("fields").$type<Record<string, string | null>>().notNull(),
    hash: text("hash").notNull(),
    /** Null only on rows staged before outcomes were kept here (their log is in sync_records). */
    outcome: text("outcome", { enum: STAGED_OUTCOMES }),
  },
  (t) => [
    primaryKey({ name: "extracted_objects_pkey", columns: [t.syncExecutionId, t.id] }),
    index("extracted_objects_sync_idx").on(t.syncExecutionId, t.objectType, t.externalId),
    index("extracted_objects_outcome_idx").on(t.syncExecutionId, t.outcome, t.objectType, t.id),
    // The tenant-wide Sync Logs page walks the newest rows first across every sync.
    index("extracted_objects_tenant_log_idx").on(t.tenantId, t.id).where(sql`outcome is not null`),
  ],
);

/**
 * Where an integration's current state is: the staged rows of its last
 * applied full sync (the base), overlaid by identity_overlay. A full sync
 * becomes the base by reference, without copying a row; the version counts
 * applies, so a run can tell whether the state it compared against moved.
 */
export const identityStates = pgTable("identity_states", {
  integrationId: uuid("integration_id")
    .primaryKey()
    .references(() => integrations.id),
  tenantId: uuid("tenant_id").notNull(),
  baseSyncExecutionId: uuid("base_sync_execution_id").references(() => syncExecutions.id),
  version: bigint("version", { mode: "number" }).notNull().default(0),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Changes applied by delta syncs since the base: the staged row that now
 * holds the object, or none when the object was deleted. Cleared when a full
 * sync becomes the base.
 */
export const identityOverlay = pgTable(
  "identity_overlay",
  {
    tenantId: uuid("tenant_id").notNull(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    objectType: text("object_type", { enum: OBJECT_TYPE_VALUES }).notNull(),
    externalId: text("external_id").notNull(),
    /** The delta sync that wrote this entry; with extractedId, the key of the staged row that holds the object. */
    syncExecutionId: uuid("sync_execution_id")
      .notNull()
      .references(() => syncExecutions.id),
    /** Null when the object was deleted. */
    extractedId: bigint("extracted_id", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.objectType, t.externalId] })],
);

/**
 * The integration's current state, as a view over identity_states, the base
 * sync's staged rows and identity_overlay (migration 0009 defines it).
 */
export const identityObjects = pgView("identity_objects", {
  tenantId: uuid("tenant_id").notNull(),
  integrationId: uuid("integration_id").notNull(),
  objectType: text("object_type", { enum: OBJECT_TYPE_VALUES }).notNull(),
  externalId: text("external_id").notNull(),
  fields: jsonb("fields").$type<Record<string, string | null>>().notNull(),
  hash: text("hash").notNull(),
  syncExecutionId: uuid("sync_execution_id").notNull(),
}).existing();

/** The Sync Log entries that are not staged rows: deletions, skipped records and errors. */
export const syncRecords = pgTable(
  "sync_records",
  {
    id: syncLogId().primaryKey(),
    tenantId: uuid("tenant_id").notNull(),
    syncExecutionId: uuid("sync_execution_id")
      .notNull()
      .references(() => syncExecutions.id),
    objectType: text("object_type", { enum: OBJECT_TYPE_VALUES }).notNull(),
    externalId: text("external_id").notNull(),
    /** The record's name (username, display name or group name) where one was known. */
    name: text("name"),
    outcome: text("outcome", { enum: SYNC_RECORD_OUTCOMES }).notNull(),
    reason: text("reason"),
  },
  (t) => [
    index("sync_records_sync_idx").on(t.syncExecutionId, t.id),
    index("sync_records_sync_outcome_idx").on(t.syncExecutionId, t.outcome, t.objectType, t.id),
    index("sync_records_tenant_idx").on(t.tenantId, t.id),
  ],
);

/**
 * Files received by the upload route (CSV sources, evidence files). A row is
 * written only after the object is stored and its content checked; an upload
 * not attached to anything within a day is an orphan and is cleaned up.
 */
export const uploads = pgTable(
  "uploads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["csv", "evidence", "logo"] }).notNull(),
    objectKey: text("object_key").notNull().unique(),
    /** The name the user gave the file: for display and downloads only. */
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    versionId: text("version_id"),
    createdById: uuid("created_by_id"),
    createdByName: text("created_by_name").notNull(),
    createdAt: createdAt(),
    attachedAt: timestamp("attached_at", { withTimezone: true }),
  },
  (t) => [
    index("uploads_tenant_purpose_idx").on(t.tenantId, t.purpose, t.createdAt),
    index("uploads_orphan_idx").on(t.createdAt).where(sql`${t.attachedAt} is null`),
  ],
);

/**
 * Audit evidence attached to one sync: rich-text notes and files. Never
 * edited: a change is a new record on a new sync. The record, as written to
 * the ledger and to its manifest object, lists every file's SHA-256.
 */
export const evidenceRecords = pgTable(
  "evidence_records",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    syncExecutionId: uuid("sync_execution_id")
      .notNull()
      .unique()
      .references(() => syncExecutions.id),
    /** Lexical serialized editor state, or null when only files were attached. */
    notes: jsonb("notes").$type<Record<string, unknown> | null>(),
    notesText: text("notes_text"),
    manifestKey: text("manifest_key").notNull(),
    createdById: text("created_by_id"),
    createdByName: text("created_by_name").notNull(),
    /** ISO 8601 UTC, exactly as hashed into the ledger. */
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("evidence_records_integration_idx").on(t.tenantId, t.integrationId, t.createdAt)],
);

export const evidenceFiles = pgTable(
  "evidence_files",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id").notNull(),
    evidenceId: uuid("evidence_id")
      .notNull()
      .references(() => evidenceRecords.id),
    position: integer("position").notNull(),
    objectKey: text("object_key").notNull(),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    versionId: text("version_id"),
  },
  (t) => [uniqueIndex("evidence_files_position_idx").on(t.evidenceId, t.position)],
);

/**
 * Records waiting to be sealed into the ledger. Writers only insert here, in
 * the same transaction as the record; one sealer per tenant gives them their
 * sequence numbers and hashes, so concurrent writers can never fork the chain.
 */
export const ledgerQueue = pgTable(
  "ledger_queue",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: uuid("tenant_id").notNull(),
    kind: text("kind", { enum: ["evidence", "sync", "audit"] }).notNull(),
    refId: text("ref_id").notNull(),
    record: jsonb("record").$type<Record<string, unknown>>().notNull(),
    createdAt: text("created_at")
      .notNull()
      .default(sql`to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`),
  },
  (t) => [index("ledger_queue_tenant_idx").on(t.tenantId, t.id)],
);

/** The per-tenant hash chain. Append-only for every role. */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    tenantId: uuid("tenant_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    kind: text("kind", { enum: ["evidence", "sync", "audit"] }).notNull(),
    refId: text("ref_id").notNull(),
    createdAt: text("created_at").notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    /** The record as RFC 8785 canonical JSON text: exactly the bytes the hash covers, never re-serialised. */
    record: text("record").notNull(),
    sealedAt: timestamp("sealed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.seq] }), index("ledger_entries_ref_idx").on(t.tenantId, t.kind, t.refId)],
);

/** Signed Merkle tree heads over a tenant's entries (also written to object storage). */
export const ledgerCheckpoints = pgTable(
  "ledger_checkpoints",
  {
    tenantId: uuid("tenant_id").notNull(),
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

/** Public halves of the checkpoint signing keys, current and retired. */
export const ledgerKeys = pgTable("ledger_keys", {
  keyId: text("key_id").primaryKey(),
  publicKeyPem: text("public_key_pem").notNull(),
  createdAt: createdAt(),
});
