/**
 * Data access for the two provisioning sources that act on their own: a
 * completed campaign's revokes (campaign_items.remediation, moved on by the
 * task carrying the revoke out, and proven by the next sync) and the expiry of
 * granted permissions.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { ObjectType, RemediationStatus } from "@/lib/domain/enums";
import type { Executor } from "../client";
import { campaignItems, extractedObjects, identityOverlay, provisioningSettings, provisioningTasks } from "../schema";

const array = (values: readonly unknown[]) => sql.param(values);

export type RevokeItemRow = {
  id: number;
  integrationId: string;
  objectType: ObjectType;
  externalId: string;
  accountExternalId: string | null;
  accountName: string | null;
  targetExternalId: string | null;
  targetName: string | null;
  provisioned: boolean;
};

/** A campaign's revokes still pending, with whether their integration is provisioned. */
export async function pendingRevokesOf(tx: Executor, tenantId: string, campaignId: string) {
  return tx.execute<RevokeItemRow>(sql`
    select i.id::int, i.integration_id::text as "integrationId", i.object_type as "objectType", i.external_id as "externalId",
           i.account_external_id as "accountExternalId", i.account_name as "accountName",
           i.target_external_id as "targetExternalId", i.target_name as "targetName",
           coalesce(s.enabled, false) as provisioned
      from ${campaignItems} i left join ${provisioningSettings} s on s.integration_id = i.integration_id
     where i.tenant_id = ${tenantId} and i.campaign_id = ${campaignId} and i.decision = 'revoke' and i.remediation = 'pending'
     order by i.id`);
}

/** Hands items to the tasks carrying their revokes out. */
export async function setRemediationTasks(tx: Executor, tenantId: string, pairs: { itemId: number; taskId: string }[]) {
  if (pairs.length === 0) return;
  await tx.execute(sql`
    update ${campaignItems} i set remediation = 'in_progress', remediation_task_id = p.task_id
      from unnest(${array(pairs.map((p) => p.itemId))}::bigint[], ${array(pairs.map((p) => p.taskId))}::uuid[]) as p(item_id, task_id)
     where i.tenant_id = ${tenantId} and i.id = p.item_id`);
}

/** Moves the items a task carries out to the status its own status means. Returns how many moved. */
export async function setRemediationOfTask(tx: Executor, tenantId: string, taskId: string, status: RemediationStatus) {
  const rows = await tx.execute(sql`
    update ${campaignItems} set remediation = ${status}
     where tenant_id = ${tenantId} and remediation_task_id = ${taskId}
       and remediation is distinct from ${status} and remediation <> 'verified'
    returning 1`);
  return rows.length;
}

/** A retry takes over its original's items. */
export async function moveRemediationTask(tx: Executor, tenantId: string, fromTaskId: string, toTaskId: string) {
  const rows = await tx.execute(sql`
    update ${campaignItems} set remediation = 'in_progress', remediation_task_id = ${toTaskId}
     where tenant_id = ${tenantId} and remediation_task_id = ${fromTaskId} and remediation <> 'verified'
    returning 1`);
  return rows.length;
}

/** The task a Retry After Modification made of this one. */
export async function retryOf(tx: Executor, tenantId: string, taskId: string) {
  const [row] = await tx.execute<{ id: string }>(sql`
    select id::text from ${provisioningTasks}
     where tenant_id = ${tenantId} and source_ref_type = 'task' and source_ref_id = ${taskId} and source = 'retry_after_modification'
     order by seq desc limit 1`);
  return row?.id ?? null;
}

/** An integration's carried-out revokes awaiting a sync's proof. */
export async function remediatedItemsOf(tx: Executor, integrationId: string) {
  return tx.execute<{ id: number; objectType: ObjectType; externalId: string }>(sql`
    select id::int, object_type as "objectType", external_id as "externalId"
      from ${campaignItems} where integration_id = ${integrationId} and remediation = 'remediated'`);
}

/**
 * Some objects of one type as the current state holds them now, with the
 * account status field: base rows probed once per id, then what delta syncs
 * changed since (a null status with `deleted` means the overlay removed it).
 * The same probes as db/queries/identity-state.ts, for the same reasons.
 */
