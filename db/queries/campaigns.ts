/**
 * Data access for campaigns: capturing the Sync Context and copying the review
 * items at creation, and reading them back.
 *
 * The items are selected from the identity_objects view with the integration
 * ids passed as an array, so the planner sees a set it cannot estimate from
 * stale statistics and hashes the joins (lib/syncs/state.ts explains why that
 * matters here). One statement selects, deals items to reviewers and inserts.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { AttributeCondition, CampaignFilter } from "@/lib/domain/campaign-filter";
import { APPLIED_SYNC_STATUSES, type ObjectType, type RemediationStatus } from "@/lib/domain/enums";
import type { Executor } from "../client";
import {
  campaignItems,
  campaignProgress,
  campaigns,
  campaignSyncContexts,
  evidenceFiles,
  evidenceRecords,
  integrations,
  memberships,
  syncExecutions,
  uploads,
  users,
} from "../schema";

export type CampaignRow = typeof campaigns.$inferSelect;
export type NewCampaign = typeof campaigns.$inferInsert;
export type SyncContextRow = typeof campaignSyncContexts.$inferSelect;
export type NewSyncContext = typeof campaignSyncContexts.$inferInsert;

/** The integrations a campaign may include, with what the Sync Context copies of each. */
export async function integrationsForCapture(db: Executor, tenantId: string, ids: string[]) {
  return db.execute<{
    id: string;
    name: string;
    connector: string;
    ownerId: string | null;
    ownerName: string | null;
    logoObjectKey: string | null;
    logoContentType: string | null;
  }>(sql`
    select i.id::text, i.name, i.connector, i.owner_id::text as "ownerId", u.email as "ownerName",
           l.object_key as "logoObjectKey", l.content_type as "logoContentType"
      from ${integrations} i
      left join ${users} u on u.id = i.owner_id
      left join ${uploads} l on l.id = i.logo_upload_id and l.tenant_id = i.tenant_id and l.purpose = 'logo'
     where i.tenant_id = ${tenantId} and i.deleted_at is null and i.id = any(${sql.param(ids)}::uuid[])`);
}

export type CapturedSync = {
  integrationId: string;
  id: string;
  status: (typeof APPLIED_SYNC_STATUSES)[number];
  startedAt: string | null;
  endedAt: string | null;
  message: string | null;
  counts: Record<string, unknown>;
};

const iso = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Each integration's most recent completed sync: the one whose data is its current state. */
export async function latestCompletedSyncs(db: Executor, tenantId: string, integrationIds: string[]) {
  return db.execute<CapturedSync>(sql`
    select distinct on (integration_id) integration_id::text as "integrationId", id::text, status,
           ${iso(sql`started_at`)} as "startedAt", ${iso(sql`ended_at`)} as "endedAt", message, counts
      from ${syncExecutions}
     where tenant_id = ${tenantId} and integration_id = any(${sql.param(integrationIds)}::uuid[])
       and status in (${sql.join(
         APPLIED_SYNC_STATUSES.map((s) => sql`${s}`),
         sql`, `,
       )})
     order by integration_id, ended_at desc nulls last, id desc`);
}

/** The evidence attached to some syncs, with its files in order. */
export async function evidenceOfSyncs(db: Executor, tenantId: string, syncIds: string[]) {
  return db.execute<{
    syncExecutionId: string;
    id: string;
    notes: Record<string, unknown> | null;
    createdByName: string;
    createdAt: string;
    files: {
      fileId: string;
      name: string;
      size: number;
      contentType: string;
      sha256: string;
      objectKey: string;
      versionId: string | null;
    }[];
  }>(sql`
    select r.sync_execution_id::text as "syncExecutionId", r.id::text, r.notes, r.created_by_name as "createdByName",
           r.created_at as "createdAt",
           coalesce((select json_agg(json_build_object('fileId', f.id, 'name', f.filename, 'size', f.size, 'contentType', f.content_type,
                                                       'sha256', f.sha256, 'objectKey', f.object_key, 'versionId', f.version_id)
                                     order by f.position)
                       from ${evidenceFiles} f where f.evidence_id = r.id), '[]'::json) as files
      from ${evidenceRecords} r
     where r.tenant_id = ${tenantId} and r.sync_execution_id = any(${sql.param(syncIds)}::uuid[])`);
}

