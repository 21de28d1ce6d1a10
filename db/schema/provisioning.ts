/**
 * Provisioning: per-integration settings, the tasks that write to target
 * applications (each with its operation log, request and response), and the
 * batches an uploaded CSV makes.
 */
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  ACTOR_TYPES,
  PROVISIONING_ACTIONS,
  PROVISIONING_MODES,
  PROVISIONING_OBJECT_TYPES,
  PROVISIONING_SOURCE_REF_TYPES,
  PROVISIONING_SOURCES,
  PROVISIONING_STATUSES,
} from "@/lib/domain/enums";
import { createdAt } from "./columns";
import { integrations } from "./integrations";
import { tenantId } from "./tenants";

/**
 * Whether and how an integration is provisioned ("data synchronization
 * enabled for the application"). No row, or enabled = false: no task is
 * created for it and no log is written.
 */
export const provisioningSettings = pgTable(
  "provisioning_settings",
  {
    integrationId: uuid("integration_id")
      .primaryKey()
      .references(() => integrations.id),
    tenantId: tenantId(),
    enabled: boolean("enabled").notNull().default(false),
    mode: text("mode", { enum: PROVISIONING_MODES }).notNull(),
    /** Mode and connector specific settings without secrets (the LDAP disable strategy, the callback endpoint…). */
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    /** AES-256-GCM ciphertext of the secret settings (a callback endpoint's token), bound to the integration id. */
    secrets: text("secrets"),
    /** A callback task with no callback after this long ends `no_callback`. */
    callbackTimeoutSeconds: integer("callback_timeout_seconds").notNull().default(3600),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("provisioning_settings_callback_timeout_seconds_check", sql`${t.callbackTimeoutSeconds} between 10 and 604800`)],
);

/** One step of a task's operation log. */
export type ProvisioningStep = { at: string; message: string; level?: "info" | "warn" | "error" };
/** What was sent, secrets masked: the outgoing request payload. */
export type ProvisioningRequest = { method?: string; url?: string; body?: unknown; summary?: string };
/** What came back, the body capped. */
export type ProvisioningResponse = { status?: number | string; body?: unknown; truncated?: boolean };
/** Which groups an account task bound and unbound on the target. */
export type ProvisioningBindings = {
  bound: { externalId: string; name?: string | null }[];
  unbound: { externalId: string; name?: string | null }[];
  failed?: { externalId: string; name?: string | null; reason: string }[];
};

/**
 * One operation on one object of one target. The row is also the job:
 * workers claim pending rows with SKIP LOCKED; `seq` orders the tasks on one
 * object (integration, account key), and a task that failed or had no
 * callback holds the later ones until it is retried or confirmed.
 */