export async function currentObjects(
  tx: Executor,
  state: { integrationId: string; base: string | null },
  objectType: ObjectType,
  externalIds: string[],
) {
  const found = new Map<string, string | null>();
  if (externalIds.length === 0) return found;
  if (state.base) {
    const base = await tx.execute<{ external_id: string; status: string | null }>(sql`
      select b.external_id, b.status from unnest(${array(externalIds)}::text[]) as k(external_id)
        cross join lateral (
          select b.external_id, b.fields ->> 'status' as status from ${extractedObjects} b
           where b.sync_execution_id = (select ${state.base}::uuid) and b.object_type = ${objectType}
             and b.external_id = k.external_id
           limit 1) b`);
    for (const r of base) found.set(r.external_id, r.status);
  }
  const overlay = await tx.execute<{ external_id: string; deleted: boolean; status: string | null }>(sql`
    select o.external_id, o.extracted_id is null as deleted, oe.fields ->> 'status' as status from ${identityOverlay} o
      left join ${extractedObjects} oe on oe.sync_execution_id = o.sync_execution_id and oe.id = o.extracted_id
     where o.integration_id = ${state.integrationId} and o.object_type = ${objectType}
       and o.external_id = any(${array(externalIds)}::text[])`);
  for (const r of overlay) {
    if (r.deleted) found.delete(r.external_id);
    else found.set(r.external_id, r.status);
  }
  return found;
}

/** Records the sync that proved the removals. */
export async function markVerified(tx: Executor, itemIds: number[], syncId: string) {
  if (itemIds.length === 0) return;
  await tx.execute(sql`
    update ${campaignItems} set remediation = 'verified', remediation_verified_sync_id = ${syncId}
     where id = any(${array(itemIds)}::bigint[]) and remediation = 'remediated'`);
}

export type ExpiredGrantRow = {
  id: string;
  tenantId: string;
  integrationId: string;
  objectType: "membership";
  objectKey: string;
  objectName: string;
  accountExternalId: string | null;
  parameters: Record<string, unknown>;
};

/**
 * Granted permissions past their expiry with no revoke queued yet, locked for
 * this transaction; rows another worker holds are skipped, so two workers
 * never queue the same revoke. Integrations whose provisioning is off send
 * nothing: their grants wait until it is on again.
 */
export async function lockExpiredGrants(tx: Executor, limit: number) {
  return tx.execute<ExpiredGrantRow>(sql`
    select t.id::text, t.tenant_id::text as "tenantId", t.integration_id::text as "integrationId", t.object_type as "objectType",
           t.object_key as "objectKey", t.object_name as "objectName", t.account_external_id as "accountExternalId", t.parameters
      from ${provisioningTasks} t
     where t.expires_at <= now() and t.expiry_task_id is null and t.action = 'grant' and t.status in ('success', 'confirmed')
       and exists (select 1 from ${provisioningSettings} s where s.integration_id = t.integration_id and s.enabled)
     order by t.expires_at
     limit ${limit}
       for update of t skip locked`);
}

export async function setExpiryTasks(tx: Executor, pairs: { grantId: string; taskId: string }[]) {
  if (pairs.length === 0) return;
  await tx.execute(sql`
    update ${provisioningTasks} t set expiry_task_id = p.task_id, updated_at = now()
      from unnest(${array(pairs.map((p) => p.grantId))}::uuid[], ${array(pairs.map((p) => p.taskId))}::uuid[]) as p(grant_id, task_id)
     where t.id = p.grant_id`);
}

/** setRemediationOfTask for many tasks that moved alike, in one statement. */
export async function setRemediationOfTasks(tx: Executor, tenantId: string, taskIds: string[], status: RemediationStatus) {
  if (taskIds.length === 0) return 0;
  const rows = await tx.execute(sql`
    update ${campaignItems} set remediation = ${status}
     where tenant_id = ${tenantId} and remediation_task_id = any(${sql.param(taskIds)}::uuid[])
       and remediation is distinct from ${status} and remediation <> 'verified'
    returning 1`);
  return rows.length;
}