/** How many objects of each type some integrations' current state holds. */
export async function stateCounts(db: Executor, tenantId: string, integrationIds: string[]) {
  return db.execute<{ integrationId: string; objectType: ObjectType; count: number }>(sql`
    select integration_id::text as "integrationId", object_type as "objectType", count(*)::int as count
      from identity_objects
     where tenant_id = ${tenantId} and integration_id = any(${sql.param(integrationIds)}::uuid[])
     group by integration_id, object_type`);
}

function conditionSql(column: SQL, c: AttributeCondition): SQL {
  const value = sql`coalesce(${column} ->> ${c.field}, '')`;
  switch (c.operator) {
    case "equals":
      return sql`lower(${value}) = lower(${c.value ?? ""})`;
    case "not_equals":
      return sql`lower(${value}) <> lower(${c.value ?? ""})`;
    case "contains":
      return sql`strpos(lower(${value}), lower(${c.value ?? ""})) > 0`;
    case "is_empty":
      return sql`${value} = ''`;
    case "is_not_empty":
      return sql`${value} <> ''`;
  }
}

/**
 * The rows a filter selects, one per review item, with its integration, the
 * sync that holds it, the account it concerns and the group, role or
 * entitlement it grants. Used for the preview (counted) and the copy.
 */
function selectedItems(tenantId: string, filter: CampaignFilter): SQL {
  const types = filter.entityTypes;
  const groups = filter.groups;
  const inGroups = (column: SQL) => (groups.length ? sql`${column} = any(${sql.param(groups)}::text[])` : sql`true`);
  const accountOk = (alias: SQL) =>
    filter.conditions.length
      ? sql.join(
          filter.conditions.map((c) => conditionSql(sql`${alias}.fields`, c)),
          sql` and `,
        )
      : sql`true`;
  const parts: SQL[] = [];
  if (types.includes("account")) {
    parts.push(sql`
      select a.integration_id, a.sync_execution_id, 'account'::text as object_type, a.external_id,
             a.external_id as account_external_id, a.fields ->> 'username' as account_name, a.fields ->> 'displayName' as display_name,
             null::text as target_external_id, null::text as target_name, a.fields
        from objs a
       where a.object_type = 'account' and ${accountOk(sql`a`)}
         ${
           groups.length
             ? sql`and a.external_id in (select m.fields ->> 'memberExternalId' from objs m
                                         where m.object_type = 'membership' and m.integration_id = a.integration_id
                                           and ${inGroups(sql`m.fields ->> 'groupExternalId'`)})`
             : sql``
         }`);
  }
  if (types.includes("membership")) {
    parts.push(sql`
      select m.integration_id, m.sync_execution_id, 'membership'::text, m.external_id,
             m.fields ->> 'memberExternalId', a.fields ->> 'username', a.fields ->> 'displayName',
             m.fields ->> 'groupExternalId', g.fields ->> 'name', m.fields
        from objs m
        ${filter.conditions.length ? sql`join` : sql`left join`} objs a
          on a.object_type = 'account' and a.integration_id = m.integration_id and a.external_id = m.fields ->> 'memberExternalId'
        left join objs g
          on g.object_type in ('group', 'role', 'entitlement') and g.integration_id = m.integration_id
         and g.external_id = m.fields ->> 'groupExternalId'
       where m.object_type = 'membership' and ${inGroups(sql`m.fields ->> 'groupExternalId'`)} and ${filter.conditions.length ? accountOk(sql`a`) : sql`true`}`);
  }
  const grantTypes = types.filter((t) => t === "group" || t === "role" || t === "entitlement");
  if (grantTypes.length) {
    parts.push(sql`
      select o.integration_id, o.sync_execution_id, o.object_type, o.external_id,
             null::text, null::text, null::text, o.external_id, o.fields ->> 'name', o.fields
        from objs o
       where o.object_type = any(${sql.param(grantTypes)}::text[]) and ${inGroups(sql`o.external_id`)}`);
  }
  return sql`
    with objs as materialized (
      select integration_id, object_type, external_id, fields, sync_execution_id
        from identity_objects
       where tenant_id = ${tenantId} and integration_id = any(${sql.param(filter.integrationIds)}::uuid[])
         and object_type = any(${sql.param(neededTypes(filter))}::text[]))
    ${sql.join(parts, sql` union all `)}`;
}

/** The object types the selection reads: the reviewed ones, and what they are joined with. */
function neededTypes(filter: CampaignFilter): ObjectType[] {
  const needed = new Set<ObjectType>(filter.entityTypes);
  if (filter.entityTypes.includes("membership")) {
    needed.add("account");
    needed.add("group");
    needed.add("role");
    needed.add("entitlement");
  }
  if (filter.entityTypes.includes("account") && filter.groups.length) needed.add("membership");
  return [...needed];
}

