/** Audit evidence attached to syncs. */
import { bigint, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { integrations } from "./integrations";
import { syncExecutions } from "./syncs";
import { tenantId } from "./tenants";

/**
 * Audit evidence attached to one sync: rich-text notes and files. Never
 * edited: a change is a new record on a new sync. The record, as written to
 * the ledger and to its manifest object, lists every file's SHA-256.
 */
export const evidenceRecords = pgTable(
  "evidence_records",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
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
  (t) => [index("evidence_records_tenant_id_integration_id_created_at_idx").on(t.tenantId, t.integrationId, t.createdAt)],
);

export const evidenceFiles = pgTable(
  "evidence_files",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
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
  (t) => [uniqueIndex("evidence_files_evidence_id_position_uq").on(t.evidenceId, t.position)],
);
