/** Access-review campaigns: the frozen Sync Context, the review items and their progress. */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  customType,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { CampaignFilter } from "@/lib/domain/campaign-filter";
import {
  CAMPAIGN_REVIEWER_MODES,
  CAMPAIGN_STATUSES,
  OBJECT_TYPES,
  REMEDIATION_STATUSES,
  REVIEW_DECISIONS,
  SYNC_STATUSES,
  type SyncCounts,
} from "@/lib/domain/enums";
import { integrations } from "./integrations";
import { syncExecutions } from "./syncs";
import { tenantId, users } from "./tenants";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

/** One evidence file as the Sync Context recorded it (the file itself stays where evidence keeps it). */
export type CapturedEvidenceFile = {
  fileId: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
  objectKey: string;
  versionId: string | null;
};

/** How many objects of each type the integration's current state held. */
export type StateCounts = Partial<Record<(typeof OBJECT_TYPES)[number], number>>;

export const campaigns = pgTable(
  "campaigns",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    name: text("name").notNull(),
    description: text("description"),
    status: text("status", { enum: CAMPAIGN_STATUSES }).notNull(),
    dueDate: date("due_date", { mode: "string" }).notNull(),
    reviewerMode: text("reviewer_mode", { enum: CAMPAIGN_REVIEWER_MODES }).notNull(),
    /** The members chosen as reviewers (reviewer mode "members"), in the order items were dealt to them. */
    reviewerIds: jsonb("reviewer_ids").$type<string[]>().notNull(),
    filter: jsonb("filter").$type<CampaignFilter>().notNull(),
    /** SHA-256 of the Sync Context's canonical JSON: what the ledger's campaign entry records. */
    snapshotHash: text("snapshot_hash").notNull(),
    /** SHA-256 over the review items as copied (db/queries/campaigns.ts, itemsDigest). */
    itemsDigest: text("items_digest").notNull(),
    itemCount: integer("item_count").notNull(),
    createdById: uuid("created_by_id").references(() => users.id),
    createdByName: text("created_by_name").notNull(),
    /** ISO 8601 UTC, exactly as hashed into the ledger. */
    createdAt: text("created_at").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    endedByName: text("ended_by_name"),
    /** SHA-256 over every decision at completion (db/queries/campaigns.ts, decisionsDigest). */
    decisionsDigest: text("decisions_digest"),
  },
  (t) => [
    index("campaigns_tenant_id_created_at_id_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    uniqueIndex("campaigns_id_tenant_id_uq").on(t.id, t.tenantId),
  ],
);

/**
 * The Sync Context: per included integration, a copy of what its most recent
 * completed sync was when the campaign was created. Nothing here is joined
 * later, so renaming, re-syncing or deleting the integration, new evidence or
 * a new logo never changes what the campaign shows. Insert-only (migration).
 */