/** How many items a filter selects, per integration and object type. */
export async function previewItemCounts(db: Executor, tenantId: string, filter: CampaignFilter) {
  return db.execute<{ integrationId: string; objectType: ObjectType; count: number }>(sql`
    select integration_id::text as "integrationId", object_type as "objectType", count(*)::int as count
      from (${selectedItems(tenantId, filter)}) x (integration_id, sync_execution_id, object_type)
     group by 1, 2`);
}

/**
 * Who reviews each item: in "members" mode the reviewers in turn, keeping all
 * of one account's items (or one group's) with one reviewer; in "owners" mode
 * each integration's owner.
 */
export type ReviewerAssignment =
  | { mode: "members"; reviewerIds: string[] }
  | { mode: "owners"; owners: { integrationId: string; ownerId: string }[] };

/** Copies the selected items into the campaign; returns how many per integration and reviewer. */
export async function copyItems(
  tx: Executor,
  campaign: { id: string; tenantId: string },
  filter: CampaignFilter,
  assign: ReviewerAssignment,
) {
  const reviewer =
    assign.mode === "members"
      ? sql`(${sql.param(assign.reviewerIds)}::uuid[])[1 + mod(abs(hashtext(x.integration_id::text || coalesce(x.account_external_id, x.external_id))), ${assign.reviewerIds.length})]`
      : sql`(select o.owner_id from unnest(${sql.param(assign.owners.map((o) => o.integrationId))}::uuid[], ${sql.param(
          assign.owners.map((o) => o.ownerId),
        )}::uuid[]) o (integration_id, owner_id) where o.integration_id = x.integration_id)`;
  // The copy sorts every selected row with its fields; at 200,000 items the default 4 MB spills
  // both that sort and the membership join to disk. For this transaction only.
  await tx.execute(sql`set local work_mem = '64MB'`);
  await tx.execute(sql`
    insert into ${campaignItems} (tenant_id, campaign_id, integration_id, sync_execution_id, object_type, external_id,
                                  account_external_id, account_name, display_name, target_external_id, target_name, fields,
                                  reviewer_id, reviewer_name)
    select ${campaign.tenantId}, ${campaign.id}, y.integration_id, y.sync_execution_id, y.object_type, y.external_id,
           y.account_external_id, y.account_name, y.display_name, y.target_external_id, y.target_name, y.fields,
           y.reviewer_id, u.email
      from (select x.*, ${reviewer} as reviewer_id
              from (${selectedItems(campaign.tenantId, filter)})
                   x (integration_id, sync_execution_id, object_type, external_id, account_external_id, account_name,
                      display_name, target_external_id, target_name, fields)
             order by x.integration_id, x.object_type, coalesce(x.account_name, x.target_name, x.external_id), x.external_id) y
      left join ${users} u on u.id = y.reviewer_id`);
  return tx.execute<{ integrationId: string; reviewerId: string | null; count: number }>(sql`
    insert into ${campaignProgress} (tenant_id, campaign_id, integration_id, reviewer_id, total)
    select tenant_id, campaign_id, integration_id, coalesce(reviewer_id, '00000000-0000-0000-0000-000000000000'::uuid), count(*)
      from ${campaignItems} where campaign_id = ${campaign.id}
     group by tenant_id, campaign_id, integration_id, reviewer_id
    returning integration_id::text as "integrationId", reviewer_id::text as "reviewerId", total::int as count`);
}

/**
 * SHA-256 over the copied items, in id order, one line per item: the JSON
 * array [id, integrationId, syncExecutionId, objectType, externalId,
 * accountExternalId, targetExternalId] as Postgres prints it, lines joined by
 * "\n". lib/campaigns/digest.ts computes the same from exported rows.
 */
export async function itemsDigest(db: Executor, campaignId: string): Promise<string> {
  const [row] = await db.execute<{ digest: string }>(sql`
    select encode(sha256(convert_to(coalesce(string_agg(
             json_build_array(id, integration_id, sync_execution_id, object_type, external_id, account_external_id, target_external_id)::text,
             E'\n' order by id), ''), 'UTF8')), 'hex') as digest
      from ${campaignItems} where campaign_id = ${campaignId}`);
  return row.digest;
}

export async function insertCampaign(tx: Executor, values: NewCampaign) {
  const [row] = await tx.insert(campaigns).values(values).returning();
  return row;
}

