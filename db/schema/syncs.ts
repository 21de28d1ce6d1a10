/** Sync executions, their staged rows and Sync Log, and the current state they make. */
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  foreignKey,
  index,
  integer,
  primaryKey,
  jsonb,
  pgSequence,
  pgTable,
  pgView,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  OBJECT_TYPES,
  STAGED_OUTCOMES,
  SYNC_MODES,
  SYNC_PHASES,
  SYNC_RECORD_OUTCOMES,
  SYNC_STARTER_TYPES,
  SYNC_STATUSES,
  SYNC_TRIGGERS,
  type SyncCounts,
} from "@/lib/domain/enums";
import { integrations } from "./integrations";
import { tenantId } from "./tenants";

/**
 * One run of a connector. The row is also the job: workers claim queued rows
 * with SKIP LOCKED, and a partial unique index allows one running sync per
 * integration.
 */
export const syncExecutions = pgTable(
  "sync_executions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    status: text("status", { enum: SYNC_STATUSES }).notNull().default("queued"),
    mode: text("mode", { enum: SYNC_MODES }).notNull().default("full"),
    trigger: text("trigger", { enum: SYNC_TRIGGERS }).notNull(),
    startedByType: text("started_by_type", { enum: SYNC_STARTER_TYPES }).notNull(),
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
    /**
     * The Postgres backend of the connection that claimed the run: when the run is
     * failed as dead, that backend is cancelled, so a statement its dead worker left
     * behind stops using the database.
     */
    backendPid: integer("backend_pid"),
    /**
     * The run this one repeats: a run cut off by a lost database connection is queued
     * again once, and a run that is itself such a repeat is not queued again.
     */
    retryOfId: uuid("retry_of_id").references((): AnyPgColumn => syncExecutions.id),
    attempts: integer("attempts").notNull().default(0),
    runAfter: timestamp("run_after", { withTimezone: true }).notNull().defaultNow(),
    counts: jsonb("counts").$type<SyncCounts>().notNull().default({}),
    processed: integer("processed").notNull().default(0),
    total: integer("total"),
    /** The identity_states version the staged outcomes were computed against. */
    stateVersion: bigint("state_version", { mode: "number" }),
    /** Where a running sync is; kept after it ends, so a failed run shows the phase it failed in. */
    phase: text("phase", { enum: SYNC_PHASES }),
    /** When the run entered its phase: a phase's deadline and the overdue warning count from it. */
    phaseStartedAt: timestamp("phase_started_at", { withTimezone: true }),
    /**
     * When a running sync is ended `error`: the earlier of its phase's deadline and
     * its run deadline. Kept with the phase by the
     * heartbeat, so any worker can end a run past it.
     */
    deadlineAt: timestamp("deadline_at", { withTimezone: true }),
    /** When the run's claim plus the integration's maximum run time ends it, whatever its phase. */
    runDeadlineAt: timestamp("run_deadline_at", { withTimezone: true }),
    /** Set by whoever cancels a running sync; the worker stops the run and ends it `cancelled`. */
    cancelRequestedAt: timestamp("cancel_requested_at", { withTimezone: true }),
    cancelledById: text("cancelled_by_id"),
    cancelledByName: text("cancelled_by_name"),
  },
  (t) => [
    index("sync_executions_tenant_id_integration_id_queued_at_id_idx").on(t.tenantId, t.integrationId, t.queuedAt.desc(), t.id.desc()),
    index("sync_executions_run_after_queued_idx").on(t.runAfter).where(sql`status = 'queued'`),
    index("sync_executions_tenant_id_status_ended_at_idx").on(t.tenantId, t.status, t.endedAt),
    // The drop guard's "last applied sync of this integration" walks it newest first.
    index("sync_executions_integration_id_ended_at_idx").on(t.integrationId, t.endedAt.desc().nullsLast()),
    uniqueIndex("sync_executions_integration_id_running_uq").on(t.integrationId).where(sql`status = 'syncing'`),
    // A second request while one is queued joins it instead of queueing another (a released
    // held run is queued too, but it applies data already read, so it is not one of these).
    uniqueIndex("sync_executions_integration_id_queued_uq").on(t.integrationId).where(sql`status = 'queued' and released_by_name is null`),
    // The target of the staged rows' (sync, tenant) reference.
    uniqueIndex("sync_executions_id_tenant_id_uq").on(t.id, t.tenantId),
    uniqueIndex("sync_executions_tenant_id_integration_id_idempotency_key_uq").on(t.tenantId, t.integrationId, t.idempotencyKey),
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

/**
 * What a sync saw, kept per sync so a campaign can show exactly what it was
 * based on. Each row carries its outcome against the current state it was
 * compared with, so it is also that record's Sync Log entry.
 */
export const extractedObjects = pgTable(
  "extracted_objects",
  {
    id: syncLogId(),
    /**
     * The sync's tenant, held by the (sync_execution_id, tenant_id) reference
     * below rather than by one to tenants: a sync stages hundreds of thousands
     * of rows by COPY, and a second foreign-key check per row cost more than
     * the sync reference alone (docs/architecture.md, "Tenants and foreign keys").
     */
    tenantId: uuid("tenant_id").notNull(),
    syncExecutionId: uuid("sync_execution_id").notNull(),
    objectType: text("object_type", { enum: OBJECT_TYPES }).notNull(),
    externalId: text("external_id").notNull(),
    fields: jsonb("fields").$type<Record<string, string | null>>().notNull(),
    hash: text("hash").notNull(),
    /** Null only on rows staged before outcomes were kept here (their log is in sync_records). */
    outcome: text("outcome", { enum: STAGED_OUTCOMES }),
  },
  (t) => [
    primaryKey({ name: "extracted_objects_pkey", columns: [t.syncExecutionId, t.id] }),
    foreignKey({
      name: "extracted_objects_sync_execution_id_tenant_id_fk",
      columns: [t.syncExecutionId, t.tenantId],
      foreignColumns: [syncExecutions.id, syncExecutions.tenantId],
    }),
    index("extracted_objects_sync_execution_id_object_type_external_id_idx").on(t.syncExecutionId, t.objectType, t.externalId),
    index("extracted_objects_sync_execution_id_outcome_object_type_id_idx").on(t.syncExecutionId, t.outcome, t.objectType, t.id),
    // The tenant-wide Sync Logs page walks the newest rows first across every sync.
    index("extracted_objects_tenant_id_id_logged_idx").on(t.tenantId, t.id).where(sql`outcome is not null`),
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
  tenantId: tenantId(),
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
    tenantId: tenantId(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    objectType: text("object_type", { enum: OBJECT_TYPES }).notNull(),
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
  objectType: text("object_type", { enum: OBJECT_TYPES }).notNull(),
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
    tenantId: tenantId(),
    syncExecutionId: uuid("sync_execution_id")
      .notNull()
      .references(() => syncExecutions.id),
    objectType: text("object_type", { enum: OBJECT_TYPES }).notNull(),
    externalId: text("external_id").notNull(),
    /** The record's name (username, display name or group name) where one was known. */
    name: text("name"),
    outcome: text("outcome", { enum: SYNC_RECORD_OUTCOMES }).notNull(),
    reason: text("reason"),
  },
  (t) => [
    index("sync_records_sync_execution_id_id_idx").on(t.syncExecutionId, t.id),
    index("sync_records_sync_execution_id_outcome_object_type_id_idx").on(t.syncExecutionId, t.outcome, t.objectType, t.id),
    index("sync_records_tenant_id_id_idx").on(t.tenantId, t.id),
  ],
);