export const campaignSyncContexts = pgTable(
  "campaign_sync_contexts",
  {
    tenantId: tenantId(),
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    position: integer("position").notNull(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id),
    integrationName: text("integration_name").notNull(),
    connector: text("connector").notNull(),
    logo: bytea("logo"),
    logoContentType: text("logo_content_type"),
    logoSha256: text("logo_sha256"),
    syncExecutionId: uuid("sync_execution_id")
      .notNull()
      .references(() => syncExecutions.id),
    syncStatus: text("sync_status", { enum: SYNC_STATUSES }).notNull(),
    syncStartedAt: text("sync_started_at"),
    syncEndedAt: text("sync_ended_at"),
    syncMessage: text("sync_message"),
    syncCounts: jsonb("sync_counts").$type<SyncCounts>().notNull(),
    /** The integration's current state at creation, per object type: compared with its state now. */
    stateCounts: jsonb("state_counts").$type<StateCounts>().notNull(),
    evidenceId: uuid("evidence_id"),
    /** Lexical JSON as stored, and the HTML it rendered to at creation. */
    evidenceNotes: jsonb("evidence_notes").$type<Record<string, unknown> | null>(),
    evidenceNotesHtml: text("evidence_notes_html"),
    evidenceCreatedByName: text("evidence_created_by_name"),
    evidenceCreatedAt: text("evidence_created_at"),
    evidenceFiles: jsonb("evidence_files").$type<CapturedEvidenceFile[]>().notNull(),
    itemCount: integer("item_count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.position] })],
);

/**
 * One thing to review: an account, a membership of an account in a group, or
 * a group, role or entitlement, copied from the captured state. Only the
 * reviewer and the decision columns ever change, and only while the campaign
 * is open (a trigger holds the rest, migration).
 */
export const campaignItems = pgTable(
  "campaign_items",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** Held through the campaign: (campaign_id, tenant_id) references campaigns (id, tenant_id), below. */
    tenantId: uuid("tenant_id").notNull(),
    campaignId: uuid("campaign_id").notNull(),
    integrationId: uuid("integration_id").notNull(),
    /** The sync whose staged row held this object in the captured state. */
    syncExecutionId: uuid("sync_execution_id").notNull(),
    objectType: text("object_type", { enum: OBJECT_TYPES }).notNull(),
    externalId: text("external_id").notNull(),
    /** The account under review (accounts and memberships). */
    accountExternalId: text("account_external_id"),
    accountName: text("account_name"),
    displayName: text("display_name"),
    /** The group, role or entitlement (memberships, and those objects themselves). */
    targetExternalId: text("target_external_id"),
    targetName: text("target_name"),
    fields: jsonb("fields").$type<Record<string, string | null>>().notNull(),
    /**
     * The member who reviews the item, checked to be one who may decide when the
     * campaign is created and on every reassignment. Not a reference to users:
     * creation copies 200,000 items in one statement and a reference is a check
     * per row; the reviewer's name is copied beside it in any case.
     */
    reviewerId: uuid("reviewer_id"),
    reviewerName: text("reviewer_name"),
    decision: text("decision", { enum: REVIEW_DECISIONS }),
    comment: text("comment"),
    decidedById: text("decided_by_id"),
    decidedByName: text("decided_by_name"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    /** Set with a revoke decision; provisioning moves it on. */
    remediation: text("remediation", { enum: REMEDIATION_STATUSES }),
    /** The provisioning task carrying out a revoke (the latest, after a retry). */
    remediationTaskId: uuid("remediation_task_id"),
    /** The first sync after the revoke that no longer saw what was revoked: the closed loop's proof. */
    remediationVerifiedSyncId: uuid("remediation_verified_sync_id"),
  },
  (t) => [
    // One reference for the campaign and its tenant: creation copies 200,000 items in one
    // statement, and each separate reference is a check per row (docs/architecture.md).
    foreignKey({
      name: "campaign_items_campaign_id_tenant_id_fk",
      columns: [t.campaignId, t.tenantId],
      foreignColumns: [campaigns.id, campaigns.tenantId],
    }),
    index("campaign_items_campaign_id_id_idx").on(t.campaignId, t.id),
    index("campaign_items_campaign_id_reviewer_id_id_idx").on(t.campaignId, t.reviewerId, t.id),
    // A reviewer's queue narrowed to one integration reads just its rows, in id order, however many the reviewer holds elsewhere.
    index("campaign_items_campaign_id_reviewer_id_integration_id_id_idx").on(t.campaignId, t.reviewerId, t.integrationId, t.id),
    // The seam provisioning picks up: revoke decisions not yet carried out.
    index("campaign_items_tenant_id_id_pending_idx").on(t.tenantId, t.id).where(sql`remediation = 'pending'`),
    // A finished provisioning task finds the items it carries out.
    index("campaign_items_remediation_task_id_idx").on(t.remediationTaskId).where(sql`remediation_task_id is not null`),
    // The end of a sync finds its integration's carried-out revokes awaiting proof.
    index("campaign_items_integration_id_remediated_idx").on(t.integrationId).where(sql`remediation = 'remediated'`),
  ],
);

/**
 * Decided and total items per (campaign, integration, reviewer), kept in step
 * with every decision and reassignment, so the Summary's progress and charts
 * read a few rows instead of counting every item.
 */
export const campaignProgress = pgTable(
  "campaign_progress",
  {
    tenantId: tenantId(),
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    integrationId: uuid("integration_id").notNull(),
    /** The nil uuid for items no reviewer holds (an integration without an owner cannot be captured, but a removed user leaves none). */
    reviewerId: uuid("reviewer_id").notNull(),
    total: bigint("total", { mode: "number" }).notNull().default(0),
    approved: bigint("approved", { mode: "number" }).notNull().default(0),
    revoked: bigint("revoked", { mode: "number" }).notNull().default(0),
  },
  (t) => [uniqueIndex("campaign_progress_campaign_id_integration_id_reviewer_id_uq").on(t.campaignId, t.integrationId, t.reviewerId)],
);