export async function setCampaignCounts(
  tx: Executor,
  id: string,
  values: { itemCount: number; itemsDigest: string; snapshotHash: string },
) {
  await tx.execute(sql`
    update ${campaigns} set item_count = ${values.itemCount}, items_digest = ${values.itemsDigest}, snapshot_hash = ${values.snapshotHash}
     where id = ${id}`);
}

export async function insertSyncContexts(tx: Executor, rows: NewSyncContext[]) {
  if (rows.length) await tx.insert(campaignSyncContexts).values(rows);
}

export async function getCampaign(db: Executor, tenantId: string, id: string) {
  const [row] = await db.execute<CampaignRow>(sql`
    select id, tenant_id as "tenantId", name, description, status, due_date::text as "dueDate", reviewer_mode as "reviewerMode",
           reviewer_ids as "reviewerIds", filter, snapshot_hash as "snapshotHash", items_digest as "itemsDigest",
           item_count as "itemCount", created_by_id as "createdById", created_by_name as "createdByName", created_at as "createdAt",
           started_at as "startedAt", ended_at as "endedAt", ended_by_name as "endedByName", decisions_digest as "decisionsDigest"
      from ${campaigns} where tenant_id = ${tenantId} and id = ${id}`);
  return row ? { ...row, startedAt: toDate(row.startedAt), endedAt: toDate(row.endedAt) } : null;
}

function toDate(v: Date | string | null): Date | null {
  return v === null ? null : new Date(v);
}

/** The Sync Context rows, in the order they were captured (logo bytes left out). */
export async function syncContextsOf(db: Executor, tenantId: string, campaignIds: string[]) {
  return db.execute<Omit<SyncContextRow, "logo"> & { hasLogo: boolean }>(sql`
    select tenant_id as "tenantId", campaign_id as "campaignId", position, integration_id as "integrationId",
           integration_name as "integrationName", connector, logo is not null as "hasLogo", logo_content_type as "logoContentType",
           logo_sha256 as "logoSha256", sync_execution_id as "syncExecutionId", sync_status as "syncStatus",
           sync_started_at as "syncStartedAt", sync_ended_at as "syncEndedAt", sync_message as "syncMessage",
           sync_counts as "syncCounts", state_counts as "stateCounts", evidence_id as "evidenceId", evidence_notes as "evidenceNotes",
           evidence_notes_html as "evidenceNotesHtml", evidence_created_by_name as "evidenceCreatedByName",
           evidence_created_at as "evidenceCreatedAt", evidence_files as "evidenceFiles", item_count as "itemCount"
      from ${campaignSyncContexts}
     where tenant_id = ${tenantId} and campaign_id = any(${sql.param(campaignIds)}::uuid[])
     order by campaign_id, position`);
}

export async function syncContextLogo(db: Executor, tenantId: string, campaignId: string, position: number) {
  const [row] = await db.execute<{ logo: Buffer | null; contentType: string | null; sha256: string | null }>(sql`
    select logo, logo_content_type as "contentType", logo_sha256 as sha256
      from ${campaignSyncContexts} where tenant_id = ${tenantId} and campaign_id = ${campaignId} and position = ${position}`);
  return row ?? null;
}

/** The campaigns created before a cursor, newest first; a reviewer sees only those with items assigned to them. */
export async function listCampaigns(
  db: Executor,
  tenantId: string,
  opts: { limit: number; after?: { createdAt: string; id: string } | null; reviewerId?: string | null },
) {
  return db.execute<{
    id: string;
    name: string;
    status: CampaignRow["status"];
    dueDate: string;
    itemCount: number;
    decided: number;
    createdByName: string;
    createdAt: string;
  }>(sql`
    select c.id::text, c.name, c.status, c.due_date::text as "dueDate", c.item_count as "itemCount",
           coalesce((select sum(p.approved + p.revoked) from ${campaignProgress} p where p.campaign_id = c.id), 0)::int as decided,
           c.created_by_name as "createdByName", c.created_at as "createdAt"
      from ${campaigns} c
     where c.tenant_id = ${tenantId}
       ${opts.after ? sql`and (c.created_at, c.id) < (${opts.after.createdAt}, ${opts.after.id}::uuid)` : sql``}
       ${
         opts.reviewerId
           ? sql`and c.status <> 'draft' and exists (select 1 from ${campaignProgress} p where p.campaign_id = c.id and p.reviewer_id = ${opts.reviewerId})`
           : sql``
       }
     order by c.created_at desc, c.id desc
     limit ${opts.limit}`);
}