export const provisioningTasks = pgTable(
  "provisioning_tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Creation order; orders the tasks on one object and pages the list. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    tenantId: tenantId(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    objectType: text("object_type", { enum: PROVISIONING_OBJECT_TYPES }).notNull(),
    action: text("action", { enum: PROVISIONING_ACTIONS }).notNull(),
    /** The object the tasks are ordered on: the account's username, lower-cased (memberships too: they wait for their account). */
    objectKey: text("object_key").notNull(),
    /** What the list shows as the object: "alice", or "alice → Engineering". */
    objectName: text("object_name").notNull(),
    /** The account on the target, when known (filled in by a create). */
    accountExternalId: text("account_external_id"),
    groupExternalId: text("group_external_id"),
    groupName: text("group_name"),
    source: text("source", { enum: PROVISIONING_SOURCES }).notNull(),
    sourceRefType: text("source_ref_type", { enum: PROVISIONING_SOURCE_REF_TYPES }),
    sourceRefId: text("source_ref_id"),
    initiatorType: text("initiator_type", { enum: ACTOR_TYPES }).notNull(),
    initiatorId: text("initiator_id"),
    initiatorName: text("initiator_name").notNull(),
    status: text("status", { enum: PROVISIONING_STATUSES }).notNull().default("pending"),
    /** The status the task ended with (success, failed, no_callback): what its ledger entry records; never changes after. */
    outcome: text("outcome", { enum: PROVISIONING_STATUSES }),
    attempts: integer("attempts").notNull().default(0),
    runAfter: timestamp("run_after", { withTimezone: true }).notNull().defaultNow(),
    /** The last error, as the target said it. */
    message: text("message"),
    /** The task parameters, checked against the connector's schema. */
    parameters: jsonb("parameters").$type<Record<string, unknown>>().notNull(),
    request: jsonb("request").$type<ProvisioningRequest>(),
    response: jsonb("response").$type<ProvisioningResponse>(),
    /** SHA-256 of the canonical JSON of request and response, as the ledger records them. */
    requestHash: text("request_hash"),
    responseHash: text("response_hash"),
    bindings: jsonb("bindings").$type<ProvisioningBindings>(),
    steps: jsonb("steps").$type<import("./provisioning").ProvisioningStep[]>().notNull().default([]),
    /** The task this one re-runs (Retry After Modification); the original is then superseded. */
    retryOfId: uuid("retry_of_id").references((): AnyPgColumn => provisioningTasks.id),
    batchId: uuid("batch_id").references((): AnyPgColumn => provisioningBatches.id),
    batchLine: integer("batch_line"),
    /** A grant's expiry: the permission-expiry job queues its revoke then. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    expiryTaskId: uuid("expiry_task_id"),
    /** SHA-256 of the single-use callback token; the token itself is only in the URL sent to the target. */
    callbackTokenHash: text("callback_token_hash"),
    callbackExpiresAt: timestamp("callback_expires_at", { withTimezone: true }),
    callbackUsedAt: timestamp("callback_used_at", { withTimezone: true }),
    confirmedById: text("confirmed_by_id"),
    confirmedByName: text("confirmed_by_name"),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
    confirmReason: text("confirm_reason"),
    /** Evidence files attached to a confirmation: name, size, type, SHA-256, object key. */
    confirmEvidence:
      jsonb("confirm_evidence").$type<{ name: string; size: number; contentType: string; sha256: string; objectKey: string }[]>(),
    workerId: text("worker_id"),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("provisioning_tasks_seq_uq").on(t.seq),
    // The list, newest first, and its common filters.
    index("provisioning_tasks_tenant_id_seq_idx").on(t.tenantId, t.seq.desc()),
    index("provisioning_tasks_tenant_id_status_seq_idx").on(t.tenantId, t.status, t.seq.desc()),
    index("provisioning_tasks_tenant_id_source_seq_idx").on(t.tenantId, t.source, t.seq.desc()),
    index("provisioning_tasks_tenant_id_integration_id_seq_idx").on(t.tenantId, t.integrationId, t.seq.desc()),
    // The queue, and the hold: earlier unfinished tasks on the same object.
    index("provisioning_tasks_run_after_pending_idx").on(t.runAfter).where(sql`status = 'pending'`),
    index("provisioning_tasks_integration_id_object_key_seq_holding_idx")
      .on(t.integrationId, t.objectKey, t.seq)
      .where(sql`status in ('pending', 'running', 'failed', 'no_callback')`),
    index("provisioning_tasks_batch_id_idx").on(t.batchId).where(sql`batch_id is not null`),
    index("provisioning_tasks_expires_at_due_idx").on(t.expiresAt).where(sql`expires_at is not null and expiry_task_id is null`),
    index("provisioning_tasks_callback_expires_at_waiting_idx")
      .on(t.callbackExpiresAt)
      .where(sql`status = 'running' and callback_expires_at is not null`),
    index("provisioning_tasks_source_ref_idx").on(t.tenantId, t.sourceRefType, t.sourceRefId).where(sql`source_ref_id is not null`),
    uniqueIndex("provisioning_tasks_id_tenant_id_uq").on(t.id, t.tenantId),
  ],
);

/** One uploaded CSV of operations: its rows became tasks, its bad rows are reported by line. */
export const provisioningBatches = pgTable(
  "provisioning_batches",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    fileName: text("file_name").notNull(),
    fileSha256: text("file_sha256").notNull(),
    /** Rows read, tasks made, and the rows refused with their line and reason. */
    rows: integer("rows").notNull(),
    taskCount: integer("task_count").notNull(),
    rejected: jsonb("rejected").$type<{ line: number; reason: string }[]>().notNull().default([]),
    createdById: text("created_by_id"),
    createdByName: text("created_by_name").notNull(),
    createdByType: text("created_by_type", { enum: ACTOR_TYPES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("provisioning_batches_tenant_id_created_at_idx").on(t.tenantId, t.createdAt.desc())],
);
