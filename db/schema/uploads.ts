/** Uploaded files before and after they are attached. */
import { sql } from "drizzle-orm";
import { bigint, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { UPLOAD_PURPOSES } from "@/lib/domain/enums";
import { createdAt } from "./columns";
import { tenantId } from "./tenants";

/**
 * Files received by the upload route (CSV sources, evidence files). A row is
 * written only after the object is stored and its content checked; an upload
 * not attached to anything within a day is an orphan and is cleaned up.
 */
export const uploads = pgTable(
  "uploads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    purpose: text("purpose", { enum: UPLOAD_PURPOSES }).notNull(),
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
    index("uploads_tenant_id_purpose_created_at_idx").on(t.tenantId, t.purpose, t.createdAt),
    index("uploads_created_at_unattached_idx").on(t.createdAt).where(sql`${t.attachedAt} is null`),
  ],
);