/** Decided and total items per integration and reviewer. */
export async function campaignProgressOf(db: Executor, tenantId: string, campaignId: string) {
  return db.execute<{ integrationId: string; reviewerId: string; total: number; approved: number; revoked: number }>(sql`
    select integration_id::text as "integrationId", reviewer_id::text as "reviewerId", total::int, approved::int, revoked::int
      from ${campaignProgress} where tenant_id = ${tenantId} and campaign_id = ${campaignId}`);
}

export type ItemFilters = {
  reviewerId?: string | null;
  integrationId?: string | null;
  objectType?: ObjectType | null;
  /** "undecided", or one decision. */
  status?: "undecided" | "approve" | "revoke" | null;
  /** Matched against the account, display and group names, case-insensitively. */
  q?: string | null;
};

export type CampaignItemRow = {
  id: number;
  integrationId: string;
  integrationName: string;
  syncExecutionId: string;
  objectType: ObjectType;
  externalId: string;
  accountExternalId: string | null;
  accountName: string | null;
  displayName: string | null;
  targetExternalId: string | null;
  targetName: string | null;
  reviewerId: string | null;
  reviewerName: string | null;
  decision: "approve" | "revoke" | null;
  comment: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  remediation: RemediationStatus | null;
  /** The provisioning task carrying out a revoke, and the sync that proved it done. */
  remediationTaskId: string | null;
  remediationVerifiedSyncId: string | null;
};

/** The conditions a filtered set of items meets (one campaign). */
export function itemConditions(campaignId: string, f: ItemFilters): SQL {
  const parts: SQL[] = [sql`i.campaign_id = ${campaignId}`];
  if (f.reviewerId) parts.push(sql`i.reviewer_id = ${f.reviewerId}`);
  if (f.integrationId) parts.push(sql`i.integration_id = ${f.integrationId}`);
  if (f.objectType) parts.push(sql`i.object_type = ${f.objectType}`);
  if (f.status === "undecided") parts.push(sql`i.decision is null`);
  else if (f.status) parts.push(sql`i.decision = ${f.status}`);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push(
      sql`(i.account_name ilike ${like} or i.display_name ilike ${like} or i.target_name ilike ${like} or i.external_id ilike ${like})`,
    );
  }
  return sql.join(parts, sql` and `);
}

/** One keyset page of a campaign's items, in the order they were copied. */
export async function listItems(
  db: Executor,
  tenantId: string,
  campaignId: string,
  f: ItemFilters,
  opts: { afterId?: number | null; limit: number },
) {
  return db.execute<CampaignItemRow>(sql`
    select i.id::int, i.integration_id::text as "integrationId",
           (select c.integration_name from ${campaignSyncContexts} c where c.campaign_id = i.campaign_id and c.integration_id = i.integration_id) as "integrationName",
           i.sync_execution_id::text as "syncExecutionId", i.object_type as "objectType", i.external_id as "externalId",
           i.account_external_id as "accountExternalId", i.account_name as "accountName", i.display_name as "displayName",
           i.target_external_id as "targetExternalId", i.target_name as "targetName", i.reviewer_id::text as "reviewerId",
           i.reviewer_name as "reviewerName", i.decision, i.comment, i.decided_by_name as "decidedByName",
           ${iso(sql`i.decided_at`)} as "decidedAt", i.remediation,
           i.remediation_task_id::text as "remediationTaskId", i.remediation_verified_sync_id::text as "remediationVerifiedSyncId"
      from ${campaignItems} i
     where i.tenant_id = ${tenantId} and ${itemConditions(campaignId, f)}
       ${opts.afterId ? sql`and i.id > ${opts.afterId}` : sql``}
     order by i.id
     limit ${opts.limit}`);
}

// ---------------------------------------------------------------------------
// Reviewing: decisions, reassignment, completion and the remediation seam.
// Every change to many items is one set-based statement that also moves the
// campaign_progress counters by the difference it made, so a bulk decision
// over 50,000 items is a single round trip and the counters never drift.
// ---------------------------------------------------------------------------

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/**
 * Locks the campaign row against completion or cancellation for the rest of
 * the transaction and returns its current status. A decision takes it FOR
 * SHARE (decisions run side by side); completing takes it FOR UPDATE, so it
 * waits for decisions in flight and those after it see it completed.
 */
export async function lockCampaign(tx: Executor, tenantId: string, id: string, mode: "share" | "update") {
  const [row] = await tx.execute<{ id: string; name: string; status: CampaignRow["status"] }>(sql`
    select id::text, name, status from ${campaigns} where tenant_id = ${tenantId} and id = ${id}
       for ${mode === "share" ? sql`share` : sql`update`}`);
  return row ?? null;
}

/** Which items a bulk change applies to: named ids, or a filtered set; `reviewerId` narrows either to one member's items. */
export type ItemSelection = { ids: number[]; reviewerId: string | null } | { filters: ItemFilters; reviewerId: string | null };

function selectionConditions(campaignId: string, s: ItemSelection): SQL {
  const filters = "ids" in s ? {} : s.filters;
  const parts = [itemConditions(campaignId, filters)];
  if ("ids" in s) parts.push(sql`i.id = any(${sql.param(s.ids)}::bigint[])`);
  if (s.reviewerId) parts.push(sql`i.reviewer_id = ${s.reviewerId}`);
  return sql.join(parts, sql` and `);
}

/** How many of the named ids exist in the campaign within the selection (to refuse unknown or others' ids before changing anything). */
export async function countSelected(tx: Executor, tenantId: string, campaignId: string, s: ItemSelection) {
  const [row] = await tx.execute<{ n: number }>(sql`
    select count(*)::int as n from ${campaignItems} i where i.tenant_id = ${tenantId} and ${selectionConditions(campaignId, s)}`);
  return row.n;
}

/**
 * Records one decision on every selected item and moves the progress
 * counters by old decision → new. Returns how many items it touched, how
 * many were undecided before and how many changed their decision, and the
 * single item's names when exactly one was decided.
 */
export async function decideItems(
  tx: Executor,
  tenantId: string,
  campaignId: string,
  s: ItemSelection,
  d: { decision: "approve" | "revoke"; comment: string | null; byId: string | null; byName: string; at: Date },
) {
  const [row] = await tx.execute<{
    decided: number;
    wasUndecided: number;
    changed: number;
    firstId: number | null;
    accountName: string | null;
    targetName: string | null;
    externalId: string | null;
  }>(sql`
    with target as (
      select i.id, i.integration_id, coalesce(i.reviewer_id, ${NIL_UUID}::uuid) as reviewer_key, i.decision as old_decision,
             i.account_name, i.target_name, i.external_id
        from ${campaignItems} i
       where i.tenant_id = ${tenantId} and ${selectionConditions(campaignId, s)}
       for update of i
    ), changed as (
      update ${campaignItems} i
         set decision = ${d.decision}, comment = ${d.comment}, decided_by_id = ${d.byId}, decided_by_name = ${d.byName},
             decided_at = ${d.at.toISOString()}::timestamptz,
             remediation = case when ${d.decision} = 'revoke'
                                then case when i.decision = 'revoke' then coalesce(i.remediation, 'pending') else 'pending' end
                           end
        from target t where i.id = t.id
      returning i.id
    ), delta as (
      select integration_id, reviewer_key,
             sum((case when ${d.decision} = 'approve' then 1 else 0 end) - (case when old_decision = 'approve' then 1 else 0 end)) as approved,
             sum((case when ${d.decision} = 'revoke' then 1 else 0 end) - (case when old_decision = 'revoke' then 1 else 0 end)) as revoked
        from target group by integration_id, reviewer_key
    ), counted as (
      update ${campaignProgress} p set approved = p.approved + delta.approved, revoked = p.revoked + delta.revoked
        from delta
       where p.campaign_id = ${campaignId} and p.integration_id = delta.integration_id and p.reviewer_id = delta.reviewer_key
         and (delta.approved <> 0 or delta.revoked <> 0)
      returning 1
    )
    select (select count(*) from changed)::int as decided,
           (select count(*) from target where old_decision is null)::int as "wasUndecided",
           (select count(*) from target where old_decision is distinct from ${d.decision})::int as changed,
           (select min(id) from target)::int as "firstId",
           (select account_name from target order by id limit 1) as "accountName",
           (select target_name from target order by id limit 1) as "targetName",
           (select external_id from target order by id limit 1) as "externalId"`);
  return row;
}

/** A member of the tenant by user id, with the email items record as the reviewer's name. */
export async function memberForReview(db: Executor, tenantId: string, userId: string) {
  const [row] = await db.execute<{ userId: string; email: string; role: string }>(sql`
    select u.id::text as "userId", u.email, m.role
      from ${users} u join ${memberships} m on m.user_id = u.id and m.tenant_id = ${tenantId}
     where u.id = ${userId}`);
  return row ?? null;
}

/**
 * Moves the selected items to another reviewer and moves their totals and
 * decision counts from each old (integration, reviewer) counter to the new
 * one. Items already with that reviewer are left alone. Returns how many moved.
 */
export async function reassignItems(
  tx: Executor,
  tenantId: string,
  campaignId: string,
  s: ItemSelection,
  to: { id: string; name: string },
) {
  const [row] = await tx.execute<{ moved: number }>(sql`
    with target as (
      select i.id, i.integration_id, coalesce(i.reviewer_id, ${NIL_UUID}::uuid) as reviewer_key, i.decision
        from ${campaignItems} i
       where i.tenant_id = ${tenantId} and ${selectionConditions(campaignId, s)} and i.reviewer_id is distinct from ${to.id}::uuid
       for update of i
    ), changed as (
      update ${campaignItems} i set reviewer_id = ${to.id}, reviewer_name = ${to.name} from target t where i.id = t.id returning i.id
    ), leaving as (
      select integration_id, reviewer_key, count(*) as total,
             count(*) filter (where decision = 'approve') as approved, count(*) filter (where decision = 'revoke') as revoked
        from target group by integration_id, reviewer_key
    ), left_counters as (
      update ${campaignProgress} p
         set total = p.total - l.total, approved = p.approved - l.approved, revoked = p.revoked - l.revoked
        from leaving l
       where p.campaign_id = ${campaignId} and p.integration_id = l.integration_id and p.reviewer_id = l.reviewer_key
      returning 1
    ), arriving as (
      select integration_id, sum(total) as total, sum(approved) as approved, sum(revoked) as revoked from leaving group by integration_id
    ), arrived_counters as (
      insert into ${campaignProgress} (tenant_id, campaign_id, integration_id, reviewer_id, total, approved, revoked)
      select ${tenantId}, ${campaignId}, integration_id, ${to.id}, total, approved, revoked from arriving
      on conflict (campaign_id, integration_id, reviewer_id) do update
         set total = ${campaignProgress}.total + excluded.total, approved = ${campaignProgress}.approved + excluded.approved,
             revoked = ${campaignProgress}.revoked + excluded.revoked
      returning 1
    )
    select (select count(*) from changed)::int as moved`);
  // A reviewer left with nothing in the campaign no longer sees it.
  await tx.execute(sql`delete from ${campaignProgress} where campaign_id = ${campaignId} and total = 0`);
  return row.moved;
}

/**
 * SHA-256 over every item's decision, in id order, one line per item: the
 * JSON array [id, decision, comment, decidedByName, decidedAt] as Postgres
 * prints json_build_array(...)::text — e.g.
 * `[17, "revoke", "left the team", "rita@example.com", "2026-11-30T11:02:03.456Z"]`,
 * undecided items as `[18, null, null, null, null]`, decidedAt as ISO 8601 UTC
 * with milliseconds — lines joined by "\n". What a campaign's completion
 * ledger entry records.
 */
export async function decisionsDigest(db: Executor, campaignId: string): Promise<string> {
  const [row] = await db.execute<{ digest: string }>(sql`
    select encode(sha256(convert_to(coalesce(string_agg(
             json_build_array(id, decision, comment, decided_by_name, ${iso(sql`decided_at`)})::text,
             E'\n' order by id), ''), 'UTF8')), 'hex') as digest
      from ${campaignItems} where campaign_id = ${campaignId}`);
  return row.digest;
}

/** Approved, revoked and undecided items, counted from the items themselves. */
export async function decisionTotals(db: Executor, campaignId: string) {
  const [row] = await db.execute<{ total: number; approved: number; revoked: number; undecided: number }>(sql`
    select count(*)::int as total, count(*) filter (where decision = 'approve')::int as approved,
           count(*) filter (where decision = 'revoke')::int as revoked, count(*) filter (where decision is null)::int as undecided
      from ${campaignItems} where campaign_id = ${campaignId}`);
  return row;
}

export async function setCampaignStatus(
  tx: Executor,
  id: string,
  values: {
    status: CampaignRow["status"];
    startedAt?: Date;
    endedAt?: Date;
    endedByName?: string;
    decisionsDigest?: string;
  },
) {
  await tx.execute(sql`
    update ${campaigns} set status = ${values.status}
      ${values.startedAt ? sql`, started_at = ${values.startedAt.toISOString()}::timestamptz` : sql``}
      ${values.endedAt ? sql`, ended_at = ${values.endedAt.toISOString()}::timestamptz` : sql``}
      ${values.endedByName ? sql`, ended_by_name = ${values.endedByName}` : sql``}
      ${values.decisionsDigest ? sql`, decisions_digest = ${values.decisionsDigest}` : sql``}
     where id = ${id}`);
}

export type PendingRemediationRow = {
  id: number;
  campaignId: string;
  campaignName: string;
  campaignStatus: CampaignRow["status"];
  integrationId: string;
  objectType: ObjectType;
  externalId: string;
  accountExternalId: string | null;
  accountName: string | null;
  targetExternalId: string | null;
  targetName: string | null;
  comment: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
};

/**
 * Revoke decisions not yet carried out, tenant-wide, in item id order (keyset
 * on id). Only completed campaigns': until completion a decision may still
 * change, and a cancelled campaign's decisions were never final.
 */
export async function pendingRemediations(db: Executor, tenantId: string, opts: { afterId?: number | null; limit: number }) {
  return db.execute<PendingRemediationRow>(sql`
    select i.id::int, i.campaign_id::text as "campaignId", c.name as "campaignName", c.status as "campaignStatus",
           i.integration_id::text as "integrationId", i.object_type as "objectType", i.external_id as "externalId",
           i.account_external_id as "accountExternalId", i.account_name as "accountName",
           i.target_external_id as "targetExternalId", i.target_name as "targetName", i.comment,
           i.decided_by_name as "decidedByName", ${iso(sql`i.decided_at`)} as "decidedAt"
      from ${campaignItems} i join ${campaigns} c on c.id = i.campaign_id
     where i.tenant_id = ${tenantId} and i.remediation = 'pending' and c.status = 'completed'
       ${opts.afterId ? sql`and i.id > ${opts.afterId}` : sql``}
     order by i.id
     limit ${opts.limit}`);
}

/**
 * A keyset batch of every item of a campaign for its Audit Report, in id
 * order. The integration's name is left to the caller (it has the Sync
 * Context), so the batch is one index range with no per-row lookup.
 */
export async function reportItems(db: Executor, tenantId: string, campaignId: string, opts: { afterId: number | null; limit: number }) {
  return db.execute<Omit<CampaignItemRow, "integrationName">>(sql`
    select i.id::int, i.integration_id::text as "integrationId", i.sync_execution_id::text as "syncExecutionId",
           i.object_type as "objectType", i.external_id as "externalId", i.account_external_id as "accountExternalId",
           i.account_name as "accountName", i.display_name as "displayName", i.target_external_id as "targetExternalId",
           i.target_name as "targetName", i.reviewer_id::text as "reviewerId", i.reviewer_name as "reviewerName", i.decision,
           i.comment, i.decided_by_name as "decidedByName", ${iso(sql`i.decided_at`)} as "decidedAt", i.remediation,
           i.remediation_task_id::text as "remediationTaskId", i.remediation_verified_sync_id::text as "remediationVerifiedSyncId"
      from ${campaignItems} i
     where i.tenant_id = ${tenantId} and i.campaign_id = ${campaignId}
       ${opts.afterId ? sql`and i.id > ${opts.afterId}` : sql``}
     order by i.id
     limit ${opts.limit}`);
}

/** Active campaigns with items assigned to a member, with how many of theirs are still undecided. */
export async function activeReviewsOf(db: Executor, tenantId: string, reviewerId: string) {
  return db.execute<{ id: string; name: string; dueDate: string; total: number; remaining: number }>(sql`
    select c.id::text, c.name, c.due_date::text as "dueDate", sum(p.total)::int as total,
           sum(p.total - p.approved - p.revoked)::int as remaining
      from ${campaigns} c join ${campaignProgress} p on p.campaign_id = c.id and p.reviewer_id = ${reviewerId}
     where c.tenant_id = ${tenantId} and c.status = 'active'
     group by c.id, c.name, c.due_date
     order by c.due_date, c.name`);
}

/** The campaign's integrations (as captured) and the members holding its items, for the review page's filters. */
export async function reviewFacets(db: Executor, tenantId: string, campaignId: string) {
  const [integrationsOf, reviewers] = await Promise.all([
    db.execute<{ id: string; name: string }>(sql`
      select integration_id::text as id, integration_name as name from ${campaignSyncContexts}
       where tenant_id = ${tenantId} and campaign_id = ${campaignId} order by position`),
    db.execute<{ id: string; name: string }>(sql`
      select p.reviewer_id::text as id, coalesce(u.email, 'No reviewer') as name
        from ${campaignProgress} p left join ${users} u on u.id = p.reviewer_id
       where p.tenant_id = ${tenantId} and p.campaign_id = ${campaignId}
       group by p.reviewer_id, u.email order by 2`),
  ]);
  return { integrations: [...integrationsOf], reviewers: [...reviewers] };
}
